"""The command line of `policywatch check`, without the command-line framework.

The check runs on every push, and typer's start-up alone costs more than the
check, so ``policywatch check`` and ``python -m policywatch.check`` both come
here: one definition of the options, one help text, one exit code.
"""

from __future__ import annotations

import argparse
import os
import sys


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized to the terminal without importing shutil (and the compression
    modules shutil brings), which argparse does for every option it adds."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


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
    p = argparse.ArgumentParser(
        prog="policywatch check",
        formatter_class=_Formatter,
        description="Fail (exit 1) on an unpublished material change or metadata that contradicts "
        "the release history; exit 2 when the check cannot be made.",
    )
    p.add_argument(
        "--against",
        default=os.environ.get("PRE_COMMIT_TO_REF") or "HEAD",
        metavar="REF",
        help="check the policies as committed at REF (default: $PRE_COMMIT_TO_REF, which the "
        "pre-commit framework sets to the commit being pushed, else HEAD)",
    )
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")
    return p


def _joined(argv: list[str]) -> list[str]:
    """``--against -x`` as ``--against=-x``: a revision starting with a dash is still the value, for git to refuse."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == "--against" and out[i + 1].startswith("-"):
            out[i : i + 2] = [f"--against={out[i + 1]}"]
            break
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the check; 0 passed, 1 failed, 2 could not judge (the error's own code)."""
    args = parser().parse_args(_joined(sys.argv[1:] if argv is None else argv))

    from policywatch.errors import PolicywatchError
    from policywatch.project import open_project
    from policywatch.release.check import ignored_tags, render_json, render_text, run_check
    from policywatch.termsafe import printable

    try:
        result = run_check(open_project(), args.against)
    except PolicywatchError as exc:
        print(f"policywatch: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    for tag in ignored_tags(result):
        print(f"policywatch: warning: ignoring tag {tag['tag']}: {tag['reason']}", file=sys.stderr)
    print(render_json(result) if args.format == "json" else render_text(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
