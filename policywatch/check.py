"""The command line of `policywatch check`, without the command-line framework.

The check runs on every push, and typer's start-up alone costs more than the
check, so ``policywatch check`` and ``python -m policywatch.check`` both come
here: one definition of the options, one help text, one exit code. The hook's
own call (``--against REF``) is read without importing argparse, whose import
is a tenth of the check's start-up; anything else goes to the parser.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported on the push path
if TYPE_CHECKING:
    import argparse

FORMATS = ("text", "json")


def default_against() -> str:
    """The pre-commit framework names the commit being pushed in $PRE_COMMIT_TO_REF."""
    return os.environ.get("PRE_COMMIT_TO_REF") or "HEAD"


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it: $COLUMNS, the terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def parser() -> argparse.ArgumentParser:
    """The options of `policywatch check`, for the hook and for the full command line alike."""
    import argparse

    class Formatter(argparse.HelpFormatter):
        """argparse's layout, sized without importing shutil (and the compression modules it brings)."""

        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=_columns() - 2)

    p = argparse.ArgumentParser(
        prog="policywatch check",
        formatter_class=Formatter,
        description="Fail (exit 1) on an unpublished material change or metadata that contradicts "
        "the release history; exit 2 when the check cannot be made.",
    )
    p.add_argument(
        "--against",
        default=default_against(),
        metavar="REF",
        help="check the policies as committed at REF (default: $PRE_COMMIT_TO_REF, which the "
        "pre-commit framework sets to the commit being pushed, else HEAD)",
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text)")
    return p


def plain_options(argv: list[str]) -> tuple[str, str] | None:
    """(against, format) for the calls the hooks make, read as ``parser()`` reads them; None for anything else."""
    against, fmt = default_against(), "text"
    rest = list(argv)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in ("--against", "--format", "-f") or (equals and name == "-f"):
            return None  # argparse reads "-f=json" as "=json"; help, mistakes and abbreviations are its too
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if name == "--against":
            against = value
        elif value in FORMATS:
            fmt = value
        else:
            return None
    return against, fmt


def _joined(argv: list[str]) -> list[str]:
    """``--against -x`` as ``--against=-x``: a revision starting with a dash is still the value, for git to refuse.

    ``--`` stays apart: argparse drops it from a joined value and would check against nothing.
    """
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--against" and out[i + 1].startswith("-") and out[i + 1] != "--":
            out[i : i + 2] = [f"--against={out[i + 1]}"]
            break
    return out


def defer_inspect() -> None:
    """Put off importing ``inspect`` until something uses it.

    ``dataclasses`` imports it at the top for one call, made only for a class
    without a docstring, and the import is a tenth of the check's start-up. The
    stand-in loads the real module on first use and then steps aside, so nothing
    behaves differently; only the hook's process installs it.
    """
    if "inspect" in sys.modules:
        return
    stand_in = type(sys)("inspect")

    def load(name: str) -> object:
        del sys.modules["inspect"]
        import inspect

        stand_in.__dict__.update(inspect.__dict__)
        return getattr(inspect, name)

    stand_in.__getattr__ = load  # type: ignore[method-assign]
    sys.modules["inspect"] = stand_in


def main(argv: list[str] | None = None) -> int:
    """Run the check; 0 passed, 1 failed, 2 could not judge (the error's own code)."""
    argv = _joined(sys.argv[1:] if argv is None else argv)
    options = plain_options(argv)
    if options is None:
        args = parser().parse_args(argv)
        options = (args.against, args.format)
    against, fmt = options

    defer_inspect()
    from policywatch.errors import PolicywatchError
    from policywatch.project import open_project
    from policywatch.release.check import ignored_tags, render_json, render_text, run_check
    from policywatch.termsafe import printable

    try:
        result = run_check(open_project(), against)
    except PolicywatchError as exc:
        print(f"policywatch: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    for tag in ignored_tags(result):
        print(f"policywatch: warning: ignoring tag {tag['tag']}: {tag['reason']}", file=sys.stderr)
    print(render_json(result) if fmt == "json" else render_text(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
