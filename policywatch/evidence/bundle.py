"""One release's evidence as one zip file: what was published, who was told, and the chain that holds it.

The bundle holds the release record (the tag's message, exactly, and as JSON), the
released text with its SHA-256, the redline against the previous version (HTML
and JSON), the people's summary and the engine's reasons, the audit of every
delivery, objections and acceptance counts, the ledger's chain from the first
delivery of the release to the head, and ``manifest.sha256`` listing the SHA-256
of every other file (``sha256sum -c manifest.sha256`` checks it without
policywatch).

The zip is deterministic: files in a fixed order, fixed timestamps and
permissions, fixed compression, and nothing in it records when it was written,
so the same repository and database give the same bytes. The chain events of
other rows carry only their content's digest: enough to recompute every hash,
nothing of other people's data.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from policywatch.errors import EvidenceError, ReleaseNotFound
from policywatch.files import atomic_writer
from policywatch.store import Store, chain

MANIFEST = "manifest.sha256"
STAMP = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no moment of writing leaks into the bytes
FILE_MODE = 0o644
CHAIN_FILE = "chain/events.jsonl"
HEAD_FILE = "chain/head.json"
AUDIT_JSON = "notice/audit.json"
RECORD_FILE = "release/record.json"
TAG_MESSAGE = "release/tag-message.txt"


@dataclass(frozen=True)
class Written:
    path: Path
    release_tag: str
    files: int
    deliveries: int
    chain_head: chain.Head
    manifest_sha256: str  # the bundle's fingerprint: quote it, and the bundle cannot be swapped


def dumps(value: object) -> str:
    """JSON as the bundle writes it: sorted keys, indented, ASCII, ending in a newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(project, store: Store, spec: str, out: str | Path) -> Written:
    """Write the bundle of ``SLUG@VERSION`` (or a release tag) to ``out``, all of it or nothing."""
    from policywatch.audience.audit import audit_rows, write_csv
    from policywatch.evidence.anchor import anchors
    from policywatch.release import history

    out = Path(out)
    if out.is_dir():
        raise EvidenceError(f"{out}: is a folder, not a file name")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise EvidenceError(f"{out}: folder {folder} does not exist")
    release, previous = _find(project, spec)
    record = release.record
    repo = history.open_repo(project.root)
    text = history.read_at(repo, release.commit, record.path)
    files: dict[str, bytes] = {}
    files[TAG_MESSAGE] = _tag_message(project, release.tag).encode("utf-8", "surrogateescape")
    files[RECORD_FILE] = dumps({**record.to_json(), "commit": release.commit}).encode()
    name = Path(record.path).name
    files[f"release/{name}"] = text
    files[f"release/{name}.sha256"] = f"{sha256(text)}  {name}\n".encode()
    files["release/summary.json"] = dumps(
        {
            "summary": record.summary,
            "classification": record.classification,
            "decided_by": record.decided_by,
            "decision_note": record.decision_note,
            "reasons": record.reasons,
            "changes": [asdict(change) for change in record.changes],
        }
    ).encode()
    files.update(_redline(project, repo, release, previous))

    rows = list(audit_rows(store, release.tag, record.policy, record.version))
    csv_text = io.StringIO(newline="")
    write_csv(iter(rows), csv_text)
    files["notice/audit.csv"] = csv_text.getvalue().encode("utf-8")
    files[AUDIT_JSON] = dumps([asdict(row) for row in rows]).encode()
    files.update(_responses(store, record))

    notes = anchors(project.root, release.commit)
    events, head = _chain(store, {row.release for row in rows}, [a.seq for a in notes])
    files[CHAIN_FILE] = events
    files[HEAD_FILE] = dumps({**head, "anchors": [a.to_json() for a in notes if a.seq <= head["seq"]]}).encode()
    files["README.txt"] = _readme(release.tag).encode()
    manifest = "".join(f"{sha256(data)}  {path}\n" for path, data in sorted(files.items())).encode()
    files[MANIFEST] = manifest
    _self_check(files)
    try:
        with atomic_writer(out, mode=FILE_MODE) as handle:
            _zip(handle, files)
    except OSError as exc:
        raise EvidenceError(f"{out}: cannot write: {exc.strerror}") from None
    return Written(out, release.tag, len(files), len(rows), chain.Head(head["seq"], head["hash"]), sha256(manifest))


def _self_check(files: dict[str, bytes]) -> None:
    """A bundle is written only if it verifies: a ledger changed behind policywatch's back is refused here."""
    from policywatch.errors import EvidenceMismatch
    from policywatch.evidence.verify import verify_files

    try:
        verify_files(files)
    except EvidenceMismatch as exc:
        raise EvidenceMismatch(f"no bundle written: {exc}") from None


def _find(project, spec: str):
    """The release ``spec`` names, and the one before it (None for a policy's first)."""
    from policywatch.release import history

    slug, _, version = spec.partition("@")
    known = history.releases_reachable(project)
    for rels in known.policies.values():
        for index, rel in enumerate(rels):
            if rel.tag == spec or (rel.record.policy == slug and rel.version == version.removeprefix("v")):
                return rel, rels[index - 1] if index else None
    raise ReleaseNotFound(f"{spec}: no such release (give SLUG@VERSION or a release tag)")


def _tag_message(project, tag: str) -> str:
    from policywatch.release.git import Git

    return next(t.message for t in Git(project.root).tags() if t.name == tag)


def _redline(project, repo, release, previous) -> dict[str, bytes]:
    from policywatch import compare
    from policywatch.document import decode_policy
    from policywatch.engine.render import Report, render_json
    from policywatch.release import history
    from policywatch.release.diffsources import project_rules
    from policywatch.site.redline_page import render_html

    if previous is None:
        note = f"{release.tag} is the policy's first release: there is no earlier version to compare.\n"
        return {"redline/none.txt": note.encode()}
    old = decode_policy(history.read_at(repo, previous.commit, previous.record.path), previous.tag)
    new = decode_policy(history.read_at(repo, release.commit, release.record.path), release.tag)
    labels = (previous.tag, release.tag)
    comparison = compare(old, new, rules=project_rules(project.root), labels=labels)
    report = [Report(release.record.policy, *labels, comparison)]
    return {
        "redline/redline.html": render_html(report).encode("utf-8"),
        "redline/redline.json": (render_json(report) + "\n").encode("utf-8"),
    }


def _responses(store: Store, record) -> dict[str, bytes]:
    """The release's objections, and how many accepted its version, by source (none is a count too)."""
    names = ("id", "email", "reason", "deadline", "late", "status", "objected_at")
    rows = store.query(
        f"SELECT {', '.join(names)} FROM objections WHERE release_tag = ? ORDER BY id",
        (record.tag,),
    )
    objections = {
        "recorded": True,
        "release": record.tag,
        "objections": [dict(zip(names, r, strict=True)) for r in rows],
    }
    by_source = store.query(
        "SELECT source, COUNT(*), MIN(accepted_at), MAX(accepted_at) FROM acceptances"
        " WHERE policy = ? AND version = ? GROUP BY source ORDER BY source",
        (record.policy, record.version),
    )
    acceptances = {
        "recorded": True,
        "policy": record.policy,
        "version": record.version,
        "accepted": sum(row[1] for row in by_source),
        "by_source": {row[0]: {"count": row[1], "first": row[2], "last": row[3]} for row in by_source},
    }
    return {
        "responses/objections.json": dumps(objections).encode(),
        "responses/acceptances.json": dumps(acceptances).encode(),
    }


def _chain(store: Store, tags: set[str], anchored: Iterable[int]) -> tuple[bytes, dict]:
    """The chain from the first event of the release's deliveries (or of a git anchor) to the head.

    Events of those deliveries carry their content; every other one only its digest.
    """
    ids: set[int] = set()
    for tag in sorted(tags):
        ids.update(row[0] for row in store.query("SELECT id FROM deliveries WHERE release_tag = ?", (tag,)))
    top = chain.head(store)
    firsts = [seq for seq in anchored if 0 < seq <= top.seq]
    if ids:
        marks = ", ".join("?" * len(tags))
        first = store.query(
            "SELECT MIN(seq) FROM ledger_chain WHERE tbl = 'deliveries' AND row_id IN"
            f" (SELECT id FROM deliveries WHERE release_tag IN ({marks}))",
            sorted(tags),
        )[0][0]
        if first is not None:
            firsts.append(int(first))
    start = min(firsts) if firsts else top.seq + 1
    lines = []
    for event in chain.events(store, after=start - 1):
        if event.seq > top.seq:
            break
        line: dict[str, object] = {
            "seq": event.seq,
            "table": event.table,
            "row_id": event.row_id,
            "op": event.op,
            "digest": chain.digest(event.content),
            "hash": event.hash,
        }
        if event.table == "deliveries" and event.row_id in ids:
            line["content"] = event.content
        lines.append(json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n")
    before = chain.hash_before(store, start) if start <= top.seq else top.hash
    head = {"seq": top.seq, "hash": top.hash, "from": start, "before": before}
    return "".join(lines).encode("ascii"), head


def _zip(handle, files: dict[str, bytes]) -> None:
    """The files in name order, each with the same timestamp, mode and compression."""
    with zipfile.ZipFile(handle, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100000 | FILE_MODE) << 16
            archive.writestr(info, files[name], compresslevel=6)


def _readme(tag: str) -> str:
    return (
        f"Evidence of release {tag}, written by policywatch.\n\n"
        "Check it with 'policywatch verify THIS.zip' (inside the policy repository, it also\n"
        "checks the text against the release tag), or without policywatch:\n"
        "'sha256sum -c manifest.sha256' checks every file against the manifest.\n\n"
        "release/      the record as the tag holds it, the released text and its SHA-256, the summary and reasons\n"
        "redline/      what changed since the previous version, as a page and as JSON\n"
        "notice/       every delivery: recipient, Message-ID, the server's reply, times\n"
        "responses/    objections and acceptance counts\n"
        "chain/        the ledger's hash chain from the first delivery of this release to its head\n"
    )


def read(path: str | Path) -> dict[str, bytes]:
    """A bundle's files by name; ``EvidenceMismatch`` when it is no readable zip or names a file twice."""
    from policywatch.errors import EvidenceMismatch

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if len(set(names)) != len(names):
                raise EvidenceMismatch(f"{path}: names a file twice")
            return {name: archive.read(name) for name in names}
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error) as exc:
        raise EvidenceMismatch(f"{path}: not a readable bundle: {exc}") from None


def lines(data: bytes) -> Iterator[dict]:
    for line in data.decode("ascii").splitlines():
        yield json.loads(line)
