"""The objection endpoint under a bounded loopback load: ``policywatch serve`` and waitress.

For each server, a fresh repository with a register release (a new sub-processor,
published today) and ``--clients`` × ``--requests`` subscribers, a real SMTP server
on loopback (aiosmtpd) taking the receipts, and ``--clients`` clients, each sending
``--requests`` objection POSTs one after another (each a different subscriber's
link, on its own connection). Reports requests per second, the median and
99th-percentile latency, and checks that every objection was stored once and every
receipt arrived.

    python benchmarks/bench_object.py [--clients 8] [--requests 50] [--servers serve waitress] [--postgresql]

Loopback only; needs waitress and aiosmtpd (in the test extra).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_subscribe import SERVERS, p99_ms, state  # noqa: E402
from policywatch.audience.objections import link_expiry  # noqa: E402
from policywatch.audience.service.tokens import new_token, object_token  # noqa: E402
from policywatch.project import open_project  # noqa: E402
from policywatch.store import project_store, utcnow  # noqa: E402
from tests._burst_support import form_post  # noqa: E402
from tests._email_support import smtp_server  # noqa: E402
from tests._objection_support import NOTICE_DAYS, TAG, register_repo  # noqa: E402
from tests._subscribe_support import SECRET  # noqa: E402


def links(root: Path, count: int) -> list[str]:
    """``count`` new subscribers' objection links (path and query), as their notices carry them."""
    now = utcnow()
    expires = link_expiry(dt.datetime.now(dt.UTC).date() + dt.timedelta(days=NOTICE_DAYS))
    people = [(f"p{i}@example.com", new_token()) for i in range(count)]
    with project_store(open_project(root)) as store:
        store.executemany(
            "INSERT INTO subscribers (email, name, policies, status, token, created_at, updated_at)"
            " VALUES (?, '', '', 'active', ?, ?, ?)",
            [(address, token, now, now) for address, token in people],
        )
        ids = dict(store.query("SELECT email, id FROM subscribers"))
    return [
        "/object?" + urlencode({"token": object_token(ids[address], token, TAG, expires), "release": TAG})
        for address, token in people
    ]


async def load(base: str, paths: list[str], clients: int) -> tuple[Counter, list[float], float]:
    parts = urlsplit(base)
    statuses: Counter = Counter()
    latencies: list[float] = []
    body = urlencode({"reason": "Our contract forbids transfers to the United States."}).encode()

    async def client(mine: list[str]) -> None:
        for path in mine:
            status, seconds = await form_post(parts.hostname, parts.port, path, body)
            statuses[status] += 1
            latencies.append(seconds)

    began = time.perf_counter()
    await asyncio.gather(*(client(paths[n::clients]) for n in range(clients)))
    return statuses, latencies, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50, help="per client")
    parser.add_argument("--servers", nargs="+", choices=sorted(SERVERS), default=["serve", "waitress"])
    parser.add_argument("--postgresql", action="store_true", help="keep the state in PostgreSQL, not SQLite")
    args = parser.parse_args()
    failed = 0
    home = os.getcwd()
    database = "PostgreSQL" if args.postgresql else "SQLite"
    print("| server | database | clients | requests | answered 200 | requests/s | p50 | p99 | stored | receipts |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.servers:
        with tempfile.TemporaryDirectory() as tmp, smtp_server() as (controller, handler), state(args.postgresql):
            os.environ.update(
                POLICYWATCH_SMTP_URL=f"smtp://127.0.0.1:{controller.port}",
                POLICYWATCH_FROM="Privacy <privacy@example.com>",
                POLICYWATCH_SECRET=SECRET,
            )
            root = Path(tmp) / "repo"
            os.makedirs(root)
            os.chdir(root)
            register_repo(root, lambda repo: repo, published=dt.datetime.now(dt.UTC).date())
            total = args.clients * args.requests
            paths = links(root, total)
            with SERVERS[name](root) as base:
                statuses, latencies, seconds = asyncio.run(load(base, paths, args.clients))
                deadline = time.monotonic() + 60
                while len(handler.messages) < total and time.monotonic() < deadline:
                    time.sleep(0.1)
            with project_store(open_project(root)) as store:
                stored = store.query("SELECT COUNT(*) FROM objections")[0][0]
            os.chdir(home)
        failed += total - statuses[200] + total - stored
        print(
            f"| {name} | {database} | {args.clients} | {total} | {statuses[200]} | {total / seconds:.0f} "
            f"| {1000 * statistics.median(latencies):.0f} ms | {p99_ms(latencies):.0f} ms | {stored} "
            f"| {len(handler.messages)} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
