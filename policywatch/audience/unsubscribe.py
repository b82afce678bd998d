"""The unsubscribe endpoint: the page every notice's unsubscribe link points to.

A small WSGI application, standard library only. ``GET`` shows a confirmation
page with a button and changes nothing, because mail scanners and link
previewers follow links; ``POST`` (the button, or the RFC 8058 one-click POST a
mail client sends with the body ``List-Unsubscribe=One-Click``) marks the
subscriber unsubscribed. The token in the link is the only credential, so:

- an unknown or malformed token gets the same 404 page as any other wrong URL;
- the token never reaches a log line, a ``Referer`` header or a cache;
- pages are rendered by autoescaping Jinja2 templates (``templates/unsubscribe/``,
  overridable by the repository) under a strict Content-Security-Policy.

Production: run ``policywatch.audience.unsubscribe:application`` under a WSGI server
(waitress, gunicorn) behind TLS; ``policywatch serve`` runs it with the standard
library's HTTP server, a bounded pool of worker threads behind a deep listen backlog.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from policywatch.errors import UnsubscribeSettingsError
from policywatch.store import Store, open_store, utcnow
from policywatch.termsafe import printable

if TYPE_CHECKING:
    import jinja2

    from policywatch.project import Project

ENV_REPO = "POLICYWATCH_REPO"
ENV_PREFIX = "POLICYWATCH_UNSUBSCRIBE_PREFIX"
ROUTE = "/unsubscribe"
MAX_BODY = 4096  # a one-click body is 26 bytes; a form post a little more
MAX_URL = 2048  # path and query; a link is under 200 characters
_DRAIN_LIMIT = 64 * 1024  # read (and drop) an oversize body up to this size, so the client sees the 413
BACKLOG = 1024  # connections the kernel holds while every worker is busy (the standard library's default is 5)
WORKERS = 16  # threads answering requests; never one per connection
REQUEST_TIMEOUT = 10.0  # seconds a client may be silent while sending its request line, headers or body
REQUEST_DEADLINE = 30.0  # seconds a whole request may take to arrive, however it is dripped
SERVER_NAME = "policywatch"  # the Server header: no version of anything
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")
_METHODS = ("GET", "POST")

CONFIRM_TEMPLATE = "unsubscribe/confirm.html"
DONE_TEMPLATE = "unsubscribe/done.html"
ERROR_TEMPLATE = "unsubscribe/error.html"

_REASONS = {
    200: "200 OK",
    400: "400 Bad Request",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    414: "414 URI Too Long",
    500: "500 Internal Server Error",
}
_ERRORS = {
    400: ("Bad request", "The request could not be understood."),
    404: ("Link not recognised", "This unsubscribe link is not valid. Check that the whole link was copied."),
    405: ("Method not allowed", "Open this page in a web browser."),
    413: ("Request too large", "The request was larger than this page accepts."),
    414: ("Address too long", "The address was longer than this page accepts. Check that only the link was copied."),
    500: ("Something went wrong", "Your request could not be completed. Please try again later."),
}


@dataclass(frozen=True)
class Person:
    """What the pages may show: never the token, and the address only masked."""

    id: int
    email: str
    status: str
    updated_at: str
    unsubscribed_at: str | None  # set once, by the first unsubscribe

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)


def mask_email(address: str) -> str:
    """``jane.doe@example.com`` -> ``j***@example.com``: recognisable to its owner, little use to anyone else."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def valid_token(token: str) -> bool:
    """Tokens are ``secrets.token_urlsafe`` text; anything else is refused before the database sees it."""
    return bool(_TOKEN.match(token))


def find_by_token(store: Store, token: str) -> Person | None:
    rows = store.query(
        "SELECT id, email, status, updated_at, unsubscribed_at FROM subscribers WHERE token = ?", (token,)
    )
    return Person(*rows[0]) if rows else None


def unsubscribe_by_token(store: Store, token: str) -> tuple[Person | None, bool]:
    """Mark the token's subscriber unsubscribed; returns it and whether this call changed anything.

    Only a change of status touches the row, and ``unsubscribed_at`` is only ever
    filled when empty, so it keeps the moment the person first unsubscribed however
    often the link is posted again (and whatever later touches ``updated_at``).
    """
    if not valid_token(token):
        return None, False
    now = utcnow()
    changed = store.execute(
        "UPDATE subscribers SET status = 'unsubscribed', updated_at = ?, unsubscribed_at = COALESCE(unsubscribed_at, ?)"
        " WHERE token = ? AND status <> 'unsubscribed'",
        (now, now, token),
    )
    return find_by_token(store, token), bool(changed)


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

    From ``[email] unsubscribe_url`` when set, else ``[site] base_url`` + ``/unsubscribe``, as
    the notices build them. Used to tell whoever runs the endpoint where it must answer.
    """
    from urllib.parse import urlsplit

    from policywatch.audience.smtp_settings import email_section
    from policywatch.site_config import read_site_settings

    email = email_section(project.config.section("email"), project.config.source)
    custom = email.text("unsubscribe_url", "", one_line=True, strip=True)
    if custom:
        return urlsplit(custom).path or "/"
    base = read_site_settings(project.config).base_url
    if base:
        return urlsplit(base).path.rstrip("/") + ROUTE
    return None


StoreFactory = Callable[[], Store]


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


class UnsubscribeApp:
    """The WSGI callable. One store connection per request, closed when the response is built."""

    def __init__(
        self,
        stores: StoreFactory,
        *,
        prefix: str = "",
        templates_root: str | Path | None = None,
        max_body: int = MAX_BODY,
    ):
        self.stores = stores
        self.path = normalise_prefix(prefix) + ROUTE
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
            status, body, extra = self.handle(environ)
        except Exception as exc:  # the page must not show internals; the log says what failed
            _log(environ, f"policywatch unsubscribe: {type(exc).__name__}: {exc}")
            status, body, extra = self._error(500)
        headers = [
            ("Content-Type", body.content_type),
            *security_headers(body.nonce),
            *extra,
            ("Content-Length", str(len(body.data))),
        ]
        start_response(_REASONS[status], headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body.data]

    def handle(self, environ: dict[str, Any]) -> tuple[int, _Page, list[tuple[str, str]]]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in _METHODS:
            _drain(environ)
            return (*self._error(405)[:2], [("Allow", ", ".join(_METHODS))])
        if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL:
            _drain(environ)
            return self._error(414)
        body = b""
        if method == "POST":
            try:
                body = read_body(environ, self.max_body)
            except _Refused as refused:
                return self._error(refused.status)
        if environ.get("PATH_INFO", "") != self.path:
            return self._error(404)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if method == "GET":
            return self._confirm(query.get("token", []))
        tokens = query.get("token", [])
        if not tokens and _is_form(environ):
            tokens = parse_qs(body.decode("latin-1"), keep_blank_values=True).get("token", [])
        return self._unsubscribe(environ, tokens)

    def _confirm(self, tokens: list[str]) -> tuple[int, _Page, list]:
        if len(tokens) != 1 or not valid_token(tokens[0]):
            return self._error(404)
        with self._store() as store:
            person = find_by_token(store, tokens[0])
        if person is None:
            return self._error(404)
        if person.status == "unsubscribed":
            return 200, self._render(DONE_TEMPLATE, person=person, changed=False), []
        return 200, self._render(CONFIRM_TEMPLATE, person=person, action=ROUTE[1:] + "?token=" + tokens[0]), []

    def _unsubscribe(self, environ: dict[str, Any], tokens: list[str]) -> tuple[int, _Page, list]:
        if len(tokens) != 1 or not valid_token(tokens[0]):
            return self._error(404)
        with self._store() as store:
            person, changed = unsubscribe_by_token(store, tokens[0])
        if person is None:
            return self._error(404)
        if changed:
            _log(environ, f"policywatch unsubscribe: subscriber {person.id} unsubscribed at {person.unsubscribed_at}")
        return 200, self._render(DONE_TEMPLATE, person=person, changed=changed), []

    @contextmanager
    def _store(self) -> Iterator[Store]:
        store = self.stores()
        try:
            yield store
        finally:
            store.close()

    def _error(self, status: int) -> tuple[int, _Page, list]:
        title, message = _ERRORS[status]
        try:
            page = self._render(ERROR_TEMPLATE, status=status, heading=title, message=message)
        except Exception:  # a broken template must not turn a 404 into a traceback
            page = _Page(f"{status} {title}\n".encode(), "", "text/plain; charset=utf-8")
        return status, page, []

    def _render(self, template: str, **context: Any) -> _Page:
        nonce = secrets.token_urlsafe(16)
        html = self.env.get_template(template).render(csp_nonce=nonce, **context)
        return _Page(html.encode("utf-8"), nonce)


@dataclass(frozen=True)
class _Page:
    data: bytes
    nonce: str
    content_type: str = "text/html; charset=utf-8"


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


def _log(environ: dict[str, Any], line: str) -> None:
    stream = environ.get("wsgi.errors") or sys.stderr
    stream.write(printable(line) + "\n")
    stream.flush()


def make_app(
    source: Project | str | Path | StoreFactory | None = None,
    *,
    prefix: str = "",
    max_body: int = MAX_BODY,
) -> UnsubscribeApp:
    """The endpoint for a repository (a ``Project`` or its folder), a database URL or a store factory.

    A store object is not accepted: SQLite connections cannot cross threads, so
    every request opens its own connection. Templates come from the repository's
    ``templates/`` folder first, when the source is a repository.
    """
    stores, root = _store_factory(source)
    return UnsubscribeApp(stores, prefix=prefix, templates_root=root, max_body=max_body)


_default_app: UnsubscribeApp | None = None


def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """The WSGI entry point: the repository in $POLICYWATCH_REPO or here."""
    global _default_app
    if _default_app is None:
        try:
            _default_app = make_app(os.environ.get(ENV_REPO) or ".", prefix=os.environ.get(ENV_PREFIX, ""))
        except Exception as exc:  # a misconfigured deployment: say why in the log, show nothing
            _log(environ, f"policywatch unsubscribe: cannot start: {exc}")
            body = b"500 Something went wrong\n"
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                *security_headers(""),
                ("Content-Length", str(len(body))),
            ]
            start_response(_REASONS[500], headers)
            return [body]
    return _default_app(environ, start_response)


class PooledWSGIServer(WSGIServer):
    """The standard library's WSGI server with a bounded pool of worker threads and a deep backlog.

    A connection is accepted only when a worker is free to take it; the others wait
    in the kernel's listen queue (``BACKLOG``) instead of being reset, and a burst
    never starts more than ``workers`` threads. A client that drips its request a
    byte at a time (each read within the timeout) is cut off at ``deadline``: one
    watchdog thread shuts the reading side of its connection, so it cannot hold a
    worker for longer.
    """

    request_queue_size = BACKLOG
    allow_reuse_address = True
    access_log: TextIO | None = None  # None: standard error

    def __init__(
        self, address: tuple[str, int], handler: type, *, workers: int = WORKERS, deadline: float = REQUEST_DEADLINE
    ):
        self.workers = workers
        self.deadline = deadline
        self._free = threading.BoundedSemaphore(workers)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="policywatch-serve")
        self._open: dict[socket.socket, float] = {}  # connection -> when its request must have arrived
        self._open_lock = threading.Lock()
        self._closing = threading.Event()
        super().__init__(address, handler)
        threading.Thread(target=self._watch, name="policywatch-serve-deadline", daemon=True).start()

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        self._free.acquire()
        try:
            self._pool.submit(self._process, request, client_address)
        except RuntimeError:  # the pool is shut down: the server is closing
            self._free.release()
            self.shutdown_request(request)

    def _process(self, request: socket.socket, client_address: Any) -> None:
        with self._open_lock:
            self._open[request] = time.monotonic() + self.deadline
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._open_lock:
                self._open.pop(request, None)
            self.shutdown_request(request)
            self._free.release()

    def _watch(self) -> None:
        """Shut the reading side of connections past their deadline: the worker's next read ends."""
        while not self._closing.wait(min(0.25, self.deadline / 4)):
            now = time.monotonic()
            with self._open_lock:
                late = [conn for conn, deadline in self._open.items() if deadline <= now]
                for conn in late:
                    del self._open[conn]
            for conn in late:
                with suppress(OSError):  # already closed
                    conn.shutdown(socket.SHUT_RD)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line in the log, never a traceback on the console."""
        kind, exc = sys.exc_info()[:2]
        stream = self.access_log or sys.stderr
        cause = f"{kind.__name__ if kind else 'error'}: {exc}"
        stream.write(printable(f"{client_address[0]} - connection failed: {cause}") + "\n")

    def server_close(self) -> None:
        super().server_close()
        self._closing.set()
        self._pool.shutdown(wait=True)


class _ServerHandler(ServerHandler):
    server_software = SERVER_NAME


class QuietRequestHandler(WSGIRequestHandler):
    """Logs method, path and status, never the query string: it carries the token.

    Also: no Python version in the ``Server`` header, a 400 for a request with two
    ``Content-Length`` headers (requests smuggled past a proxy), and a client that
    stalls sending its request gives up its worker after ``REQUEST_TIMEOUT``.
    """

    timeout = REQUEST_TIMEOUT
    server_version = SERVER_NAME
    default_request_version = "HTTP/1.0"  # so that an error reply to a garbled request has a status line
    path = ""  # set by parse_request; a request refused before it has none
    command: str | None = None

    def version_string(self) -> str:
        return self.server_version

    def handle(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                return
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                return
            if not self.parse_request():  # it has sent the error
                return
        except TimeoutError:
            self.close_connection = True
            return
        if len(self.headers.get_all("Content-Length") or []) > 1:
            self.send_error(400, "Two Content-Length headers")
            return
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        path = self.path.split("?", 1)[0] if isinstance(self.path, str) else "-"
        self.log_message('"%s %s" %s', self.command or "-", path or "-", getattr(code, "value", code))

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Dropped: the standard library's error lines quote the request line, token and all."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        stream = getattr(self.server, "access_log", None) or sys.stderr
        line = printable(f"{self.address_string()} - [{self.log_date_time_string()}] {format % args}")
        stream.write(line + "\n")


def make_server_for(
    app: Callable,
    host: str = "127.0.0.1",
    port: int = 8025,
    access_log: TextIO | None = None,
    *,
    workers: int = WORKERS,
    timeout: float = REQUEST_TIMEOUT,
    deadline: float = REQUEST_DEADLINE,
) -> PooledWSGIServer:
    """The standard-library HTTP server for ``app`` (port 0: any free port), ``workers`` threads."""
    handler = type("RequestHandler", (QuietRequestHandler,), {"timeout": timeout})
    try:
        server = PooledWSGIServer((host, port), handler, workers=workers, deadline=deadline)
    except OSError as exc:
        raise UnsubscribeSettingsError(f"{host}:{port}: cannot listen: {exc.strerror or exc}") from None
    server.set_app(app)
    server.access_log = access_log
    return server
