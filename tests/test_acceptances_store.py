"""The acceptances schema on both databases, and migrations applied by their own numbers."""

from __future__ import annotations

from policywatch.store import open_store
from policywatch.store.migrations import MIGRATIONS


def test_the_acceptances_tables_exist_after_opening(any_url):
    store = open_store(any_url)
    try:
        assert store.query("SELECT COUNT(*) FROM acceptances")[0][0] == 0
        assert store.query("SELECT COUNT(*) FROM idempotency_keys")[0][0] == 0
    finally:
        store.close()


def test_a_migration_numbered_below_one_already_applied_is_still_applied(any_url):
    """Two features developed side by side: a database may have 6 applied before 5 existed."""
    store = open_store(any_url)
    store.execute("DROP TABLE rate_limits")
    store.execute("DROP TABLE subscribe_requests")
    store.execute("DELETE FROM schema_version WHERE version = 4")
    store.close()
    reopened = open_store(any_url)
    try:
        versions = [row[0] for row in reopened.query("SELECT version FROM schema_version ORDER BY version")]
        assert versions == sorted(m.version for m in MIGRATIONS)
        assert reopened.query("SELECT COUNT(*) FROM rate_limits")[0][0] == 0
    finally:
        reopened.close()
