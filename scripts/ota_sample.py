"""Draw revision pairs from Open Terms Archive histories for labelling, deterministically.

    python scripts/ota_sample.py [--seed N] [--out FOLDER] [--fresh]

Reads the three histories where they lie ($OTA_MIRROR, see evaluate_ota.py) and
writes, per batch, a TSV of pairs with empty labels (repo, path, old commit,
new commit) for a person to label by reading each diff. A pair is one recorded
change of one privacy policy or terms document and the version before it.
Documents drawn for the held-out batch are never drawn for a tuning batch, so the
held-out batch is text the engine was not tuned on. Most pairs are small edits,
as most recorded changes are; a few pairs per repository are drawn from changes
that shrank the text to under a third, where scraping failures (error pages)
hide, and a few held-out pairs from larger changes (41 to 200 changed lines).
``--fresh`` draws one more held-out batch, from documents that no labels file in
scripts/ota_labels/ holds (used with a seed of its own: 2 for heldout2.tsv, 3 for
heldout3.tsv, and 4 to 11 with --scale 3 for heldout4.tsv to heldout11.tsv, when few
documents were left unlabelled). ``--wider`` lets a fresh batch draw the other documents
that bind users or govern their data too (acceptable use, sales conditions, controller
agreements …): seed 12 with --scale 2 --wider for heldout12.tsv, when every privacy policy
and terms document had been labelled, and seed 13 with --scale 3 --wider for heldout13.tsv.
``--guidelines`` adds community guidelines, copyright claims, complaints and law enforcement
guidelines: seed 14 with --scale 3 --guidelines for heldout14.tsv, when every document --wider
draws had been labelled. ``--revisions`` draws revisions never labelled of documents labelled before (less
independent of the tuning material: the same pages, their furniture already met): seed 15 with --scale 2
--guidelines --revisions for heldout15.tsv, when every document --guidelines draws had been labelled.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_ota import LABELS, repository  # noqa: E402

DOCUMENTS = {
    "Privacy Policy",
    "Business Privacy Policy",
    "Terms of Service",
    "Terms of Use",
    "Terms and Conditions",
    "Commercial Terms",
    "Developer Terms",
    "Data Processor Agreement",
    "Trackers Policy",
}
# With --wider, a fresh batch also draws the other documents that bind users or govern their data, once the
# privacy policies and terms above had all been labelled: rules of use, sales conditions, agreements.
WIDER = DOCUMENTS | {
    "Acceptable Use Policy",
    "Restricted Use Policy",
    "User Consent Policy",
    "Data Controller Agreement",
    "Parent Organization Privacy Policy",
    "Parent Organization Terms",
    "Marketplace Sellers Conditions",
    "General Conditions of Sale",
    "In-App Purchases Policy",
    "Seller Warranty",
    "Premium Partner Conditions",
    "Service Level Agreement",
    "Affiliate Agreement",
    "Single Sign-On Policy",
}
# With --guidelines, once every document above had been labelled too: the rules a platform sets for what users
# post, its process for copyright claims and complaints, and what it discloses to the authorities.
GUIDELINES = WIDER | {
    "Community Guidelines",
    "Copyright Claims Policy",
    "Law Enforcement Guidelines",
    "Complaints Policy",
    "Content Monetisation Policy",
    "Ad Publishing Policy",
}
RECORDED = ("Record new changes", "Update ")
MAX_LINES = 40
MAX_CHARS = 400_000
# (repo, tuning pairs, shrunk tuning pairs, held-out pairs, shrunk held-out pairs, larger held-out pairs)
PLAN = (
    ("contrib-versions", 48, 4, 15, 1, 4),
    ("vlopses-us-versions", 36, 3, 12, 1, 3),
    ("genai-eu-versions", 28, 2, 10, 1, 3),
)
LARGER = (MAX_LINES + 1, 200)
# A fresh held-out batch (--fresh), from documents no labels file holds: (repo, small, shrunk, larger pairs).
FRESH = (
    ("contrib-versions", 18, 1, 3),
    ("vlopses-us-versions", 13, 1, 3),
    ("genai-eu-versions", 11, 1, 2),
)


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repository(repo)), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pairs(repo: str, documents: set[str] = DOCUMENTS) -> list[tuple[str, str, str]]:
    """Every (path, old, new) where new is a recorded change of path and old the version before it."""
    log = git(repo, "log", "--format=C %H|%s", "--name-only", "--no-renames", "--", *[f"*/{d}.md" for d in documents])
    history: dict[str, list[tuple[str, str]]] = defaultdict(list)
    commit = subject = ""
    for line in log.splitlines():
        if line.startswith("C "):
            commit, subject = line[2:].split("|", 1)
        elif line.strip() and line.count("/") == 1 and line.split("/")[1][:-3] in documents:
            history[line].append((commit, subject))
    out = []
    for path, versions in history.items():
        for (new, subject), (old, _) in zip(versions, versions[1:], strict=False):
            if subject.startswith(RECORDED):
                out.append((path, old, new))
    return sorted(out)


def sizes(repo: str, path: str, old: str, new: str) -> tuple[int, int, int]:
    """Changed lines, old length, new length."""
    stat = git(repo, "diff", "--numstat", old, new, "--", path).split()
    changed = int(stat[0]) + int(stat[1]) if stat and stat[0] != "-" else 0
    lengths = [int(git(repo, "cat-file", "-s", f"{c}:{path}")) for c in (old, new)]
    return changed, *lengths


def labelled(revisions: bool = False) -> set[tuple[str, ...]]:
    """Every (repo, document) in a labels file already written: a fresh batch draws none of them. With
    ``revisions``, every (repo, document, new commit) labelled: a batch of revisions never labelled draws none."""
    found: set[tuple[str, ...]] = set()
    for file in LABELS.glob("*.tsv"):
        for line in file.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) == 7 and not line.startswith("#"):
                found.add((cells[0], cells[1], cells[3]) if revisions else (cells[0], cells[1]))
    return found


def draw(
    repo: str,
    plan: tuple[int, ...],
    rng: random.Random,
    exclude: set[tuple[str, str]] | None = None,
    documents: set[str] = DOCUMENTS,
) -> dict[str, list[tuple[str, ...]]]:
    """Pairs of one repository per batch. With ``exclude`` (a fresh batch), every document not labelled
    before is held out, and the pairs all go to the held-out batch."""
    tuning, tuning_shrunk, held, held_shrunk, _ = plan
    candidates = [
        p
        for p in pairs(repo, documents)
        if exclude is None or ((repo, p[0]) not in exclude and (repo, p[0], p[2]) not in exclude)
    ]
    by_path: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for pair in candidates:
        by_path[pair[0]].append(pair)
    paths = sorted(by_path)
    rng.shuffle(paths)
    services = sorted({p.split("/")[0] for p in paths})
    rng.shuffle(services)
    held_services = set(services if exclude is not None else services[: max(1, len(services) // 4)])
    out: dict[str, list[tuple[str, ...]]] = {"tuning": [], "heldout": []}
    want = {"tuning": (tuning, tuning_shrunk), "heldout": (held, held_shrunk)}
    used: set[str] = set()
    for _ in range(6):  # several rounds, one pair per document per round, until the batches are full
        for path in paths:
            batch = "heldout" if path.split("/")[0] in held_services else "tuning"
            small_wanted, shrunk_wanted = want[batch]
            small = sum(1 for p in out[batch] if p[-1] == "small")
            shrunk = sum(1 for p in out[batch] if p[-1] == "shrunk")
            if small >= small_wanted and shrunk >= shrunk_wanted:
                continue
            options = [p for p in by_path[path] if p[2] not in used]
            rng.shuffle(options)
            for _, old, new in options[:8]:
                changed, old_len, new_len = sizes(repo, path, old, new)
                if not changed or max(old_len, new_len) > MAX_CHARS:
                    continue
                kind = "shrunk" if new_len < old_len / 3 else "small" if changed <= MAX_LINES else ""
                if (kind == "small" and small < small_wanted) or (kind == "shrunk" and shrunk < shrunk_wanted):
                    out[batch].append((repo, path, old, new, kind))
                    used.add(new)
                    break
    out["heldout"] += larger(repo, plan[4], by_path, held_services, used, random.Random(f"{rng.random()}:larger"))
    return out


def larger(
    repo: str, wanted: int, by_path: dict, held_services: set[str], used: set[str], rng: random.Random
) -> list[tuple[str, ...]]:
    """A few held-out pairs with more changed lines than the small ones, where material changes are likelier.

    Drawn after the rest, from a generator of their own, so adding them left the other draws as they were.
    """
    paths = sorted(p for p in by_path if p.split("/")[0] in held_services)
    rng.shuffle(paths)
    out: list[tuple[str, ...]] = []
    for path in paths:
        options = [p for p in by_path[path] if p[2] not in used]
        rng.shuffle(options)
        for _, old, new in options[:8]:
            changed, old_len, new_len = sizes(repo, path, old, new)
            if LARGER[0] <= changed <= LARGER[1] and max(old_len, new_len) <= MAX_CHARS and new_len >= old_len / 3:
                out.append((repo, path, old, new, "larger"))
                break
        if len(out) == wanted:
            break
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ota-draw"))
    parser.add_argument("--fresh", action="store_true", help="one held-out batch of documents never labelled before")
    parser.add_argument("--scale", type=int, default=1, help="with --fresh: draw this many times the usual pairs")
    parser.add_argument("--wider", action="store_true", help="with --fresh: draw from rules of use and agreements too")
    parser.add_argument(
        "--guidelines", action="store_true", help="with --fresh: draw from community and law enforcement guidelines too"
    )
    parser.add_argument(
        "--revisions", action="store_true", help="with --fresh: revisions never labelled, of documents labelled before"
    )
    args = parser.parse_args(argv)
    if (args.wider or args.guidelines or args.revisions or args.scale != 1) and not args.fresh:
        parser.error("--wider, --guidelines, --revisions and --scale shape a fresh batch: use them with --fresh")
    for repo, *_ in PLAN:
        if not repository(repo).is_dir():
            print(f"ota_sample: {repository(repo)}: no such repository (set $OTA_MIRROR)", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        exclude = labelled(args.revisions)
        rows = []
        for repo, small, shrunk, large in FRESH:
            plan = (0, 0, small * args.scale, shrunk * args.scale, large * args.scale)
            documents = GUIDELINES if args.guidelines else WIDER if args.wider else DOCUMENTS
            drawn = draw(repo, plan, random.Random(f"{args.seed}:{repo}"), exclude, documents)
            rows += sorted(drawn["heldout"])
        if not rows:
            print(
                f"ota_sample: no pair left to draw: every one is among the {len(exclude)} labelled before",
                file=sys.stderr,
            )
            return 1
        name = args.out / "heldout_fresh.tsv"
        name.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
        what = "revisions" if args.revisions else "documents"
        print(f"{name}: {len(rows)} pairs, none of the {len(exclude)} {what} labelled before")
        return 0
    for repo, *plan in PLAN:
        drawn = draw(repo, tuple(plan), random.Random(f"{args.seed}:{repo}"))
        for batch, rows in drawn.items():
            name = args.out / f"{batch}_{repo.split('-')[0]}.tsv"
            name.write_text("".join("\t".join(r) + "\n" for r in sorted(rows)), encoding="utf-8")
            print(f"{name}: {len(rows)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
