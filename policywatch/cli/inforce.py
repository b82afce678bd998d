"""The in-force command: which version of a policy applies on a day, and what comes next."""

from __future__ import annotations

import typer

from policywatch.cli import app
from policywatch.cli._output import FORMAT_OPTION, Format, echo, print_json

_ACCEPTANCE = {"material": "to be accepted again", "initial": "to be accepted"}


@app.command("in-force")
def in_force(
    slug: str = typer.Argument(..., help="Policy slug."),
    date: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="The day to ask about (default: today, UTC)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Print the version of a policy in force on a day, since when, and any upcoming version.

    Exits 1 with one line when no version is in force that day (none released yet,
    none in effect yet, or the policy withdrawn).
    """
    import datetime as dt

    from policywatch.dates import InvalidDate, parse_iso_date
    from policywatch.errors import InvalidPublishDate
    from policywatch.project import open_project
    from policywatch.release.inforce import policy_timeline
    from policywatch.site.archive import verdict_label

    try:
        day = parse_iso_date(date) if date is not None else dt.datetime.now(dt.UTC).date()
    except InvalidDate as exc:
        raise InvalidPublishDate(f"--date: {exc}") from None
    line = policy_timeline(open_project(), slug)
    for warning in line.ignored:
        echo(f"policywatch: warning: {warning}", err=True)
    answer = line.in_force(day)
    if fmt is Format.json:
        print_json(answer.to_json())
        return
    period = answer.period
    dates = f"from {answer.effective.isoformat()}" + (f" until {period.end.isoformat()}" if period.end else "")
    kind = verdict_label(period.release.classification).lower()
    echo(f"{slug} {answer.version} is in force on {day.isoformat()} ({dates}; {kind})")
    for coming in answer.upcoming:
        assert coming.start is not None  # upcoming versions take effect
        kind = verdict_label(coming.release.classification).lower()
        accept = _ACCEPTANCE.get(coming.release.classification, "no new acceptance needed")
        echo(f"upcoming: {coming.version} takes effect on {coming.start.isoformat()} ({kind}; {accept})")
    if line.withdrawn is not None:
        how = f"renamed to {line.renamed_to}" if line.renamed_to else "withdrawn"
        echo(f"{slug} was {how} on {line.withdrawn.isoformat()}")
