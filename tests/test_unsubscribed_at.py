"""``subscribers.unsubscribed_at``: the moment someone unsubscribed, set once and kept apart from updated_at."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from policywatch.audience.service.app import make_app
from policywatch.audience.subscribers import (
    add_subscriber,
    get_subscriber,
    import_csv,
    remove_subscriber,
    set_status,
    unsubscribe_token,
)
from policywatch.cli import app
from policywatch.store import migrations as store_migrations
from policywatch.store import open_store, utcnow
from policywatch.store.migrations import LATEST, current_version
from tests._store_support import write_csv
from tests._unsubscribe_support import ONE_CLICK, serving

_V1_ROWS = [
    (
        "active@example.com",
        "Ann",
        "",
        "active",
        "tok-active-0000000000",
        "2026-01-01T00:00:00.000000Z",
        "2026-01-02T00:00:00.000000Z",
    ),
    (
        "gone@example.com",
        "Bo",
        "privacy",
        "unsubscribed",
        "tok-gone-00000000000",
        "2026-01-01T00:00:00.000000Z",
        "2026-03-04T05:06:07.000000Z",
    ),
    (
        "bounced@example.com",
        "",
        "",
        "bounced",
        "tok-bounced-00000000",
        "2026-01-01T00:00:00.000000Z",
        "2026-02-02T00:00:00.000000Z",
    ),
]


@pytest.fixture
def v1_url(any_url, monkeypatch):
    """A database as the previous release left it: schema version 1, with subscribers and a delivery."""
    with monkeypatch.context() as patch:
        patch.setattr(store_migrations, "MIGRATIONS", store_migrations.MIGRATIONS[:1])
        patch.setattr(store_migrations, "LATEST", 1)
        store = open_store(any_url)
        try:
            store.executemany(
                "INSERT INTO subscribers (email, name, policies, status, token, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                _V1_ROWS,
            )
            store.execute(
                "INSERT INTO releases VALUES ('privacy/v2.0', 'privacy', '2.0', 'material', '2026-04-01', ?)",
                (utcnow(),),
            )
            store.execute(
                "INSERT INTO deliveries (release_tag, channel, target, subscriber_id, state, created_at, updated_at)"
                " SELECT 'privacy/v2.0', 'email', email, id, 'sent', ?, ? FROM subscribers",
                (utcnow(), utcnow()),
            )
            assert current_version(store) == 1
        finally:
            store.close()
    return any_url


def test_migrating_an_existing_database_keeps_every_row(v1_url):
    store = open_store(v1_url)
    try:
        assert current_version(store) == LATEST
        rows = store.query(
            "SELECT email, name, policies, status, token, created_at, updated_at FROM subscribers ORDER BY id"
        )
        assert [tuple(row) for row in rows] == _V1_ROWS
        assert store.query("SELECT COUNT(*) FROM deliveries")[0][0] == 3
    finally:
        store.close()


def test_migration_backfills_unsubscribed_at_from_updated_at_only_for_the_unsubscribed(v1_url):
    store = open_store(v1_url)
    try:
        found = {email: get_subscriber(store, email).unsubscribed_at for email, *_ in _V1_ROWS}
    finally:
        store.close()
    assert found == {
        "active@example.com": None,
        "gone@example.com": "2026-03-04T05:06:07.000000Z",
        "bounced@example.com": None,
    }


def test_a_new_subscriber_has_no_unsubscribe_time(store):
    sub, _ = add_subscriber(store, "jane@example.com")
    assert sub.unsubscribed_at is None


def test_unsubscribing_records_the_moment(store):
    add_subscriber(store, "jane@example.com")
    before = utcnow()
    sub = remove_subscriber(store, "jane@example.com")
    assert before <= sub.unsubscribed_at <= utcnow()


def test_unsubscribing_twice_keeps_the_first_time(store):
    add_subscriber(store, "jane@example.com")
    first = remove_subscriber(store, "jane@example.com").unsubscribed_at
    again = remove_subscriber(store, "jane@example.com")
    assert again.unsubscribed_at == first and again.updated_at > first


def test_the_unsubscribe_link_twice_keeps_the_first_time(store):
    sub, _ = add_subscriber(store, "jane@example.com")
    first = unsubscribe_token(store, sub.token).unsubscribed_at
    assert first is not None and unsubscribe_token(store, sub.token).unsubscribed_at == first


def test_bouncing_after_unsubscribing_keeps_the_time(store):
    add_subscriber(store, "jane@example.com")
    first = remove_subscriber(store, "jane@example.com").unsubscribed_at
    assert set_status(store, "jane@example.com", "bounced").unsubscribed_at == first


def test_a_bounce_is_not_an_unsubscribe(store):
    add_subscriber(store, "jane@example.com")
    assert set_status(store, "jane@example.com", "bounced").unsubscribed_at is None


def test_importing_an_unsubscribed_address_does_not_move_the_time(store, tmp_path):
    add_subscriber(store, "jane@example.com", "Jane")
    first = remove_subscriber(store, "jane@example.com").unsubscribed_at
    import_csv(store, write_csv(tmp_path / "list.csv", "email,name\njane@example.com,Jane Doe\n"))
    sub = get_subscriber(store, "jane@example.com")
    assert (sub.name, sub.status, sub.unsubscribed_at) == ("Jane Doe", "unsubscribed", first)
    assert sub.updated_at > first


def test_adding_an_unsubscribed_address_resubscribes_and_clears_the_time(store):
    add_subscriber(store, "jane@example.com")
    remove_subscriber(store, "jane@example.com")
    sub, outcome = add_subscriber(store, "jane@example.com")
    assert (outcome, sub.status, sub.unsubscribed_at) == ("resubscribed", "active", None)


def test_unsubscribing_after_a_resubscribe_records_the_new_time(store):
    add_subscriber(store, "jane@example.com")
    first = remove_subscriber(store, "jane@example.com").unsubscribed_at
    add_subscriber(store, "jane@example.com")
    assert remove_subscriber(store, "jane@example.com").unsubscribed_at > first


def test_the_endpoint_records_the_time_once(any_url):
    store = open_store(any_url)
    try:
        jane, _ = add_subscriber(store, "jane@example.com")
    finally:
        store.close()
    before = utcnow()
    with serving(make_app(any_url)) as base:
        assert httpx.post(f"{base}/unsubscribe?token={jane.token}", **ONE_CLICK).status_code == 200
        after = utcnow()
        assert httpx.post(f"{base}/unsubscribe?token={jane.token}", **ONE_CLICK).status_code == 200
    store = open_store(any_url)
    try:
        sub = get_subscriber(store, "jane@example.com")
    finally:
        store.close()
    assert sub.status == "unsubscribed" and before <= sub.unsubscribed_at <= after


def test_the_done_page_shows_the_unsubscribe_time_not_a_later_update(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = open_store(url)
    try:
        jane, _ = add_subscriber(store, "jane@example.com", "Jane")
        at = unsubscribe_token(store, jane.token).unsubscribed_at
        store.execute("UPDATE subscribers SET updated_at = '2099-12-31T23:59:00.000000Z'")
    finally:
        store.close()
    with serving(make_app(url)) as base:
        text = httpx.get(f"{base}/unsubscribe?token={jane.token}").text
    assert f'<time datetime="{at}">{at[:10]} {at[11:16]} UTC</time>' in text and "2099" not in text


def test_subscribers_list_json_shows_the_unsubscribe_time(policy_repo, in_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    in_repo(policy_repo)
    runner = CliRunner()
    runner.invoke(app, ["subscribers", "add", "jane@example.com"], catch_exceptions=False)
    runner.invoke(app, ["subscribers", "add", "ann@example.com"], catch_exceptions=False)
    runner.invoke(app, ["subscribers", "remove", "jane@example.com"], catch_exceptions=False)
    result = runner.invoke(app, ["subscribers", "list", "--format", "json"], catch_exceptions=False)
    by_email = {item["email"]: item for item in json.loads(result.stdout)}
    assert by_email["ann@example.com"]["unsubscribed_at"] is None
    assert by_email["jane@example.com"]["unsubscribed_at"].endswith("Z")
