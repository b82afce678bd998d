"""Bursts of concurrent one-click unsubscribe POSTs against ``policywatch serve`` and against waitress.

For each server and burst size, a fresh repository with that many subscribers,
then every subscriber's one-click POST (``List-Unsubscribe=One-Click``) released
at the same moment, each on its own loopback connection. Reports what was sent,
answered 200, failed (by exception), requests per second over the burst, and the
99th-percentile latency; then checks that the database agrees.

    python benchmarks/bench_unsubscribe.py [--sizes 100 500] [--servers serve waitress] [--rounds 1]

Loopback only; needs waitress (in the test extra).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policywatch.audience.subscribers import add_subscriber  # noqa: E402
from policywatch.project import open_project  # noqa: E402
from policywatch.store import project_store  # noqa: E402
from tests._burst_support import one_click_burst, waitress_serving  # noqa: E402
from tests._git_support import new_git_project  # noqa: E402


def make_repo(root: Path, count: int) -> list[str]:
    repo = new_git_project(root)
    with project_store(open_project(repo.root)) as store:
        return [add_subscriber(store, f"person{i}@example.com")[0].token for i in range(count)]


def unsubscribed(root: Path) -> int:
    with project_store(open_project(root)) as store:
        return store.query("SELECT COUNT(*) FROM subscribers WHERE status = 'unsubscribed'")[0][0]


@contextmanager
def serve_serving(root: Path) -> Iterator[str]:
    """``policywatch serve`` in a child process, as a user starts it."""
    command = [sys.executable, "-m", "policywatch", "serve", "--port", "0"]
    process = subprocess.Popen(command, cwd=root, stderr=subprocess.PIPE, text=True)
    try:
        announced = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", announced)
        if not match:
            raise RuntimeError(f"serve did not start: {announced}")
        drain = threading.Thread(target=process.stderr.read, daemon=True)  # the access log must not fill the pipe
        drain.start()
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


SERVERS = {"serve": serve_serving, "waitress": waitress_serving}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--servers", nargs="+", choices=sorted(SERVERS), default=["serve", "waitress"])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    lost = 0
    print("| server | burst | sent | answered 200 | errors | requests/s | p99 latency | unsubscribed in the database |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.servers:
        for size in args.sizes:
            for _ in range(args.rounds):
                with tempfile.TemporaryDirectory() as tmp:
                    root = Path(tmp) / "repo"
                    tokens = make_repo(root, size)
                    with SERVERS[name](root) as base:
                        burst = one_click_burst(base, tokens)
                    stored = unsubscribed(root)
                errors = sum(burst.errors.values()) + sum(v for k, v in burst.statuses.items() if k != 200)
                detail = ", ".join(f"{k} {v}" for k, v in sorted(burst.errors.items()))
                lost += burst.sent - burst.ok
                print(
                    f"| {name} | {size} | {burst.sent} | {burst.ok} | {errors}{f' ({detail})' if detail else ''} "
                    f"| {burst.per_second:.0f} | {burst.p99_ms:.0f} ms | {stored} |"
                )
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
