"""Commands that announce releases: notify, audit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from policywatch.cli import app
from policywatch.cli._output import FORMAT_OPTION, Format, echo
from policywatch.plural import plural


class AuditFormat(StrEnum):
    csv = "csv"
    json = "json"


def _interactive() -> bool:
    """A progress bar only for a person at a terminal, never in CI logs."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("notify"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("notify", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
def notify(
    release: str = typer.Argument(None, metavar="RELEASE", help="Only this release: its tag or SLUG@VERSION."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each email as an .eml file; send and record nothing."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try failed deliveries again."),
    retry_now: bool = typer.Option(False, "--retry-now", help="Try deferred deliveries now, without the back-off."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Sender processes sharing the work."),
    eml_dir: Path = typer.Option(None, "--eml-dir", help="Folder for --dry-run output."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Send every notice owed for material releases, exactly once, and say what happened."""
    from policywatch.audience.runner import run_notify
    from policywatch.cli._output import print_json, warn_ignored
    from policywatch.project import open_project
    from policywatch.release.history import releases_reachable

    project = open_project()
    from policywatch.evidence.anchor import enabled

    enabled(project)  # a bad [evidence] setting stops the run before anything is sent
    ignored = releases_reachable(project).rejected if release is None else ()  # a named one is refused instead
    warn_ignored(r.to_json() for r in ignored)
    with _progress_bar(_interactive() and fmt is Format.text) as progress:
        summary = run_notify(
            project,
            release=release,
            dry_run=dry_run,
            retry_failed=retry_failed,
            retry_now=retry_now,
            workers=workers,
            progress=progress,
            eml_dir=eml_dir,
        )
    if not dry_run:
        from policywatch.evidence.anchor import record_for_tags

        record_for_tags(project, summary.releases)
    if fmt is Format.json:
        print_json({**vars(summary), "ok": summary.ok, "ignored_tags": [r.to_json() for r in ignored]})
    else:
        for problem in summary.problem_lines():
            echo(f"policywatch: {problem}", err=True)
        for line in summary.untold_lines():
            echo(f"policywatch: {line}", err=True)
        if dry_run:
            typer.echo(
                f"dry run: {plural(summary.sent, 'email')} written to {summary.eml_dir}, "
                f"{plural(summary.would_post, 'webhook post')} "
                "not made; nothing sent or recorded"
            )
        elif not summary.releases and not summary.pending and not summary.covered:
            typer.echo(
                "nothing to send" if summary.untold else "nothing to send: every material release has been announced"
            )
        else:
            typer.echo(summary.counts())
            if summary.pending and not summary.blocked:  # a blocked server's line already says what is left
                typer.echo(f"policywatch: {summary.pending_line()}", err=True)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


@app.command()
def audit(
    spec: str = typer.Argument(..., metavar="SLUG@VERSION", help="The release: SLUG@VERSION or its tag."),
    fmt: AuditFormat = typer.Option(AuditFormat.csv, "--format", "-f", help="Output format."),
) -> None:
    """Proof of notice for one release: who was sent what, when, with which Message-ID, and the result."""
    from policywatch.audience.audit import audit_rows, resolve_tag, write_csv, write_json
    from policywatch.cli._output import content_stream
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    with project_store(project) as store:
        tag, policy, version = resolve_tag(project, store, spec)
        rows = audit_rows(store, tag, policy, version)
        (write_json if fmt is AuditFormat.json else write_csv)(rows, content_stream())
