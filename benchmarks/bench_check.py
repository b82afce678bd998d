"""Wall time of `policywatch check` on 20 policies with 1,000 commits of history.

Builds the repository with `git fast-import` in a temporary folder (each commit
edits one policy; every fifth edit of a policy, and its last, is a release with
an annotated tag carrying a release record), then runs `policywatch check` as a
subprocess, as the pre-push hook does, and reports the median wall time.

    python benchmarks/bench_check.py [--runs 21] [--keep]

Two cases: every policy released (the usual push), and one unpublished material
change on top (the push the hook stops, which runs the comparison). Each is timed
through the hook's entry point (`python -m policywatch.check`) and the
`policywatch check` command; `policywatch --version` gives the command-line
framework's own start-up for comparison, and a bare `python -c pass` the floor
that the target is stated against: `policywatch check` on the usual push within
8 times the interpreter's own start-up. The two are run turn about, so that a
shared machine's drift weighs on both sides of the ratio alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policywatch.release.record import Release, tag_message

POLICIES = 20
COMMITS = 1_000
SEED = Path(__file__).resolve().parent.parent / "policies" / "zepp-privacy.md"
TARGET_MS = 250
TARGET_RATIO = 8  # `policywatch check` (usual push) against a bare `python -c pass`


def policy_text(slug: str, version: str, today: dt.date, clauses: int, body: str) -> str:
    extra = "".join(f"\nClause {n}: we keep records of request {n} for audit.\n" for n in range(clauses))
    return (
        f'---\ntitle: Policy {slug}\nversion: "{version}"\neffective: 2024-01-01\n'
        f"updated: {today.isoformat()}\n---\n# Policy {slug}\n\nEffective Date: January 1, 2024\n{body}{extra}"
    )


def data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def build(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    body = SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1].split("\n", 2)[2]
    body = body.replace("Effective Date: August 9, 2024", "")
    today = dt.date.today()
    edits = [0] * POLICIES
    total_edits = [COMMITS // POLICIES + (1 if i < COMMITS % POLICIES else 0) for i in range(POLICIES)]
    stream = bytearray()
    when = 1_700_000_000
    for k in range(COMMITS):
        i = k % POLICIES
        slug = f"policy-{i:02d}"
        edits[i] += 1
        n = edits[i]
        version = f"1.{n}"
        who = f"Bench <bench@example.com> {when + k * 60} +0000"
        stream += b"commit refs/heads/main\nmark :%d\ncommitter %s\n" % (k + 1, who.encode())
        stream += data(f"Edit {slug} ({n})\n")
        if k:
            stream += b"from :%d\n" % k
        stream += f"M 100644 inline policies/{slug}.md\n".encode()
        stream += data(policy_text(slug, version, today, n, body))
        if n % 5 == 0 or n == total_edits[i]:
            release = Release(
                policy=slug,
                title=f"Policy {slug}",
                path=f"policies/{slug}.md",
                version=version,
                previous_version=f"1.{n - 1}",
                classification="minor",
                effective=dt.date(2024, 1, 1),
                updated=today,
                published=today,
                tag=f"{slug}/v{version}",
                reasons=[f"minor: clause {n} added"],
            )
            stream += f"tag {release.tag}\nfrom :{k + 1}\ntagger {who}\n".encode()
            stream += data(tag_message(release))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


HOOK = [sys.executable, "-m", "policywatch.check"]
COMMAND = [str(Path(sys.executable).with_name("policywatch")), "check"]
FLOOR = [str(Path(sys.executable).with_name("policywatch")), "--version"]
BARE = [sys.executable, "-c", "pass"]


def run_once(root: Path, cmd: list[str]) -> tuple[float, float, int]:
    """Wall and CPU (user + system, the process and its git children) milliseconds, and the exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, proc.returncode


def time_check(root: Path, runs: int, cmd: list[str]) -> tuple[list[float], list[float], int]:
    for _ in range(2):
        run_once(root, cmd)
    walls, cpus, code = [], [], 0
    for _ in range(runs):
        wall, cpu, code = run_once(root, cmd)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, code


def time_alternately(root: Path, runs: int, first: list[str], second: list[str]) -> tuple[tuple, tuple]:
    """``time_check`` of two commands run turn about, so that a shared machine's drift weighs on both alike."""
    for _ in range(2):
        run_once(root, first)
        run_once(root, second)
    results: tuple[tuple[list, list, list], ...] = (([], [], [0]), ([], [], [0]))
    for _ in range(runs):
        for cmd, (walls, cpus, code) in zip((first, second), results, strict=True):
            wall, cpu, code[0] = run_once(root, cmd)
            walls.append(wall)
            cpus.append(cpu)
    return tuple((walls, cpus, code[0]) for walls, cpus, code in results)  # type: ignore[return-value]


def report(name: str, walls: list[float], cpus: list[float], code: int) -> None:
    median = statistics.median(walls)
    verdict = "ok" if median <= TARGET_MS else "OVER TARGET"
    print(
        f"{name:<40} wall median {median:6.1f} ms (min {min(walls):6.1f}, max {max(walls):6.1f}); "
        f"cpu median {statistics.median(cpus):6.1f} ms; exit {code}; target {TARGET_MS} ms: {verdict}"
    )


def report_ratio(command: tuple[list[float], list[float], int], bare: tuple[list[float], list[float], int]) -> None:
    wall = statistics.median(command[0]) / statistics.median(bare[0])
    cpu = statistics.median(command[1]) / statistics.median(bare[1])
    # Judged on the larger ratio: a loaded machine stretches a 10 ms start-up's wall time most.
    verdict = "ok" if max(wall, cpu) < TARGET_RATIO else "OVER TARGET"
    print(f"policywatch check / python -c pass: {wall:.1f}x wall, {cpu:.1f}x cpu; target < {TARGET_RATIO}x: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--keep", action="store_true", help="Keep the generated repository and print its path.")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (wall time grows with load; CPU time less so)")
    folder = Path(tempfile.mkdtemp(prefix="policywatch-bench-"))
    root = folder / "repo"
    try:
        start = time.perf_counter()
        build(root)
        commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True)
        tags = subprocess.run(["git", "tag"], cwd=root, capture_output=True, text=True).stdout.split()
        print(
            f"repository: {POLICIES} policies, {commits.stdout.strip()} commits, {len(tags)} release tags "
            f"(built in {time.perf_counter() - start:.1f} s)"
        )
        report("python -m policywatch.check (the hook)", *time_check(root, args.runs, HOOK))
        command, bare = time_alternately(root, args.runs, COMMAND, BARE)
        report("policywatch check", *command)
        report("python -c pass (the interpreter)", *bare)
        report_ratio(command, bare)
        report("policywatch --version (CLI start-up)", *time_check(root, args.runs, FLOOR))
        path = root / "policies" / "policy-00.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("we keep records", "we may sell records", 1), encoding="utf-8")
        subprocess.run(["git", "commit", "-qam", "Unpublished material edit"], cwd=root, check=True)
        report("hook, one unpublished material change", *time_check(root, args.runs, HOOK))
        report("command, one unpublished material change", *time_check(root, args.runs, COMMAND))
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
