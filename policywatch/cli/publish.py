"""Commands that release policies: publish, check, hook."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from policywatch.cli import Typer, app
from policywatch.cli._output import echo
from policywatch.plural import plural


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
def check(ctx: typer.Context) -> None:
    """Fail (exit 1) on an unpublished material change or metadata that contradicts the release history."""
    from policywatch.check import main

    # One definition of the options: the hook's (policywatch.check), which also prints --help.
    try:
        code = main(ctx.args)
    except SystemExit as exc:  # argparse after --help or a usage error
        code = exc.code if isinstance(exc.code, int) else 2
    raise typer.Exit(code)


class Verdict(StrEnum):
    material = "material"
    minor = "minor"


@app.command()
def publish(
    slugs: list[str] = typer.Argument(None, metavar="SLUG", help="Policies to publish (default: all changed)."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print what would be released; write nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before writing."),
    date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="Publication date (default: today)."),
    no_notify: bool = typer.Option(False, "--no-notify", help="Do not hand the releases to notify."),
    as_: Verdict = typer.Option(None, "--as", help="Decide the verdict instead of the engine."),
    summary: list[str] = typer.Option(
        None,
        "--summary",
        metavar="TEXT",
        help="What the release means for readers; 'SLUG: TEXT' for one policy. Wins over Policy-Summary: trailers.",
    ),
    summary_file: Path = typer.Option(
        None,
        "--summary-file",
        metavar="PATH",
        help="Read the summary from a file (UTF-8; blank lines part paragraphs).",
    ),
    translations_later: list[str] = typer.Option(
        None,
        "--translations-later",
        metavar="LANG[,LANG]",
        help="Release a material change while these translations still translate the old version; recorded.",
    ),
) -> None:
    """Release every policy changed since its last release: versions, dates, one commit, a tag each."""
    from policywatch.dates import InvalidDate, parse_iso_date
    from policywatch.errors import InvalidPublishDate
    from policywatch.project import open_project
    from policywatch.release.publish import describe
    from policywatch.release.publish import publish as run_publish
    from policywatch.release.summary import Given

    day = None
    if date is not None:
        try:
            day = parse_iso_date(date)
        except InvalidDate as exc:
            raise InvalidPublishDate(f"--date: {exc}") from None

    def confirm(plan) -> bool:
        _print_plan(plan, describe, "will publish")
        _warn_unsummarised(plan)
        try:
            return typer.confirm(f"Publish {plural(len(plan.actions), 'release')}?", default=False)
        except typer.Abort:
            return False

    project = open_project()
    result = run_publish(
        project,
        slugs or None,
        date=day,
        override=as_.value if as_ else None,
        dry_run=dry_run,
        confirm=None if yes else confirm,
        summary=Given(tuple(summary or ()), summary_file),
        translations_later=translations_later or [],
    )
    for note in result.repaired:
        echo(f"note: {note}")
    for warning in result.plan.ignored + result.plan.notes:
        echo(f"policywatch: warning: {warning}", err=True)
    if not result.plan.actions:
        typer.echo("nothing to publish: every policy matches its last release")
        return
    if dry_run:
        _print_plan(result.plan, describe, "would publish (dry run, nothing written)")
        _warn_unsummarised(result.plan)
        return
    if not result.releases:
        typer.echo("nothing published")
        raise typer.Exit(1)
    if yes:
        _warn_unsummarised(result.plan)
    for action in result.plan.actions:
        echo(f"published {describe(action)} [{action.tag}]")
    typer.echo("push the release with: git push --follow-tags")
    if not no_notify:
        _announce(project, result.releases)


def _print_plan(plan, describe, heading: str) -> None:
    from policywatch.release.record import paragraphs

    typer.echo(f"{heading}, publication date {plan.date.isoformat()}:")
    for action in plan.actions:
        echo(f"  {describe(action)} [{action.tag}]")
        for number, paragraph in enumerate(paragraphs(action.summary)):
            echo(f"    {'summary: ' if number == 0 else '         '}{paragraph}")
        for reason in action.reasons[:10]:
            echo(f"    - {reason}")


def _warn_unsummarised(plan) -> None:
    for warning in plan.unsummarised():
        echo(f"policywatch: warning: {warning}", err=True)


def _announce(project, releases) -> None:
    """Send the notices of new material releases; the release stands even when sending cannot start."""
    from policywatch.audience.runner import notify_releases
    from policywatch.errors import PolicywatchError

    if not any(release.material for release in releases):
        return
    try:
        summary = notify_releases(project, releases)
    except PolicywatchError as error:
        echo(f"policywatch: notices not sent: {error}", err=True)
        typer.echo("the release is published: fix this, then run 'policywatch notify' to send its notices", err=True)
        raise typer.Exit(error.exit_code) from None
    for problem in summary.problem_lines():
        echo(f"policywatch: {problem}", err=True)
    for line in summary.untold_lines():
        echo(f"policywatch: {line}", err=True)
    typer.echo(f"notices: {summary.counts()}")
    if summary.failed or summary.pending:
        typer.echo("run 'policywatch notify' (or 'policywatch notify --retry-failed') to finish", err=True)
        raise typer.Exit(1)


hook_app = Typer(help="Install git hooks that run `policywatch check`.", no_args_is_help=True)
app.add_typer(hook_app, name="hook")


@hook_app.command("install")
def hook_install(
    chain: bool = typer.Option(False, "--chain", help="Keep an existing pre-push hook and run it first."),
) -> None:
    """Write .git/hooks/pre-push so a push with an unpublished material change is stopped."""
    from policywatch.project import find_root
    from policywatch.release.hooks import install_pre_push

    result = install_pre_push(find_root(), chain=chain)
    typer.echo(f"{result.action} {result.path}")
    if result.chained:
        typer.echo(f"the previous hook runs first, from {result.chained}")


@hook_app.command("uninstall")
def hook_uninstall() -> None:
    """Remove policywatch's pre-push hook (a chained hook goes back in its place)."""
    from policywatch.project import find_root
    from policywatch.release.hooks import uninstall_pre_push

    result = uninstall_pre_push(find_root())
    if result.action == "restored":
        typer.echo(f"restored the previous hook {result.path} from {result.chained}")
    else:
        typer.echo(f"removed {result.path}")
