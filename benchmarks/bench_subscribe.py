"""The subscribe endpoint under a bounded loopback load: ``policywatch serve`` and waitress.

For each server, a fresh repository taking subscriptions, a real SMTP server on
loopback (aiosmtpd) taking the confirmation emails, and ``--clients`` clients,
each sending ``--requests`` form POSTs one after another (each a new address, on
its own connection): at most ``--clients`` requests are in flight at once.
Reports requests per second, the 99th-percentile latency, and checks that every
request was stored and every confirmation email arrived. The rate limits are
raised for the run (every request comes from 127.0.0.1).

    python benchmarks/bench_subscribe.py [--clients 8] [--requests 50] [--servers serve waitress] [--postgresql]

``--postgresql``: the state in a fresh schema of the test PostgreSQL database
(``POLICYWATCH_TEST_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/test``), dropped after.

Loopback only; needs waitress and aiosmtpd (in the test extra).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_unsubscribe import serve_serving  # noqa: E402
from policywatch.project import open_project  # noqa: E402
from policywatch.store import project_store  # noqa: E402
from tests._burst_support import form_post, waitress_serving  # noqa: E402
from tests._email_support import smtp_server  # noqa: E402
from tests._store_support import PG_BASE, schema_url  # noqa: E402
from tests._subscribe_support import SECRET, company_repo, write_config  # noqa: E402

SERVERS = {"serve": serve_serving, "waitress": waitress_serving}
LIMITS = "subscribe = true\nper_client_per_hour = 1000000\nmax_pending = 1000000\n"


async def load(base: str, clients: int, requests: int, run: str) -> tuple[Counter, list[float], float]:
    parts = urlsplit(base)
    statuses: Counter = Counter()
    latencies: list[float] = []

    async def client(number: int) -> None:
        for i in range(requests):
            body = urlencode([("email", f"c{number}.r{i}.{run}@example.com"), ("policy", "privacy")]).encode()
            status, seconds = await form_post(parts.hostname, parts.port, "/subscribe", body)
            statuses[status] += 1
            latencies.append(seconds)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return statuses, latencies, time.perf_counter() - began


@contextmanager
def state(postgresql: bool) -> Iterator[None]:
    """POLICYWATCH_DATABASE_URL for the run: a fresh PostgreSQL schema, or none (SQLite in the repository)."""
    if not postgresql:
        os.environ.pop("POLICYWATCH_DATABASE_URL", None)
        yield
        return
    import psycopg

    schema = f"pw_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    os.environ["POLICYWATCH_DATABASE_URL"] = schema_url(schema)
    try:
        yield
    finally:
        del os.environ["POLICYWATCH_DATABASE_URL"]
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def p99_ms(latencies: list[float]) -> float:
    return 1000 * statistics.quantiles(latencies, n=100, method="inclusive")[98]


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
    print("| server | database | clients | requests | answered 200 | requests/s | p50 | p99 | stored | emails |")
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
            repo = company_repo(root, lambda repo: repo)
            write_config(repo, LIMITS)
            total = args.clients * args.requests
            with SERVERS[name](root) as base:
                statuses, latencies, seconds = asyncio.run(load(base, args.clients, args.requests, name))
                deadline = time.monotonic() + 60
                while len(handler.messages) < total and time.monotonic() < deadline:
                    time.sleep(0.1)
            with project_store(open_project(root)) as store:
                stored = store.query("SELECT COUNT(*) FROM subscribe_requests")[0][0]
            os.chdir(home)
        failed += total - statuses[200]
        print(
            f"| {name} | {database} | {args.clients} | {total} | {statuses[200]} | {total / seconds:.0f} "
            f"| {1000 * statistics.median(latencies):.0f} ms | {p99_ms(latencies):.0f} ms | {stored} "
            f"| {len(handler.messages)} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
