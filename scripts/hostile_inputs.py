"""Try a catalogue of ordinary mistakes and hostile inputs against the real `policywatch` command.

Each case builds a fresh git repository in a temporary folder, runs
``python -m policywatch ...`` (with this interpreter) as a subprocess, bounded by a
time-out, and classifies the outcome: clean, accepted, traceback, silent or wrong
(see scripts/hostile/harness.py and docs/robustness.md). Everything runs on this
machine: the SMTP servers are aiosmtpd on loopback, ``serve`` listens on loopback.

    python scripts/hostile_inputs.py                 # every case, a table per category
    python scripts/hostile_inputs.py --only serve    # one category (repeatable)
    python scripts/hostile_inputs.py --json          # machine-readable report
    python scripts/hostile_inputs.py --list          # the catalogue, without running it

It is a report: it exits 0 whenever it ran, whatever it found, and non-zero only
when the harness itself broke (a setup that failed, a template it could not build).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import catalogue  # noqa: E402
from hostile.harness import HARNESS_ERROR, OUTCOMES, Case, Context, Report, build_templates, run_case  # noqa: E402
from hostile.servers import SmtpServers  # noqa: E402

MAX_JOBS = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="CATEGORY", help="run only this category")
    parser.add_argument("--match", default="", metavar="TEXT", help="run only cases whose name holds TEXT")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS, choices=range(1, MAX_JOBS + 1), help="parallel cases")
    parser.add_argument("--verbose", "-v", action="store_true", help="show every case, not only the failures")
    args = parser.parse_args(argv)

    cases = select(catalogue.all_cases(), args.only, args.match)
    if not cases:
        print(f"no case matches (categories: {', '.join(catalogue.categories())})", file=sys.stderr)
        return 2
    if args.list:
        for case in cases:
            print(f"{case.category}\t{case.name}")
        print(f"{len(cases)} cases")
        return 0

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pw-hostile-templates-") as base, SmtpServers() as smtp:
        try:
            templates = build_templates(Path(base))
        except Exception as exc:  # the harness cannot run at all
            print(f"hostile_inputs: cannot build the template repositories: {exc}", file=sys.stderr)
            return 3
        ctx = Context(templates=templates, smtp=smtp)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            reports = list(pool.map(lambda case: run_case(case, ctx), cases))
    elapsed = time.monotonic() - start

    if args.json:
        print(json.dumps(as_json(reports, elapsed), indent=2, ensure_ascii=False))
    else:
        print_tables(reports, args.verbose)
        print(f"({elapsed:.0f} s)")
    broken = [r for r in reports if r.outcome == HARNESS_ERROR]
    for report in broken:
        print(f"hostile_inputs: harness error in {report.category} / {report.name}: {report.detail}", file=sys.stderr)
    return 3 if broken else 0


def select(cases: list[Case], only: list[str], match: str) -> list[Case]:
    wanted = [o.casefold() for o in only]
    chosen = [c for c in cases if not wanted or any(c.category.casefold().startswith(w) for w in wanted)]
    return [c for c in chosen if match.casefold() in c.name.casefold()]


def totals(reports: list[Report]) -> Counter:
    return Counter(r.outcome for r in reports)


def total_line(reports: list[Report]) -> str:
    counts = totals(reports)
    line = (
        f"{len(reports)} inputs: {counts['clean']} clean, {counts['accepted']} accepted, "
        f"{counts['traceback']} traceback, {counts['silent']} silent, {counts['wrong']} wrong"
    )
    if counts[HARNESS_ERROR]:
        line += f", {counts[HARNESS_ERROR]} harness errors"
    return line


def print_tables(reports: list[Report], verbose: bool) -> None:
    by_category: dict[str, list[Report]] = {}
    for report in reports:
        by_category.setdefault(report.category, []).append(report)
    for category, group in by_category.items():
        counts = totals(group)
        summary = ", ".join(f"{counts[o]} {o}" for o in (*OUTCOMES, HARNESS_ERROR) if counts[o])
        print(f"\n== {category} ({len(group)}: {summary})")
        width = max(len(r.name) for r in group)
        for report in group:
            if not verbose and report.outcome in ("clean", "accepted"):
                continue
            detail = report.detail.replace("\n", " ")[:140]
            print(f"  {report.outcome:<9}  {report.name:<{width}}  {detail}")
    print()
    print(total_line(reports))


def as_json(reports: list[Report], elapsed: float) -> dict:
    counts = totals(reports)
    return {
        "total": len(reports),
        "counts": {o: counts[o] for o in (*OUTCOMES, HARNESS_ERROR)},
        "summary": total_line(reports),
        "seconds": round(elapsed, 1),
        "cases": [r.as_dict() for r in reports],
    }


if __name__ == "__main__":
    sys.exit(main())
