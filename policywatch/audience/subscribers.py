"""The people owed a notice: who they are, what they follow, and whether they still want it.

Addresses are validated and normalised once, on the way in, so that the same
person cannot be subscribed twice under two spellings. Lists are streamed from
and to CSV in batches; nothing here holds the whole list in memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policywatch.audience.addresses import clean_name, normalise_address
from policywatch.audience.languages import check_language, follow_translations
from policywatch.audience.service.tokens import new_token
from policywatch.csvcells import SafeWriter, restore
from policywatch.errors import (
    InvalidSubscriber,
    PolicywatchError,
    SubscriberExists,
    SubscriberFileError,
    SubscriberNotFound,
)
from policywatch.files import atomic_writer
from policywatch.plural import plural
from policywatch.project import check_slug
from policywatch.store import Store, utcnow

STATUSES = ("active", "unsubscribed", "bounced")
CSV_HEADER = ("email", "name", "policies", "language")
IMPORT_BATCH = 1000

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by errors="surrogateescape"
_COLUMNS = "email, name, policies, status, token, created_at, updated_at, unsubscribed_at, language"


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    policies: tuple[str, ...]  # empty: every policy
    status: str
    token: str
    created_at: str
    updated_at: str  # any change, including a re-import of the same address
    unsubscribed_at: str | None = None  # when they unsubscribed; set once, cleared only by a re-subscribe
    language: str = ""  # the notices' language (a tag such as de or pt-BR); "" for the source's

    @property
    def follows_all(self) -> bool:
        return not self.policies

    def follows(self, slug: str) -> bool:
        return not self.policies or slug in self.policies


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def normalise_email(raw: str) -> str:
    """The stored form of a subscriber's address; the one validator the sender is checked by too."""
    return normalise_address(raw)


def parse_policies(raw: str | Iterable[str], known: Iterable[str] | None = None) -> tuple[str, ...]:
    """Slugs followed, sorted and unique; empty means every policy. Unknown slugs are refused.

    A translation's slug is kept here; ``subscription`` turns it into its source and a language."""
    items = raw.split(";") if isinstance(raw, str) else list(raw)
    slugs = sorted({item.strip() for item in items if item.strip()})
    for slug in slugs:
        check_slug(slug)
    if known is not None:
        known_set = set(known)
        unknown = [s for s in slugs if s not in known_set]
        if unknown:
            listed = ", ".join(sorted(known_set)) or "none"
            raise InvalidSubscriber(f"unknown policy '{unknown[0]}' (known: {listed})")
    return tuple(slugs)


def subscription(policies: str | Iterable[str], language: str, known: Iterable[str] | None = None) -> tuple[str, str]:
    """(policies as stored, language) of what someone asked for: slugs checked, the language a tag or
    ``""``, and a translation's slug stored as its source with that language (``languages``)."""
    slugs, chosen = follow_translations(parse_policies(policies, known), check_language(language))
    return ";".join(slugs), chosen


def _row(row: tuple) -> Subscriber:
    email, name, policies, status, token, created, updated, unsubscribed, language = row
    slugs = tuple(p for p in policies.split(";") if p)
    return Subscriber(email, name, slugs, status, token, created, updated, unsubscribed, language)


def get_subscriber(store: Store, email: str) -> Subscriber | None:
    rows = store.query(f"SELECT {_COLUMNS} FROM subscribers WHERE email = ?", (normalise_email(email),))
    return _row(rows[0]) if rows else None


def add_subscriber(
    store: Store,
    email: str,
    name: str = "",
    policies: Iterable[str] = (),
    known: Iterable[str] | None = None,
    language: str = "",
) -> tuple[Subscriber, str]:
    """Subscribe an address; returns the subscriber and ``added`` or ``resubscribed``.

    Adding an active address again is an error rather than a silent update, so a
    typo in a script cannot rewrite someone's choices; a person who had unsubscribed
    (or bounced) is active again only by this explicit command, never by an import.
    Re-subscribing clears ``unsubscribed_at`` (a later unsubscribe is a new one) and
    issues a new token, so the link in a notice sent before no longer unsubscribes them.
    """
    address = normalise_email(email)
    display = clean_name(name)
    slugs, language = subscription(policies, language, known)
    now = utcnow()
    with store.transaction():
        rows = store.query("SELECT status FROM subscribers WHERE email = ?", (address,))
        if rows and rows[0][0] == "active":
            raise SubscriberExists(f"{address}: already subscribed")
        if rows:
            store.execute(
                "UPDATE subscribers SET name = ?, policies = ?, language = ?, status = 'active', updated_at = ?,"
                " unsubscribed_at = NULL, token = ? WHERE email = ?",
                (display, slugs, language, now, new_token(), address),
            )
            outcome = "resubscribed"
        else:
            store.execute(
                "INSERT INTO subscribers (email, name, policies, language, status, token, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'active', ?, ?, ?)",
                (address, display, slugs, language, new_token(), now, now),
            )
            outcome = "added"
    found = get_subscriber(store, address)
    assert found is not None
    return found, outcome


def set_status(store: Store, email: str, status: str) -> Subscriber:
    """Change a subscriber's status; ``unsubscribed_at`` records the first unsubscribe and never moves.

    Becoming ``active`` again is a deliberate re-subscribe: it clears it and issues a new
    token, so an old notice's unsubscribe link stops working (it would undo the re-subscribe).
    """
    if status not in STATUSES:
        raise InvalidSubscriber(f"status '{status}': must be one of {', '.join(STATUSES)}")
    address = normalise_email(email)
    now = utcnow()
    token, tokens = "token", ()
    if status == "unsubscribed":
        moment, extra = "COALESCE(unsubscribed_at, ?)", (now,)
    elif status == "active":
        moment, extra = "NULL", ()
        token, tokens = "CASE WHEN status = 'active' THEN token ELSE ? END", (new_token(),)
    else:
        moment, extra = "unsubscribed_at", ()
    changed = store.execute(
        f"UPDATE subscribers SET token = {token}, status = ?, updated_at = ?, unsubscribed_at = {moment}"
        " WHERE email = ?",
        (*tokens, status, now, *extra, address),
    )
    if not changed:
        raise SubscriberNotFound(f"{address}: no such subscriber")
    found = get_subscriber(store, address)
    assert found is not None
    return found


def remove_subscriber(store: Store, email: str) -> Subscriber:
    """Unsubscribe, keeping the row: the proof of past notices still needs to say who was told."""
    return set_status(store, email, "unsubscribed")


def unsubscribe_token(store: Store, token: str) -> Subscriber | None:
    """What an unsubscribe link does; None for a token that matches nobody."""
    rows = store.query("SELECT email FROM subscribers WHERE token = ?", (token,))
    return remove_subscriber(store, rows[0][0]) if rows else None


def iter_subscribers(store: Store, status: str | None = None) -> Iterator[Subscriber]:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    for row in store.stream(f"SELECT {_COLUMNS} FROM subscribers {where} ORDER BY id", params):
        yield _row(row)


def count_subscribers(store: Store, status: str | None = "active") -> int:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    return store.query(f"SELECT COUNT(*) FROM subscribers {where}", params)[0][0]


_UPSERT_HEAD = (
    "INSERT INTO subscribers (email, name, policies, language, status, token, created_at, updated_at) VALUES "
)
_UPSERT_ROW = "(?, ?, ?, ?, 'active', ?, ?, ?)"
_UPSERT_TAIL = (
    " ON CONFLICT (email) DO UPDATE SET name = excluded.name, policies = excluded.policies,"
    " language = excluded.language, updated_at = excluded.updated_at"
    " WHERE subscribers.name <> excluded.name OR subscribers.policies <> excluded.policies"
    " OR subscribers.language <> excluded.language"
)


def _upsert(store: Store, batch: list[tuple]) -> int:
    """One multi-row statement per batch (one round trip); rows changed (inserted or updated).

    A statement may not touch one row twice, so an address repeated within the
    batch keeps its last row, as a second import of it would.
    """
    rows = list({row[0]: row for row in batch}.values())
    sql = _UPSERT_HEAD + ", ".join([_UPSERT_ROW] * len(rows)) + _UPSERT_TAIL
    return store.execute(sql, [value for row in rows for value in row])


def import_csv(store: Store, path: str | Path, known: Iterable[str] | None = None) -> ImportResult:
    """Add or update every good row, report every bad one with its line; one transaction.

    Status is never changed by an import: re-importing an old list must not
    resubscribe someone who has since unsubscribed. The quotes that ``export_csv``
    puts before formula characters are taken off (``csvcells.restore``).
    """
    path = Path(path)
    known_list = list(known) if known is not None else None
    result = ImportResult()
    try:
        handle = path.open(encoding="utf-8-sig", newline="", errors="surrogateescape")
    except OSError as exc:
        raise SubscriberFileError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        records = _records(path, reader)
        columns = _header(path, next(records, None))
        before = count_subscribers(store, None)
        changed = good = 0
        batch: list[tuple] = []
        with store.transaction():
            for record in records:
                if not any(cell.strip() for cell in record):
                    continue
                try:
                    batch.append(_import_row(record, columns, known_list))
                except PolicywatchError as exc:
                    result.errors.append(RowError(reader.line_num, str(exc)))
                    continue
                good += 1
                if len(batch) >= IMPORT_BATCH:
                    changed += _upsert(store, batch)
                    batch.clear()
            if batch:
                changed += _upsert(store, batch)
            after = count_subscribers(store, None)
    result.added = after - before
    result.updated = changed - result.added
    result.unchanged = good - result.added - result.updated
    return result


def _records(path: Path, reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise SubscriberFileError(f"{path}:{reader.line_num}: not a readable CSV file: {exc}") from None


def _header(path: Path, header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise SubscriberFileError(f"{path}: empty file (expected the header {','.join(CSV_HEADER)})")
    if any(_UNDECODABLE.search(h) for h in header):
        raise SubscriberFileError(f"{path}:1: not UTF-8 text (save the file as UTF-8 CSV)")
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in CSV_HEADER]
    if "email" not in names or unknown or len(set(names)) != len(names):
        shown = ",".join(header)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise SubscriberFileError(
            f"{path}:1: bad header {shown!r} (expected {','.join(CSV_HEADER)}; all but email optional)"
        )
    return {name: names.index(name) for name in names}


def _import_row(record: list[str], columns: dict[str, int], known: list[str] | None) -> tuple:
    if len(record) > len(columns):
        raise InvalidSubscriber(f"{plural(len(record), 'field')}, the header has {len(columns)}")

    def cell(name: str) -> str:
        index = columns.get(name)
        value = restore(record[index]) if index is not None and index < len(record) else ""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidSubscriber(f"{name}: not valid UTF-8") from None
        return value

    email = normalise_email(cell("email"))
    name = clean_name(cell("name"))
    policies, language = subscription(cell("policies"), cell("language"), known)
    now = utcnow()
    return (email, name, policies, language, new_token(), now, now)


def export_csv(store: Store, path: str | Path) -> int:
    """Write active subscribers as ``email,name,policies,language``; the file appears whole or not at all.

    Cells are neutralised against formula injection (``csvcells``); ``import_csv``
    reads them back to the same addresses and names.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SubscriberFileError(f"{path}: folder {folder} does not exist")
    if path.is_dir():
        raise SubscriberFileError(f"{path}: is a folder, not a file name")
    count = 0
    try:
        with atomic_writer(path, mode=0o600) as raw:  # addresses: for the owner's eyes only
            handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = SafeWriter(handle)
            writer.writerow(CSV_HEADER)
            for sub in iter_subscribers(store, "active"):
                writer.writerow((sub.email, sub.name, ";".join(sub.policies), sub.language))
                count += 1
            handle.flush()
            handle.detach()
    except OSError as exc:
        raise SubscriberFileError(f"{path}: cannot write: {exc.strerror}") from None
    return count
