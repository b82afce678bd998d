"""The release record: what was published, when it takes effect, and why.

It lives in the annotated tag's message (a readable summary, then one
``Policywatch-Release:`` line of JSON), so a release and its record can never
disagree, survive a clone, and need no database. Notify and the site read it.

A person's summary of the release, when there is one, comes right after the
first line, one paragraph per line; records written before summaries existed
read as having none.

The JSON line is pure ASCII (``ensure_ascii``): no text in a title or a change
can break it into two lines or end it early, whatever line separators (U+2028,
U+2029, U+0085), control characters or NUL it holds. The readable summary has
those characters replaced by spaces. Records are read by splitting on newlines
only, so records written before, with raw non-ASCII text, still parse.
A record that cannot be read, or that disagrees with its tag, is an
``UntrustedRecord`` that says why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policywatch.release.git import Tag

TRAILER = "Policywatch-Release: "
COMMIT_TRAILER = "Policywatch-Publish"  # names the publish (its journal) in the commit it makes
RECORD_VERSION = 1


@dataclass(frozen=True)
class ChangeSummary:
    """One change as a notice reports it: where, what kind, and why it matters."""

    section: str
    kind: str
    classification: str
    reasons: list[str] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""


@dataclass(frozen=True)
class Release:
    """The record of one release, kept in its annotated tag: git alone can say what was published, when."""

    policy: str  # slug
    title: str
    path: str  # repository-relative path of the file at this release
    version: str
    previous_version: str | None
    classification: str  # "material" | "minor" | "initial"
    effective: dt.date
    updated: dt.date
    published: dt.date
    tag: str
    commit: str = ""  # filled in from the tag when read back
    reasons: list[str] = field(default_factory=list)
    changes: list[ChangeSummary] = field(default_factory=list)
    decided_by: str = "engine"  # "engine" | "trailer" | "option"
    decision_commit: str | None = None
    decision_note: str | None = None
    renamed_from: str | None = None  # the policy's slug before its file was renamed
    summary: str = ""  # written by a person (--summary or Policy-Summary: trailers); paragraphs split by a blank line
    # A register's entries added, changed and removed: status, name, fields, old_fields, changed, classification.
    register: list[dict[str, Any]] = field(default_factory=list)
    # A translation's release: the version of its source it translates (front matter ``translation_of``).
    translation_of: str | None = None
    # A source's release: the languages of the translations that follow later (``--translations-later``).
    translations_later: list[str] = field(default_factory=list)

    @property
    def material(self) -> bool:
        return self.classification == "material"

    @property
    def summary_paragraphs(self) -> list[str]:
        return paragraphs(self.summary)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("effective", "updated", "published"):
            data[key] = getattr(self, key).isoformat()
        # Fields added later are written only when they say something: older readers see the records they know.
        for key in ("register", "translation_of", "translations_later"):
            if not data[key]:
                del data[key]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Release:
        """A release from its JSON record; ``UntrustedRecord`` naming the field that is missing or wrong."""
        if not isinstance(data, dict):
            raise UntrustedRecord("its release record is not a JSON object")
        version = data.get("record", RECORD_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > RECORD_VERSION:
            raise UntrustedRecord(f"its release record has an unknown record version {version!r}")
        values: dict[str, Any] = {}
        for name in _field_names(cls):  # every check reads every release record: names computed once
            if name not in data:
                if name in _REQUIRED:
                    raise UntrustedRecord(f"its release record has no '{name}'")
                continue
            values[name] = _field(name, data[name])
        return cls(**values)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(spec.name for spec in fields(cls))
    return _FIELD_NAMES[cls]


class UntrustedRecord(ValueError):
    """Why a release tag's record cannot be trusted; the message completes "ignoring tag T: ..."."""


_REQUIRED = {
    "policy",
    "title",
    "path",
    "version",
    "previous_version",
    "classification",
    "effective",
    "updated",
    "published",
    "tag",
}
_CLASSIFICATIONS = {"material", "minor", "initial"}
_OPTIONAL_TEXT = {"previous_version", "decision_commit", "decision_note", "renamed_from", "translation_of"}


def _field(name: str, value: Any) -> Any:
    """One record field checked for its type (and dates parsed), or ``UntrustedRecord``."""
    if name in ("effective", "updated", "published"):
        if not isinstance(value, str):
            raise UntrustedRecord(f"its release record's '{name}' is not a date: {_short(value)}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise UntrustedRecord(f"its release record's '{name}' is not a date: {_short(value)}") from None
    if name in ("reasons", "translations_later"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UntrustedRecord(f"its release record's '{name}' is not a list of texts")
        return value
    if name == "changes":
        return _changes(value)
    if name == "register":
        return _register(value)
    if name in _OPTIONAL_TEXT and value is None:
        return None
    if not isinstance(value, str):
        raise UntrustedRecord(f"its release record's '{name}' is not a text: {_short(value)}")
    if name == "summary":
        return clean_summary(value)
    if name == "classification" and value not in _CLASSIFICATIONS:
        raise UntrustedRecord(f"its release record's classification {_short(value)} is not material, minor or initial")
    return value


def _changes(value: Any) -> list[ChangeSummary]:
    names = {f.name for f in fields(ChangeSummary)}
    if not isinstance(value, list) or not all(isinstance(c, dict) and set(c) <= names for c in value):
        raise UntrustedRecord("its release record's 'changes' is not a list of changes")
    out = []
    for change in value:
        texts = [change.get(n, "") for n in names - {"reasons"}]
        reasons = change.get("reasons", [])
        if not all(isinstance(t, str) for t in texts) or not (
            isinstance(reasons, list) and all(isinstance(r, str) for r in reasons)
        ):
            raise UntrustedRecord("its release record's 'changes' is not a list of changes")
        out.append(ChangeSummary(**change))
    return out


_ENTRY_STATUSES = {"added", "changed", "removed"}


def _register(value: Any) -> list[dict[str, Any]]:
    """A register's entry changes, each checked field by field: notices and the site show them as they are."""

    def texts(d: Any) -> bool:
        return isinstance(d, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in d.items())

    def valid(e: Any) -> bool:
        return (
            isinstance(e, dict)
            and e.get("status") in _ENTRY_STATUSES
            and isinstance(e.get("name"), str)
            and texts(e.get("fields", {}))
            and texts(e.get("old_fields", {}))
            and isinstance(e.get("changed", []), list)
            and all(isinstance(c, str) for c in e.get("changed", []))
            and e.get("classification", "material") in ("material", "minor")
        )

    if not isinstance(value, list) or not all(valid(e) for e in value):
        raise UntrustedRecord("its release record's 'register' is not a list of entry changes")
    return [
        {
            "status": e["status"],
            "name": e["name"],
            "fields": dict(e.get("fields", {})),
            "old_fields": dict(e.get("old_fields", {})),
            "changed": list(e.get("changed", [])),
            "classification": e.get("classification", "material"),
        }
        for e in value
    ]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


# Characters that end a line for someone (Python's splitlines, JavaScript, XML) or that git cuts at (NUL).
_LINE_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


_SURROGATES = re.compile("[\ud800-\udfff]")


def one_line(text: str) -> str:
    """``text`` with every control character and line or paragraph separator turned into a space.

    Lone surrogates (from a commit message that is not UTF-8) become U+FFFD: git takes the message as UTF-8.
    """
    return _SURROGATES.sub("\ufffd", _LINE_BREAKERS.sub(" ", text))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def clean_summary(text: str) -> str:
    """A person's summary as records hold it: paragraphs (split at blank lines), each one line of single spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (" ".join(one_line(part).split()) for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def paragraphs(summary: str) -> list[str]:
    """The paragraphs of a summary as records hold it."""
    return [p for p in summary.split("\n\n") if p]


def one_line_title(title: str) -> str:
    """A title as releases carry it: one line, so it can head a notice's subject and a feed entry as it is."""
    return " ".join(one_line(title).split())


def replaced_before_effect(chain: Sequence[Any]) -> dict[int, int]:
    """Releases of one policy (oldest first, each with an ``effective`` date) that never apply.

    A release is replaced before it takes effect when a later one takes effect on
    the same day or earlier. Maps its index to the index of the release that
    applies instead: the newest of such a run, so ``v2.0`` and ``v3.0`` replaced by
    ``v4.0`` both map to ``v4.0``.
    """
    replaced: dict[int, int] = {}
    later: list[int] = []  # indices after i whose dates rise from the top down: the nearest one <= is on top
    for i in range(len(chain) - 1, -1, -1):
        while later and chain[later[-1]].effective > chain[i].effective:
            later.pop()
        if later:
            replaced[i] = replaced.get(later[-1], later[-1])
        later.append(i)
    return replaced


def tag_message(release: Release) -> str:
    """Readable summary first (what `git show TAG` prints), the machine record last."""
    head = f"{release.title} {release.version}: {release.classification}"
    if release.material:
        head += f" change, effective {release.effective.isoformat()}"
    lines = [one_line(head), ""]
    if release.summary_paragraphs:
        lines += [line for paragraph in release.summary_paragraphs for line in (one_line(paragraph), "")]
    if release.renamed_from:
        lines += [one_line(f"renamed from {release.renamed_from}"), ""]
    if release.translation_of:
        lines += [one_line(f"translation of version {release.translation_of} of its source"), ""]
    if release.translations_later:
        lines += [one_line(f"translations that follow later: {', '.join(release.translations_later)}"), ""]
    if release.decided_by != "engine":
        who = f"decided by a person ({release.decided_by}"
        who += f" in {release.decision_commit[:12]})" if release.decision_commit else ")"
        lines += [one_line(who + (f": {release.decision_note}" if release.decision_note else "")), ""]
    lines += [one_line(f"- {reason}") for reason in release.reasons[:50]]
    if release.reasons:
        lines.append("")
    record = {"record": RECORD_VERSION, **release.to_json()}
    record.pop("commit")
    lines.append(TRAILER + json.dumps(record, ensure_ascii=True, sort_keys=True))
    return "\n".join(lines) + "\n"


def read_record(tag: Tag) -> Release:
    """The release recorded in a tag, exactly as written; ``UntrustedRecord`` when there is none to read."""
    if not tag.annotated:
        raise UntrustedRecord("it is a lightweight tag, with no release record")
    # Newlines only: a record written before records were ASCII may hold U+2028 and the like.
    trailers = [line for line in tag.message.split("\n") if line.startswith(TRAILER)]
    if not trailers:
        raise UntrustedRecord(f"its message has no release record (no '{TRAILER.strip()}' line)")
    try:
        data = json.loads(trailers[-1][len(TRAILER) :])
    except ValueError:
        raise UntrustedRecord("its release record is not valid JSON") from None
    if isinstance(data, dict):
        data = {**data, "commit": tag.commit}
    return Release.from_json(data)


def check_record(record: Release, tag: str, slug: str, version: str) -> None:
    """Refuse the record of ``tag``, named as release ``version`` of ``slug``, unless it agrees with that name.

    A record for another policy, version or tag, or whose path is not a plain path
    inside the repository to ``SLUG.md`` (``../../etc/passwd``, ``/etc/passwd``,
    another policy's file), raises ``UntrustedRecord``. The folder may differ from
    today's policies folder: releases made before the folder moved stay releases.
    """
    if record.policy != slug:
        raise UntrustedRecord(f"its release record is for policy {_short(record.policy)}, not {slug}")
    if record.version != version:
        raise UntrustedRecord(f"its release record is for version {_short(record.version)}, not {version}")
    if record.tag != tag:
        raise UntrustedRecord(f"its release record names tag {_short(record.tag)}")
    if not _plain_path(record.path, f"{slug}.md"):
        where = f"a path in the repository to {slug}.md"
        raise UntrustedRecord(f"its release record's path {_short(record.path)} is not {where}")


def _plain_path(path: str, name: str) -> bool:
    parts = path.split("/")
    if parts[-1] != name or "\\" in path or _LINE_BREAKERS.search(path):
        return False
    return all(part not in ("", ".", "..") for part in parts)


def parse_tag(tag: Tag) -> Release | None:
    """The release recorded in a tag, or None for a tag whose record cannot be read."""
    try:
        return read_record(tag)
    except UntrustedRecord:
        return None
