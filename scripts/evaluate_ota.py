"""Score compare() on labelled revision pairs from Open Terms Archive's public policy histories.

    python scripts/evaluate_ota.py [--batch tuning|heldout|heldout2|...|heldout19] [--reasons N] [-v]
                                   [LABELS.tsv ...]

The histories (github.com/OpenTermsArchive/contrib-versions, vlopses-us-versions,
genai-eu-versions) are read where they lie, as bare git repositories under
$OTA_MIRROR (default /work/.mirror), in folders named OpenTermsArchive+<repo>/repo;
no text of theirs is copied into this repository. Each labels file
(scripts/ota_labels/, one per batch) has the columns repo, path, old commit,
new commit, label (material, minor or refuse), kind of change and a note, written
by reading the diff before the engine saw the pair.

Prints per repository: recall of material changes, specificity (minor changes
kept minor), refusals handled, the mistakes grouped by kind of change, and
compare()'s timing. A refusal is compare() raising a PolicywatchError: right for
pairs labelled refuse, a mistake for any other. ``--batch heldout`` to ``heldout18`` score the
eighteen held-out batches alone; they are spent (each scored once, then tuned on) and
``--batch tuning`` scores them with the tuning batches. The newest held-out batch (``UNSEEN``, heldout19:
revisions never labelled, of documents labelled before) is scored once, at the end of its round, never for tuning.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_basecamp import Tally, median_ms  # noqa: E402

MIRROR = Path(os.environ.get("OTA_MIRROR") or "/work/.mirror")
REPOS = ("contrib-versions", "vlopses-us-versions", "genai-eu-versions")
LABELS = Path(__file__).resolve().parent / "ota_labels"
# The eighteen held-out batches are spent (scored once, then used for tuning).
LABELS_OF = {
    "tuning": "tuning_*.tsv",
    "heldout": "heldout.tsv",
    "heldout2": "heldout2.tsv",
    "heldout3": "heldout3.tsv",
    "heldout4": "heldout4.tsv",
    "heldout5": "heldout5.tsv",
    "heldout6": "heldout6.tsv",
    "heldout7": "heldout7.tsv",
    "heldout8": "heldout8.tsv",
    "heldout9": "heldout9.tsv",
    "heldout10": "heldout10.tsv",
    "heldout11": "heldout11.tsv",
    "heldout12": "heldout12.tsv",
    "heldout13": "heldout13.tsv",
    "heldout14": "heldout14.tsv",
    "heldout15": "heldout15.tsv",
    "heldout16": "heldout16.tsv",
    "heldout17": "heldout17.tsv",
    "heldout18": "heldout18.tsv",
    "heldout19": "heldout19.tsv",
    "languages": "lang_*.tsv",
}
SPENT = tuple(f"heldout{n}.tsv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18))
# The newest held-out batch, scored once at the end of its round and never tuned on, warned about when run; None
# while every batch is spent.
UNSEEN: str | None = "heldout19"
REFUSED = "refused"


@dataclass(frozen=True)
class Pair:
    repo: str
    path: str
    old: str
    new: str
    label: str
    kind: str
    note: str


@dataclass
class Outcome:
    pair: Pair
    verdict: str  # material | minor | none | refused
    reasons: list[str]
    ms: float

    @property
    def correct(self) -> bool:
        if self.pair.label == "refuse":
            return self.verdict == REFUSED
        if self.verdict == REFUSED:
            return False
        return (self.verdict == "material") == (self.pair.label == "material")

    @property
    def mistake(self) -> str:
        """What went wrong, in the words of the issue: a false alarm, a miss, or a refusal gone wrong."""
        if self.correct:
            return ""
        if self.pair.label == "refuse":
            return f"not refused ({self.verdict})"
        if self.verdict == REFUSED:
            return "refused a policy"
        return "missed" if self.pair.label == "material" else "false alarm"


def read_labels(files: list[Path]) -> list[Pair]:
    pairs = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != 7 or cells[4] not in ("material", "minor", "refuse"):
                raise SystemExit(f"evaluate_ota: {file}:{number}: expected 7 columns with label material|minor|refuse")
            pairs.append(Pair(*cells))
    return pairs


def repository(repo: str) -> Path:
    return MIRROR / f"OpenTermsArchive+{repo}" / "repo"


def text(pair: Pair, commit: str) -> str:
    shown = subprocess.run(
        ["git", "-C", str(repository(pair.repo)), "show", f"{commit}:{pair.path}"],
        capture_output=True,
        check=False,
    )
    if shown.returncode:
        raise SystemExit(f"evaluate_ota: {pair.repo} {commit[:10]}:{pair.path}: {shown.stderr.decode().strip()}")
    return shown.stdout.decode("utf-8", errors="replace")


def judge(pair: Pair) -> Outcome:
    from policywatch import compare
    from policywatch.errors import PolicywatchError

    old, new = text(pair, pair.old), text(pair, pair.new)
    start = time.perf_counter()
    try:
        result = compare(old, new)
    except PolicywatchError as refusal:
        return Outcome(pair, REFUSED, [f"{type(refusal).__name__}: {refusal}"], (time.perf_counter() - start) * 1000)
    elapsed = (time.perf_counter() - start) * 1000
    shown = result.material_changes or result.changes
    reasons = [f"[{c.section}] {'; '.join(c.reasons)}" if c.section else "; ".join(c.reasons) for c in shown]
    return Outcome(pair, result.classification, reasons, elapsed)


def report(name: str, outcomes: list[Outcome], reasons: int, verbose: bool) -> Tally:
    """Print one corpus: each wrong pair (every pair with verbose), then its figures and mistakes by kind."""
    tally = Tally()
    print(f"\n== {name}: {len(outcomes)} pairs")
    for o in outcomes:
        if o.pair.label == "material":
            tally.add(o.verdict == "material", True)  # a refused material change is a miss
        elif o.pair.label == "minor":
            tally.add(o.verdict not in ("minor", "none"), False)  # a refused minor one is not kept minor
        if verbose or not o.correct:
            mark = "  " if o.correct else "✗ "
            print(
                f"{mark}{o.pair.label:<8} -> {o.verdict:<8} {o.ms:7.1f} ms  {o.pair.path} "
                f"{o.pair.old[:8]}..{o.pair.new[:8]}  [{o.pair.kind}] {o.pair.note}"
            )
            for reason in o.reasons[: reasons if not o.correct or verbose else 0]:
                print(f"        {reason}"[:200])
    refuse = [o for o in outcomes if o.pair.label == "refuse"]
    refused = sum(o.verdict == REFUSED for o in refuse)
    print(f"-- {name}:")
    print(f"   recall      {tally.tp}/{tally.tp + tally.fn} material found ({tally.recall():.1%})")
    print(f"   specificity {tally.tn}/{tally.tn + tally.fp} minor kept minor ({tally.specificity():.2f})")
    print(f"   refusals    {refused}/{len(refuse)} non-policies refused")
    mistakes = Counter((o.mistake, o.pair.kind) for o in outcomes if not o.correct)
    for (what, kind), count in sorted(mistakes.items(), key=lambda item: (item[0][0], -item[1], item[0][1])):
        print(f"   {what:<22} {kind:<18} {count}")
    print(f"   {median_ms([o.ms for o in outcomes])}, total {sum(o.ms for o in outcomes) / 1000:.1f} s")
    return tally


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*", type=Path, help="labels files (default: those of --batch)")
    parser.add_argument("--batch", choices=tuple(LABELS_OF), default="tuning")
    parser.add_argument("--reasons", type=int, default=2, help="reasons shown per wrong pair")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair, not only the wrong ones")
    args = parser.parse_args(argv)
    files = args.labels or sorted(LABELS.glob(LABELS_OF[args.batch]))
    if args.batch == "tuning" and not args.labels:
        files += [LABELS / name for name in SPENT]
    if not files:
        print(f"evaluate_ota: no labels for the {args.batch} batch in {LABELS}", file=sys.stderr)
        return 2
    if args.batch == UNSEEN and not args.labels:
        print(
            "evaluate_ota: WARNING: the held-out batch is scored once, at the end; "
            "do not tune on what it shows, and report its figures as they are.",
            file=sys.stderr,
        )
    pairs = read_labels(files)
    for repo in sorted({p.repo for p in pairs}):
        if not repository(repo).is_dir():
            print(f"evaluate_ota: {repository(repo)}: no such repository (set $OTA_MIRROR)", file=sys.stderr)
            return 2
    outcomes = [judge(p) for p in pairs]
    total = Tally()
    for repo in [r for r in REPOS if any(p.repo == r for p in pairs)] + sorted({p.repo for p in pairs} - set(REPOS)):
        part = report(repo, [o for o in outcomes if o.pair.repo == repo], args.reasons, args.verbose)
        for key in ("tp", "fp", "fn", "tn"):
            setattr(total, key, getattr(total, key) + getattr(part, key))
    refuse = [o for o in outcomes if o.pair.label == "refuse"]
    print(f"\nall {len(outcomes)} pairs ({', '.join(f.name for f in files)}):")
    print(f"   {total.summary()}")
    wrong = sum(o.verdict == REFUSED and o.pair.label != "refuse" for o in outcomes)
    print(f"   refusals {sum(o.verdict == REFUSED for o in refuse)}/{len(refuse)}, policies refused {wrong}")
    print(f"   {median_ms([o.ms for o in outcomes])}")
    return 0 if total.fn == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
