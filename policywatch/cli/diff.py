"""Commands that compare policy texts: diff."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer

from policywatch.cli import app


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    markdown = "markdown"


@app.command()
def diff(
    old: str = typer.Argument(None, metavar="OLD", help="File, REV:PATH, SLUG or SLUG@VERSION."),
    new: str = typer.Argument(None, metavar="NEW", help="File, REV:PATH, SLUG or SLUG@VERSION."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="Output format."),
    material_only: bool = typer.Option(False, "--material-only", help="Show only the material changes."),
) -> None:
    """Show what changed between two policy texts, and which changes are material.

    With no arguments, every policy against its last release; with a SLUG, that
    policy against its last release; with REV:PATH alone, that revision against
    the working copy.
    """
    from policywatch import compare
    from policywatch.cli._output import echo_content, warn_ignored
    from policywatch.engine.render import Report, render_json, render_markdown, render_text
    from policywatch.release.diffsources import pairs_for, project_rules
    from policywatch.site.redline_page import render_html

    pairs = pairs_for(old, new)
    warn_ignored(r.to_json() for p in pairs for r in p.ignored)
    rules = project_rules()
    reports = [
        Report(
            p.name,
            p.old.label,
            p.new.label,
            compare(p.old.text, p.new.text, rules=rules, labels=(p.old.label, p.new.label), language=_language(p.name)),
        )
        if p.old
        else Report(p.name, "", p.new.label, None)
        for p in pairs
    ]
    if fmt is DiffFormat.json:
        typer.echo(render_json(reports, material_only))
    elif fmt is DiffFormat.html:
        echo_content(render_html(reports, material_only))
    elif fmt is DiffFormat.markdown:
        typer.echo(render_markdown(reports, material_only), nl=False)
    else:
        typer.echo(render_text(reports, material_only, color=sys.stdout.isatty()), nl=False)


def _language(name: str) -> str | None:
    """The language a translation's slug names ("privacy.de"); None lets compare() read or detect it."""
    from pathlib import PurePath

    from policywatch.locales import split_translation

    return split_translation(PurePath(name).stem if name.endswith(".md") else name)[1]
