"""Kill `policywatch notify` (SIGKILL, a real subprocess) at random moments and run it again until done.

Every subscriber must end with exactly one notice in the ledger and at least one at
the SMTP server. The only duplicates allowed are messages the server accepted in
the instant before the ledger recorded them; they carry the same Message-ID as the
first copy, and there can be at most one per connection in flight per kill.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from policywatch.store import open_store
from tests._store_support import (
    EMAIL_CONFIG,
    Sink,
    make_release,
    repo_with_policy,
    seed_subscribers,
    smtp_sink,
    tag_release,
)

pytest_plugins = ["tests._store_fixtures"]

SUBSCRIBERS = 500
POOL = 4
KILLS = 3
LEASE = 1


class SlowSink(Sink):
    """A server that takes a few milliseconds per message, so kills land mid-send."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def _kill_and_resume(tmp_path, url: str, seed: int) -> dict:
    rng = random.Random(seed)
    config = EMAIL_CONFIG + f"\n[notify]\nlease_seconds = {LEASE}\nbatch_size = 25\n"
    repo = repo_with_policy(tmp_path / "repo", ("privacy",), config)
    tag_release(repo, make_release("privacy", "2.0"))
    store = open_store(url)
    seed_subscribers(store, SUBSCRIBERS)
    kills = runs = 0
    with smtp_sink(SlowSink()) as (port, sink):
        env = {
            **os.environ,
            "POLICYWATCH_DATABASE_URL": url,
            "POLICYWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}?pool_size={POOL}&backoff=0.01&timeout=10",
            "CI": "1",
        }
        env.pop("POLICYWATCH_FROM", None)
        while runs < 40:
            runs += 1
            proc = subprocess.Popen(
                [sys.executable, "-m", "policywatch", "notify", "--format", "json"],
                cwd=repo.root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            if kills < KILLS:
                time.sleep(rng.uniform(0.4, 1.2))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    time.sleep(LEASE + 0.1)  # the dead sender's lease runs out
                    continue
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            summary = json.loads(out)
            states = dict(store.query("SELECT state, COUNT(*) FROM deliveries GROUP BY state"))
            if summary["pending"] == 0 and states == {"sent": SUBSCRIBERS}:
                break
            time.sleep(LEASE + 0.2)
        received = sink.per_recipient()
        ids = Counter((rcpts[0], mid) for rcpts, mid in _ids(sink))
    ledger = dict(store.query("SELECT target, message_id FROM deliveries WHERE state = 'sent'"))
    store.close()
    return {"kills": kills, "runs": runs, "received": received, "ids": ids, "ledger": ledger}


def _ids(sink: Sink):
    import email
    import email.policy

    for rcpts, data in sink.messages:
        yield rcpts, email.message_from_bytes(data, policy=email.policy.default)["Message-ID"]


def _check(result: dict, record_property) -> None:
    received, ledger = result["received"], result["ledger"]
    duplicates = sum(received.values()) - len(received)
    record_property("kills", result["kills"])
    record_property("duplicates", duplicates)
    print(f"\nkill-and-resume: {result['kills']} kills, {result['runs']} runs, {duplicates} duplicates")
    assert len(ledger) == SUBSCRIBERS
    assert set(received) == set(ledger)
    # a duplicate is the same message again: same Message-ID as the copy the ledger recorded
    assert all(ledger[address] == mid for address, mid in result["ids"])
    assert duplicates <= result["kills"] * POOL


@pytest.mark.slow
def test_killed_and_rerun_notify_on_sqlite_tells_everyone_exactly_once(tmp_path, record_property, monkeypatch):
    seed = int(os.environ.get("POLICYWATCH_KILL_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    url = f"sqlite:///{tmp_path / 'repo' / '.policywatch' / 'state.db'}"
    _check(_kill_and_resume(tmp_path, url, seed), record_property)


@pytest.mark.slow
def test_killed_and_rerun_notify_on_postgres_tells_everyone_exactly_once(tmp_path, pg_url, record_property):
    seed = int(os.environ.get("POLICYWATCH_KILL_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    _check(_kill_and_resume(tmp_path, pg_url, seed), record_property)


def _sender_children(pid: int) -> list[int]:
    """Sender processes started by ``notify --workers`` (not multiprocessing's resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                cmdline = cmd.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to find the sender processes")
def test_a_killed_worker_process_costs_only_its_batch(tmp_path):
    config = EMAIL_CONFIG + f"\n[notify]\nlease_seconds = {LEASE}\nbatch_size = 25\n"
    repo = repo_with_policy(tmp_path / "repo", ("privacy",), config)
    tag_release(repo, make_release("privacy", "2.0"))
    url = f"sqlite:///{repo.root / '.policywatch' / 'state.db'}"
    store = open_store(url)
    seed_subscribers(store, 200)
    with smtp_sink(SlowSink()) as (port, sink):
        env = {
            **os.environ,
            "POLICYWATCH_DATABASE_URL": url,
            "POLICYWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}?pool_size=2&backoff=0.01&timeout=10",
            "CI": "1",
        }
        command = [sys.executable, "-m", "policywatch", "notify", "--workers", "2", "--format", "json"]
        proc = subprocess.Popen(
            command, cwd=repo.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while len(sink.messages) < 50 and time.monotonic() < deadline:
            time.sleep(0.02)
        victims = _sender_children(proc.pid)
        assert len(victims) == 2, victims
        os.kill(victims[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        first = json.loads(out)
        time.sleep(LEASE + 0.1)
        again = subprocess.run(command, cwd=repo.root, env=env, capture_output=True, text=True, timeout=120)
        received = sink.per_recipient()
    store.close()
    assert any("1 sender process(es) died" in p for p in first["problems"])
    assert json.loads(again.stdout)["pending"] == 0  # the survivor, or this run, took the dead sender's batch
    assert len(received) == 200
    assert sum(received.values()) - 200 <= 2  # at most the killed sender's messages in flight
