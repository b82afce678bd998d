"""Who accepted which version of a policy, and who must accept again.

An application records that a user (a *subject*: the application's own opaque
id, never an address) accepted a released version of a policy, through the
service's API or by importing a CSV file. One row is kept per subject, policy
and version: a retried request or a re-run import adds nothing, and the earliest
moment is the one kept.

A subject *must accept* a policy when its newest version that asks for
acceptance (a material change, or the first version) has been published, in
force or still upcoming, and the subject has accepted neither it nor a later
version. Minor versions never ask for it. Which versions exist comes from the
release tags (``policywatch.audience.catalog``), never from the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policywatch.audience.catalog import Catalog, PolicyVersions, Version
from policywatch.errors import AcceptanceFileError, InvalidAcceptance, ReleaseNotFound
from policywatch.release.history import version_key
from policywatch.store import Store, chain, utcnow

SOURCES = ("web", "app", "api")
CSV_HEADER = ("subject", "policy", "version", "accepted_at", "source")
IMPORT_BATCH = 5000
MAX_SUBJECT = 200
CLOCK_SKEW = dt.timedelta(minutes=5)  # an accepted_at this far ahead of our clock is still taken as now-ish

# An application's user id: printable, no spaces and no slash (it is a path segment of the lookup URL).
_SUBJECT = re.compile(rf"^[A-Za-z0-9._~:@+=|-]{{1,{MAX_SUBJECT}}}$")
_WORD = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class Acceptance:
    subject: str
    policy: str
    version: str
    accepted_at: str  # UTC, fixed width: 2026-01-31T09:30:00.000000Z
    source: str

    def to_json(self) -> dict[str, str]:
        return {
            "subject": self.subject,
            "policy": self.policy,
            "version": self.version,
            "accepted_at": self.accepted_at,
            "source": self.source,
        }


def invalid(field_name: str, message: str) -> InvalidAcceptance:
    error = InvalidAcceptance(f"{field_name}: {message}")
    error.field = field_name  # type: ignore[attr-defined]
    return error


def valid_subject(subject: str) -> bool:
    return bool(_SUBJECT.match(subject))


def parse_moment(text: str, now: dt.datetime | None = None) -> str:
    """An ISO 8601 moment with its offset (``2026-01-31T09:30:00Z``), stored as ``stamp`` does; never in the future."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise invalid("accepted_at", f"{text[:40]!r} is not a moment such as 2026-01-31T09:30:00Z") from None
    if moment.tzinfo is None:
        raise invalid("accepted_at", f"{text[:40]!r} has no time zone (end it with Z or an offset such as +01:00)")
    now = now or dt.datetime.now(dt.UTC)
    if moment > now + CLOCK_SKEW:
        raise invalid("accepted_at", f"{text[:40]} is in the future")
    # stamp()'s format, by isoformat: a million-row import spends a good part of its time here.
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def check_acceptance(
    catalog: Catalog,
    subject: str,
    policy: str,
    version: str,
    source: str,
    accepted_at: str | None = None,
    now: dt.datetime | None = None,
) -> Acceptance:
    """An acceptance to store; ``InvalidAcceptance`` names the field, ``ReleaseNotFound`` an unreleased version."""
    if not valid_subject(subject):
        raise invalid("subject", f"must be 1 to {MAX_SUBJECT} characters of letters, digits and ._~:@+=|- (no spaces)")
    if not _WORD.match(policy):
        raise invalid("policy", "must be a policy's slug")
    version = version.removeprefix("v")
    if not _WORD.match(version):
        raise invalid("version", "must be a version such as 2.0")
    if source not in SOURCES:
        raise invalid("source", f"must be one of {', '.join(SOURCES)}")
    moment = parse_moment(accepted_at, now) if accepted_at is not None else utcnow()
    known = catalog.of(policy)
    if known is None:
        raise ReleaseNotFound(f"policy {policy!r} has no release")
    released = known.find(version)
    if released is None:
        listed = ", ".join(v.version for v in known.versions[-5:])
        raise ReleaseNotFound(f"version {version!r} of {policy} was never released (released: {listed})")
    if moment[:10] < released.earliest_acceptance:
        raise invalid(
            "accepted_at", f"{moment} is before version {version} of {policy} was published ({released.published})"
        )
    return Acceptance(subject, policy, version, moment, source)


# The earliest acceptance of a version is the one that counts, whatever order the rows arrive in.
_UPSERT = (
    "INSERT INTO acceptances (subject, policy, version, accepted_at, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (subject, policy, version) DO UPDATE SET accepted_at = excluded.accepted_at,"
    " source = excluded.source, recorded_at = excluded.recorded_at"
    " WHERE excluded.accepted_at < acceptances.accepted_at"
)


_COLUMNS = ("subject", "policy", "version", "accepted_at", "source", "recorded_at")
_UPSERT_COPIED = _UPSERT.replace("VALUES (?, ?, ?, ?, ?, ?)", f"SELECT {', '.join(_COLUMNS)} FROM incoming_acceptances")


def record_acceptances(store: Store, batch: list[Acceptance]) -> int:
    """Store a batch; returns rows inserted or moved earlier. A repeat changes nothing.

    On PostgreSQL the batch is copied (``COPY``) into a temporary table and upserted from
    there in one statement: several times faster than a statement per row, or one long
    statement of many rows (whose placeholders psycopg parses again on every call).
    """
    earliest: dict[tuple[str, str, str], Acceptance] = {}
    for item in batch:  # one statement may not touch a row twice
        key = (item.subject, item.policy, item.version)
        if key not in earliest or item.accepted_at < earliest[key].accepted_at:
            earliest[key] = item
    if not earliest:
        return 0
    now = utcnow()
    rows = [(a.subject, a.policy, a.version, a.accepted_at, a.source, now) for a in earliest.values()]
    with store.transaction():
        changed = _upsert(store, rows)
        # Every row this write stored or moved earlier carries its time: the chain takes exactly those.
        chain.record_where(store, "acceptances", "accepted", "recorded_at = ?", (now,))
    return changed


def _upsert(store: Store, rows: list[tuple[str, ...]]) -> int:
    if len(rows) == 1:
        return store.execute(_UPSERT, rows[0])
    if store.dialect != "postgresql":
        return store.executemany(_UPSERT, rows)
    store.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_acceptances ({', '.join(c + ' TEXT' for c in _COLUMNS)})")
    store.execute("TRUNCATE incoming_acceptances")
    store.copy_into("incoming_acceptances", _COLUMNS, rows)  # type: ignore[attr-defined]
    return store.execute(_UPSERT_COPIED)


def record_acceptance(store: Store, acceptance: Acceptance) -> tuple[Acceptance, bool]:
    """Store one acceptance; returns the one kept (the earliest) and whether this call stored anything new."""
    changed = record_acceptances(store, [acceptance])
    rows = store.query(
        "SELECT accepted_at, source FROM acceptances WHERE subject = ? AND policy = ? AND version = ?",
        (acceptance.subject, acceptance.policy, acceptance.version),
    )
    at, source = rows[0]
    return Acceptance(acceptance.subject, acceptance.policy, acceptance.version, at, source), bool(changed)


# -- lookup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyStatus:
    """What an application needs at sign-in for one policy and one subject."""

    policy: str
    accepted: str | None  # the newest version the subject accepted
    accepted_at: str | None
    must_accept: bool
    accept_version: str | None  # the version to show them: the newest released; None when nothing is due
    accept_effective: dt.date | None
    in_force: str | None  # the version in force today
    upcoming: str | None  # the newest version published and not yet in force

    def to_json(self) -> dict[str, object]:
        return {
            "accepted_version": self.accepted,
            "accepted_at": self.accepted_at,
            "must_accept": self.must_accept,
            "must_accept_version": self.accept_version,
            "must_accept_effective": self.accept_effective.isoformat() if self.accept_effective else None,
            "version_in_force": self.in_force,
            "upcoming_version": self.upcoming,
        }


def policy_status(known: PolicyVersions, accepted: tuple[str, str] | None, today: dt.date) -> PolicyStatus:
    """``accepted`` is the subject's newest accepted (version, accepted_at), or None."""
    required = known.last_requiring()
    newest = known.newest()
    must = required is not None and (accepted is None or version_key(accepted[0]) < version_key(required.version))
    in_force = known.in_force(today)
    upcoming = newest if newest.effective > today else None
    return PolicyStatus(
        policy=known.slug,
        accepted=accepted[0] if accepted else None,
        accepted_at=accepted[1] if accepted else None,
        must_accept=must,
        accept_version=newest.version if must else None,
        accept_effective=newest.effective if must else None,
        in_force=in_force.version if in_force else None,
        upcoming=upcoming.version if upcoming else None,
    )


def subject_status(store: Store, catalog: Catalog, subject: str, today: dt.date) -> list[PolicyStatus]:
    """Every released policy, with what ``subject`` accepted of it and whether they must accept now."""
    newest: dict[str, tuple[str, str]] = {}
    for policy, version, at in store.query(
        "SELECT policy, version, accepted_at FROM acceptances WHERE subject = ?", (subject,)
    ):
        have = newest.get(policy)
        if have is None or version_key(version) > version_key(have[0]):
            newest[policy] = (version, at)
    return [policy_status(catalog.policies[slug], newest.get(slug), today) for slug in sorted(catalog.policies)]


# -- import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0  # rows read
    stored: int = 0  # new acceptances, or earlier moments for ones already held


def import_csv(store: Store, catalog: Catalog, path: str | Path) -> ImportResult:
    """Import a whole file or none of it: one transaction, stopped at the first bad row.

    Rows stream through in batches (memory stays bounded whatever the file's size).
    A re-run of the same file, or of an overlapping one, stores nothing twice.
    """
    path = Path(path)
    result = ImportResult()
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise AcceptanceFileError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        records = _records(path, reader)
        columns = _header(path, next(records, None))
        batch: list[Acceptance] = []
        now = dt.datetime.now(dt.UTC)
        with store.transaction():
            for record in records:
                if not any(cell.strip() for cell in record):
                    continue
                try:
                    batch.append(_import_row(catalog, record, columns, now))
                except (InvalidAcceptance, ReleaseNotFound) as exc:
                    raise AcceptanceFileError(f"{path}:{reader.line_num}: {exc}") from None
                result.rows += 1
                if len(batch) >= IMPORT_BATCH:
                    result.stored += record_acceptances(store, batch)
                    batch.clear()
            result.stored += record_acceptances(store, batch)
    return result


def _records(path: Path, reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise AcceptanceFileError(f"{path}:{reader.line_num}: not a readable CSV file: {exc}") from None
    except UnicodeDecodeError:
        where = f"{path}:{reader.line_num + 1}"
        raise AcceptanceFileError(f"{where}: not UTF-8 text (save the file as UTF-8 CSV)") from None


def _header(path: Path, header: list[str] | None) -> dict[str, int]:
    expected = ",".join(CSV_HEADER)
    if header is None:
        raise AcceptanceFileError(f"{path}: empty file (expected the header {expected})")
    names = [h.strip().lower() for h in header]
    if sorted(names) != sorted(CSV_HEADER):
        shown = ",".join(header)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise AcceptanceFileError(f"{path}:1: bad header {shown!r} (expected {expected})")
    return {name: names.index(name) for name in names}


def _import_row(catalog: Catalog, record: list[str], columns: dict[str, int], now: dt.datetime) -> Acceptance:
    if len(record) != len(columns):
        raise invalid("row", f"{len(record)} fields, the header has {len(columns)}")
    cell = {name: record[index].strip() for name, index in columns.items()}
    if not cell["accepted_at"]:
        raise invalid("accepted_at", "is empty: an import must say when each acceptance was made")
    return check_acceptance(
        catalog, cell["subject"], cell["policy"], cell["version"], cell["source"], cell["accepted_at"], now
    )


# -- report -------------------------------------------------------------------------------------


@dataclass
class Report:
    """How far the acceptance of one version has got."""

    policy: str
    version: str
    classification: str
    effective: dt.date
    in_force: bool  # on the day of the report
    accepted: int  # subjects who accepted this version or a later one
    must_accept: int  # subjects who accepted an earlier version, but not since the last change that asks for it
    not_required: int  # subjects whose acceptance of an earlier version still covers this one (minor changes)
    required_version: str | None  # the version whose acceptance counts (this one, or the material one before)
    first_accepted_at: str | None
    last_accepted_at: str | None
    counted_at: str = field(default_factory=utcnow)

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "version": self.version,
            "classification": self.classification,
            "effective": self.effective.isoformat(),
            "in_force": self.in_force,
            "accepted": self.accepted,
            "must_accept": self.must_accept,
            "not_required": self.not_required,
            "required_version": self.required_version,
            "first_accepted_at": self.first_accepted_at,
            "last_accepted_at": self.last_accepted_at,
            "counted_at": self.counted_at,
        }


def acceptance_report(store: Store, catalog: Catalog, spec: str, today: dt.date) -> Report:
    """``SLUG@VERSION``: counts of subjects by the newest version each accepted, in one pass over the policy's rows."""
    slug, at, version = spec.partition("@")
    version = version.removeprefix("v")
    known = catalog.of(slug)
    target: Version | None = known.find(version) if known and at else None
    if known is None or target is None:
        latest = ", ".join(f"{p}@{v.version}" for p, k in sorted(catalog.policies.items()) for v in k.versions[-1:])
        raise ReleaseNotFound(f"no release '{spec}' (give SLUG@VERSION; latest: {latest or 'none'})")
    required = known.last_requiring(version)
    ranks = {v.version: i + 1 for i, v in enumerate(known.versions)}
    case = " ".join("WHEN ? THEN ?" for _ in ranks)
    params: list[object] = [p for item in ranks.items() for p in item]
    rows = store.query(
        f"SELECT rank, COUNT(*) FROM (SELECT subject, MAX(CASE version {case} ELSE 0 END) AS rank"
        " FROM acceptances WHERE policy = ? GROUP BY subject) newest GROUP BY rank",
        (*params, slug),
    )
    target_rank = ranks[version]
    required_rank = ranks[required.version] if required else 0
    accepted = sum(n for rank, n in rows if rank >= target_rank)
    covered = sum(n for rank, n in rows if required_rank <= rank < target_rank) if required else 0
    must = sum(n for rank, n in rows if rank < required_rank)
    first, last = store.query(
        "SELECT MIN(accepted_at), MAX(accepted_at) FROM acceptances WHERE policy = ? AND version = ?", (slug, version)
    )[0]
    return Report(
        policy=slug,
        version=version,
        classification=target.classification,
        effective=target.effective,
        in_force=target.effective <= today,
        accepted=accepted,
        must_accept=must,
        not_required=covered,
        required_version=required.version if required else None,
        first_accepted_at=first,
        last_accepted_at=last,
    )
