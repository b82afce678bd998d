"""Tamper evidence: every write to a ledger row appends an event to one hash chain.

An event holds the row's canonical content after the write (its chained columns
as sorted, ASCII JSON) and its hash covers the event's number, the previous
event's hash and the SHA-256 of that content. Changing, removing or reordering
any event breaks every hash after it; changing a ledger row without an event
leaves the row different from its last event. ``check_store`` finds both.

One chain for every table, not one per table: a single head names the whole
state of the ledger at a moment (what ``publish`` and ``notify`` can record in
git and a bundle carries), and the order of events across tables (a subscriber
unsubscribed, then a notice skipped) is itself evidence. The price is that
appends are serialised: the head row is locked (``FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` already serialises writers) from the append to the
commit. An append is therefore always the last statement of its transaction, so
no writer waits for a row while holding the head.

A table becomes a ledger with one call to ``ledger`` naming its chained
columns. Operational columns (leases, attempts, ``updated_at``, tokens) are left
out: they change without anything happening that needs proof, and a token is a
credential. A delivery being sent is chained as still ``queued``: a claim is a
lease, not an outcome.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from policywatch.store import Store, utcnow

GENESIS = "0" * 64
PAGE = 2000  # rows read per query when a bulk write is chained
INSERT_ROWS = 500  # events per INSERT: 3,500 parameters, under SQLite's limit of 32,766


@dataclass(frozen=True)
class Ledger:
    """A table whose rows are evidence: the SQL of each chained column, the first being ``id``."""

    table: str
    columns: tuple[str, ...]  # "EXPR AS name" where the evidence is not the stored value
    where: str = ""  # which rows are evidence; empty: all of them

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.rsplit(" AS ", 1)[-1].strip() for column in self.columns)

    @property
    def select(self) -> str:
        return ", ".join(self.columns)

    @property
    def returning(self) -> str:
        """A ``RETURNING`` clause giving the chained content of the rows a statement wrote."""
        return " RETURNING " + self.select


LEDGERS: dict[str, Ledger] = {}


def ledger(table: str, columns: Sequence[str], where: str = "") -> Ledger:
    """Make ``table`` a ledger: its writers chain what they write, and ``check_store`` checks it."""
    entry = Ledger(table, tuple(columns), where)
    if entry.names[0] != "id":
        raise ValueError(f"{table}: the first chained column must be id")
    LEDGERS[table] = entry
    return entry


SUBSCRIBERS = ledger(
    "subscribers", ("id", "email", "name", "policies", "language", "status", "created_at", "unsubscribed_at")
)
CONFIRMATIONS = ledger(
    "subscribe_requests",
    (
        "id",
        "email",
        "policies",
        "requested_at",
        "request_address",
        "request_agent",
        "confirmed_at",
        "confirm_address",
        "confirm_agent",
        "subscriber_id",
        "language",
    ),
    where="confirmed_at IS NOT NULL",  # an unconfirmed request is nobody's consent, and expires
)


DELIVERIES = ledger(
    "deliveries",
    (
        "id",
        "release_tag",
        "channel",
        "target",
        "subscriber_id",
        "CASE WHEN state = 'sending' THEN 'queued' ELSE state END AS state",
        "message_id",
        "detail",
        "created_at",
        "sent_at",
        "language",
    ),
)


OBJECTIONS = ledger(
    "objections",
    (
        "id",
        "release_tag",
        "subscriber_id",
        "email",
        "reason",
        "deadline",
        "late",
        "status",
        "objected_at",
        "request_address",
        "request_agent",
    ),
)
OBJECTION_STEPS = ledger("objection_events", ("id", "objection_id", "status", "note", "at"))
ACCEPTANCES = ledger("acceptances", ("id", "subject", "policy", "version", "accepted_at", "source", "recorded_at"))


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Event:
    seq: int
    table: str
    row_id: int
    op: str
    content: str
    hash: str
    at: str


def canonical(table: str, op: str, row: Sequence[Any]) -> str:
    """The stable text of one row's chained content: the same bytes from SQLite and PostgreSQL."""
    names = LEDGERS[table].names
    return json.dumps(
        {"table": table, "op": op, "row": dict(zip(names, row, strict=True))},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def link(seq: int, prev_hash: str, content_digest: str) -> str:
    """An event's hash: its number, the hash before it and its content's digest."""
    return hashlib.sha256(f"{seq}:{prev_hash}:{content_digest}".encode("ascii")).hexdigest()


def head(store: Store) -> Head:
    rows = store.query("SELECT seq, hash FROM chain_head WHERE id = 1")
    return Head(int(rows[0][0]), rows[0][1]) if rows else Head(0, GENESIS)


def record(store: Store, table: str, op: str, rows: Iterable[Sequence[Any]]) -> int:
    """Append one event per row (its chained content, ``Ledger.select`` order); returns how many.

    Call it last in the transaction that wrote the rows: the head stays locked until the commit.
    """
    items = [(row[0], canonical(table, op, row)) for row in rows]
    if not items:
        return 0
    if len(items) == 1 and store.dialect == "postgresql":
        # One outcome, the common case while sending: one statement that locks, links and moves the
        # head, so the head is held for that statement and the commit, not for three round trips.
        row_id, content = items[0]
        store.execute(_APPEND_ONE, (table, row_id, op, content, digest(content), utcnow()))
        return 1
    with store.transaction():
        lock = " FOR UPDATE" if store.dialect == "postgresql" else ""
        found = store.query(f"SELECT seq, hash FROM chain_head WHERE id = 1{lock}")
        seq, prev = int(found[0][0]), found[0][1]
        now = utcnow()
        events = []
        for row_id, content in items:
            seq += 1
            prev = link(seq, prev, digest(content))
            events.append((seq, table, row_id, op, content, prev, now))
        for start in range(0, len(events), INSERT_ROWS):  # one round trip per slice, not one per event
            chunk = events[start : start + INSERT_ROWS]
            store.execute(
                "INSERT INTO ledger_chain (seq, tbl, row_id, op, content, hash, at) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                [value for event in chunk for value in event],
            )
        store.execute("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
    return len(items)


# ``link`` in SQL: the same text hashed, ``{seq}:{previous hash}:{content digest}``.
_APPEND_ONE = (
    "WITH head AS (SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE),"
    " event AS (INSERT INTO ledger_chain (seq, tbl, row_id, op, content, hash, at)"
    " SELECT head.seq + 1, ?, ?, ?, ?,"
    " encode(sha256(convert_to((head.seq + 1)::text || ':' || head.hash || ':' || ?, 'UTF8')), 'hex'), ?"
    " FROM head RETURNING seq, hash)"
    " UPDATE chain_head SET seq = event.seq, hash = event.hash FROM event WHERE chain_head.id = 1"
)


def record_ids(store: Store, table: str, op: str, ids: Sequence[int]) -> int:
    """Chain the rows of ``table`` with these ids, as they are now."""
    entry = LEDGERS[table]
    rows: list[tuple] = []
    for start in range(0, len(ids), PAGE):
        chunk = list(ids[start : start + PAGE])
        marks = ", ".join("?" * len(chunk))
        rows += store.query(f"SELECT {entry.select} FROM {table} WHERE id IN ({marks}) ORDER BY id", chunk)
    return record(store, table, op, rows)


def record_where(store: Store, table: str, op: str, where: str, params: Sequence[Any] = ()) -> int:
    """Chain every row of ``table`` matching ``where``, in id order, a page at a time (inside the
    writer's transaction, so the rows it has just written are seen)."""
    entry = LEDGERS[table]
    after, count = 0, 0
    rows: list[tuple] = []
    while True:
        page = store.query(
            f"SELECT {entry.select} FROM {table} WHERE ({where}) AND id > ? ORDER BY id LIMIT {PAGE}",
            (*params, after),
        )
        if not page:
            break
        rows += page
        after = page[-1][0]
        if len(rows) >= 50 * PAGE:  # appended in slices: a million rows never sit in memory
            count += record(store, table, op, rows)
            rows = []
    return count + record(store, table, op, rows)


def chain_existing(store: Store, tables: Iterable[str]) -> int:
    """Chain the rows already in ``tables`` (the migration that starts the chain)."""
    total = 0
    for table in tables:
        if not table_exists(store, table):
            continue
        entry = LEDGERS[table]
        total += record_where(store, table, "existing", entry.where or "1 = 1")
    return total


def events(store: Store, after: int = 0) -> Iterator[Event]:
    """Events in chain order, streamed."""
    for row in store.stream(
        "SELECT seq, tbl, row_id, op, content, hash, at FROM ledger_chain WHERE seq > ? ORDER BY seq", (after,)
    ):
        seq, table, row_id, op, content, hash_, at = row
        yield Event(int(seq), table, int(row_id), op, content, hash_, at)


def hash_before(store: Store, seq: int) -> str:
    """The hash an event's ``prev`` is: the hash of the event before it, or the genesis value."""
    if seq <= 1:
        return GENESIS
    rows = store.query("SELECT hash FROM ledger_chain WHERE seq = ?", (seq - 1,))
    return rows[0][0] if rows else GENESIS


def check_events(items: Iterable[tuple[int, str, str]], prev: str = GENESIS, first: int = 1) -> tuple[Head, str | None]:
    """Walk (seq, content digest, hash) in order: the head reached, and the first break found (or None)."""
    expected = first
    seq = first - 1
    for seq, content_digest, recorded in items:
        if seq != expected:
            return Head(seq, prev), f"chain event {expected} is missing (the next one is {seq})"
        if link(seq, prev, content_digest) != recorded:
            return Head(seq, prev), f"chain event {seq}: its hash does not match its content and the event before it"
        prev = recorded
        expected += 1
    return Head(seq, prev), None


def check_store(store: Store) -> str | None:
    """The first thing in the live database that does not match its chain; None when all of it does.

    Recomputes every event's hash, checks the head row against the last event, then
    compares every ledger row with its last event (rows changed, added or removed
    without one are found).
    """
    reached, problem = check_events(
        (int(seq), digest(content), hash_)
        for seq, content, hash_ in store.stream("SELECT seq, content, hash FROM ledger_chain ORDER BY seq")
    )
    if problem:
        return problem
    recorded = head(store)
    if recorded != reached:
        return f"the chain head says event {recorded.seq} ({recorded.hash[:12]}), the chain ends at event {reached.seq}"
    for entry in LEDGERS.values():
        if not table_exists(store, entry.table):
            continue
        problem = _check_rows(store, entry)
        if problem:
            return problem
    return None


def table_exists(store: Store, table: str) -> bool:
    if store.dialect == "postgresql":
        return bool(store.query("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0])
    return bool(store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def _check_rows(store: Store, entry: Ledger) -> str | None:
    where = f"WHERE {entry.where}" if entry.where else ""
    live = store.stream(f"SELECT {entry.select} FROM {entry.table} {where} ORDER BY id")
    last = store.stream(
        "SELECT row_id, seq, content FROM ledger_chain c WHERE tbl = ? AND seq = "
        "(SELECT MAX(seq) FROM ledger_chain m WHERE m.tbl = c.tbl AND m.row_id = c.row_id) ORDER BY row_id",
        (entry.table,),
    )
    chained = next(last, None)
    for row in live:
        if chained is not None and chained[0] < row[0]:
            return f"{entry.table} row {chained[0]} is gone, though chain event {chained[1]} records it"
        if chained is None or chained[0] != row[0]:
            return f"{entry.table} row {row[0]} is not in the chain: it was written without policywatch"
        written = json.loads(chained[2])["row"]
        now = dict(zip(entry.names, row, strict=True))
        if written != now:
            column = next(name for name in entry.names if written.get(name) != now.get(name))
            return (
                f"{entry.table} row {row[0]} differs from chain event {chained[1]}: {column} is "
                f"{json.dumps(now[column])} in the table, {json.dumps(written.get(column))} in the chain"
            )
        chained = next(last, None)
    if chained is not None:
        return f"{entry.table} row {chained[0]} is gone, though chain event {chained[1]} records it"
    return None
