"""Kill `policywatch notify` (SIGKILL, a real subprocess) at random moments and run it again at once.

The run right after a kill must finish everything (the killed sender's batch is taken
back because its process is gone, long before its lease would run out). Every
subscriber must end with exactly one notice in the ledger and at least one at the
SMTP server. The only duplicates allowed are messages the server accepted in
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
import time
from collections import Counter

import pytest

from tests._store_support import Sink, released_with_subscribers, smtp_sink, start_notify

SUBSCRIBERS = 500
POOL = 4
KILLS = 3
LEASE = 120  # long: a re-run can finish only by taking back the dead sender's batch at once
NOTIFY = f"lease_seconds = {LEASE}\nbatch_size = 25\n"


class SlowSink(Sink):
    """A server that takes a few milliseconds per message, so kills land mid-send."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def _start(repo, url: str, port: int, *args: str) -> subprocess.Popen:
    return start_notify(repo.root, url, port, *args, pool=POOL)


def _released_on_sqlite(tmp_path, subscribers: int):
    """A repository with a material release, its SQLite ledger, and that many subscribers."""
    return released_with_subscribers(tmp_path / "repo", subscribers, NOTIFY)


def _wait_for(sink: Sink, messages: int) -> None:
    deadline = time.monotonic() + 60
    while len(sink.messages) < messages and time.monotonic() < deadline:
        time.sleep(0.02)


def _kill_after(proc: subprocess.Popen, sink: Sink, messages: int) -> None:
    """SIGKILL once the server has ``messages`` more messages (or the run has ended by itself)."""
    target = len(sink.messages) + messages
    deadline = time.monotonic() + 60
    while len(sink.messages) < target and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()


def _kill_and_resume(tmp_path, url: str, seed: int) -> dict:
    """Kill the sender up to KILLS times, each time starting the next run at once; the last must finish."""
    rng = random.Random(seed)
    repo, url, store = released_with_subscribers(tmp_path / "repo", SUBSCRIBERS, NOTIFY, url)
    with smtp_sink(SlowSink()) as (port, sink):
        for _ in range(KILLS):
            _kill_after(_start(repo, url, port), sink, rng.randrange(1, SUBSCRIBERS // (KILLS + 1)))
        out, err = _start(repo, url, port).communicate(timeout=120)
        received = sink.per_recipient()
        ids = Counter((rcpts[0], mid) for rcpts, mid in _ids(sink))
    summary = json.loads(out)
    ledger = dict(store.query("SELECT target, message_id FROM deliveries WHERE state = 'sent'"))
    rows = store.query("SELECT COUNT(*) FROM deliveries")[0][0]
    store.close()
    return {"summary": summary, "err": err, "received": received, "ids": ids, "ledger": ledger, "rows": rows}


def _ids(sink: Sink):
    import email
    import email.policy

    for rcpts, data in sink.messages:
        yield rcpts, email.message_from_bytes(data, policy=email.policy.default)["Message-ID"]


def _check(result: dict, kills: int, record_property) -> None:
    received, ledger = result["received"], result["ledger"]
    duplicates = sum(received.values()) - len(received)
    record_property("duplicates", duplicates)
    print(f"\nkill-and-resume: {kills} kills, {duplicates} duplicates")
    assert (result["summary"]["pending"], result["summary"]["ok"]) == (0, True), result["err"]
    assert len(ledger) == result["rows"] == SUBSCRIBERS
    assert set(received) == set(ledger)
    # a duplicate is the same message again: same Message-ID as the copy the ledger recorded
    assert all(ledger[address] == mid for address, mid in result["ids"])
    assert duplicates <= kills * POOL


@pytest.mark.slow
def test_killed_and_rerun_at_once_notify_tells_everyone_exactly_once(tmp_path, any_url, record_property):
    """On SQLite and on PostgreSQL."""
    seed = int(os.environ.get("POLICYWATCH_KILL_SEED", random.randrange(1 << 30)))
    print(f"seed {seed}")
    _check(_kill_and_resume(tmp_path, any_url, seed), KILLS, record_property)


def test_a_run_right_after_a_killed_one_finishes_everything(tmp_path, record_property):
    repo, url, store = _released_on_sqlite(tmp_path, 200)
    with smtp_sink(SlowSink()) as (port, sink):
        _kill_after(_start(repo, url, port), sink, 60)
        held = store.query("SELECT COUNT(*) FROM deliveries WHERE state = 'sending'")[0][0]
        again = _start(repo, url, port)
        out, err = again.communicate(timeout=120)
        received = sink.per_recipient()
    store.close()
    assert held > 0  # the kill left a batch under a lease that has not run out
    assert again.returncode == 0, err
    assert json.loads(out)["pending"] == 0
    assert len(received) == 200
    assert sum(received.values()) - 200 <= POOL  # at most the messages in flight at the kill


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
def test_a_killed_worker_process_costs_only_a_moment(tmp_path):
    repo, url, store = _released_on_sqlite(tmp_path, 200)
    with smtp_sink(SlowSink()) as (port, sink):
        proc = _start(repo, url, port, "--workers", "2")
        _wait_for(sink, 50)
        victims = _sender_children(proc.pid)
        assert len(victims) == 2, victims
        os.kill(victims[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
        received = sink.per_recipient()
    store.close()
    first = json.loads(out)
    assert proc.returncode == 0, err
    assert any("1 sender process(es) died" in p for p in first["problems"])
    assert first["pending"] == 0  # the survivor, or the parent, took the dead sender's batch at once
    assert len(received) == 200
    assert sum(received.values()) - 200 <= POOL  # at most the killed sender's messages in flight


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to find the sender processes")
def test_killing_the_parent_of_worker_processes_stops_them_and_a_rerun_finishes(tmp_path):
    repo, url, store = _released_on_sqlite(tmp_path, 300)
    with smtp_sink(SlowSink()) as (port, sink):
        proc = _start(repo, url, port, "--workers", "2")
        _wait_for(sink, 50)
        workers = _sender_children(proc.pid)
        assert len(workers) == 2, workers
        _kill_after(proc, sink, 0)
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans = [pid for pid in workers if _running(pid)]
        again = _start(repo, url, port)
        out, err = again.communicate(timeout=120)
        received = sink.per_recipient()
    store.close()
    assert orphans == []
    assert again.returncode == 0, err
    assert json.loads(out)["pending"] == 0
    assert len(received) == 300


def _running(pid: int) -> bool:
    from policywatch.audience.senders import process_gone

    return not process_gone(pid, "")
