"""The state database: subscribers and the delivery ledger, never in git.

SQLite by default (``.policywatch/state.db``, one machine), PostgreSQL when
``POLICYWATCH_DATABASE_URL`` (or ``[database] url`` in config) names one, so
that several senders can share the work. Both speak the same schema through
the same small interface; the SQL is written once with ``?`` placeholders and
the PostgreSQL backend translates them. The differences that matter (how a
batch is claimed, how a migration is locked) live in the two backends.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from policywatch.errors import ConfigError, DatabaseError
from policywatch.filemodes import STATE_DIR, state_dir
from policywatch.redaction import redact_url, split_url
from policywatch.settings_values import Table

ENV_URL = "POLICYWATCH_DATABASE_URL"
DEFAULT_FILE = "state.db"


class Store(Protocol):
    """A connection to the state database, with the schema migrated."""

    dialect: str  # "sqlite" | "postgresql"
    url: str  # for messages: never holds a password

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (autocommitted unless inside ``transaction``); returns the row count."""

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple]:
        """Rows one by one, fetched in chunks: a million subscribers never sit in memory."""

    def transaction(self) -> Any:
        """A context manager: one write transaction that takes the write lock first."""

    def skip_locked(self) -> str:
        """Suffix for a claiming sub-select: rows another worker holds are passed over."""

    def close(self) -> None: ...


def utcnow() -> str:
    """Timestamps are fixed-width UTC ISO text, so they sort and compare the same in both databases."""
    return stamp(dt.datetime.now(dt.UTC))


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def database_url(root: str | Path, config_section: Any = None, *, source: str = "config") -> str:
    """Where the state lives: the environment first, then config, then the default SQLite file."""
    url = os.environ.get(ENV_URL, "").strip()
    table = Table(
        {} if config_section is None else config_section,
        f"{source} [database]",
        ConfigError,
        {"url"},
        note="; the password belongs in the environment",
    )
    value = table.text("url", "", strip=True)
    return url or value or default_url(root)


def default_url(root: str | Path) -> str:
    return "sqlite:///" + str(Path(root) / STATE_DIR / DEFAULT_FILE)


def open_store(url: str) -> Store:
    """Connect and bring the schema up to date."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        from policywatch.store.sqlite import SQLiteStore

        store: Store = SQLiteStore(url)
    elif scheme in ("postgresql", "postgres"):
        from policywatch.store.postgres import PostgresStore

        split_url(url, f"database URL '{redact_url(url)}'", DatabaseError)
        store = PostgresStore(url)
    else:
        raise DatabaseError(f"{redact_url(url)}: unsupported database URL (use sqlite:///PATH or postgresql://...)")
    from policywatch.store.migrations import migrate

    try:
        migrate(store)
    except BaseException:
        store.close()
        raise
    return store


def open_project_store(project: Any) -> Store:
    """The store of a policy repository (a ``Project``); the default one lives in the private state folder."""
    url = database_url(project.root, project.config.section("database"), source=project.config.source)
    if url == default_url(project.root):
        state_dir(project.root)
    return open_store(url)


@contextmanager
def project_store(project: Any) -> Iterator[Store]:
    store = open_project_store(project)
    try:
        yield store
    finally:
        store.close()
