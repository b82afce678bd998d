"""Score the materiality rules on a labelled corpus.

    python scripts/evaluate.py [--corpus labelled|heldout] [--verbose]

``labelled`` (the default) is tests/corpus/, written alongside the rules: it
prints precision and recall overall and per expected reason kind (a material
pair counts as found only when the expected reason is given). ``heldout`` is
tests/corpus_heldout/, written without looking at the rules and labelled by
legal judgement: a material pair counts as found when the verdict is material.
Both then list every pair the rules got wrong (every pair with --verbose).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _labelled(verbose: bool) -> int:
    from tests.corpus import evaluate, scores

    outcomes = evaluate()
    by_kind: dict[tuple[str, str], list] = defaultdict(list)
    for o in outcomes:
        by_kind[(o.case.label, o.case.kind)].append(o)
    print(f"{'label':<9} {'kind':<16} {'pairs':>5} {'correct':>7}  rate")
    for (label, kind), group in sorted(by_kind.items()):
        ok = sum(o.correct for o in group)
        print(f"{label:<9} {kind:<16} {len(group):>5} {ok:>7}  {ok / len(group):.0%}")
    total = scores(outcomes)
    _totals(len(outcomes), total)
    for o in outcomes:
        if not o.correct or verbose:
            mark = "ok  " if o.correct else "MISS" if o.case.label == "material" else "FALSE"
            print(f"{mark} {o.case.id}: expected {o.case.label}/{o.case.kind}, got {o.classification} {o.kinds}")
            for reason in o.reasons[:3]:
                print(f"       {reason}")
    return 0 if total["recall"] == 1.0 else 1


def _heldout(verbose: bool) -> int:
    from tests.corpus_heldout import evaluate, scores

    outcomes = evaluate()
    total = scores(outcomes)
    for batch in sorted({o.case.batch for o in outcomes}):
        group = [o for o in outcomes if o.case.batch == batch]
        part = scores(group)
        print(f"batch {batch}: {len(group)} pairs, precision {part['precision']:.1%}, recall {part['recall']:.1%}")
    _totals(len(outcomes), total)
    for o in outcomes:
        if not o.correct or verbose:
            mark = "ok  " if o.correct else "MISS" if o.case.label == "material" else "FALSE"
            print(f"{mark} {o.case.id} (batch {o.case.batch}): labelled {o.case.label}, got {o.classification}")
            print(f"       why: {o.case.why}")
            for reason in o.reasons[:3]:
                print(f"       {reason}")
    return 0 if total["recall"] == 1.0 else 1


def _totals(pairs: int, total: dict[str, float]) -> None:
    material = total["tp"] + total["fn"]
    print()
    print(f"pairs: {pairs} (material {material}, minor {pairs - material})")
    print(f"precision: {total['precision']:.1%}  (false alarms: {total['fp']})")
    print(f"recall:    {total['recall']:.1%}  (missed: {total['fn']})")
    minor = pairs - material
    kept = minor - total["fp"]
    print(f"specificity: {kept / max(1, minor):.1%}  (minor kept minor: {kept} of {minor})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Score the materiality rules on a labelled corpus.")
    parser.add_argument("--corpus", choices=("labelled", "heldout"), default="labelled")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair, not only the wrong ones")
    args = parser.parse_args(argv)
    return _heldout(args.verbose) if args.corpus == "heldout" else _labelled(args.verbose)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
