"""Counts in messages: "1 policy", "2 policies", never "1 policies" or "release(s)"."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun`` in the number that fits it; "policy" becomes "policies", "entry" "entries"."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"
