"""PostgreSQL backend (psycopg 3): many senders on many machines share one ledger.

Statements autocommit unless inside ``transaction``; claims use
``FOR UPDATE SKIP LOCKED`` so concurrent workers never take the same rows and
never wait for each other.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from policywatch.errors import DatabaseError
from policywatch.redaction import redact_url, scrub

CONNECT_TIMEOUT_S = 10


@functools.lru_cache(maxsize=512)
def _paramstyle(sql: str) -> str:
    """The schema's SQL uses ``?``; psycopg wants ``%s`` (and a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresStore:
    dialect = "postgresql"

    def __init__(self, url: str):
        self.url = redact_url(url)
        try:
            import psycopg
        except ImportError:
            raise DatabaseError(
                f"{self.url}: PostgreSQL needs psycopg, which is not installed (pip install 'policywatch[postgres]')"
            ) from None

        self._conninfo = url
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            reason = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)
            raise DatabaseError(f"{self.url}: cannot connect to PostgreSQL: {reason}") from None
        self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._guard():
            return self.conn.execute(_paramstyle(sql), params).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        with self._guard(), self.conn.cursor() as cur:
            cur.executemany(_paramstyle(sql), rows)
            return cur.rowcount

    def copy_into(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``COPY`` rows into a table: the fastest way in, for a bulk import (names are ours, never input)."""
        with (
            self._guard(),
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp,
        ):
            for row in rows:
                cp.write_row(row)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._guard():
            return self.conn.execute(_paramstyle(sql), params).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple]:
        # A server-side cursor needs a transaction; a separate connection keeps this one free
        # for the writes made while the rows stream past.
        psycopg = self._psycopg
        with self._guard(), psycopg.connect(self._conninfo) as side, side.cursor(name="policywatch_stream") as cur:
            cur.itersize = size
            cur.execute(_paramstyle(sql), params)
            yield from cur

    @contextmanager
    def transaction(self) -> Iterator[PostgresStore]:
        with self._guard(), self.conn.transaction():
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED"

    def relax_commits(self) -> None:
        """Commit without waiting for the WAL to reach disk (this session only).

        A sender records one outcome per message; waiting for the flush each time
        caps a sender at a few hundred messages a second. Without it, a crash of the
        *database server* (not of the sender) can forget the last fraction of a
        second of outcomes, whose deliveries are then sent again: the same kind of
        duplicate as a sender killed between the server's reply and the ledger write.
        """
        self.execute("SET synchronous_commit = off")

    def advisory_lock(self, key: int) -> None:
        """Held until the end of the current transaction (used to serialise migrations)."""
        self.execute("SELECT pg_advisory_xact_lock(?)", (key,))

    def hold_session_lock(self, group: int, key: int) -> bool:
        """Take a session advisory lock, held until this connection ends; False if another session has it.

        A sender holds one for its life, so that others can tell it is alive.
        """
        return bool(self.query("SELECT pg_try_advisory_lock(?, ?)", (group, key))[0][0])

    def session_lock_held(self, group: int, key: int) -> bool:
        """Whether any session in this database holds the advisory lock (group, key)."""
        return bool(
            self.query(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = ?::int::oid AND objid = ?::int::oid AND objsubid = 2"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
                (group, key),
            )[0][0]
        )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        psycopg = self._psycopg
        try:
            yield
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseError(f"{self.url}: {scrub(reason, self._conninfo)}") from None
