"""The `policywatch` command: a thin typer layer over the library.

Each command parses its arguments, calls one library function, and prints.
Library errors (``PolicywatchError``) become one line on stderr and their exit
code here, in ``_Group.invoke``, and nowhere else. Command modules import the
library inside their functions so that `policywatch check` on every push loads
only what it uses.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from policywatch import __version__
from policywatch.errors import PolicywatchError
from policywatch.termsafe import printable


class _Group(TyperGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicywatchError as exc:
            if "--debug" in sys.argv or (ctx.obj or {}).get("debug"):
                raise
            typer.echo(f"policywatch: error: {printable(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    help="Run public policies the way you run code: versioned, diffed, released and announced.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"policywatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an error."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    ctx.obj = {"debug": debug}


# Importing a command module registers its commands; the modules import the library lazily.
from policywatch.cli import diff, notify, publish, repo, serve, site, subscribers  # noqa: E402,F401


def main() -> None:
    app(prog_name="policywatch")
