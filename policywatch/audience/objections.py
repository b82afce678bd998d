"""Objections to a register release: recorded once per person and release, then carried to an outcome.

A register release (a new or changed sub-processor) gives its subscribers until
the objection deadline to object; by default the deadline is the day the release
takes effect. An objection is one row per release and address (asking twice
records nothing new), marked late when it arrives after the deadline, which is
still recorded: whether a late objection counts is for people to decide. Every
step (objected, then resolved, withdrawn or terminated, each with a note) is a
row in ``objection_events``, so the history can be shown as it happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policywatch.errors import ObjectionNotFound
from policywatch.store import Store, stamp

if TYPE_CHECKING:
    from policywatch.release.record import Release

STATUSES = ("open", "resolved", "withdrawn", "terminated")
OUTCOMES = STATUSES[1:]  # what ``objections resolve`` may record
MAX_REASON = 1000  # characters: a form post stays within the service's 4 KiB body
LINK_DAYS = 180  # an objection link keeps working this long after the deadline (late objections are recorded)
_COLUMNS = "id, release_tag, email, reason, deadline, late, status, objected_at, updated_at"


@dataclass(frozen=True)
class ObjectionEvent:
    """One step of an objection: its status from then on, why, and when."""

    status: str
    note: str
    at: str


@dataclass(frozen=True)
class Objection:
    id: int
    release_tag: str
    email: str
    reason: str
    deadline: str  # ISO date
    late: bool
    status: str
    objected_at: str
    updated_at: str
    events: list[ObjectionEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    """What an objection request did: the objection, and whether this request created it."""

    objection: Objection
    created: bool


def objection_deadline(release: Release) -> dt.date | None:
    """The last day to object to ``release``: its effective date when it is a material register release, else None."""
    return release.effective if release.register and release.material else None


def link_expiry(deadline: dt.date) -> int:
    """When the objection links of a release stop working, as epoch seconds (``LINK_DAYS`` after its deadline)."""
    end = dt.datetime.combine(deadline + dt.timedelta(days=LINK_DAYS + 1), dt.time(), dt.UTC)
    return int(end.timestamp())


def is_late(deadline: dt.date, moment: dt.datetime) -> bool:
    """After the deadline day (UTC): an objection on the day itself is in time."""
    return moment.astimezone(dt.UTC).date() > deadline


def clean_reason(text: str) -> str:
    """A reason as stored: line ends made ``\\n``, surrounding blanks dropped (the caller checks the length)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def record_objection(
    store: Store,
    release_tag: str,
    subscriber_id: int,
    email: str,
    reason: str,
    deadline: dt.date,
    origin: tuple[str, str] = ("", ""),
    now: dt.datetime | None = None,
) -> Recorded:
    """Record ``email``'s objection to ``release_tag`` once; a second request returns the first, unchanged.

    ``origin`` (client address, user agent) is kept with it, as for a subscription.
    """
    moment = now or dt.datetime.now(dt.UTC)
    at = stamp(moment)
    late = is_late(deadline, moment)
    with store.transaction():
        rows = store.query(
            "INSERT INTO objections (release_tag, subscriber_id, email, reason, deadline, late, status, objected_at,"
            " updated_at, request_address, request_agent) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)"
            " ON CONFLICT (release_tag, email) DO NOTHING RETURNING id",
            (release_tag, subscriber_id, email, reason, deadline.isoformat(), int(late), at, at, *origin),
        )
        if rows:
            note = "objected after the deadline" if late else "objected"
            _event(store, rows[0][0], "open", note, at)
            return Recorded(get_objection(store, rows[0][0]), True)
        found = store.query("SELECT id FROM objections WHERE release_tag = ? AND email = ?", (release_tag, email))
    return Recorded(get_objection(store, found[0][0]), False)


def resolve_objection(store: Store, objection_id: int, status: str, note: str = "") -> Objection:
    """Record an objection's outcome (``resolved``, ``withdrawn`` or ``terminated``) as a new step of its history."""
    if status not in OUTCOMES:
        raise ValueError(f"unknown outcome {status!r}")
    at = stamp(dt.datetime.now(dt.UTC))
    with store.transaction():
        if not store.execute(
            "UPDATE objections SET status = ?, updated_at = ? WHERE id = ?", (status, at, objection_id)
        ):
            raise ObjectionNotFound(
                f"objection {objection_id}: no objection has this id (see 'policywatch objections')"
            )
        _event(store, objection_id, status, note, at)
    return get_objection(store, objection_id)


def get_objection(store: Store, objection_id: int) -> Objection:
    rows = store.query(f"SELECT {_COLUMNS} FROM objections WHERE id = ?", (objection_id,))
    if not rows:
        raise ObjectionNotFound(f"objection {objection_id}: no objection has this id (see 'policywatch objections')")
    return _with_events(store, rows)[0]


def list_objections(store: Store, release_tag: str | None = None) -> list[Objection]:
    """Every objection (or those to one release), oldest first, each with its history."""
    where, params = ("WHERE release_tag = ?", (release_tag,)) if release_tag else ("", ())
    return _with_events(store, store.query(f"SELECT {_COLUMNS} FROM objections {where} ORDER BY id", params))


def _with_events(store: Store, rows: list[tuple]) -> list[Objection]:
    if not rows:
        return []
    ids = [row[0] for row in rows]
    events: dict[int, list[ObjectionEvent]] = {i: [] for i in ids}
    marks = ", ".join("?" * len(ids))
    for objection_id, status, note, at in store.query(
        f"SELECT objection_id, status, note, at FROM objection_events WHERE objection_id IN ({marks}) ORDER BY id",
        ids,
    ):
        events[objection_id].append(ObjectionEvent(status, note, at))
    return [
        Objection(row_id, tag, email, reason, deadline, bool(late), status, objected, updated, events[row_id])
        for row_id, tag, email, reason, deadline, late, status, objected, updated in rows
    ]


def _event(store: Store, objection_id: int, status: str, note: str, at: str) -> None:
    store.execute(
        "INSERT INTO objection_events (objection_id, status, note, at) VALUES (?, ?, ?, ?)",
        (objection_id, status, note, at),
    )
