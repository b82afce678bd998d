"""The WSGI application: its routes, its pages, and the care every request gets.

A small WSGI application, standard library only. Each endpoint is one function
from a ``Request`` to a ``Reply`` and one entry in ``ROUTES``; the application
around them refuses what no endpoint should see (an unknown method, an overlong
URL, an oversize body), renders pages and errors, and sets the headers.

Unsubscribing: ``GET`` shows a confirmation page with a button and changes nothing,
because mail scanners and link previewers follow links; ``POST`` (the button, or
the RFC 8058 one-click POST a mail client sends with the body
``List-Unsubscribe=One-Click``) marks the subscriber unsubscribed. The token in the
link is the only credential, so:

- an unknown or malformed token gets the same 404 page as any other wrong URL;
- the token never reaches a log line, a ``Referer`` header or a cache;
- pages are rendered by autoescaping Jinja2 templates (``templates/unsubscribe/``,
  overridable by the repository) under a strict Content-Security-Policy.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from policywatch.audience.service.tokens import find_by_token, unsubscribe_by_token, valid_token
from policywatch.errors import UnsubscribeSettingsError
from policywatch.store import Store, open_store
from policywatch.termsafe import printable

if TYPE_CHECKING:
    import jinja2

    from policywatch.audience.service.acceptances import AcceptancesApi
    from policywatch.audience.service.objections import Objecting
    from policywatch.audience.service.subscribe import Signups
    from policywatch.project import Project

ENV_REPO = "POLICYWATCH_REPO"
ENV_PREFIX = "POLICYWATCH_UNSUBSCRIBE_PREFIX"
UNSUBSCRIBE_PATH = "/unsubscribe"
MAX_BODY = 4096  # a one-click body is 26 bytes; a form post a little more
MAX_URL = 2048  # path and query; a link is under 200 characters
_DRAIN_LIMIT = 64 * 1024  # read (and drop) an oversize body up to this size, so the client sees the 413
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")

CONFIRM_TEMPLATE = "unsubscribe/confirm.html"
DONE_TEMPLATE = "unsubscribe/done.html"
ERROR_TEMPLATE = "unsubscribe/error.html"

_REASONS = {
    200: "200 OK",
    201: "201 Created",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    409: "409 Conflict",
    413: "413 Content Too Large",
    414: "414 URI Too Long",
    422: "422 Unprocessable Content",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}
_ERRORS = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "This request was not sent from a page this service knows."),
    404: ("Link not recognised", "This unsubscribe link is not valid. Check that the whole link was copied."),
    405: ("Method not allowed", "Open this page in a web browser."),
    413: ("Request too large", "The request was larger than this page accepts."),
    414: ("Address too long", "The address was longer than this page accepts. Check that only the link was copied."),
    500: ("Something went wrong", "Your request could not be completed. Please try again later."),
}


@dataclass(frozen=True)
class Request:
    """What an endpoint is given: a request that passed the checks every request gets."""

    method: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]  # the fields of a form POST's body; empty otherwise
    environ: dict[str, Any]
    body: bytes = b""  # a POST's body as it came (a JSON endpoint reads it)

    def values(self, name: str) -> list[str]:
        """A parameter's values: from the query, else from the form."""
        return self.query.get(name) or self.form.get(name, [])


@dataclass(frozen=True)
class Page:
    """A rendered body, and the nonce its inline style carries (named in the Content-Security-Policy)."""

    data: bytes
    nonce: str
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """What an endpoint answers: the status, the page, and headers beyond those every page gets."""

    status: int
    page: Page
    headers: list[tuple[str, str]] = field(default_factory=list)


Endpoint = Callable[["ServiceApp", Request], Reply]
StoreFactory = Callable[[], Store]


# -- the endpoints ------------------------------------------------------------------------


def confirm_unsubscribe(service: ServiceApp, request: Request) -> Reply:
    """The page an unsubscribe link opens: a button, and no change (link previewers follow links)."""
    token = _one_token(request)
    if token is None:
        return service.error(404)
    with service.store() as store:
        person = find_by_token(store, token)
    if person is None:
        return service.error(404)
    if person.status == "unsubscribed":
        return service.page(DONE_TEMPLATE, person=person, changed=False)
    return service.page(CONFIRM_TEMPLATE, person=person, action=UNSUBSCRIBE_PATH[1:] + "?token=" + token)


def unsubscribe(service: ServiceApp, request: Request) -> Reply:
    """The button, or a mail client's one-click POST: the token's subscriber is unsubscribed."""
    token = _one_token(request)
    if token is None:
        return service.error(404)
    with service.store() as store:
        person, changed = unsubscribe_by_token(store, token)
    if person is None:
        return service.error(404)
    if changed:
        at = person.unsubscribed_at
        log(request.environ, f"policywatch unsubscribe: subscriber {person.id} unsubscribed at {at}")
    return service.page(DONE_TEMPLATE, person=person, changed=changed)


def _one_token(request: Request) -> str | None:
    tokens = request.values("token")
    return tokens[0] if len(tokens) == 1 and valid_token(tokens[0]) else None


ROUTES: dict[tuple[str, str], Endpoint] = {  # (method, path under the prefix) -> endpoint
    ("GET", UNSUBSCRIBE_PATH): confirm_unsubscribe,
    ("POST", UNSUBSCRIBE_PATH): unsubscribe,
}


# -- the application ----------------------------------------------------------------------


def normalise_prefix(prefix: str) -> str:
    """``/legal/`` -> ``/legal``; empty for none. A prefix is a fixed path, never a place for the token."""
    text = prefix.strip()
    if not text or text == "/":
        return ""
    if not text.startswith("/"):
        text = "/" + text
    text = text.rstrip("/")
    if not _PREFIX.match(text) or any(part in (".", "..") for part in text.split("/")):
        raise UnsubscribeSettingsError(
            f"unsubscribe path prefix '{prefix}': must be a plain URL path such as /legal "
            "(letters, digits and -._~ in each segment, no query, no {token})"
        )
    return text


def link_path(project: Project) -> str | None:
    """The path of the unsubscribe links this repository's notices carry; None if they carry none.

    From ``[email] unsubscribe_url`` when set, else ``[service] url`` (or ``[site] base_url``) +
    ``/unsubscribe``, as the notices build them. Used to tell whoever runs the endpoint where it must answer.
    """
    from urllib.parse import urlsplit

    from policywatch.audience.service.settings import public_settings
    from policywatch.audience.smtp_settings import email_section

    email = email_section(project.config.section("email"), project.config.source)
    custom = email.text("unsubscribe_url", "", one_line=True, strip=True)
    if custom:
        return urlsplit(custom).path or "/"
    base = public_settings(project).url
    if base:
        return urlsplit(base).path.rstrip("/") + UNSUBSCRIBE_PATH
    return None


class ServiceApp:
    """The WSGI callable. One store connection per request, closed when the response is built."""

    def __init__(
        self,
        stores: StoreFactory,
        *,
        prefix: str = "",
        templates_root: str | Path | None = None,
        max_body: int = MAX_BODY,
        signups: Signups | None = None,
        acceptances: AcceptancesApi | None = None,
        objecting: Objecting | None = None,
    ):
        self.stores = stores
        self.prefix = normalise_prefix(prefix)
        self.signups = signups
        self.objecting = objecting
        routes = dict(ROUTES)
        if signups is not None:
            from policywatch.audience.service.subscribe import ROUTES as SUBSCRIBE_ROUTES

            routes.update(SUBSCRIBE_ROUTES)
        self.acceptances = acceptances
        if acceptances is not None:
            from policywatch.audience.service.acceptances import ROUTES as ACCEPTANCE_ROUTES

            routes.update(ACCEPTANCE_ROUTES)
        if objecting is not None:
            from policywatch.audience.service.objections import ROUTES as OBJECTION_ROUTES

            routes.update(OBJECTION_ROUTES)
        self.routes = {(method, self.prefix + path): endpoint for (method, path), endpoint in routes.items()}
        self.methods = tuple(dict.fromkeys(method for method, _ in self.routes))
        self.max_body = max_body
        self.templates_root = templates_root
        self._env: jinja2.Environment | None = None

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            from policywatch.templates import template_environment

            self._env = template_environment(self.templates_root)
        return self._env

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            reply = self.handle(environ)
        except Exception as exc:  # the page must not show internals; the log says what failed
            log(environ, f"policywatch unsubscribe: {type(exc).__name__}: {exc}")
            reply = self.error(500)
        headers = [
            ("Content-Type", reply.page.content_type),
            *security_headers(reply.page.nonce),
            *reply.headers,
            ("Content-Length", str(len(reply.page.data))),
        ]
        start_response(_REASONS[reply.status], headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else reply.page.data]

    def handle(self, environ: dict[str, Any]) -> Reply:
        """Refuse what no endpoint should see, then hand the request to its endpoint."""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in self.methods:
            _drain(environ)
            return self._not_allowed(self.methods)
        if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL:
            _drain(environ)
            return self.error(414)
        body = b""
        if method == "POST":
            try:
                body = read_body(environ, self.max_body)
            except _Refused as refused:
                return self.error(refused.status)
        path = environ.get("PATH_INFO", "")
        endpoint = self.routes.get((method, path))
        if endpoint is None and path.rpartition("/")[2]:  # a route ending in /* takes any last segment
            endpoint = self.routes.get((method, path.rpartition("/")[0] + "/*"))
        if endpoint is None:
            allowed = tuple(m for m, p in self.routes if p == path)
            return self._not_allowed(allowed) if allowed else self.error(404)
        form = parse_qs(body.decode("latin-1"), keep_blank_values=True) if body and _is_form(environ) else {}
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        return endpoint(self, Request(method, query, form, environ, body))

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A connection of this request's own, closed when the endpoint is done with it."""
        store = self.stores()
        try:
            yield store
        finally:
            store.close()

    def page(self, template: str, status: int = 200, **context: Any) -> Reply:
        return Reply(status, self._render(template, **context))

    def error(self, status: int) -> Reply:
        title, message = _ERRORS[status]
        try:
            page = self._render(ERROR_TEMPLATE, status=status, heading=title, message=message)
        except Exception:  # a broken template must not turn a 404 into a traceback
            page = Page(f"{status} {title}\n".encode(), "", "text/plain; charset=utf-8")
        return Reply(status, page)

    def _not_allowed(self, methods: tuple[str, ...]) -> Reply:
        return Reply(405, self.error(405).page, [("Allow", ", ".join(methods))])

    def _render(self, template: str, **context: Any) -> Page:
        nonce = secrets.token_urlsafe(16)
        html = self.env.get_template(template).render(csp_nonce=nonce, **context)
        return Page(html.encode("utf-8"), nonce)


def security_headers(nonce: str) -> list[tuple[str, str]]:
    """Nothing cached, nothing loaded but the page's own inline style, no token in a Referer."""
    style = f"style-src 'nonce-{nonce}'" if nonce else "style-src 'none'"
    return [
        ("Cache-Control", "no-store, max-age=0"),
        ("Pragma", "no-cache"),
        (
            "Content-Security-Policy",
            f"default-src 'none'; {style}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("X-Robots-Tag", "noindex, nofollow"),
    ]


# -- reading requests ---------------------------------------------------------------------


def _is_form(environ: dict[str, Any]) -> bool:
    return environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


class _Refused(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, whole: 413 over ``limit``, 400 for a bad length or a body that stops short or stalls.

    A body that does not arrive within the server's read timeout is a client error
    (400), not a server failure: the reply comes at the timeout, not as a 500.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _Refused(400) from None
    if length < 0:
        raise _Refused(400)
    if length > limit:
        _drain(environ, length)
        raise _Refused(413)
    if not length:
        return b""
    try:
        body = environ["wsgi.input"].read(length)
    except (OSError, ValueError):  # a read timeout, a reset, a closed stream
        raise _Refused(400) from None
    if len(body) != length:
        raise _Refused(400)
    return body


def _drain(environ: dict[str, Any], length: int | str | None = None) -> None:
    """Read an unwanted body, so closing the connection does not reset the reply away.

    Only a body of at most 64 KiB is drained: a bigger one (or a length no client
    means, such as 10**20) is answered at once and the connection closed.
    """
    try:
        remaining = int(length if length is not None else environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if remaining > _DRAIN_LIMIT:
        return
    stream = environ.get("wsgi.input")
    try:
        while remaining > 0 and stream is not None:
            chunk = stream.read(min(remaining, 8192))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):  # the client stalled or went away: answer anyway
        return


def log(environ: dict[str, Any], line: str) -> None:
    """One line in the server's error log, made printable (a request's text may carry escapes)."""
    stream = environ.get("wsgi.errors") or sys.stderr
    stream.write(printable(line) + "\n")
    stream.flush()


# -- making the application ---------------------------------------------------------------


def _store_factory(source: Any) -> tuple[StoreFactory, Path | None]:
    """How each request gets its own connection (an SQLite connection belongs to the thread that opened it)."""
    from policywatch.project import Project, open_project
    from policywatch.store import open_project_store

    if callable(source) and not isinstance(source, Project):
        return source, None
    if isinstance(source, str) and source.split(":", 1)[0].lower() in ("sqlite", "postgres", "postgresql"):
        url = source
        return (lambda: open_store(url)), None
    project = source if isinstance(source, Project) else open_project(source if source is not None else ".")
    return (lambda: open_project_store(project)), project.root


def make_app(
    source: Project | str | Path | StoreFactory | None = None,
    *,
    prefix: str = "",
    max_body: int = MAX_BODY,
) -> ServiceApp:
    """The service for a repository (a ``Project`` or its folder), a database URL or a store factory.

    A store object is not accepted: SQLite connections cannot cross threads, so
    every request opens its own connection. Templates come from the repository's
    ``templates/`` folder first, when the source is a repository. A repository's
    service also takes subscriptions when ``[service] subscribe = true``, and then
    refuses to start without the secret and the mail settings they need; and it
    takes objections to register releases when ``[service] objections = true``.
    """
    stores, root = _store_factory(source)
    signups = acceptances = objecting = None
    if root is not None:
        from policywatch.audience.service.acceptances import make_acceptances
        from policywatch.audience.service.objections import make_objecting
        from policywatch.audience.service.subscribe import make_signups
        from policywatch.project import Project, open_project

        project = source if isinstance(source, Project) else open_project(root)
        signups = make_signups(project)
        acceptances = make_acceptances(project, stores)
        objecting = make_objecting(project, signups.mailer if signups else None)
    return ServiceApp(
        stores,
        prefix=prefix,
        templates_root=root,
        max_body=max_body,
        signups=signups,
        acceptances=acceptances,
        objecting=objecting,
    )


_default_app: ServiceApp | None = None


def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """The WSGI entry point: the repository in $POLICYWATCH_REPO or here."""
    global _default_app
    if _default_app is None:
        try:
            _default_app = make_app(os.environ.get(ENV_REPO) or ".", prefix=os.environ.get(ENV_PREFIX, ""))
        except Exception as exc:  # a misconfigured deployment: say why in the log, show nothing
            log(environ, f"policywatch unsubscribe: cannot start: {exc}")
            body = b"500 Something went wrong\n"
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                *security_headers(""),
                ("Content-Length", str(len(body))),
            ]
            start_response(_REASONS[500], headers)
            return [body]
    return _default_app(environ, start_response)
