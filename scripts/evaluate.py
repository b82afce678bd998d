"""Score the materiality rules on the labelled corpus in tests/corpus/.

    python scripts/evaluate.py [--verbose]

Prints precision and recall of the material verdict overall and per expected
reason kind (a material pair counts as found only when the expected reason is
given), then every pair the rules got wrong.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus import evaluate, scores  # noqa: E402


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv or "-v" in argv
    outcomes = evaluate()
    by_kind: dict[tuple[str, str], list] = defaultdict(list)
    for o in outcomes:
        by_kind[(o.case.label, o.case.kind)].append(o)
    print(f"{'label':<9} {'kind':<16} {'pairs':>5} {'correct':>7}  rate")
    for (label, kind), group in sorted(by_kind.items()):
        ok = sum(o.correct for o in group)
        print(f"{label:<9} {kind:<16} {len(group):>5} {ok:>7}  {ok / len(group):.0%}")
    total = scores(outcomes)
    print()
    material = total["tp"] + total["fn"]
    print(f"pairs: {len(outcomes)} (material {material}, minor {len(outcomes) - material})")
    print(f"precision: {total['precision']:.1%}  (false alarms: {total['fp']})")
    print(f"recall:    {total['recall']:.1%}  (missed: {total['fn']})")
    for o in outcomes:
        if not o.correct or verbose:
            mark = "ok  " if o.correct else "MISS" if o.case.label == "material" else "FALSE"
            print(f"{mark} {o.case.id}: expected {o.case.label}/{o.case.kind}, got {o.classification} {o.kinds}")
            if verbose or not o.correct:
                for reason in o.reasons[:3]:
                    print(f"       {reason}")
    return 0 if total["recall"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
