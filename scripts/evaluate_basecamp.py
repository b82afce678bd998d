"""Run compare() over a real policy history: 37signals' (Basecamp) policies, 2018-2023.

    python scripts/evaluate_basecamp.py [CORPUS] [--reasons N]

CORPUS defaults to $BASECAMP_POLICIES, else ../shared/corpus/basecamp-policies beside
this repository (the history of github.com/basecamp/policies, CC BY 4.0), and is read where it lies:
one folder per document, each with numbered versions and a versions.tsv giving
the date and commit subject of each. Prints, for every revision, the verdict,
the number of changes, the time compare() took, the commit subject and the first
reasons, then a summary per document. When scripts/basecamp_labels.tsv labels the
revisions (material or minor, by reading each diff), each line is marked where the
verdict disagrees, and recall, specificity and precision of the material verdict are printed.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policywatch import compare  # noqa: E402

DEFAULT = Path(
    os.environ.get("BASECAMP_POLICIES")
    or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "basecamp-policies"
)
LABELS = Path(__file__).resolve().parent / "basecamp_labels.tsv"


@dataclass
class Tally:
    """Verdicts against labels: material flagged (tp), missed (fn), minor flagged (fp) or kept (tn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, flagged: bool, material: bool) -> bool:
        """Count one labelled verdict; True when it agrees with the label."""
        key = ("t" if flagged == material else "f") + ("p" if flagged else "n")
        setattr(self, key, getattr(self, key) + 1)
        return key[0] == "t"

    @property
    def pairs(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    def specificity(self) -> float:
        """Share of minor revisions kept minor: every false alarm costs a major version and a notice."""
        return self.tn / max(1, self.tn + self.fp)

    def summary(self) -> str:
        return (
            f"recall {self.recall():.1%} ({self.tp}/{self.tp + self.fn}, {self.fn} missed), "
            f"specificity {self.specificity():.1%} ({self.tn}/{self.tn + self.fp}, {self.fp} false alarms), "
            f"precision {self.precision():.1%}"
        )


def median_ms(times: list[float]) -> str:
    return f"compare() median {statistics.median(times):.1f} ms, max {max(times):.1f} ms" if times else "no timings"


def labels() -> dict[tuple[str, str], str]:
    if not LABELS.is_file():
        return {}
    out = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            folder, seq, label, *_ = line.split("\t")
            out[(folder, seq)] = label
    return out


def versions(folder: Path) -> list[tuple[Path, dict[str, str]]]:
    with (folder / "versions.tsv").open(encoding="utf-8") as fh:
        rows = {int(r["seq"]): r for r in csv.DictReader(fh, delimiter="\t")}
    files = sorted(p for p in folder.glob("*.md"))
    return [(p, rows.get(int(p.name.split("-")[0]), {})) for p in files]


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    show = int(argv[argv.index("--reasons") + 1]) if "--reasons" in argv else 2
    if "--reasons" in argv:
        args.remove(str(show))
    root = Path(args[0]) if args else DEFAULT
    if not root.is_dir():
        print(f"evaluate_basecamp: {root}: no such folder", file=sys.stderr)
        return 2
    known = labels()
    score = Tally()
    for folder in sorted(p for p in root.iterdir() if (p / "versions.tsv").is_file()):
        history = versions(folder)
        print(f"\n== {folder.name}: {len(history)} versions")
        counts = {"material": 0, "minor": 0, "none": 0}
        times = []
        for (old_path, _), (new_path, row) in zip(history, history[1:], strict=False):
            old, new = old_path.read_text(encoding="utf-8"), new_path.read_text(encoding="utf-8")
            start = time.perf_counter()
            result = compare(old, new)
            elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            counts[result.classification] += 1
            material = result.material_changes
            expected = known.get((folder.name, new_path.name[:3]))
            flagged = result.classification == "material"
            mark = " "
            if expected:
                mark = " " if score.add(flagged, expected == "material") else "✗"
            print(
                f"{mark}{new_path.name[:3]} {row.get('date', '?'):<10} {result.classification:<8} "
                f"{len(material):>3}/{len(result.changes):<3} changes {elapsed:6.1f} ms  {row.get('subject', '')[:70]}"
            )
            for change in (material or result.changes)[:show]:
                where = f"[{change.section}] " if change.section else ""
                print(f"        {where}{change.reasons[0] if change.reasons else ''}"[:160])
        print(
            f"-- {folder.name}: material {counts['material']}, minor {counts['minor']}, none {counts['none']}; "
            f"{median_ms(times)}"
        )
    if score.pairs:
        print(f"\nagainst {LABELS.name} ({score.pairs} revisions, {score.tp + score.fn} labelled material):")
        print(score.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
