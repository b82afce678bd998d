"""Bursts of concurrent one-click POSTs, and the unsubscribe app under waitress, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ONE_CLICK_BODY = b"List-Unsubscribe=One-Click"


@dataclass
class Burst:
    sent: int
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # exception name -> count
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses[200]

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def p99_ms(self) -> float:
        if len(self.latencies) < 2:
            return 1000 * max(self.latencies, default=0.0)
        return 1000 * statistics.quantiles(self.latencies, n=100, method="inclusive")[98]

    def summary(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"sent {self.sent}, answered 200: {self.ok}, other statuses: "
            f"{dict(sorted((k, v) for k, v in self.statuses.items() if k != 200)) or 'none'}, errors: {errors}, "
            f"{self.per_second:.0f} requests/s, p99 {self.p99_ms:.0f} ms"
        )


async def _post(host: str, port: int, path: str, start: asyncio.Event, timeout: float) -> tuple[int, float]:
    await start.wait()
    return await form_post(host, port, path, ONE_CLICK_BODY, timeout)


async def form_post(host: str, port: int, path: str, body: bytes, timeout: float = 60.0) -> tuple[int, float]:
    """One form POST on a connection of its own: the reply's status and the seconds it took."""
    began = time.perf_counter()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("ascii") + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        if not status_line:
            raise ConnectionResetError("closed before a status line")
        await asyncio.wait_for(reader.read(), timeout)
        return int(status_line.split()[1]), time.perf_counter() - began
    finally:
        writer.close()


async def _burst(base: str, paths: Sequence[str], timeout: float) -> Burst:
    parts = urlsplit(base)
    start = asyncio.Event()
    tasks = [asyncio.ensure_future(_post(parts.hostname, parts.port, p, start, timeout)) for p in paths]
    await asyncio.sleep(0)
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    burst = Burst(sent=len(paths), seconds=time.perf_counter() - began)
    for result in results:
        if isinstance(result, BaseException):
            burst.errors[type(result).__name__] += 1
        else:
            burst.statuses[result[0]] += 1
            burst.latencies.append(result[1])
    return burst


def one_click_burst(base: str, tokens: Sequence[str], *, prefix: str = "", timeout: float = 60.0) -> Burst:
    """One one-click POST per token, all released at once, each on its own connection."""
    paths = [f"{prefix}/unsubscribe?token={token}" for token in tokens]
    return asyncio.run(_burst(base, paths, timeout))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def waitress_serving(repo: Path, *, threads: int = 8, extra: Sequence[str] = ()) -> Iterator[str]:
    """``policywatch.audience.service:application`` under waitress, in a child process on a loopback port."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={threads}"),
        *("--max-request-body-size=4096", *extra, "policywatch.audience.service:application"),
    ]
    with _serving(command, repo, port) as base:
        yield base


@contextmanager
def gunicorn_serving(repo: Path, *, workers: int = 2, threads: int = 2) -> Iterator[str]:
    """The same application under gunicorn: ``workers`` processes of ``threads`` threads (gthread)."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "--worker-class=gthread", f"--workers={workers}"),
        *(f"--threads={threads}", f"--bind=127.0.0.1:{port}", "policywatch.audience.service:application"),
    ]
    with _serving(command, repo, port) as base:
        yield base


@contextmanager
def _serving(command: list[str], repo: Path, port: int) -> Iterator[str]:
    env = {**os.environ, "POLICYWATCH_REPO": str(repo)}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would stall the server's log writes
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_for_port(port, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_for_port(port: int, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the server did not start: {log.read().decode()[-500:]}") from None
            time.sleep(0.05)
