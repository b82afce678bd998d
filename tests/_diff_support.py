"""Texts for the diff engine's tests: the bundled policies and large synthetic ones built from them."""

from __future__ import annotations

import random
import re
from pathlib import Path

from policywatch import compare
from policywatch.engine.comparison import Change

SEEDS = Path(__file__).resolve().parent.parent / "policies"


def seed(name: str = "zepp-privacy") -> str:
    return (SEEDS / f"{name}.md").read_text(encoding="utf-8")


def policy(body: str, title: str = "Privacy Policy") -> str:
    """A small policy file with front matter around ``body``."""
    return f'---\ntitle: {title}\nversion: "1.0"\n---\n# {title}\n\n{body.strip()}\n'


def judged(old: str, new: str, **kw) -> Change:
    """The one change compare() finds between two small policies around ``old`` and ``new``."""
    result = compare(policy(old), policy(new), **kw)
    assert len(result.changes) == 1, result.changes
    return result.changes[0]


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip() and not p.startswith("---")]


def large_policy(size: int, seed_value: int = 7) -> str:
    """A policy of about ``size`` characters: the seed paragraphs, numbered so no two are equal."""
    rng = random.Random(seed_value)
    source = [p for p in paragraphs(seed()) if not p.startswith("#") and len(p) > 80]
    out = ["# Large Policy"]
    n = 0
    total = 0
    while total < size:
        if n % 12 == 0:
            out.append(f"## Part {n // 12 + 1}")
        para = f"Clause {n + 1}. " + rng.choice(source)
        out.append(para)
        total += len(para) + 2
        n += 1
    return "\n\n".join(out) + "\n"


def scatter_edits(text: str, count: int, seed_value: int = 11) -> tuple[str, list[int]]:
    """Change one word in ``count`` different paragraphs; returns the new text and the edited clause numbers."""
    rng = random.Random(seed_value)
    paras = text.split("\n\n")
    candidates = [i for i, p in enumerate(paras) if p.startswith("Clause ")]
    chosen = sorted(rng.sample(candidates, count))
    for i in chosen:
        words = paras[i].split(" ")
        k = rng.randrange(3, len(words) - 1)
        words[k] = "zyxcorp"
        paras[i] = " ".join(words)
    return "\n\n".join(paras), chosen


def rewritten(size: int) -> tuple[str, str]:
    """A policy of about ``size`` characters and the same headings over paragraphs written afresh."""
    rng = random.Random(3)
    old = large_policy(size)
    fresh = [p for p in paragraphs(seed("fitbit-store-privacy")) if not p.startswith("#") and len(p) > 80]
    words = " ".join(fresh).split()
    out = []
    for block in old.split("\n\n"):
        if block.startswith("#"):
            out.append(block)
        else:
            n = len(block.split())
            start = rng.randrange(0, max(1, len(words) - n))
            out.append(" ".join(words[start : start + n]))
    return old, "\n\n".join(out)
