"""The release record: what was published, when it takes effect, and why.

It lives in the annotated tag's message (a readable summary, then one
``Policywatch-Release:`` line of JSON), so a release and its record can never
disagree, survive a clone, and need no database. Notify and the site read it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policywatch.history import Tag

TRAILER = "Policywatch-Release: "
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

    @property
    def material(self) -> bool:
        return self.classification == "material"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("effective", "updated", "published"):
            data[key] = getattr(self, key).isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Release:
        data = dict(data)
        data.pop("record", None)
        for key in ("effective", "updated", "published"):
            data[key] = dt.date.fromisoformat(data[key])
        data["changes"] = [ChangeSummary(**c) for c in data.get("changes", [])]
        return cls(**data)


def tag_message(release: Release) -> str:
    """Readable summary first (what `git show TAG` prints), the machine record last."""
    head = f"{release.title} {release.version}: {release.classification}"
    if release.material:
        head += f" change, effective {release.effective.isoformat()}"
    lines = [head, ""]
    if release.renamed_from:
        lines += [f"renamed from {release.renamed_from}", ""]
    if release.decided_by != "engine":
        who = f"decided by a person ({release.decided_by}"
        who += f" in {release.decision_commit[:12]})" if release.decision_commit else ")"
        lines += [who + (f": {release.decision_note}" if release.decision_note else ""), ""]
    lines += [f"- {reason}" for reason in release.reasons[:50]]
    if release.reasons:
        lines.append("")
    record = {"record": RECORD_VERSION, **release.to_json()}
    record.pop("commit")
    lines.append(TRAILER + json.dumps(record, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines) + "\n"


def parse_tag(tag: Tag) -> Release | None:
    """The release recorded in a tag, or None for a tag policywatch did not write."""
    for line in reversed(tag.message.splitlines()):
        if line.startswith(TRAILER):
            try:
                data = json.loads(line[len(TRAILER) :])
                data["commit"] = tag.commit
                return Release.from_json(data)
            except (ValueError, TypeError, KeyError):
                return None
    return None
