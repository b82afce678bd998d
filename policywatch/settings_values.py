"""Reading settings values: one place that checks types and ranges for every section of the config.

Each section (the top-level settings, ``[email]``, ``[[webhooks]]``, ``[site]``,
``[notify]``, ``[materiality]``, ``[database]``) reads its table through ``Table``,
so a wrong type, a value out of range or a mistyped key fails the same way
everywhere, with a message that names the file and the key. The error class is
a parameter: each section keeps its own exception and exit code. This module
imports nothing of policywatch's, so the engine may use it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_MISSING = object()


def must(error: type[Exception], label: str, what: str, value: Any = _MISSING) -> Exception:
    """The error for a value that is not ``what``: ``label: must be what, got value``."""
    got = "" if value is _MISSING else f", got {value!r}"
    return error(f"{label}: must be {what}{got}")


def text(
    value: Any,
    label: str,
    error: type[Exception],
    *,
    one_line: bool = False,
    required: bool = False,
    strip: bool = False,
) -> str:
    """A string; ``one_line`` refuses line breaks and NUL, ``required`` an empty one; ``strip`` trims it."""
    if required and (not isinstance(value, str) or not value.strip()):
        raise must(error, label, "a non-empty string", value)
    if not isinstance(value, str) or (one_line and any(ch in value for ch in "\r\n\0")):
        raise must(error, label, "a one-line string" if one_line else "a string", value)
    return value.strip() if strip else value


def flag(value: Any, label: str, error: type[Exception]) -> bool:
    if not isinstance(value, bool):
        raise must(error, label, "true or false", value)
    return value


def whole_number(
    value: Any, label: str, error: type[Exception], *, low: float | None = None, high: float | None = None
) -> int:
    """An integer (not a bool, not a float) within ``low`` and ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise must(error, label, "a whole number", value)
    return _in_range(value, value, label, error, low, high)


def number(
    value: Any, label: str, error: type[Exception], *, low: float | None = None, high: float | None = None
) -> float:
    """An integer or a float (not a bool) within ``low`` and ``high``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise must(error, label, "a number", value)
    return _in_range(float(value), value, label, error, low, high)


def strings(value: Any, label: str, error: type[Exception]) -> list[str]:
    """A list of non-empty strings, each stripped."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise must(error, label, "a list of non-empty strings", value)
    return [v.strip() for v in value]


def number_from_text(
    raw: str, label: str, error: type[Exception], *, whole: bool, low: float | None = None, high: float | None = None
) -> Any:
    """A number written as text (a URL query value): ``"4"``, ``"0.5"``; a whole number may not have a fraction."""
    try:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError
        if whole:
            if value != int(value):
                raise ValueError
            value = int(value)
    except (TypeError, ValueError, OverflowError):
        raise must(error, label, "a whole number" if whole else "a number", raw) from None
    return _in_range(value, raw, label, error, low, high)


def flag_from_text(raw: str, label: str, error: type[Exception]) -> bool:
    """A switch written as text (a URL query value): 1/true/yes or 0/false/no/empty."""
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no", ""):
        return False
    raise error(f"{label}: must be 1 or 0, got '{raw}'")


def _in_range(value: Any, shown: Any, label: str, error: type[Exception], low: Any, high: Any) -> Any:
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise must(error, label, f"between {low:g} and {high:g}", shown)
        if low is not None:
            raise must(error, label, f"{low:g} or more", shown)
        raise must(error, label, f"{high:g} or less", shown)
    return value


class Table:
    """One table of settings: checked to be a table with only known keys, then read key by key.

    ``where`` names the file and the table (``policywatch.toml [site]``); a key is
    named ``where`` + ``sep`` + key, so ``policywatch.toml [site]: lang`` with the
    default separator and ``policywatch.toml: email.rate`` with ``sep="."``.
    An unknown key is named in the same style. ``note`` follows the list of known keys.
    """

    def __init__(
        self,
        value: Any,
        where: str,
        error: type[Exception],
        keys: Iterable[str] | None = None,
        *,
        sep: str = ": ",
        note: str = "",
    ):
        if not isinstance(value, Mapping):
            raise error(f"{where}: must be a table")
        self.values: Mapping[str, Any] = value
        self.where, self.error, self.sep = where, error, sep
        if keys is not None:
            known = set(keys)
            unknown = sorted(set(value) - known)
            if unknown:
                listed = f"(known keys: {', '.join(sorted(known))}{note})"
                if sep == ": ":
                    raise error(f"{where}: unknown key '{unknown[0]}' {listed}")
                raise error(f"{self.label(unknown[0])}: unknown key {listed}")

    def label(self, key: str) -> str:
        return f"{self.where}{self.sep}{key}"

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def text(
        self, key: str, default: Any = None, *, one_line: bool = False, required: bool = False, strip: bool = False
    ) -> Any:
        if key not in self.values:
            if required:
                raise self.error(f"{self.label(key)}: required, a non-empty string")
            return default
        value = self.values[key]
        return text(value, self.label(key), self.error, one_line=one_line, required=required, strip=strip)

    def flag(self, key: str, default: bool) -> bool:
        return flag(self.values[key], self.label(key), self.error) if key in self.values else default

    def whole_number(self, key: str, default: int, *, low: float | None = None, high: float | None = None) -> int:
        if key not in self.values:
            return default
        return whole_number(self.values[key], self.label(key), self.error, low=low, high=high)

    def number(self, key: str, default: float, *, low: float | None = None, high: float | None = None) -> float:
        if key not in self.values:
            return default
        return number(self.values[key], self.label(key), self.error, low=low, high=high)

    def strings(self, key: str, default: list[str] | None = None) -> list[str]:
        if key not in self.values:
            return list(default or [])
        return strings(self.values[key], self.label(key), self.error)

    def table(self, key: str, keys: Iterable[str] | None = None) -> Table:
        """A table inside this one, named in the same style (``materiality.terms``)."""
        return Table(self.values.get(key, {}), self.label(key), self.error, keys, sep=self.sep)
