"""The result of comparing two policy texts, and a first, conservative comparison.

``compare`` here diffs paragraphs and calls every change of words material; only
changes of case, punctuation and white space are minor. It over-warns on
purpose until the word-level engine with materiality rules replaces it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Change:
    section: str
    kind: str  # insert | delete | replace | move
    old_text: str
    new_text: str
    classification: str  # material | minor
    reasons: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    classification: str  # material | minor | none
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def compare(old: str, new: str, *, rules: Any = None) -> Comparison:
    old_paras = [p.strip() for p in re.split(r"\n\s*\n", old) if p.strip()]
    new_paras = [p.strip() for p in re.split(r"\n\s*\n", new) if p.strip()]
    changes = []
    matcher = difflib.SequenceMatcher(a=old_paras, b=new_paras, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        before, after = "\n\n".join(old_paras[i1:i2]), "\n\n".join(new_paras[j1:j2])
        if _words(before) == _words(after):
            if " ".join(before.split()) == " ".join(after.split()):
                continue
            changes.append(Change("", "replace", before, after, "minor", ["punctuation or case only"]))
        else:
            kind = {"insert": "insert", "delete": "delete"}.get(op, "replace")
            changes.append(Change("", kind, before, after, "material", ["wording changed"]))
    if not changes:
        return Comparison("none")
    verdict = "material" if any(c.classification == "material" for c in changes) else "minor"
    return Comparison(verdict, changes)
