"""Commands that publish the public archive: site build, feed."""

from __future__ import annotations

from pathlib import Path

import typer

from policywatch.cli import Typer, app
from policywatch.cli._output import echo
from policywatch.plural import plural

site_app = Typer(help="Build the public archive of released policies.", no_args_is_help=True)
app.add_typer(site_app, name="site")

BASE_URL_OPTION = typer.Option(
    None, "--base-url", help="Public address of the archive (default: the site.base_url setting in policywatch.toml)."
)


@site_app.command("build")
def build(
    out: Path = typer.Argument(..., help="Folder to write the site to (replaced as a whole)."),
    base_url: str = BASE_URL_OPTION,
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Compare every pair of versions again instead of reusing earlier builds' redlines."
    ),
    if_due: bool = typer.Option(
        False,
        "--if-due",
        help="Rebuild only when something was released or a version has taken effect since OUT was built.",
    ),
) -> None:
    """Write the static site: every policy, every released version, redlines, comparisons, the feed and the API."""
    import datetime as dt

    from policywatch.project import open_project
    from policywatch.site.build import build_project_site
    from policywatch.site.due import site_due

    project = open_project()
    now = dt.datetime.now(dt.UTC)
    if if_due:
        due = site_due(project, out, today=now.date(), base_url=base_url)
        if not due.due:
            echo(due.reason)
            return
        echo(f"due: {due.reason}")
    result = build_project_site(project, out, base_url=base_url, now=now, use_cache=not no_cache)
    typer.echo(
        f"wrote {plural(result.pages, 'page')} for {plural(result.policies, 'policy')} "
        f"({plural(result.versions, 'version')}) to {out}"
    )
    if result.redlines.pairs:
        stats = result.redlines
        typer.echo(f"redlines: {stats.computed} compared, {stats.reused} reused from an earlier build")
    for warning in result.warnings:
        echo(f"policywatch: warning: {warning}", err=True)


@app.command()
def feed(
    out: Path = typer.Argument(..., help="File to write the Atom feed to, e.g. feed.xml."),
    base_url: str = BASE_URL_OPTION,
    policy: str = typer.Option(None, "--policy", metavar="SLUG", help="Only this policy's releases."),
) -> None:
    """Write the Atom feed of every release, newest first (or of one policy's, with --policy)."""
    import datetime as dt

    from policywatch.errors import PolicyNotFound
    from policywatch.project import open_project
    from policywatch.site.archive import read_archive
    from policywatch.site.feed import build_feed, build_policy_feed
    from policywatch.site.output import write_file
    from policywatch.site.settings import site_settings

    project = open_project()
    settings = site_settings(project.config, base_url)
    archives, warnings = read_archive(project)
    now = dt.datetime.now(dt.UTC)
    if policy is not None:
        archives = [a for a in archives if a.slug == policy]
        if not archives:
            raise PolicyNotFound(f"no released policy '{policy}': its feed would be empty")
        write_file(build_policy_feed(archives[0], settings, generated=now), out)
    else:
        write_file(build_feed(archives, settings, generated=now), out)
    entries = sum(len(a.versions) for a in archives)
    typer.echo(f"wrote {plural(entries, 'entry')} to {out}")
    for warning in warnings:
        echo(f"policywatch: warning: {warning}", err=True)
