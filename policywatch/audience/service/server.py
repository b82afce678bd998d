"""The server ``policywatch serve`` runs: the standard library's, made fit to face the network.

A bounded pool of worker threads behind a deep listen backlog, so a burst of
one-click POSTs waits in the kernel's queue instead of being reset; a deadline per
request, so a client dripping bytes cannot hold a worker; and an access log that
never carries the query string, where the tokens are. In production a WSGI server
(waitress, gunicorn) behind TLS runs ``policywatch.audience.service:application``.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any, TextIO
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from policywatch.errors import UnsubscribeSettingsError
from policywatch.termsafe import printable

BACKLOG = 1024  # connections the kernel holds while every worker is busy (the standard library's default is 5)
WORKERS = 16  # threads answering requests; never one per connection
REQUEST_TIMEOUT = 10.0  # seconds a client may be silent while sending its request line, headers or body
REQUEST_DEADLINE = 30.0  # seconds a whole request may take to arrive, however it is dripped
SERVER_NAME = "policywatch"  # the Server header: no version of anything


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
