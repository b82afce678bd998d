"""`policywatch serve`: the small web endpoint that unsubscribe links point to."""

from __future__ import annotations

import typer

from policywatch.cli import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8025, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    prefix: str = typer.Option(
        "", "--prefix", help="Path the endpoint sits under behind a reverse proxy, e.g. /legal (default: none)."
    ),
    workers: int = typer.Option(16, "--workers", min=1, max=256, help="Threads answering requests."),
) -> None:
    """Serve the unsubscribe page (GET confirms, POST unsubscribes) for this repository, and with
    [service] subscribe = true the subscribe form's POST and its emailed confirmation links, and
    with [service] objections = true the objection links of register notices.

    Plain HTTP from the standard library (a bounded pool of worker threads), for
    local use or behind a TLS proxy; in production run
    policywatch.audience.service:application under a WSGI server such as waitress.
    """
    from policywatch.audience.service.app import UNSUBSCRIBE_PATH, link_path, make_app, normalise_prefix
    from policywatch.audience.service.server import make_server_for
    from policywatch.project import open_project
    from policywatch.redaction import is_loopback

    path = normalise_prefix(prefix) + UNSUBSCRIBE_PATH
    project = open_project()
    linked = link_path(project)  # reads [site] and [email]: a mistake there stops the server before it starts
    application = make_app(project, prefix=prefix)
    server = make_server_for(application, host, port, workers=workers)
    bound_host, bound_port = server.server_address[:2]
    typer.echo(f"serving http://{bound_host}:{bound_port}{path}?token=... (Ctrl-C to stop)", err=True)
    if linked is None:
        typer.echo("note: notices carry no unsubscribe link: set [site] base_url or [email] unsubscribe_url", err=True)
    elif linked != path:
        typer.echo(
            f"note: notices link to {linked}; this serves {path}: the reverse proxy must map one to the other"
            " (or use --prefix)",
            err=True,
        )
    if application.signups is not None:
        base = normalise_prefix(prefix)
        confirm = application.signups.settings.link("confirm")
        typer.echo(f"taking subscriptions: POST {base}/subscribe; confirmation links go to {confirm}", err=True)
    api = application.acceptances
    if api is not None:
        base = normalise_prefix(prefix)
        if api.enabled:
            routes = f"POST {base}/api/acceptances, GET {base}/api/acceptances/<subject>"
            typer.echo(f"acceptances API on: {routes}", err=True)
        else:
            typer.echo("acceptances API off: set POLICYWATCH_API_KEY to turn it on", err=True)
    if application.objecting is not None:
        base = normalise_prefix(prefix)
        typer.echo(f"taking objections to register releases: GET and POST {base}/object", err=True)
    if not is_loopback(host):
        typer.echo("note: plain HTTP: put a TLS-terminating reverse proxy in front of it", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        # the emails already queued are sent before it stops
        for parts in (application.signups, application.objecting):
            if parts is not None:
                parts.mailer.close()
