"""Commands that manage subscribers: subscribers add/remove/list/import/export."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from policywatch.cli import Typer, app
from policywatch.cli._output import FORMAT_OPTION, Format, echo, print_json
from policywatch.plural import plural

subscribers_app = Typer(
    help="Manage the people who are told about material changes.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(subscribers_app, name="subscribers")


def _known_slugs(project) -> list[str] | None:
    """Slugs a subscriber may follow; None (anything goes) when there is no policies folder yet."""
    return project.slugs() if project.policies_dir.is_dir() else None


@subscribers_app.command("add")
def add(
    email: str = typer.Argument(..., help="Email address."),
    name: str = typer.Option("", "--name", help="Name used to greet them."),
    policy: list[str] = typer.Option([], "--policy", help="Follow only this policy (repeatable; default: all)."),
    language: str = typer.Option("", "--language", help="Send notices in this language (de, pt-BR) when translated."),
) -> None:
    """Subscribe an address to every policy, or to the ones named."""
    from policywatch.audience.subscribers import add_subscriber
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    with project_store(project) as store:
        sub, outcome = add_subscriber(store, email, name, policy, _known_slugs(project), language)
    follows = ", ".join(sub.policies) if sub.policies else "all policies"
    typer.echo(f"{outcome} {sub.email} ({follows})")


@subscribers_app.command("remove")
def remove(email: str = typer.Argument(..., help="Email address.")) -> None:
    """Unsubscribe an address (kept, marked unsubscribed, so past notices stay provable)."""
    from policywatch.audience.subscribers import remove_subscriber
    from policywatch.project import open_project
    from policywatch.store import project_store

    with project_store(open_project()) as store:
        sub = remove_subscriber(store, email)
    typer.echo(f"unsubscribed {sub.email}")


@subscribers_app.command("list")
def list_(
    fmt: Format = FORMAT_OPTION,
    status: str = typer.Option(None, "--status", help="Only this status: active, unsubscribed or bounced."),
) -> None:
    """List subscribers, streamed (a large list never sits in memory)."""
    from policywatch.audience.subscribers import STATUSES, iter_subscribers
    from policywatch.errors import InvalidSubscriber
    from policywatch.project import open_project
    from policywatch.store import project_store
    from policywatch.termsafe import printable_json

    if status is not None and status not in STATUSES:
        raise InvalidSubscriber(f"--status {status}: must be one of {', '.join(STATUSES)}")
    with project_store(open_project()) as store:
        subs = iter_subscribers(store, status)
        if fmt is Format.json:
            typer.echo("[", nl=False)
            for i, sub in enumerate(subs):
                item = {
                    "email": sub.email,
                    "name": sub.name,
                    "policies": list(sub.policies),
                    "language": sub.language,
                    "status": sub.status,
                    "created_at": sub.created_at,
                    "updated_at": sub.updated_at,
                    "unsubscribed_at": sub.unsubscribed_at,
                }
                typer.echo(("," if i else "") + "\n  " + printable_json(json.dumps(item, ensure_ascii=False)), nl=False)
            typer.echo("\n]")
            return
        count = 0
        for sub in subs:
            follows = ";".join(sub.policies) if sub.policies else "(all)"
            echo(f"{sub.email}\t{sub.name or '-'}\t{follows}\t{sub.status}")
            count += 1
        if not count:
            typer.echo("no subscribers", err=True)


@subscribers_app.command("export")
def export(path: Path = typer.Argument(..., metavar="FILE.csv", help="CSV file to write.")) -> None:
    """Write active subscribers to CSV (email,name,policies,language), ready to import elsewhere."""
    from policywatch.audience.subscribers import export_csv
    from policywatch.project import open_project
    from policywatch.store import project_store

    with project_store(open_project()) as store:
        count = export_csv(store, path)
    echo(f"exported {plural(count, 'subscriber')} to {path}")


@subscribers_app.command("import")
def import_(
    path: Path = typer.Argument(..., metavar="FILE.csv", help="CSV with the header email,name,policies,language."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Add or update subscribers from CSV; bad rows are reported by line and the good ones kept."""
    from policywatch.audience.subscribers import import_csv
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    with project_store(project) as store:
        result = import_csv(store, path, _known_slugs(project))
    if fmt is Format.json:
        print_json(result)
    else:
        for error in result.errors:
            echo(f"{path}:{error.line}: {error.message}", err=True)
        echo(
            f"{path}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{plural(len(result.errors), 'bad row')} skipped"
        )
    if result.errors:
        raise typer.Exit(2)
