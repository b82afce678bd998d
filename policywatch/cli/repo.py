"""Commands that look at the repository: init, status, log, show."""

from __future__ import annotations

from pathlib import Path

import typer

from policywatch.cli import app
from policywatch.cli._output import FORMAT_OPTION, Format, echo, echo_content, print_json, print_table, warn_ignored


@app.command()
def init(
    path: Path = typer.Argument(Path("."), help="Folder to set up (default: here)."),
    policies: str = typer.Option("policies", help="Name of the policies folder."),
) -> None:
    """Set up policywatch in a git repository (running `git init` if needed)."""
    from policywatch.scaffold import init_project

    result = init_project(path, policies)
    if result.git_initialised:
        typer.echo(f"initialised git repository in {result.root}")
    for item in result.created:
        typer.echo(f"created {item}")
    for item in result.kept:
        typer.echo(f"kept existing {item}")


@app.command()
def status(fmt: Format = FORMAT_OPTION) -> None:
    """List every policy with its version, dates, last release and pending changes."""
    from policywatch.project import open_project
    from policywatch.release.status import policy_statuses

    statuses = policy_statuses(open_project())
    warn_ignored(t for s in statuses for t in s.ignored_tags)
    if fmt is Format.json:
        print_json(statuses)
        return
    rows = [
        [
            s.slug,
            s.title,
            s.version or "-",
            s.effective or "-",
            f"{s.notice_days} days",
            s.last_release or "(never released)",
            {None: "-", True: "changed", False: "clean"}[s.changed_since_release] + (f" ({s.note})" if s.note else ""),
            s.pending or "-",
        ]
        for s in statuses
    ]
    headers = ["POLICY", "TITLE", "VERSION", "EFFECTIVE", "NOTICE", "LAST RELEASE", "SINCE RELEASE", "PENDING"]
    if any(s.source or s.translations_later for s in statuses):
        headers.append("TRANSLATION")
        for row, s in zip(rows, statuses, strict=True):
            row.append(_translation_cell(s))
            if s.source:
                row[0] = f"  {s.slug}"
    print_table(headers, rows)


def _translation_cell(status) -> str:
    """``de of 2.0: behind by 1 material release (2.0 → 3.0)`` for a locale; the languages to follow for a source."""
    if status.translation:
        t = status.translation
        return f"{t['language']} of {t['translation_of'] or '?'}: {t['state']}"
    if status.translations_later:
        return f"translations later: {', '.join(status.translations_later)}"
    return ""


@app.command()
def log(slug: str = typer.Argument(..., help="Policy slug."), fmt: Format = FORMAT_OPTION) -> None:
    """Show a policy's releases and the commits that changed it."""
    from policywatch.project import open_project
    from policywatch.release.status import policy_log

    result = policy_log(open_project(), slug)
    warn_ignored(result.ignored_tags)
    if fmt is Format.json:
        print_json(result)
        return
    if result.shallow:
        typer.echo("note: shallow clone, history may be incomplete (git fetch --unshallow)", err=True)
    for entry in result.commits:
        tags = f" [{', '.join(entry.tags)}]" if entry.tags else ""
        echo(f"{entry.commit[:10]}  {entry.date[:10]}  {entry.subject}{tags}")
    if not result.commits:
        echo(f"{result.path}: no commits yet")


@app.command()
def show(
    spec: str = typer.Argument(..., metavar="SLUG[@VERSION]", help="Policy, optionally at a version or git revision."),
) -> None:
    """Print a policy's text: the working copy, a released version, or any revision.

    Control characters are shown as escapes on a terminal; a pipe or a file gets the text as it is.
    """
    from policywatch.project import open_project
    from policywatch.release.text import show_text

    echo_content(show_text(open_project(), spec))
