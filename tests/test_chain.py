"""The ledger's hash chain: every write to a ledger row is chained, on both databases, under concurrency too."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from policywatch.audience import signups
from policywatch.audience.channels import Outcome
from policywatch.audience.outbox import Outbox
from policywatch.audience.service.tokens import unsubscribe_by_token
from policywatch.audience.subscribers import add_subscriber, remove_subscriber
from policywatch.store import chain, open_store
from policywatch.store import migrations as store_migrations
from tests._store_support import make_release, seed_subscribers

ROOT = Path(__file__).resolve().parent.parent


def _ops(store, table: str) -> list[str]:
    return [row[0] for row in store.query("SELECT op FROM ledger_chain WHERE tbl = ? ORDER BY seq", (table,))]


def test_a_new_store_has_an_empty_chain_that_verifies(store):
    assert chain.head(store) == chain.Head(0, chain.GENESIS)
    assert chain.check_store(store) is None


def test_each_write_to_a_delivery_appends_one_event_and_the_chain_verifies(store):
    add_subscriber(store, "ann@example.com")
    outbox = Outbox(store)
    release = make_release()
    outbox.ledger_release(release)
    (ann,) = outbox.claim(release.tag, "email").recipients
    outbox.record(Outcome(ann.delivery_id, "sent", "250 2.0.0 queued", "<m1@example.com>"))
    assert _ops(store, "deliveries") == ["owed", "sent"]
    assert chain.check_store(store) is None


def test_a_claim_is_a_lease_and_is_not_chained(store):
    add_subscriber(store, "ann@example.com")
    outbox = Outbox(store)
    release = make_release()
    outbox.ledger_release(release)
    outbox.claim(release.tag, "email")
    assert _ops(store, "deliveries") == ["owed"]
    assert chain.check_store(store) is None  # a row being sent is chained as still owed


def test_a_duplicate_outcome_changes_nothing_and_chains_nothing(store):
    add_subscriber(store, "ann@example.com")
    outbox = Outbox(store)
    release = make_release()
    outbox.ledger_release(release)
    (ann,) = outbox.claim(release.tag, "email").recipients
    outbox.record(Outcome(ann.delivery_id, "sent", "250", "<m1@example.com>"))
    assert outbox.record(Outcome(ann.delivery_id, "sent", "250", "<m2@example.com>")) == "duplicate"
    assert _ops(store, "deliveries") == ["owed", "sent"]


def test_a_deferred_then_failed_delivery_and_its_retry_are_each_chained(store):
    add_subscriber(store, "ann@example.com")
    outbox = Outbox(store)
    release = make_release()
    outbox.ledger_release(release)
    (ann,) = outbox.claim(release.tag, "email").recipients
    outbox.record(Outcome(ann.delivery_id, "failed", "550 no such user"))
    assert outbox.retry_failed() == 1
    assert _ops(store, "deliveries") == ["owed", "failed", "retry"]
    assert chain.check_store(store) is None


def test_subscribing_and_unsubscribing_are_chained(store):
    add_subscriber(store, "ann@example.com")
    remove_subscriber(store, "ann@example.com")
    assert _ops(store, "subscribers") == ["added", "unsubscribed"]
    last = json.loads(store.query("SELECT content FROM ledger_chain ORDER BY seq DESC LIMIT 1")[0][0])
    assert last["row"]["status"] == "unsubscribed" and "token" not in last["row"]


def test_an_unsubscribe_link_is_chained(store):
    subscriber, _ = add_subscriber(store, "ann@example.com")
    unsubscribe_by_token(store, subscriber.token)
    assert _ops(store, "subscribers") == ["added", "unsubscribed"]
    assert chain.check_store(store) is None


def test_a_confirmed_subscription_chains_the_subscriber_and_the_proof_of_consent(store):
    secret = b"k" * 32
    origin = signups.Origin("192.0.2.7", "Browser/1.0")
    requested = signups.request_subscription(store, secret, "ann@example.com", ("privacy",), origin)
    nonce = signups.read_token(secret, requested.token)
    assert _ops(store, "subscribe_requests") == []  # a request is nobody's consent yet
    signups.confirm_subscription(store, nonce, origin)
    assert _ops(store, "subscribers") == ["confirmed"]
    assert _ops(store, "subscribe_requests") == ["confirmed"]
    assert chain.check_store(store) is None


def test_an_import_chains_each_row_it_adds(store):
    seed_subscribers(store, 120)
    assert _ops(store, "subscribers") == ["imported"] * 120
    assert chain.check_store(store) is None


def test_a_superseded_release_chains_each_skip(store):
    add_subscriber(store, "ann@example.com")
    outbox = Outbox(store)
    release = make_release()
    outbox.ledger_release(release)
    assert outbox.supersede(release, "privacy/v3.0") == 1
    assert _ops(store, "deliveries") == ["owed", "skipped"]
    assert chain.check_store(store) is None


def test_the_same_row_gives_the_same_canonical_text_on_both_databases(store):
    add_subscriber(store, "ann@example.com", "Ann Ö")
    row = store.query(f"SELECT {chain.SUBSCRIBERS.select} FROM subscribers")[0]
    text = chain.canonical("subscribers", "added", row)
    assert text.isascii() and json.loads(text)["row"]["name"] == "Ann Ö"
    assert store.query("SELECT content FROM ledger_chain")[0][0] == text


@pytest.fixture
def v4_url(any_url, monkeypatch):
    """A database as the release before the chain left it: subscribers, one sent and one queued delivery."""
    with monkeypatch.context() as patch:
        patch.setattr(store_migrations, "MIGRATIONS", store_migrations.MIGRATIONS[:4])
        patch.setattr(store_migrations, "LATEST", 4)
        old = open_store(any_url)
        try:
            for address in ("ann@example.com", "bob@example.com"):
                old.execute(
                    "INSERT INTO subscribers (email, token, created_at, updated_at) VALUES (?, ?, 'then', 'then')",
                    (address, f"tok-{address}-0000000000"),
                )
            old.execute(
                "INSERT INTO releases VALUES ('privacy/v2.0', 'privacy', '2.0', 'material', '2026-04-01', 'x', NULL)"
            )
            old.execute(
                "INSERT INTO deliveries (release_tag, channel, target, subscriber_id, state, message_id, created_at,"
                " updated_at) SELECT 'privacy/v2.0', 'email', email, id, 'sent', '<m@x>', 'then', 'then'"
                " FROM subscribers"
            )
        finally:
            old.close()
    return any_url


def test_the_migration_chains_the_rows_already_there(v4_url):
    store = open_store(v4_url)
    try:
        assert _ops(store, "subscribers") == ["existing", "existing"]
        assert _ops(store, "deliveries") == ["existing", "existing"]
        assert chain.check_store(store) is None
    finally:
        store.close()


def _sender(url: str, out: Path) -> subprocess.Popen:
    code = (
        "import sys; from tests._store_support import claim_until_empty;"
        " claim_until_empty(sys.argv[1], 'privacy/v2.0', sys.argv[2], 25)"
    )
    return subprocess.Popen([sys.executable, "-c", code, url, str(out)], cwd=ROOT, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_four_senders_racing_on_postgresql_leave_one_unbroken_chain(pg_url, tmp_path):
    store = open_store(pg_url)
    try:
        seed_subscribers(store, 1000)
        Outbox(store).ledger_release(make_release(effective=dt.date.today() + dt.timedelta(days=30)))
        procs = [_sender(pg_url, tmp_path / f"s{i}.txt") for i in range(4)]
        for proc in procs:
            assert proc.wait(timeout=300) == 0, proc.stderr.read()
        sent = store.query("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'")[0][0]
        assert sent == 1000
        assert store.query("SELECT COUNT(*) FROM ledger_chain WHERE tbl = 'deliveries' AND op = 'sent'")[0][0] == 1000
        assert store.query("SELECT COUNT(*), MAX(seq) FROM ledger_chain")[0] == (3000, 3000)  # gapless
        assert chain.check_store(store) is None
    finally:
        store.close()


def test_an_objection_and_each_step_of_its_history_are_chained(store):
    from policywatch.audience.objections import record_objection, resolve_objection

    subscriber, _ = add_subscriber(store, "ann@example.com")
    row_id = store.query("SELECT id FROM subscribers")[0][0]
    recorded = record_objection(store, "vendors/v2.0", row_id, subscriber.email, "No.", dt.date(2030, 1, 1))
    resolve_objection(store, recorded.objection.id, "resolved", "talked it through")
    assert _ops(store, "objections") == ["objected", "resolved"]
    assert _ops(store, "objection_events") == ["objected", "resolved"]
    assert chain.check_store(store) is None


def test_an_objection_changed_with_raw_sql_is_found(store):
    from policywatch.audience.objections import record_objection

    subscriber, _ = add_subscriber(store, "ann@example.com")
    row_id = store.query("SELECT id FROM subscribers")[0][0]
    record_objection(store, "vendors/v2.0", row_id, subscriber.email, "No.", dt.date(2030, 1, 1))
    store.execute("UPDATE objections SET reason = 'Yes.'")
    assert "objections row 1 differs" in chain.check_store(store)


def _accepted(subject: str, version: str, at: str):
    from policywatch.audience.acceptances import Acceptance

    return Acceptance(subject, "privacy", version, f"2026-0{at}T09:00:00.000000Z", "web")


def test_each_acceptance_stored_or_moved_earlier_is_chained_and_a_repeat_is_not(store):
    from policywatch.audience.acceptances import record_acceptances

    assert record_acceptances(store, [_accepted("u-1", "2.0", "3-02"), _accepted("u-2", "2.0", "3-02")]) == 2
    record_acceptances(store, [_accepted("u-1", "2.0", "3-05")])  # later than the one kept: nothing stored
    record_acceptances(store, [_accepted("u-1", "2.0", "3-01")])  # earlier: the row moves, and is chained again
    assert _ops(store, "acceptances") == ["accepted", "accepted", "accepted"]
    assert chain.check_store(store) is None


def test_an_acceptance_changed_with_raw_sql_is_found(store):
    from policywatch.audience.acceptances import record_acceptances

    record_acceptances(store, [_accepted("u-1", "2.0", "3-02")])
    store.execute("UPDATE acceptances SET version = '3.0'")
    assert "acceptances row 1 differs" in chain.check_store(store)
