"""Instructions compare() and diff-match-patch's word-mode diff execute on the 300 KB / 60 edits case, run by hand:

    python benchmarks/count_instructions.py

CPU time on a shared machine varies by up to 2x from one minute to the next; the number of instructions a
run executes does not (valgrind's callgrind counts them, whatever else the machine is doing). Each side is
counted twice in a child process, once with no run and once with two runs after the same warm-up, and the
difference halved: start-up, imports and warm-up cancel out. String hashing is seeded the same each time.
Needs valgrind (Debian package ``valgrind``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys
sys.path[:0] = [{root!r}, {bench!r}]
from policywatch import compare
from bench_compare import dmp_words
from tests._diff_support import large_policy, scatter_edits
old = large_policy(300_000)
new, _ = scatter_edits(old, 60)
run = compare if {what!r} == "compare" else dmp_words
run(old[:5000], new[:5000])
compare(old, new) if {what!r} == "compare" else None
for _ in range({runs}):
    run(old, new)
"""


def instructions(what: str, runs: int) -> int:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), what=what, runs=runs)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # the same hashes, so the same dict and set layouts, every time
    )
    counted = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not counted:
        last = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("==")][-1:]
        last = last or ["no output"]  # the run's own last word, not valgrind's summary
        raise SystemExit(f"count_instructions: the {what} run failed (exit {done.returncode}): {last[0]}")
    return int(counted.group(1))


def per_run(what: str) -> int:
    # One uncounted run first writes the bytecode of every module the runs import, so that neither count
    # includes compiling them (on a fresh checkout that alone added some 200 M to compare()'s figure).
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), what=what, runs=0)
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    return (instructions(what, 2) - instructions(what, 0)) // 2


def main() -> int:
    if not shutil.which("valgrind"):
        print("count_instructions: valgrind is not installed", file=sys.stderr)
        return 2
    ours, theirs = per_run("compare"), per_run("words")
    print(f"300 KB, 60 scattered edits: compare() {ours:,} instructions, word-mode diff {theirs:,}")
    verdict = "met" if ours <= 0.15 * theirs else "NOT met"
    print(f"compare() / word-mode diff: {ours / theirs:.3f}x (target 0.15x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
