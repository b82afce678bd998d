"""The held-out corpus: revision pairs written without looking at the rules.

Each pair is labelled material or minor by legal judgement (``why``), never by
the reason the engine gives, so a material pair counts as found when the verdict
is material, whatever the reasons. The pairs reuse the edit format of
``tests/corpus`` (find/replace edits and paragraph moves on a bundled policy).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus import POLICIES, apply_edits, scores  # noqa: F401 - scored as the labelled corpus is

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    id: str
    label: str  # material | minor
    why: str
    base: str
    old: str
    new: str
    batch: int = 1  # 1: written before any fix; 2: written after the first fixes, scored before the next


@dataclass
class Outcome:
    case: Case
    classification: str
    reasons: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.classification == "material"

    @property
    def correct(self) -> bool:
        return self.flagged == (self.case.label == "material")


def load_cases() -> list[Case]:
    cases = []
    for label in ("material", "minor"):
        data = tomllib.loads((HERE / f"{label}.toml").read_text(encoding="utf-8"))
        for raw in data["case"]:
            old = (POLICIES / f"{raw['base']}.md").read_text(encoding="utf-8")
            new = apply_edits(old, raw["id"], raw.get("edits", []), raw.get("move"))
            cases.append(Case(raw["id"], label, raw["why"], raw["base"], old, new, raw.get("batch", 1)))
    return cases


def evaluate(cases: list[Case] | None = None, rules=None) -> list[Outcome]:
    from policywatch import compare

    outcomes = []
    for case in cases if cases is not None else load_cases():
        result = compare(case.old, case.new, rules=rules)
        shown = "material" if result.classification == "material" else "minor"
        reasons = [r for c in result.changes for r in c.reasons if c.classification == shown]
        outcomes.append(Outcome(case, result.classification, reasons))
    return outcomes
