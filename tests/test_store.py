"""The state store: where it lives, its schema and migrations, and its errors."""

from __future__ import annotations

import sqlite3

import pytest

from policywatch.errors import ConfigError, DatabaseError
from policywatch.project import open_project
from policywatch.store import database_url, open_project_store, open_store
from policywatch.store.migrations import LATEST, MIGRATIONS, current_version


def test_default_store_is_sqlite_file_under_dot_policywatch(policy_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    opened = open_project_store(open_project(policy_repo.root))
    opened.close()
    assert (policy_repo.root / ".policywatch" / "state.db").is_file()


def test_environment_url_wins_over_config(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", "postgresql://u@db/x")
    assert database_url(tmp_path, {"url": "sqlite:///elsewhere.db"}) == "postgresql://u@db/x"


def test_config_url_used_without_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    assert database_url(tmp_path, {"url": "sqlite:///elsewhere.db"}) == "sqlite:///elsewhere.db"


def test_new_store_is_at_latest_schema_version(store):
    assert current_version(store) == LATEST
    rows = store.query("SELECT version FROM schema_version ORDER BY version")
    assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]


def test_reopening_a_store_applies_no_migration_twice(any_url):
    open_store(any_url).close()
    again = open_store(any_url)
    try:
        assert again.query("SELECT COUNT(*) FROM schema_version")[0][0] == len(MIGRATIONS)
    finally:
        again.close()


def test_store_from_a_newer_policywatch_is_refused(sqlite_url):
    open_store(sqlite_url).close()
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (LATEST + 1,))
    with pytest.raises(DatabaseError, match="newer than this policywatch"):
        open_store(sqlite_url)


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.execute(
            "INSERT INTO releases (tag, policy, version, classification, effective, ledgered_at)"
            " VALUES ('p/v1', 'p', '1', 'material', '2024-01-01', 'now')"
        )
        raise RuntimeError("boom")
    assert store.query("SELECT COUNT(*) FROM releases")[0][0] == 0


def test_stream_yields_every_row_in_order(store):
    store.executemany(
        "INSERT INTO releases (tag, policy, version, classification, effective, ledgered_at)"
        " VALUES (?, 'p', ?, 'm', 'e', 'n')",
        [(f"p/v{i:04d}", str(i)) for i in range(2500)],
    )
    tags = [row[0] for row in store.stream("SELECT tag FROM releases ORDER BY tag", size=100)]
    assert tags == [f"p/v{i:04d}" for i in range(2500)]


def test_unreachable_postgres_names_url_without_password():
    with pytest.raises(DatabaseError) as caught:
        open_store("postgresql://alice:s3cret@127.0.0.1:1/nowhere")
    message = str(caught.value)
    assert "s3cret" not in message
    assert "alice:***@127.0.0.1:1/nowhere" in message


def test_unsupported_url_scheme_is_refused():
    with pytest.raises(DatabaseError, match="unsupported database URL"):
        open_store("mysql://x@y/z")


def test_sqlite_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "state.db"
    bad.write_text("this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="state.db"):
        open_store(f"sqlite:///{bad}")


def test_unknown_database_setting_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match=r"\[database\]"):
        database_url(tmp_path, {"url": "sqlite:///x.db", "password": "hunter2"})


def test_a_postgresql_url_without_psycopg_installed_names_the_extra_in_one_line(policy_repo):
    import os
    import subprocess
    import sys

    # As if psycopg were not installed: an import of it fails, as it does without the extra.
    code = (
        "import sys; sys.modules['psycopg'] = None;"
        "sys.argv = ['policywatch', 'subscribers', 'list'];"
        "from policywatch.__main__ import main; main()"
    )
    env = {**os.environ, "POLICYWATCH_DATABASE_URL": "postgresql://someone:secret@127.0.0.1:5432/test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=policy_repo.root, env=env, capture_output=True, text=True)
    assert out.returncode == DatabaseError.exit_code != 0
    assert out.stderr.splitlines() == [
        "policywatch: error: postgresql://someone:***@127.0.0.1:5432/test: PostgreSQL needs psycopg, "
        "which is not installed (pip install 'policywatch[postgres]')"
    ]
