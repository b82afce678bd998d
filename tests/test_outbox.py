"""The outbox ledger: deliveries created once, claimed under a lease, each outcome recorded."""

from __future__ import annotations

import pytest

from policywatch.audience.channels import Outcome
from policywatch.audience.notify_settings import NotifySettings
from policywatch.audience.outbox import Outbox
from policywatch.audience.subscribers import add_subscriber, remove_subscriber
from policywatch.store import open_store
from tests._store_support import make_release


@pytest.fixture
def people(store):
    add_subscriber(store, "all@example.com", "Al")
    add_subscriber(store, "privacy@example.com", "Pri", ["privacy"])
    add_subscriber(store, "terms@example.com", "Ter", ["terms"])
    add_subscriber(store, "gone@example.com")
    remove_subscriber(store, "gone@example.com")
    return store


def states(store, tag="privacy/v2.0"):
    rows = store.query("SELECT target, state FROM deliveries WHERE release_tag = ? ORDER BY target", (tag,))
    return dict(rows)


def test_ledgering_a_release_owes_one_email_per_active_follower_and_one_post_per_webhook(people):
    outbox = Outbox(people)
    created = outbox.ledger_release(make_release("privacy"), webhooks=["ops", "slack"])
    assert created == 4
    rows = people.query("SELECT channel, target, state FROM deliveries ORDER BY channel, target")
    assert rows == [
        ("email", "all@example.com", "queued"),
        ("email", "privacy@example.com", "queued"),
        ("webhook:ops", "ops", "queued"),
        ("webhook:slack", "slack", "queued"),
    ]


def test_ledgering_the_same_release_twice_creates_nothing_more(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    add_subscriber(people, "late@example.com")
    assert outbox.ledger_release(make_release()) == 0
    assert people.query("SELECT COUNT(*) FROM deliveries")[0][0] == 2


def test_policy_slug_with_underscore_matches_only_itself(store):
    add_subscriber(store, "a@example.com", policies=["a_b"])
    add_subscriber(store, "b@example.com", policies=["axb"])
    Outbox(store).ledger_release(make_release("a_b"))
    assert [r[0] for r in store.query("SELECT target FROM deliveries")] == ["a@example.com"]


def test_claim_takes_a_batch_under_a_lease_that_another_sender_cannot_take(people):
    first, second = Outbox(people), Outbox(people)
    first.ledger_release(make_release())
    claim = first.claim("privacy/v2.0", "email", limit=1)
    other = second.claim("privacy/v2.0", "email", limit=10)
    assert [r.address for r in claim.recipients] == ["all@example.com"]
    assert [r.address for r in other.recipients] == ["privacy@example.com"]
    assert second.claim("privacy/v2.0", "email").recipients == []
    assert set(states(people).values()) == {"sending"}


def test_claimed_recipient_carries_name_and_unsubscribe_token(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    token = people.query("SELECT token FROM subscribers WHERE email = 'privacy@example.com'")[0][0]
    recipient = outbox.claim("privacy/v2.0", "email").recipients[1]
    assert (recipient.address, recipient.name, recipient.unsubscribe_token) == ("privacy@example.com", "Pri", token)
    assert recipient.delivery_id == "privacy/v2.0|email|privacy@example.com"


def test_sent_outcome_is_recorded_with_message_id_and_time(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    assert outbox.record(Outcome(recipient.delivery_id, "sent", "250 ok", "<m1@example.com>")) == "sent"
    row = people.query(
        "SELECT state, message_id, detail, sent_at, lease_owner, attempts FROM deliveries WHERE target = ?",
        (recipient.address,),
    )[0]
    assert row[:3] == ("sent", "<m1@example.com>", "250 ok")
    assert row[3] and row[4] is None and row[5] == 1


def test_a_second_sent_report_for_one_delivery_is_counted_as_duplicate(people):
    first, second = Outbox(people), Outbox(people)
    first.ledger_release(make_release())
    recipient = first.claim("privacy/v2.0", "email", limit=1).recipients[0]
    people.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00.000000Z'")
    again = second.claim("privacy/v2.0", "email", limit=1).recipients[0]
    assert again.delivery_id == recipient.delivery_id
    assert second.record(Outcome(again.delivery_id, "sent", "", "<m@x>")) == "sent"
    assert first.record(Outcome(recipient.delivery_id, "sent", "", "<m@x>")) == "duplicate"


def test_expired_lease_makes_a_batch_claimable_again(people):
    dead, alive = Outbox(people), Outbox(people)
    dead.ledger_release(make_release())
    dead.claim("privacy/v2.0", "email")
    assert alive.claim("privacy/v2.0", "email").recipients == []
    people.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00.000000Z'")
    reclaimed = alive.claim("privacy/v2.0", "email").recipients
    assert len(reclaimed) == 2
    assert people.query("SELECT MAX(attempts) FROM deliveries")[0][0] == 2


def test_reclaim_expired_queues_only_expired_leases(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    outbox.claim("privacy/v2.0", "email", limit=1)
    outbox.claim("privacy/v2.0", "email", limit=1)
    people.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00.000000Z' WHERE target = 'all@example.com'")
    assert outbox.reclaim_expired() == 1
    assert states(people) == {"all@example.com": "queued", "privacy@example.com": "sending"}


def test_deferred_delivery_waits_before_its_next_attempt(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    assert outbox.record(Outcome(recipient.delivery_id, "deferred", "421 try later")) == "deferred"
    assert states(people)[recipient.address] == "queued"
    assert [r.address for r in outbox.claim("privacy/v2.0", "email").recipients] == ["privacy@example.com"]


def test_deferred_too_often_becomes_failed(people):
    outbox = Outbox(people, NotifySettings(max_attempts=1))
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    assert outbox.record(Outcome(recipient.delivery_id, "deferred", "451 busy")) == "failed"
    detail = people.query("SELECT detail FROM deliveries WHERE target = ?", (recipient.address,))[0][0]
    assert detail == "gave up after 1 attempt: 451 busy"


def test_failed_delivery_stays_failed_until_retry_failed(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    outbox.record(Outcome(recipient.delivery_id, "failed", "550 no such user"))
    outbox.release_unreported()
    assert [r.address for r in outbox.claim("privacy/v2.0", "email").recipients] == ["privacy@example.com"]
    assert outbox.retry_failed() == 1
    assert [r.address for r in outbox.claim("privacy/v2.0", "email").recipients] == [recipient.address]


def test_failure_reported_after_losing_the_lease_is_ignored(people):
    first, second = Outbox(people), Outbox(people)
    first.ledger_release(make_release())
    recipient = first.claim("privacy/v2.0", "email", limit=1).recipients[0]
    people.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00.000000Z'")
    second.claim("privacy/v2.0", "email", limit=1)
    assert first.record(Outcome(recipient.delivery_id, "failed", "550")) == "stale"
    assert states(people)[recipient.address] == "sending"


def test_subscriber_who_left_after_ledgering_is_skipped_not_sent(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    remove_subscriber(people, "privacy@example.com")
    claim = outbox.claim("privacy/v2.0", "email")
    assert [r.address for r in claim.recipients] == ["all@example.com"]
    assert claim.skipped == 1
    assert states(people)["privacy@example.com"] == "skipped"


def test_unreported_recipients_go_back_to_the_queue(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    outbox.claim("privacy/v2.0", "email")
    assert outbox.release_unreported() == 2
    assert set(states(people).values()) == {"queued"}


def test_counts_and_audit_rows_reflect_the_ledger(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release(), webhooks=["ops"])
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    outbox.record(Outcome(recipient.delivery_id, "sent", "", "<id@x>"))
    assert outbox.counts() == {"queued": 2, "sending": 0, "sent": 1, "failed": 0, "skipped": 0}
    rows = list(outbox.deliveries("privacy/v2.0"))
    assert [(d.channel, d.target, d.name, d.state) for d in rows] == [
        ("email", "all@example.com", "Al", "sent"),
        ("email", "privacy@example.com", "Pri", "queued"),
        ("webhook:ops", "ops", "", "queued"),
    ]


def test_work_lists_release_and_channel_pairs_with_claimable_deliveries(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release(), webhooks=["ops"])
    outbox.ledger_release(make_release(version="3.0"))
    assert outbox.work(["privacy/v2.0"]) == [("privacy/v2.0", "email"), ("privacy/v2.0", "webhook:ops")]
    assert len(outbox.work()) == 3


@pytest.mark.slow
def test_four_sender_processes_on_sqlite_claim_every_delivery_exactly_once(sqlite_url, tmp_path):
    import subprocess
    import sys
    from collections import Counter
    from pathlib import Path

    from tests._store_support import seed_subscribers

    store = open_store(sqlite_url)
    seed_subscribers(store, 400)
    Outbox(store).ledger_release(make_release())
    outs = [tmp_path / f"sender{i}.txt" for i in range(4)]
    code = (
        "import sys; from tests._store_support import claim_until_empty;"
        " claim_until_empty(sys.argv[1], 'privacy/v2.0', sys.argv[2], 25)"
    )
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", code, sqlite_url, str(out)], cwd=root) for out in outs]
    assert all(proc.wait(timeout=120) == 0 for proc in procs)
    taken = Counter(line for out in outs for line in out.read_text().splitlines() if line)
    assert (len(taken), max(taken.values())) == (400, 1)
    assert store.query("SELECT state, MAX(attempts), COUNT(*) FROM deliveries GROUP BY state") == [("sent", 1, 400)]
    store.close()


def test_a_slow_sender_keeps_its_batch_by_renewing_the_lease(people):
    slow, other = Outbox(people, NotifySettings(lease_seconds=60)), Outbox(people)
    slow.ledger_release(make_release())
    first, second = slow.claim("privacy/v2.0", "email").recipients
    people.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00.000000Z'")  # the lease ran low...
    slow._renew_at = 0  # ...and half of it has passed
    slow.record(Outcome(first.delivery_id, "sent", "", "<m@x>"))
    assert other.claim("privacy/v2.0", "email").recipients == []
    assert slow.record(Outcome(second.delivery_id, "sent", "", "<n@x>")) == "sent"


def test_deferred_delivery_has_no_message_id_in_the_ledger_yet(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    outbox.record(Outcome(recipient.delivery_id, "deferred", "421 busy", "<m@x>"))
    assert people.query("SELECT message_id FROM deliveries WHERE target = ?", (recipient.address,)) == [(None,)]


# -- senders that died ----------------------------------------------------------------------------


def _gone_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _sender(host: str, pid: int, start: str = "") -> str:
    from policywatch.audience.senders import SenderId

    return str(SenderId(host, pid, start, 0x1234))


def test_batch_of_a_sender_whose_process_is_gone_is_reclaimed_at_once(people):
    from policywatch.audience.senders import this_host

    dead = Outbox(people, owner=_sender(this_host(), _gone_pid()))
    dead.ledger_release(make_release())
    dead.claim("privacy/v2.0", "email")
    assert Outbox(people).reclaim_dead() == 2
    assert set(states(people).values()) == {"queued"}


def test_batch_of_a_live_sender_is_not_reclaimed(people):
    alive = Outbox(people)
    alive.ledger_release(make_release())
    alive.claim("privacy/v2.0", "email")
    assert Outbox(people).reclaim_dead() == 0
    assert set(states(people).values()) == {"sending"}


def test_a_pid_now_used_by_another_process_is_not_taken_for_the_sender(people):
    import os

    from policywatch.audience.senders import process_start, this_host

    earlier = str(int(process_start(os.getpid())) - 1)
    dead = Outbox(people, owner=_sender(this_host(), os.getpid(), earlier))
    dead.ledger_release(make_release())
    dead.claim("privacy/v2.0", "email")
    assert Outbox(people).reclaim_dead() == 2


def test_on_sqlite_a_sender_on_another_host_keeps_its_batch_until_the_lease_runs_out(sqlite_url):
    store = open_store(sqlite_url)
    add_subscriber(store, "all@example.com")
    elsewhere = Outbox(store, owner=_sender("another-host.example", _gone_pid()))
    elsewhere.ledger_release(make_release())
    elsewhere.claim("privacy/v2.0", "email")
    assert Outbox(store).reclaim_dead() == 0
    store.close()


def test_retry_now_makes_deferred_deliveries_due_at_once(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    for recipient in outbox.claim("privacy/v2.0", "email").recipients:
        outbox.record(Outcome(recipient.delivery_id, "deferred", "451 later"))
    assert outbox.claim("privacy/v2.0", "email").recipients == []
    assert outbox.retry_now() == 2
    assert len(outbox.claim("privacy/v2.0", "email").recipients) == 2


def test_an_unsent_delivery_is_queued_again_without_counting_an_attempt(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    recipient = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    assert outbox.record(Outcome(recipient.delivery_id, "unsent", "smtp://h:25: connection refused")) == "unsent"
    row = people.query("SELECT state, attempts, not_before FROM deliveries WHERE target = ?", (recipient.address,))
    assert row == [("queued", 0, "")]


def test_pending_tells_deferred_from_due_from_held(people):
    outbox = Outbox(people)
    outbox.ledger_release(make_release())
    outbox.ledger_release(make_release("terms", "2.0"))  # all@ and terms@
    first = outbox.claim("privacy/v2.0", "email", limit=1).recipients[0]
    outbox.record(Outcome(first.delivery_id, "deferred", "451 later"))
    outbox.claim("privacy/v2.0", "email", limit=1)
    pending = outbox.pending()
    assert (pending.deferred, pending.sending, pending.queued) == (1, 1, 2)
    assert pending.next_try is not None and pending.left == 3
