"""Kill-and-resume: SIGKILL `policywatch notify` mid-send, run it again at once, count what was lost or doubled.

    python benchmarks/kill_resume.py --kills 20 --subscribers 500
    python benchmarks/kill_resume.py --databases sqlite --kills 50 --out kill.json

Each trial uses a fresh repository and ledger (a SQLite file, or a PostgreSQL schema
of its own that is dropped afterwards), a loopback SMTP server (aiosmtpd, in this
process, 5 ms per message) and the real command in subprocesses:

1. ``notify`` starts and is killed with SIGKILL after a random number of messages;
2. ``notify`` runs again at once (the lease, 120 s, is far from running out) to its end.

Counted per database: subscribers *lost* (no ``sent`` row at the end), subscribers
*doubled* (more than one message at the server), and re-runs that did *not* finish
everything (exit code not 0, or anything still pending). Everything stays on
loopback; every subprocess has a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests._store_support import (  # noqa: E402 - after the path is set
    EMAIL_CONFIG,
    PG_BASE,
    Sink,
    make_release,
    repo_with_policy,
    schema_url,
    seed_subscribers,
    smtp_sink,
    start_notify,
    tag_release,
)

POOL = 4
RUN_TIMEOUT_S = 300


class SlowSink(Sink):
    """A server that takes a few milliseconds per message, so kills land mid-send."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def trial(database: str, subscribers: int, rng: random.Random) -> dict:
    """One kill and one immediate re-run on a fresh ledger."""
    import psycopg

    from policywatch.store import open_store

    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        repo = repo_with_policy(Path(tmp) / "repo", ("privacy",), EMAIL_CONFIG + "\n[notify]\nbatch_size = 25\n")
        tag_release(repo, make_release("privacy", "2.0"))
        if database == "sqlite":
            url = f"sqlite:///{repo.root / '.policywatch' / 'state.db'}"
        else:
            schema = f"pw_kill_{os.getpid()}_{secrets.token_hex(4)}"
            with psycopg.connect(PG_BASE, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            url = schema_url(schema)
        try:
            store = open_store(url)
            seed_subscribers(store, subscribers)
            with smtp_sink(SlowSink()) as (port, sink):
                kill_at = rng.randrange(1, subscribers)
                first = start_notify(repo.root, url, port, pool=POOL)
                deadline = time.monotonic() + RUN_TIMEOUT_S
                while len(sink.messages) < kill_at and first.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.002)
                killed = first.poll() is None
                first.send_signal(signal.SIGKILL)
                first.communicate()
                held = store.query("SELECT COUNT(*) FROM deliveries WHERE state = 'sending'")[0][0]
                started = time.monotonic()
                again = start_notify(repo.root, url, port, pool=POOL)
                out, err = again.communicate(timeout=RUN_TIMEOUT_S)
                rerun_seconds = time.monotonic() - started
                received = sink.per_recipient()
            sent = {row[0] for row in store.query("SELECT target FROM deliveries WHERE state = 'sent'")}
            store.close()
        finally:
            if schema:
                with psycopg.connect(PG_BASE, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    everyone = {f"user{i:07d}@example.org" for i in range(subscribers)}
    try:
        pending = json.loads(out)["pending"]
    except (ValueError, KeyError):
        pending = None
    return {
        "killed_mid_send": killed,
        "messages_before_kill": kill_at,
        "held_by_the_killed_sender": held,
        "lost": len(everyone - sent),
        "doubled": sum(1 for count in received.values() if count > 1),
        "rerun_exit": again.returncode,
        "rerun_pending": pending,
        "rerun_finished": again.returncode == 0 and pending == 0 and sent == everyone,
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_error": err.strip().splitlines()[-1] if again.returncode and err.strip() else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="trials (one kill each) per database")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write every trial as JSON")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    results: dict[str, list[dict]] = {}
    print(f"seed {seed}; {args.kills} kills per database, {args.subscribers} subscribers, {POOL} connections")
    print(f"{'database':<11} {'kills':>5} {'mid-send':>8} {'held':>6} {'lost':>5} {'doubled':>7} {'re-run done':>11}")
    for database in args.databases.split(","):
        trials = results[database] = [trial(database, args.subscribers, rng) for _ in range(args.kills)]
        print(
            f"{database:<11} {len(trials):>5} {sum(t['killed_mid_send'] for t in trials):>8}"
            f" {sum(t['held_by_the_killed_sender'] for t in trials):>6} {sum(t['lost'] for t in trials):>5}"
            f" {sum(t['doubled'] for t in trials):>7}"
            f" {sum(t['rerun_finished'] for t in trials):>5}/{len(trials):<5}"
        )
        for number, failed in enumerate(t for t in trials if not t["rerun_finished"]):
            print(f"  unfinished re-run {number + 1}: {failed}")
    if args.out:
        args.out.write_text(json.dumps({"seed": seed, "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
