"""The ``re`` module, but with patterns compiled on first use rather than when they are written down.

The engine holds about 140 patterns (its modules' own and those of ``rules/*.toml``);
compiling them all costs more than comparing a small policy, and the push check
compares just one. A module imports this in place of ``re`` (``from policywatch.engine
import lazyre as re``) and everything else reads as before: ``re.compile`` hands back a
stand-in that compiles the pattern the first time it is used and from then on passes
straight to the compiled pattern's own methods.
"""

from __future__ import annotations

import re as _re
from re import (  # noqa: F401  (re-exported: the rest of ``re`` as it is)
    ASCII,
    DOTALL,
    IGNORECASE,
    MULTILINE,
    UNICODE,
    VERBOSE,
    A,
    I,
    M,
    Match,
    Pattern,
    S,
    U,
    X,
    error,
    escape,
    findall,
    finditer,
    fullmatch,
    match,
    search,
    split,
    sub,
    subn,
)

# The methods a compiled pattern answers; after the first use each is the compiled pattern's own.
_METHODS = ("match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split", "scanner")


class LazyPattern:
    """A pattern not compiled yet: the first call of any of its methods compiles it."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> Pattern[str]:
        rx = _re.compile(self.pattern, self._flags)
        for name in _METHODS:
            setattr(self, name, getattr(rx, name))
        self.compiled = lambda: rx  # type: ignore[method-assign]
        return rx

    def __getattr__(self, name: str):
        # Called only for what the instance does not hold yet: a method before the first compile, or
        # another attribute of a compiled pattern (flags, groups, groupindex).
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazyre.compile({self.pattern!r}, {self._flags})"


def compile(pattern: str | LazyPattern | Pattern[str], flags: int = 0) -> LazyPattern | Pattern[str]:  # noqa: A001
    """A pattern compiled when it is first used (an already compiled pattern is returned as it is)."""
    if isinstance(pattern, (LazyPattern, _re.Pattern)):
        if flags:
            raise ValueError("cannot process flags argument with a compiled pattern")
        return pattern
    return LazyPattern(pattern, flags)
