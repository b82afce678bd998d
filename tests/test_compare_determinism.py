"""compare() answers from the two texts alone: no clock, no machine load, and shares that add up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from policywatch import compare
from tests._diff_support import large_policy, policy, rewritten, scatter_edits


def as_json(old: str, new: str) -> str:
    return json.dumps(compare(old, new).to_json(), sort_keys=True)


def crawling_clock(monkeypatch) -> None:
    """Every reading of the clock is ten seconds after the last: the slowest machine there could be."""
    now = [time.time()]

    def tick(*_):
        now[0] += 10.0
        return now[0]

    for name in ("time", "perf_counter", "monotonic", "process_time"):
        monkeypatch.setattr(time, name, tick)


def test_a_rewrite_gets_the_same_answer_however_slow_the_clock_runs(monkeypatch):
    old, new = rewritten(50_000)
    expected = as_json(old, new)
    crawling_clock(monkeypatch)
    assert as_json(old, new) == expected


def test_scattered_edits_get_the_same_answer_however_slow_the_clock_runs(monkeypatch):
    old = large_policy(100_000)
    new, _ = scatter_edits(old, 20)
    expected = as_json(old, new)
    crawling_clock(monkeypatch)
    assert as_json(old, new) == expected


REWRITE_IN_A_CHILD = """
import json, sys
from policywatch import compare
from tests._diff_support import seed
print(json.dumps(compare(seed("zepp-privacy"), seed("fitbit-store-privacy")).to_json(), sort_keys=True))
"""


def test_a_rewrite_gets_the_same_answer_in_every_process():
    # Paragraphs are paired by the words they share; set order differs between processes, pairing must not.
    root = Path(__file__).resolve().parent.parent
    outputs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", REWRITE_IN_A_CHILD], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_the_diff_engine_reads_no_clock():
    root = Path(__file__).resolve().parent.parent / "policywatch" / "engine"
    for name in ("diff.py", "comparison.py", "materiality.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import time|from time import)|perf_counter|monotonic", source, re.M), name


def test_a_50kb_rewrite_is_material_with_its_sections_named():
    old, new = rewritten(50_000)
    result = compare(old, new)
    assert result.classification == "material"
    named = [r for c in result.changes for r in c.reasons if r.startswith("section rewritten: Part ")]
    assert len(named) >= 3


ALPHA = (
    "We collect your name and email address when you sign up for an account with us. "
    "We use them to run the service you asked for. We never keep them longer than needed."
)
BETA = " ".join(
    f"Clause {n} describes how partner number {n} may receive aggregated statistics about usage." for n in range(12)
)


def test_a_rewritten_share_counts_only_words_from_that_sections_old_text():
    # One delete runs from the end of Alpha through all of Beta: Beta was rewritten, Alpha was not.
    old = policy(f"## Alpha\n\n{ALPHA}\n\n## Beta\n\n{BETA}")
    new = policy(f"## Alpha\n\n{ALPHA.rsplit(' We never', 1)[0]}")
    named = [r for c in compare(old, new).changes for r in c.reasons if r.startswith("section rewritten")]
    assert named == ["section rewritten: Beta (100% of its words replaced)"]


def test_no_rewritten_share_passes_100_percent():
    old, new = rewritten(50_000)
    shares = [
        int(m.group(1))
        for c in compare(old, new).changes
        for r in c.reasons
        if (m := re.match(r"section rewritten: .* \((\d+)% of its words replaced\)", r))
    ]
    assert shares and max(shares) <= 100
