"""Timing of compare() on the cases that matter, run by hand:

    python benchmarks/bench_compare.py [--runs N] [--slow]

1. a 300 KB policy with 60 scattered one-word edits: median compare() time
   (target: 50 ms or less, and at most 0.15x diff-match-patch's plain word-mode diff
   of the same pair, timed in the same process), with diff-match-patch's own
   character-mode time beside it;
2. a 50 KB policy rewritten from scratch (same headings, new paragraphs): compare()
   must answer in about a second, material, naming the rewritten sections
   (--slow also times diff-match-patch in word mode without a time-out);
3. 10 MB inputs: an edited copy and a rewrite, both answered in bounded time.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policywatch import compare  # noqa: E402
from policywatch.errors import InputTooLarge  # noqa: E402
from tests._diff_support import large_policy, rewritten, scatter_edits  # noqa: E402


def timed(fn, runs: int) -> tuple[float, object]:
    """Median wall-clock time of ``fn`` and its last result; CPU time goes to CPU_TIMES."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_TIMES.append(statistics.median(cpu))
    return statistics.median(times), result


# On a shared machine the wall clock also counts waiting for a CPU; process time does not.
CPU_TIMES: list[float] = []


def dmp_chars(old: str, new: str, timeout: float = 1.0):
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    return dmp.diff_main(old, new)


def dmp_words(old: str, new: str):
    import re

    from diff_match_patch import diff_match_patch

    table: dict[str, str] = {}

    def encode(text: str) -> str:
        return "".join(table.setdefault(t, chr(0x10000 + len(table))) for t in re.findall(r"\w+|\s+|[^\w\s]", text))

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    return dmp.diff_main(encode(old), encode(new), False)


def main(argv: list[str]) -> None:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 15
    print(f"python {sys.version.split()[0]}, {runs} runs each\n")

    old = large_policy(300_000)
    new, edited = scatter_edits(old, 60)
    compare(old, new)  # warm caches of rules and regular expressions
    median, result = timed(lambda: compare(old, new), runs)
    replaced = sum(1 for c in result.changes if c.kind == "replace")
    print(f"1. 300 KB ({len(old):,} chars), 60 scattered edits")
    cpu = CPU_TIMES[-1]
    print(
        f"   compare():              median {median * 1000:7.1f} ms  (CPU {cpu * 1000:.1f} ms)  -> {replaced} replaces"
    )
    dmp_median, diffs = timed(lambda: dmp_chars(old, new), max(3, runs // 3))
    equal = sum(len(t) for op, t in diffs if op == 0)
    kept = equal / len(old)
    dmp_cpu = CPU_TIMES[-1]
    print(f"   diff-match-patch chars: median {dmp_median * 1000:7.1f} ms  (CPU {dmp_cpu * 1000:.1f} ms)  ", end="")
    print(f"-> {kept:.1%} of the text kept equal")
    verdicts = ["met" if t <= 0.05 else "NOT met" for t in (median, cpu)]
    print(f"   target 50 ms: wall clock {verdicts[0]}, CPU {verdicts[1]}")
    words_median, _ = timed(lambda: dmp_words(old, new), max(3, runs // 3))
    ratio = cpu / CPU_TIMES[-1]
    print(f"   diff-match-patch words: median {words_median * 1000:7.1f} ms  (CPU {CPU_TIMES[-1] * 1000:.1f} ms)")
    print(f"   compare() / word-mode diff (CPU): {ratio:.3f}x, target 0.15x: {'met' if ratio <= 0.15 else 'NOT met'}")
    print(f"   load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs\n")

    old, new = rewritten(50_000)
    median, result = timed(lambda: compare(old, new), max(3, runs // 3))
    sections = [r for c in result.changes for r in c.reasons if r.startswith("section rewritten")]
    print(f"2. 50 KB rewrite ({len(old):,} -> {len(new):,} chars)")
    verdict = f"{result.classification}, {len(result.changes)} changes"
    print(f"   compare():              median {median * 1000:7.1f} ms  -> {verdict}")
    print(f"   sections named rewritten: {len(sections)}, e.g. {sections[0] if sections else '-'}")
    if "--slow" in argv:
        start = time.perf_counter()
        dmp_words(old, new)
        print(f"   diff-match-patch words, no time-out: {time.perf_counter() - start:.1f} s")
    print()

    big = large_policy(10 * 1024 * 1024 - 200_000)
    big_new, _ = scatter_edits(big, 200)
    start = time.perf_counter()
    result = compare(big, big_new)
    took = time.perf_counter() - start
    print(f"3. 10 MB ({len(big):,} chars), 200 edits: {took:.2f} s -> {len(result.changes)} changes")
    old10, new10 = rewritten(8_500_000)
    start = time.perf_counter()
    result = compare(old10, new10)
    took = time.perf_counter() - start
    verdict = f"{result.classification}, {len(result.changes)} changes"
    print(f"   {len(new10) / 2**20:.1f} MB rewrite: {took:.2f} s -> {verdict}")
    start = time.perf_counter()
    try:
        compare(big + big[:1_000_000], big_new)
    except InputTooLarge as exc:
        print(f"   over the limit: refused in {(time.perf_counter() - start) * 1000:.1f} ms ({exc})")


if __name__ == "__main__":
    main(sys.argv[1:])
