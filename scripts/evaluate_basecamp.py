"""Run compare() over a real policy history: 37signals' (Basecamp) policies, 2018-2023.

    python scripts/evaluate_basecamp.py [CORPUS] [--reasons N]

CORPUS defaults to $BASECAMP_POLICIES, else ../shared/corpus/basecamp-policies beside
this repository (the history of github.com/basecamp/policies, CC BY 4.0), and is read where it lies:
one folder per document, each with numbered versions and a versions.tsv giving
the date and commit subject of each. Prints, for every revision, the verdict,
the number of changes, the time compare() took, the commit subject and the first
reasons, then a summary per document. When scripts/basecamp_labels.tsv labels the
revisions (material or minor, by reading each diff), each line is marked where the
verdict disagrees, and precision and recall of the material verdict are printed.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policywatch import compare  # noqa: E402

DEFAULT = Path(
    os.environ.get("BASECAMP_POLICIES")
    or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "basecamp-policies"
)
LABELS = Path(__file__).resolve().parent / "basecamp_labels.tsv"


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
    score = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
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
                key = ("t" if flagged == (expected == "material") else "f") + ("p" if flagged else "n")
                score[key] += 1
                mark = " " if key[0] == "t" else "✗"
            print(
                f"{mark}{new_path.name[:3]} {row.get('date', '?'):<10} {result.classification:<8} "
                f"{len(material):>3}/{len(result.changes):<3} changes {elapsed:6.1f} ms  {row.get('subject', '')[:70]}"
            )
            for change in (material or result.changes)[:show]:
                where = f"[{change.section}] " if change.section else ""
                print(f"        {where}{change.reasons[0] if change.reasons else ''}"[:160])
        print(
            f"-- {folder.name}: material {counts['material']}, minor {counts['minor']}, none {counts['none']}; "
            f"compare() median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        )
    if any(score.values()):
        tp, fp, fn = score["tp"], score["fp"], score["fn"]
        print(f"\nagainst {LABELS.name} ({sum(score.values())} revisions, {tp + fn} labelled material):")
        print(
            f"precision {tp / max(1, tp + fp):.1%} ({fp} false alarms), recall {tp / max(1, tp + fn):.1%} ({fn} missed)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
