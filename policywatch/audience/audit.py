"""Proof of notice: for one release, who was sent what, when, in which language, with which Message-ID,
and the result.

Read straight from the ledger and streamed, so the proof for a million
subscribers is written without holding it in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TextIO

from policywatch.audience.announcements import find_release
from policywatch.audience.outbox import Delivery, Outbox
from policywatch.csvcells import SafeWriter
from policywatch.errors import ReleaseNotFound
from policywatch.store import Store
from policywatch.termsafe import printable_json

AUDIT_COLUMNS = (
    "release",
    "policy",
    "version",
    "channel",
    "recipient",
    "name",
    "language",
    "state",
    "attempts",
    "message_id",
    "sent_at",
    "detail",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class AuditRow:
    release: str
    policy: str
    version: str
    channel: str
    recipient: str
    name: str
    language: str  # the notice's language: a translation's tag, or the source's ([site] lang); "" if never tried
    state: str
    attempts: int
    message_id: str
    sent_at: str
    detail: str
    created_at: str
    updated_at: str


def resolve_tag(project, store: Store, spec: str) -> tuple[str, str, str]:
    """(tag, policy, version) of ``SLUG@VERSION`` or a tag: from git, or from the ledger if the tag is gone."""
    try:
        release = find_release(project, spec)
        return release.tag, release.policy, release.version
    except ReleaseNotFound:
        slug, _, version = spec.partition("@")
        rows = store.query(
            "SELECT tag, policy, version FROM releases WHERE tag = ? OR (policy = ? AND version = ?)",
            (spec, slug, version.removeprefix("v")),
        )
        if rows:
            return rows[0]
        raise


def audit_rows(store: Store, tag: str, policy: str, version: str) -> Iterator[AuditRow]:
    """The release's deliveries; then, for a release replaced before it took effect, the
    deliveries of the newer release whose notice covers it (named in ``release`` and ``detail``)."""
    outbox = Outbox(store)
    seen = {tag}
    covering: str | None = tag
    while covering is not None:
        note = "" if covering == tag else f"covers {tag} (replaced before it took effect)"
        if covering != tag:
            policy, version = _release_names(store, covering, policy, version)
        delivery: Delivery
        for delivery in outbox.deliveries(covering):
            yield AuditRow(
                covering,
                policy,
                version,
                delivery.channel,
                delivery.target,
                delivery.name,
                delivery.language or "",
                delivery.state,
                delivery.attempts,
                delivery.message_id or "",
                delivery.sent_at or "",
                "; ".join(part for part in (note, delivery.detail) if part),
                delivery.created_at,
                delivery.updated_at,
            )
        covering = outbox.superseded_by(covering)
        if covering in seen:
            break
        if covering is not None:
            seen.add(covering)


def _release_names(store: Store, tag: str, policy: str, version: str) -> tuple[str, str]:
    rows = store.query("SELECT policy, version FROM releases WHERE tag = ?", (tag,))
    return (rows[0][0], rows[0][1]) if rows else (policy, version)


def write_csv(rows: Iterator[AuditRow], out: TextIO) -> int:
    """Cells neutralised against formula injection: ``detail`` is whatever the remote server replied."""
    writer = SafeWriter(out)
    writer.writerow(AUDIT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(asdict(row).values())
        count += 1
    return count


def write_json(rows: Iterator[AuditRow], out: TextIO) -> int:
    """A JSON array written element by element."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n  " + printable_json(json.dumps(asdict(row), ensure_ascii=False)))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
