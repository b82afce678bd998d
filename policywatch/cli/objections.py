"""`policywatch objections`: the objections to register releases, and recording their outcome."""

from __future__ import annotations

from enum import StrEnum

import typer

from policywatch.cli import Typer, _SubGroup, app
from policywatch.cli._output import content_stream, echo, print_json, print_table


class _ListByDefault(_SubGroup):
    """``objections [RELEASE]`` lists: anything that is not a subcommand is the ``list`` command's."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


class ListFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class Outcome(StrEnum):
    resolved = "resolved"
    withdrawn = "withdrawn"
    terminated = "terminated"


objections_app = Typer(
    cls=_ListByDefault,
    help="Objections to register releases: list them (the default), show one's history, record its outcome.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(objections_app, name="objections")

_CSV_HEADER = ["id", "release", "status", "late", "email", "reason", "deadline", "objected_at", "updated_at"]


@objections_app.command("list")
def list_(
    release: str = typer.Argument(None, help="Only the objections to this release tag (default: all)."),
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """List objections with their status, oldest first (``objections [RELEASE]`` does the same)."""
    from policywatch.audience.objections import list_objections
    from policywatch.csvcells import SafeWriter
    from policywatch.project import open_project
    from policywatch.store import project_store

    with project_store(open_project()) as store:
        found = list_objections(store, release)
    if fmt is ListFormat.json:
        print_json(found)
        return
    if fmt is ListFormat.csv:
        writer = SafeWriter(content_stream())
        writer.writerow(_CSV_HEADER)
        for o in found:
            late = "yes" if o.late else "no"
            writer.writerow(
                [str(o.id), o.release_tag, o.status, late, o.email, o.reason, o.deadline, o.objected_at, o.updated_at]
            )
        return
    if not found:
        echo("no objections" + (f" to {release}" if release else ""), err=True)
        return
    print_table(
        ["ID", "RELEASE", "STATUS", "LATE", "EMAIL", "OBJECTED", "UPDATED", "REASON"],
        [
            [
                str(o.id),
                o.release_tag,
                o.status,
                "late" if o.late else "-",
                o.email,
                o.objected_at[:16].replace("T", " "),
                o.updated_at[:16].replace("T", " "),
                _short(o.reason) or "-",
            ]
            for o in found
        ],
    )


@objections_app.command("show")
def show(
    objection_id: int = typer.Argument(..., metavar="ID", help="The objection's id (see 'policywatch objections')."),
    fmt: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="Output format (text or json)."),
) -> None:
    """One objection and every step of its history."""
    from policywatch.audience.objections import get_objection
    from policywatch.project import open_project
    from policywatch.store import project_store

    with project_store(open_project()) as store:
        objection = get_objection(store, objection_id)
    if fmt is not ListFormat.text:
        print_json(objection)
        return
    late = " (late)" if objection.late else ""
    echo(f"objection {objection.id} to {objection.release_tag}: {objection.status}")
    echo(f"from:     {objection.email}")
    echo(f"objected: {objection.objected_at}{late}; deadline {objection.deadline}")
    echo(f"reason:   {objection.reason or '-'}")
    echo("history:")
    for event in objection.events:
        echo(f"  {event.at}  {event.status}" + (f": {event.note}" if event.note else ""))


@objections_app.command("resolve")
def resolve(
    objection_id: int = typer.Argument(..., metavar="ID", help="The objection's id (see 'policywatch objections')."),
    status: Outcome = typer.Option(..., "--status", help="The outcome."),
    note: str = typer.Option("", "--note", help="What was decided, kept in the objection's history."),
) -> None:
    """Record an objection's outcome; every step stays in its history ('objections show ID')."""
    from policywatch.audience.objections import resolve_objection
    from policywatch.project import open_project
    from policywatch.store import project_store

    with project_store(open_project()) as store:
        objection = resolve_objection(store, objection_id, status.value, note)
    echo(f"objection {objection.id} to {objection.release_tag}: {objection.status}")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
