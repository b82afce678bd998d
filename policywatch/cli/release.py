"""Commands that release policies: publish, check, hook."""

from __future__ import annotations

import typer

from policywatch.cli import app
from policywatch.cli._output import FORMAT_OPTION, Format, print_json


@app.command()
def check(
    against: str = typer.Option("HEAD", "--against", metavar="REF", help="Check the policies as committed at REF."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Fail (exit 1) on an unpublished material change or metadata that contradicts the release history."""
    from policywatch.check import run_check
    from policywatch.project import open_project

    result = run_check(open_project(), against)
    if fmt is Format.json:
        print_json(
            {
                "ok": result.ok,
                "against": result.against,
                "errors": result.errors,
                "warnings": result.warnings,
                "policies": result.policies,
            }
        )
    else:
        for finding in result.findings:
            typer.echo(f"{finding.level}: {finding.policy}: {finding.message}")
            for reason in finding.reasons[:20]:
                typer.echo(f"  - {reason}")
            if len(finding.reasons) > 20:
                typer.echo(f"  ... and {len(finding.reasons) - 20} more")
        n = len(result.policies)
        if result.ok:
            typer.echo(f"ok: {n} {'policy' if n == 1 else 'policies'} checked against {against}")
        else:
            typer.echo(
                f"check failed: {len(result.errors)} problem(s) in {n} {'policy' if n == 1 else 'policies'} "
                f"at {against}"
            )
    if not result.ok:
        raise typer.Exit(1)
