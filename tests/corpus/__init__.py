"""The labelled corpus: revision pairs built from the bundled policies, each labelled material or minor.

Cases live in ``material.toml`` and ``minor.toml`` as edits to a bundled policy,
so each pair reads as the change a policy author would make.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = HERE.parent.parent / "policies"


@dataclass(frozen=True)
class Case:
    id: str
    label: str  # material | minor
    kind: str  # the reason kind expected
    base: str
    old: str
    new: str


@dataclass
class Outcome:
    case: Case
    classification: str
    kinds: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.classification == "material"

    @property
    def correct(self) -> bool:
        if self.case.label == "material":
            return self.flagged and self.case.kind in self.kinds
        return not self.flagged


def _move(text: str, start: str, before: str) -> str:
    paras = re.split(r"(?<=\n)\n", text)
    i = next(n for n, p in enumerate(paras) if p.startswith(start))
    if paras[i].startswith("#"):  # a heading takes its section with it
        j = next((n for n in range(i + 1, len(paras)) if paras[n].startswith("#")), len(paras))
    else:
        j = i + 1
    chunk = paras[i:j]
    rest = paras[:i] + paras[j:]
    k = next(n for n, p in enumerate(rest) if p.startswith(before))
    return "\n".join(rest[:k] + chunk + rest[k:])


def apply_edits(text: str, case_id: str, edits: list[list[str]], move: list[str] | None) -> str:
    for find, replace in edits:
        count = text.count(find)
        if count != 1:
            raise ValueError(f"{case_id}: {find!r} occurs {count} times in the base policy")
        text = text.replace(find, replace)
    if move:
        text = _move(text, *move)
    return text


def load_cases() -> list[Case]:
    cases = []
    for label in ("material", "minor"):
        data = tomllib.loads((HERE / f"{label}.toml").read_text(encoding="utf-8"))
        for raw in data["case"]:
            old = (POLICIES / f"{raw['base']}.md").read_text(encoding="utf-8")
            new = apply_edits(old, raw["id"], raw.get("edits", []), raw.get("move"))
            cases.append(Case(raw["id"], label, raw["kind"], raw["base"], old, new))
    return cases


def evaluate(cases: list[Case] | None = None, rules=None) -> list[Outcome]:
    from policywatch import compare
    from policywatch.engine.materiality import reason_kind

    outcomes = []
    for case in cases if cases is not None else load_cases():
        result = compare(case.old, case.new, rules=rules)
        reasons = [r for c in result.changes for r in c.reasons if c.classification == result.classification]
        kinds = sorted({reason_kind(r) for r in reasons})
        if result.classification == "none":
            kinds = ["none"]
        outcomes.append(Outcome(case, result.classification, kinds, reasons))
    return outcomes


def scores(outcomes: list[Outcome]) -> dict[str, float]:
    """Precision and recall of the material verdict (a verdict counts only with the expected reason)."""
    tp = sum(1 for o in outcomes if o.case.label == "material" and o.correct)
    fn = sum(1 for o in outcomes if o.case.label == "material" and not o.correct)
    fp = sum(1 for o in outcomes if o.case.label == "minor" and o.flagged)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fn": fn, "fp": fp}
