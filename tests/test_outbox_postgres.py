"""The ledger on PostgreSQL: several senders share the work, none sends twice, a dead one's batch is reclaimed.

Every test runs in a schema of its own (see ``pg_url`` in conftest.py) and skips
only when no PostgreSQL answers at 127.0.0.1:5432.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from policywatch.audience.notify_settings import NotifySettings
from policywatch.audience.outbox import Outbox
from policywatch.store import open_store
from policywatch.store.migrations import MIGRATIONS
from tests._store_support import make_release, seed_subscribers

TAG = "privacy/v2.0"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ledgered(pg_url):
    store = open_store(pg_url)
    seed_subscribers(store, 2000)
    Outbox(store).ledger_release(make_release())
    yield pg_url, store
    store.close()


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_four_senders_racing_claim_every_delivery_exactly_once(ledgered, tmp_path):
    url, store = ledgered
    outs = [tmp_path / f"sender{i}.txt" for i in range(4)]
    procs = [
        _python(
            "import sys; from tests._store_support import claim_until_empty;"
            " claim_until_empty(sys.argv[1], sys.argv[2], sys.argv[3], 25)",
            url,
            TAG,
            str(out),
        )
        for out in outs
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    taken = Counter(line for out in outs for line in out.read_text().splitlines() if line)
    assert len(taken) == 2000
    assert max(taken.values()) == 1
    assert sum(1 for out in outs if out.read_text()) > 1, "only one sender got any work"
    assert store.query("SELECT state, MAX(attempts), COUNT(*) FROM deliveries GROUP BY state") == [("sent", 1, 2000)]


@pytest.mark.slow
def test_batch_of_a_killed_sender_is_reclaimed_after_its_lease(ledgered):
    url, store = ledgered
    proc = _python(
        "import sys; from tests._store_support import claim_and_hang; claim_and_hang(sys.argv[1], sys.argv[2], 50, 2)",
        url,
        TAG,
    )
    lines = []
    while (line := proc.stdout.readline().strip()) != "CLAIMED":
        assert line or proc.poll() is None, proc.stderr.read()
        lines.append(line)
    proc.kill()
    proc.wait()
    held = set(lines)
    assert len(held) == 50
    survivor = Outbox(store, NotifySettings(batch_size=5000))
    first = {r.address for r in survivor.claim(TAG, "email").recipients}
    assert first.isdisjoint(held) and len(first) == 1950
    deadline = time.monotonic() + 10
    reclaimed: set[str] = set()
    while not reclaimed and time.monotonic() < deadline:
        time.sleep(0.25)
        reclaimed = {r.address for r in survivor.claim(TAG, "email").recipients}
    assert reclaimed == held


def test_claims_skip_rows_another_transaction_holds(ledgered):
    url, store = ledgered
    import psycopg

    with psycopg.connect(url) as other:
        other.execute("SELECT id FROM deliveries ORDER BY id LIMIT 10 FOR UPDATE")
        claim = Outbox(store, NotifySettings(batch_size=10)).claim(TAG, "email")
        ids = [r[0] for r in store.query("SELECT id FROM deliveries WHERE state = 'sending' ORDER BY id")]
    assert len(claim.recipients) == 10
    assert min(ids) == 11


def test_migrations_from_concurrent_first_connections_apply_once(pg_url):
    procs = [
        _python("import sys; from policywatch.store import open_store; open_store(sys.argv[1]).close()", pg_url)
        for _ in range(4)
    ]
    for proc in procs:
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    store = open_store(pg_url)
    try:
        assert store.query("SELECT COUNT(*) FROM schema_version")[0][0] == len(MIGRATIONS)
    finally:
        store.close()


def test_import_on_postgres_streams_a_large_file(pg_url):
    store = open_store(pg_url)
    try:
        seed_subscribers(store, 5000)
        assert store.query("SELECT COUNT(*), COUNT(DISTINCT token) FROM subscribers")[0] == (5000, 5000)
    finally:
        store.close()


def test_batch_of_a_sender_whose_postgres_session_is_gone_is_reclaimed_at_once(ledgered):
    from policywatch.audience.senders import LOCK_CLASS, SenderId

    url, store = ledgered
    remote = open_store(url)
    sender = SenderId("another-host.example", 1, "", 0x5EED)
    assert remote.hold_session_lock(LOCK_CLASS, sender.nonce)
    Outbox(remote, owner=str(sender)).claim(TAG, "email", limit=50)
    survivor = Outbox(store)
    assert survivor.reclaim_dead() == 0  # its session is still there
    remote.close()
    _until_released(store, LOCK_CLASS, sender.nonce)  # the server ends the closed session a moment later
    assert survivor.reclaim_dead() == 50


def _until_released(store, group: int, key: int) -> None:
    deadline = time.monotonic() + 10
    while store.session_lock_held(group, key) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_sender_holds_its_session_lock_from_the_start(ledgered):
    from policywatch.audience.senders import LOCK_CLASS, SenderId

    url, store = ledgered
    outbox = Outbox(open_store(url))
    sender = SenderId.parse(outbox.owner)
    assert sender is not None and store.session_lock_held(LOCK_CLASS, sender.nonce)
    outbox.store.close()
    _until_released(store, LOCK_CLASS, sender.nonce)
    assert not store.session_lock_held(LOCK_CLASS, sender.nonce)
