"""`policywatch serve`: malformed HTTP, oversized requests, bursts. Raw sockets on loopback, bounded.

Each case starts its own `policywatch serve --port 0` in a fresh repository with one
subscriber, sends its request, then checks that the server still answers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

from .checks import db_rows
from .harness import ACCEPTED, CLEAN, TRACEBACK, TRACEBACK_MARK, WRONG, Case, Sandbox, accept, traceback_summary
from .servers import Reply, request, serve

CATEGORY = "serve"
ROUTE = "/unsubscribe"
PROBE = b"GET /unsubscribe HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


def subscribed(sb: Sandbox) -> None:
    r = sb.pw("subscribers", "add", "ana@example.com")
    if r.code != 0:
        raise RuntimeError(f"subscribers add: {r.first_line()}")


def token(sb: Sandbox, email: str = "ana@example.com") -> str:
    return db_rows(sb, "SELECT token FROM subscribers WHERE email = ?", (email,))[0][0]


def post(path: str, body: bytes = b"", headers: str = "") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}"
    if "content-length" not in headers.lower() and "transfer-encoding" not in headers.lower():
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def get(target: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("latin-1")


RawRequest = bytes | Callable[[Sandbox], bytes]
ReplyCheck = Callable[[Sandbox, Reply, str], "str | None"]


def http_case(name: str, raw: RawRequest, want: set[int], check: ReplyCheck | None = None, setup=None) -> Case:
    """Send ``raw``; right when the reply's status is in ``want`` and the server still answers."""

    def probe(sb: Sandbox) -> tuple[str, str]:
        with serve(sb) as served:
            reply = request(served.port, raw(sb) if callable(raw) else raw, timeout=10)
            alive = request(served.port, PROBE, timeout=5)
        log = served.stderr_text()
        if TRACEBACK_MARK in log:
            return TRACEBACK, traceback_summary(log)
        if reply.status is None:
            return WRONG, f"no reply: {reply.error or 'connection closed'} after {reply.seconds:.1f} s"
        if reply.status not in want:
            return WRONG, f"replied {reply.status}, wanted {sorted(want)} ({reply.seconds:.1f} s)"
        if alive.status is None:
            return WRONG, "the server stopped answering"
        problem = check(sb, reply, log) if check else None
        if problem:
            return WRONG, problem
        return (ACCEPTED if max(want) < 400 else CLEAN), f"{reply.status} in {reply.seconds:.2f} s"

    return Case(name, CATEGORY, setup or subscribed, (), accept(), probe=probe)


def _no_python_version(sb: Sandbox, reply: Reply, log: str) -> str | None:
    server = reply.headers.get("server", "")
    return f"Server header shows the Python version: {server!r}" if "python" in server.lower() else None


def _masked(sb: Sandbox, reply: Reply, log: str) -> str | None:
    return "the page shows the full address" if b"ana@example.com" in reply.body else None


def _unsubscribed(sb: Sandbox, reply: Reply, log: str) -> str | None:
    status = db_rows(sb, "SELECT status FROM subscribers WHERE email = 'ana@example.com'")[0][0]
    if status != "unsubscribed":
        return f"subscriber is still {status}"
    return "the token reached the log" if token(sb) in log else None


def resubscribed(sb: Sandbox) -> None:
    subscribed(sb)
    sb.vars["old"] = token(sb)
    for args in (("subscribers", "remove", "ana@example.com"), ("subscribers", "add", "ana@example.com")):
        r = sb.pw(*args)
        if r.code != 0:
            raise RuntimeError(f"{' '.join(args)}: {r.first_line()}")


def _still_active(sb: Sandbox, reply: Reply, log: str) -> str | None:
    status = db_rows(sb, "SELECT status FROM subscribers WHERE email = 'ana@example.com'")[0][0]
    return None if status == "active" else "an old email's link unsubscribed a new subscription"


def burst_case(count: int) -> Case:
    """``count`` one-click POSTs at once: every one must get a reply."""

    def probe(sb: Sandbox) -> tuple[str, str]:
        with serve(sb) as served:
            raw = post(
                f"{ROUTE}?token={token(sb)}",
                b"List-Unsubscribe=One-Click",
                "Content-Type: application/x-www-form-urlencoded\r\n",
            )
            replies: list[Reply] = []
            lock = threading.Lock()
            gate = threading.Barrier(count)

            def one() -> None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    gate.wait(10)
                reply = request(served.port, raw, timeout=20)
                with lock:
                    replies.append(reply)

            threads = [threading.Thread(target=one) for _ in range(count)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(40)
        log = served.stderr_text()
        if TRACEBACK_MARK in log:
            return TRACEBACK, traceback_summary(log)
        dropped = [r for r in replies if r.status != 200]
        if dropped or len(replies) != count:
            errors = sorted({r.error or str(r.status) for r in dropped})
            return WRONG, f"{len(dropped) + count - len(replies)} of {count} dropped ({', '.join(errors)})"
        return ACCEPTED, f"{count} answered"

    return Case(f"{count} one-click POSTs at once", CATEGORY, subscribed, (), accept(), probe=probe)


def slow_client_case() -> Case:
    def probe(sb: Sandbox) -> tuple[str, str]:
        with serve(sb) as served:
            slow = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            try:
                slow.sendall(b"GET /unsubscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                time.sleep(0.2)
                reply = request(served.port, PROBE, timeout=5)
            finally:
                slow.close()
        if reply.status is None:
            return WRONG, "a slow client blocks every other request"
        return ACCEPTED, f"{reply.status} while a slow client waited"

    return Case("a slow client does not block others", CATEGORY, subscribed, (), accept(), probe=probe)


def cases() -> list[Case]:
    huge = 10_000_000
    return [
        http_case("garbage request line", b"\x16\x03\x01 garbage\r\n\r\n", {400}),
        http_case("unknown HTTP version", b"GET /unsubscribe HTTP/9.9\r\n\r\n", {400, 505}),
        http_case("URL of 100 KB", get("/unsubscribe?token=" + "a" * 100_000), {414}),
        http_case("URL of 70 KB", get("/unsubscribe?x=" + "a" * 70_000), {414}),
        http_case("header line of 100 KB", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", {400, 431}),
        http_case(
            "150 headers",
            b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n",
            {400, 431},
        ),
        http_case("Content-Length of 10 MB, short body", post(ROUTE, b"token=x", f"Content-Length: {huge}\r\n"), {413}),
        http_case("body of 1 MB", post(ROUTE, b"token=" + b"a" * 1_000_000), {413}),
        http_case("negative Content-Length", post(ROUTE, b"", "Content-Length: -1\r\n"), {400}),
        http_case("Content-Length not a number", post(ROUTE, b"", "Content-Length: abc\r\n"), {400}),
        http_case("Content-Length of 10^20", post(ROUTE, b"", "Content-Length: 100000000000000000000\r\n"), {400, 413}),
        http_case(
            "two different Content-Length", post(ROUTE, b"token=x", "Content-Length: 7\r\nContent-Length: 9\r\n"), {400}
        ),
        http_case(
            "chunked body", post(ROUTE, b"7\r\ntoken=x\r\n0\r\n\r\n", "Transfer-Encoding: chunked\r\n"), {400, 404, 411}
        ),
        http_case("non-UTF-8 bytes in the path", b"GET /unsub\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
        http_case("NUL in the token", get("/unsubscribe?token=abc%00def"), {400, 404}),
        http_case("token of 10,000 characters", get("/unsubscribe?token=" + "a" * 10_000), {400, 404, 414}),
        http_case("DELETE", b"DELETE /unsubscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", {405}),
        http_case("method of 10,000 characters", b"A" * 10_000 + b" / HTTP/1.1\r\n\r\n", {400, 405, 501}),
        http_case("Server header without the Python version", get(ROUTE), {404}, _no_python_version),
        http_case("GET with a valid token only confirms", lambda sb: get(f"{ROUTE}?token={token(sb)}"), {200}, _masked),
        http_case(
            "one-click POST unsubscribes",
            lambda sb: post(
                f"{ROUTE}?token={token(sb)}",
                b"List-Unsubscribe=One-Click",
                "Content-Type: application/x-www-form-urlencoded\r\n",
            ),
            {200},
            _unsubscribed,
        ),
        http_case(
            "old link after re-subscribing",
            lambda sb: post(f"{ROUTE}?token={sb.vars['old']}"),
            {404},
            _still_active,
            setup=resubscribed,
        ),
        burst_case(100),
        slow_client_case(),
    ]
