"""Checking a bundle, and the live ledger, against what they claim.

A bundle is checked in this order, and the first thing that does not match is
named: the manifest (every file, byte for byte), the release record against the
tag's message, the text against its SHA-256, the chain (every hash recomputed,
every delivery's content against its digest, the last event against the head),
the audit against the chained deliveries, and the chain heads recorded in git.
Inside the policy repository the tag itself is read too: its message, its commit
and the text at that commit must be what the bundle holds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from policywatch.errors import EvidenceMismatch, HistoryError, NotARepository
from policywatch.evidence.bundle import (
    AUDIT_JSON,
    CHAIN_FILE,
    HEAD_FILE,
    MANIFEST,
    RECORD_FILE,
    TAG_MESSAGE,
    lines,
    read,
    sha256,
)
from policywatch.store import Store, chain

_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


@dataclass(frozen=True)
class Verified:
    tag: str
    files: int
    events: int
    deliveries: int
    head: chain.Head
    manifest_sha256: str
    git: str  # what was checked against git, or why nothing was


def verify_bundle(path: str | Path, root: str | Path | None = None) -> Verified:
    """Check the bundle at ``path``; with ``root`` (a git repository), against its release tag too."""
    files = read(path)
    checked = verify_files(files)
    if root is None:
        return checked
    return Verified(**{**checked.__dict__, "git": _against_git(files, checked, Path(root))})


def verify_files(files: dict[str, bytes]) -> Verified:
    """Everything a bundle can show about itself; ``EvidenceMismatch`` naming the first thing that is wrong."""
    _manifest(files)
    record = _record(files)
    text_name = f"release/{Path(record['path']).name}"
    _text(files, text_name)
    head, events, chained = _chain(files)
    deliveries = _audit(files, record["tag"], chained)
    return Verified(
        record["tag"], len(files), events, deliveries, head, sha256(files[MANIFEST]), "not checked against git"
    )


def _manifest(files: dict[str, bytes]) -> None:
    if MANIFEST not in files:
        raise EvidenceMismatch(f"{MANIFEST}: missing from the bundle")
    listed: dict[str, str] = {}
    for number, line in enumerate(files[MANIFEST].decode("utf-8", "replace").splitlines(), 1):
        match = _MANIFEST_LINE.match(line)
        if not match:
            raise EvidenceMismatch(f"{MANIFEST}:{number}: not a line of 'SHA256  FILE'")
        listed[match.group(2)] = match.group(1)
    for name in sorted(set(files) - {MANIFEST}):
        if name not in listed:
            raise EvidenceMismatch(f"{name}: in the bundle but not in the manifest")
        if sha256(files[name]) != listed[name]:
            raise EvidenceMismatch(f"{name}: its SHA-256 does not match the manifest")
    for name in sorted(set(listed) - set(files)):
        raise EvidenceMismatch(f"{name}: in the manifest but missing from the bundle")


def _json(files: dict[str, bytes], name: str):
    if name not in files:
        raise EvidenceMismatch(f"{name}: missing from the bundle")
    try:
        return json.loads(files[name])
    except ValueError:
        raise EvidenceMismatch(f"{name}: not valid JSON") from None


def _record(files: dict[str, bytes]) -> dict:
    from policywatch.release.git import Tag
    from policywatch.release.record import UntrustedRecord, read_record

    record = _json(files, RECORD_FILE)
    if TAG_MESSAGE not in files:
        raise EvidenceMismatch(f"{TAG_MESSAGE}: missing from the bundle")
    message = files[TAG_MESSAGE].decode("utf-8", "surrogateescape")
    try:
        tagged = read_record(Tag(str(record.get("tag")), str(record.get("commit")), message, None, True))
    except UntrustedRecord as why:
        raise EvidenceMismatch(f"{TAG_MESSAGE}: {why}") from None
    if {**tagged.to_json(), "commit": record.get("commit")} != record:
        raise EvidenceMismatch(f"{RECORD_FILE}: does not match the record in {TAG_MESSAGE}")
    return record


def _text(files: dict[str, bytes], name: str) -> None:
    if name not in files or f"{name}.sha256" not in files:
        raise EvidenceMismatch(f"{name}: the released text or its .sha256 is missing from the bundle")
    stated = files[f"{name}.sha256"].decode("ascii", "replace").split(" ", 1)[0]
    if sha256(files[name]) != stated:
        raise EvidenceMismatch(f"{name}: its SHA-256 is not the one in {name}.sha256")


def _chain(files: dict[str, bytes]) -> tuple[chain.Head, int, dict[int, dict]]:
    """The head, the number of events, and the last chained content of each delivery the bundle holds."""
    head = _json(files, HEAD_FILE)
    if CHAIN_FILE not in files:
        raise EvidenceMismatch(f"{CHAIN_FILE}: missing from the bundle")
    try:
        events = list(lines(files[CHAIN_FILE]))
    except ValueError:
        raise EvidenceMismatch(f"{CHAIN_FILE}: not one JSON object a line") from None
    hashes = {int(head["from"]) - 1: head["before"]}
    chained: dict[int, dict] = {}
    for event in events:
        content = event.get("content")
        if content is not None:
            if chain.digest(content) != event["digest"]:
                raise EvidenceMismatch(f"{CHAIN_FILE}: event {event['seq']}: its content does not match its digest")
            data = json.loads(content)
            if data.get("table") != event["table"] or data.get("row", {}).get("id") != event["row_id"]:
                raise EvidenceMismatch(f"{CHAIN_FILE}: event {event['seq']}: its content is of another row")
            if event["table"] == "deliveries":
                chained[event["row_id"]] = data["row"]
        hashes[event["seq"]] = event["hash"]
    reached, problem = chain.check_events(
        ((e["seq"], e["digest"], e["hash"]) for e in events), prev=head["before"], first=int(head["from"])
    )
    if problem:
        raise EvidenceMismatch(f"{CHAIN_FILE}: {problem}")
    if (reached.seq, reached.hash) != (head["seq"], head["hash"]):
        raise EvidenceMismatch(f"{HEAD_FILE}: the head is not where the chain in {CHAIN_FILE} ends")
    for anchor in head.get("anchors", []):
        if anchor["seq"] in hashes and hashes[anchor["seq"]] != anchor["hash"]:
            raise EvidenceMismatch(f"{HEAD_FILE}: the chain does not pass through the head recorded in git")
    return chain.Head(head["seq"], head["hash"]), len(events), chained


def _audit(files: dict[str, bytes], tag: str, chained: dict[int, dict]) -> int:
    """Every audited delivery is a chained one, with the same outcome, and none is left out."""
    from policywatch.audience.audit import covering_note, joined_detail

    rows = _json(files, AUDIT_JSON)
    by_key = {(r["release_tag"], r["channel"], r["target"]): r for r in chained.values()}
    if len(rows) != len(by_key):
        raise EvidenceMismatch(f"{AUDIT_JSON}: {len(rows)} deliveries, but the chain holds {len(by_key)}")
    for number, row in enumerate(rows, 1):
        found = by_key.get((row["release"], row["channel"], row["recipient"]))
        if found is None:
            raise EvidenceMismatch(f"{AUDIT_JSON}: delivery {number} ({row['recipient']}) is not in the chain")
        note = "" if row["release"] == tag else covering_note(tag)
        expected = {
            "state": found["state"],
            "message_id": found["message_id"] or "",
            "sent_at": found["sent_at"] or "",
            "detail": joined_detail(note, found["detail"]),
            "created_at": found["created_at"],
            "language": found.get("language") or "",
        }
        shown = {key: row[key] for key in expected}
        shown["state"] = "queued" if shown["state"] == "sending" else shown["state"]
        if shown != expected:
            column = next(key for key in expected if shown[key] != expected[key])
            raise EvidenceMismatch(
                f"{AUDIT_JSON}: delivery {number} ({row['recipient']}): {column} differs from the chained row"
            )
    return len(rows)


def _against_git(files: dict[str, bytes], checked: Verified, root: Path) -> str:
    """The bundle against the release tag in the repository at ``root``; a note saying why when it cannot be."""
    from policywatch.evidence.anchor import anchors
    from policywatch.release.git import Git

    record = json.loads(files[RECORD_FILE])
    git = Git(root)
    tags = [t for t in git.tags() if t.name == checked.tag]
    if not tags:
        return f"not checked against git: this repository has no tag {checked.tag}"
    tag = tags[0]
    if tag.message != files[TAG_MESSAGE].decode("utf-8", "surrogateescape"):
        raise EvidenceMismatch(f"{TAG_MESSAGE}: differs from the message of tag {tag.name} in this repository")
    if tag.commit != record["commit"]:
        raise EvidenceMismatch(
            f"{RECORD_FILE}: names commit {record['commit'][:12]}, tag {tag.name} is on {tag.commit[:12]}"
        )
    name = f"release/{Path(record['path']).name}"
    blob = git.read_blobs([f"{tag.commit}:{record['path']}"]).get(f"{tag.commit}:{record['path']}")
    if blob != files[name]:
        raise EvidenceMismatch(f"{name}: differs from {record['path']} at tag {tag.name}")
    head = json.loads(files[HEAD_FILE])
    hashes = {e["seq"]: e["hash"] for e in lines(files[CHAIN_FILE])}
    hashes[int(head["from"]) - 1] = head["before"]
    for anchor in anchors(root, tag.commit):
        if anchor.seq in hashes and hashes[anchor.seq] != anchor.hash:
            raise EvidenceMismatch(
                f"{CHAIN_FILE}: event {anchor.seq} is not the chain head git recorded on {tag.commit[:12]} "
                f"at {anchor.at}: the ledger was rewritten"
            )
    return f"checked against tag {tag.name} in this repository"


def verify_store(store: Store, root: str | Path | None = None) -> chain.Head:
    """The live ledger against its chain, and the chain against the heads recorded in git; the head checked."""
    from policywatch.evidence.anchor import anchors, check_anchors

    problem = chain.check_store(store)
    if problem is None and root is not None:
        try:
            problem = check_anchors(store, anchors(root))
        except (HistoryError, NotARepository):
            problem = None
    if problem:
        raise EvidenceMismatch(f"{store.url}: {problem}")
    return chain.head(store)
