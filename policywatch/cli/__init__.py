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
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from policywatch import __version__
from policywatch.errors import PolicywatchError
from policywatch.termsafe import printable


class _Flag(TyperOption):
    def display_type_rich(self, ctx):
        return None


class _Option(TyperOption):
    def display_type_rich(self, ctx):
        shown = super().display_type_rich(ctx)
        # A repeatable option takes one value each time: <str>, not <list[str]>.
        return f"<{shown[len('<list[') : -len(']>')]}>" if shown and shown.startswith("<list[") else shown


class _Argument(TyperArgument):
    def display_type_rich(self, ctx):
        return super().display_type_rich(ctx) if self.type_descriptor.is_choice else None


class _FlagsAsFlags:
    """Help in which a flag looks like a flag.

    typer prints ``<bool>`` after every flag (``--dry-run <bool>``) and a type after
    every argument (``SLUG <list[str]>``), so ``publish --dry-run true`` looked right
    and published a policy named "true". Here a flag shows no value, an argument
    shows its name (with its choices if it has any), and a repeatable option the
    type of one value.
    """

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if type(param) is TyperOption:
                param.__class__ = _Flag if param.is_flag else _Option
            elif type(param) is TyperArgument:
                param.__class__ = _Argument
        return params


class _Command(_FlagsAsFlags, TyperCommand):
    pass


class _SubGroup(_FlagsAsFlags, TyperGroup):
    pass


class Typer(typer.Typer):
    """``typer.Typer`` whose commands and groups print the help above; every command group uses it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cls", _SubGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


class _Group(_FlagsAsFlags, TyperGroup):
    def invoke(self, ctx):
        # Typer bundles its own Click; its usage errors are the ones a command's arguments raise.
        from typer._click.exceptions import UsageError

        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if exc.ctx is None or "--debug" in sys.argv:
                raise
            # One line, like every other error, instead of Click's usage box.
            where = exc.ctx.command_path
            typer.echo(
                f"policywatch: error: {where}: {printable(exc.format_message())} (see '{where} --help')", err=True
            )
            raise typer.Exit(exc.exit_code) from None
        except PolicywatchError as exc:
            if "--debug" in sys.argv or (ctx.obj or {}).get("debug"):
                raise
            typer.echo(f"policywatch: error: {printable(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = Typer(
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
from policywatch.cli import (  # noqa: E402,F401
    acceptances,
    diff,
    evidence,
    inforce,
    notify,
    objections,
    publish,
    repo,
    serve,
    site,
    subscribers,
)


def main() -> None:
    app(prog_name="policywatch")
