"""SQLite backend: one file, WAL journal, writers serialised by BEGIN IMMEDIATE."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policywatch.errors import DatabaseError
from policywatch.filemodes import FILE_MODE, create_private, make_private, private_dir

BUSY_TIMEOUT_MS = 30_000
# Failures of the file or the lock, as opposed to a bug in a statement.
_ENVIRONMENT_ERRORS = ("locked", "unable to open", "disk", "readonly", "not a database")


class SQLiteStore:
    dialect = "sqlite"

    def __init__(self, url: str):
        self.url = url
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.removeprefix("sqlite:")
        if not path:
            raise DatabaseError(f"{url}: no file named (use sqlite:///PATH)")
        self.path = Path(path)
        try:
            self._make_private()
            # Autocommit: every statement outside ``transaction`` commits at once, so each
            # recorded outcome is on disk before the next message goes out.
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA case_sensitive_like = ON")
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"{self.path}: cannot open the state database: {exc}") from None
        self._depth = 0

    def _make_private(self) -> None:
        """Addresses and unsubscribe tokens are credentials: the file and SQLite's side files are 0600.

        SQLite gives its -wal, -shm and -journal files the mode of the database file,
        so a database created 0600 keeps them private; existing ones open to others
        are tightened. A new folder for it is 0700.
        """
        if not self.path.parent.is_dir():
            private_dir(self.path.parent, tighten=False)
        create_private(self.path)
        for suffix in ("-wal", "-shm", "-journal"):
            make_private(self.path.with_name(self.path.name + suffix), FILE_MODE)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._run(lambda: self.conn.execute(sql, params)).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        return self._run(lambda: self.conn.executemany(sql, rows)).rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._run(lambda: self.conn.execute(sql, params)).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple]:
        cursor = self._run(lambda: self.conn.execute(sql, params))
        while rows := cursor.fetchmany(size):
            yield from rows

    @contextmanager
    def transaction(self) -> Iterator[SQLiteStore]:
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._run(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        self._depth = 1
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self._run(lambda: self.conn.execute("COMMIT"))
        finally:
            self._depth = 0

    def skip_locked(self) -> str:
        return ""  # BEGIN IMMEDIATE already gives the claiming writer the whole database

    def close(self) -> None:
        self.conn.close()

    def _run(self, action):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if any(word in str(exc) for word in _ENVIRONMENT_ERRORS):
                raise DatabaseError(f"{self.path}: {exc}") from None
            raise
