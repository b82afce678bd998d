"""Commands for acceptances recorded outside the service: acceptances import/report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from policywatch.cli import Typer, app
from policywatch.cli._output import echo, print_json

acceptances_app = Typer(
    help="Who accepted which version of a policy, and who must accept again.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(acceptances_app, name="acceptances")


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


@acceptances_app.command("import")
def import_(
    path: Path = typer.Argument(..., metavar="FILE.csv", help="CSV: subject,policy,version,accepted_at,source."),
) -> None:
    """Import acceptances recorded elsewhere: the whole file or, at the first bad row, nothing.

    Re-running it (or importing a file that overlaps) stores nothing twice.
    """
    from policywatch.audience.acceptances import import_csv
    from policywatch.audience.catalog import read_catalog
    from policywatch.plural import plural
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    catalog = read_catalog(project)
    with project_store(project) as store:
        result = import_csv(store, catalog, path)
    echo(f"{path}: {plural(result.rows, 'row')} imported, {result.stored} new or earlier")


@acceptances_app.command("report")
def report(
    spec: str = typer.Argument(..., metavar="SLUG@VERSION", help="The version to report on, e.g. privacy@2.0."),
    fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """How many subjects accepted a version, how many still must, and since when it is in force."""
    import csv
    import datetime as dt
    import sys

    from policywatch.audience.acceptances import acceptance_report
    from policywatch.audience.catalog import read_catalog
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    catalog = read_catalog(project)
    with project_store(project) as store:
        found = acceptance_report(store, catalog, spec, dt.datetime.now(dt.UTC).date())
    data = found.to_json()
    if fmt is ReportFormat.json:
        print_json(data)
    elif fmt is ReportFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(list(data))
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in data.values()])
    else:
        when = "in force since" if found.in_force else "takes effect on"
        echo(f"{found.policy} {found.version} ({found.classification}), {when} {found.effective.isoformat()}")
        echo(f"  accepted:    {found.accepted} (this version or a later one)")
        if found.required_version and found.required_version != found.version:
            echo(f"  must accept: {found.must_accept} (accepted a version before {found.required_version})")
            since = f"accepted {found.required_version} or later; only minor changes since"
            echo(f"  covered:     {found.not_required} ({since})")
        else:
            echo(f"  must accept: {found.must_accept} (accepted an earlier version, not this one)")
        if found.first_accepted_at:
            echo(f"  first accepted {found.first_accepted_at}, last {found.last_accepted_at}")
