"""Dates as policies write them ("August 9, 2024", "9 August 2024", "2024-08-09").

A policy's body carries its dates in whatever style its authors chose; when a
release rewrites them it must keep that style, so parsing returns the format
along with the date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_INDEX = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
_MONTH_INDEX.update({m[:3].lower(): i + 1 for i, m in enumerate(MONTHS)})
_MONTH_INDEX["sept"] = 9

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

DATE_PATTERN = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{4}}/\d{{1,2}}/\d{{1,2}}"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{4}}"
    rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}}"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}})"
)

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4})$")
_MDY = re.compile(rf"^({_MONTH})\s+(\d{{1,2}})(st|nd|rd|th)?(,?)\s+(\d{{4}})$", re.I)
_DMY = re.compile(rf"^(\d{{1,2}})(st|nd|rd|th)?\s+(of\s+)?({_MONTH})(,?)\s+(\d{{4}})$", re.I)


DATE_ORDERS = ("dmy", "mdy")


class InvalidDate(ValueError):
    """A string that looks like a date but names no real day (2024-02-30), or could name two."""


@dataclass(frozen=True)
class DateFormat:
    """How a date was written, so a new date can be written the same way."""

    style: str  # iso | ymd-slash | dmy-slash | mdy-slash | dmy-dot | mdy-dot | mdy | dmy
    month: str = "full"  # full | abbr | abbr-dot (for mdy / dmy)
    pad: bool = False  # zero-padded day (and month, for numeric styles)
    ordinal: bool = False  # "9th"
    comma: bool = True  # "August 9, 2024"
    of: bool = False  # "9th of August 2024"

    def format(self, day: dt.date) -> str:
        if self.style == "iso":
            return day.isoformat()
        d = f"{day.day:02d}" if self.pad else str(day.day)
        m = f"{day.month:02d}" if self.pad else str(day.month)
        if self.style == "ymd-slash":
            return f"{day.year}/{m}/{d}"
        if self.style in _NUMERIC_STYLES:
            order, sep = _NUMERIC_STYLES[self.style]
            first, second = (d, m) if order == "dmy" else (m, d)
            return f"{first}{sep}{second}{sep}{day.year}"
        name = MONTHS[day.month - 1]
        if self.month != "full":
            name = name[:3] + ("." if self.month == "abbr-dot" and day.month != 5 else "")
        if self.ordinal:
            d += _ordinal_suffix(day.day)
        comma = "," if self.comma else ""
        if self.style == "mdy":
            return f"{name} {d}{comma} {day.year}"
        of = "of " if self.of else ""
        return f"{d} {of}{name}{comma} {day.year}"


ISO = DateFormat("iso")
_NUMERIC_STYLES = {
    "dmy-slash": ("dmy", "/"),
    "mdy-slash": ("mdy", "/"),
    "dmy-dot": ("dmy", "."),
    "mdy-dot": ("mdy", "."),
}


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _month_style(token: str) -> str:
    bare = token.rstrip(".")
    if len(bare) > 4 or bare.lower() == "may":
        return "full" if bare.lower() in {m.lower() for m in MONTHS} else "abbr"
    return "abbr-dot" if token.endswith(".") else "abbr"


def _make(year: str, month: int, day: str, text: str, why: str = "") -> dt.date:
    try:
        return dt.date(int(year), month, int(day))
    except ValueError as exc:
        raise InvalidDate(f"'{text}' is not a real date ({exc}{why})") from None


def numeric_order(first: int, second: int, date_order: str | None) -> str | None:
    """Which of day and month comes first in 03/04/2024: the configured order, or what the numbers prove.

    None when the numbers allow both readings and no order is configured.
    """
    if date_order is not None:
        return date_order
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    if first == second:
        return "dmy"
    return None


def _numeric(m: re.Match[str], text: str, date_order: str | None) -> tuple[dt.date, DateFormat]:
    first, sep, second, year = m[1], m[2], m[3], m[4]
    order = numeric_order(int(first), int(second), date_order)
    if order is None:
        raise InvalidDate(
            f'\'{text}\' is ambiguous (day/month or month/day?): set date_order = "dmy" or "mdy" '
            "in policywatch.toml, or write the date as YYYY-MM-DD"
        )
    day, month = (first, second) if order == "dmy" else (second, first)
    why = f", reading it as {order} as date_order says" if date_order else ""
    style = f"{order}-{'slash' if sep == '/' else 'dot'}"
    return _make(year, int(month), day, text, why), DateFormat(style, pad=len(day) == 2)


def parse_human_date(text: str, date_order: str | None = None) -> tuple[dt.date, DateFormat]:
    """Parse a date in one of the styles policies use; raise InvalidDate otherwise.

    Numeric day and month (03/04/2024, 03.04.2024) are read in ``date_order``
    ("dmy" or "mdy"); without one, only dates whose numbers allow a single
    reading are accepted.
    """
    s = " ".join(text.split())
    if m := _ISO.match(s):
        return _make(m[1], int(m[2]), m[3], s), ISO
    if m := _YMD_SLASH.match(s):
        return _make(m[1], int(m[2]), m[3], s), DateFormat("ymd-slash", pad=len(m[3]) == 2)
    if m := _NUMERIC.match(s):
        return _numeric(m, s, date_order)
    if m := _MDY.match(s):
        month = _MONTH_INDEX[m[1].rstrip(".").lower()]
        fmt = DateFormat("mdy", _month_style(m[1]), len(m[2]) == 2, bool(m[3]), bool(m[4]))
        return _make(m[5], month, m[2], s), fmt
    if m := _DMY.match(s):
        month = _MONTH_INDEX[m[4].rstrip(".").lower()]
        fmt = DateFormat("dmy", _month_style(m[4]), len(m[1]) == 2, bool(m[2]), bool(m[5]), bool(m[3]))
        return _make(m[6], month, m[1], s), fmt
    raise InvalidDate(f"'{text}' is not a date policywatch understands (use YYYY-MM-DD)")


def parse_iso_date(text: str) -> dt.date:
    """Parse the YYYY-MM-DD dates of front matter and the command line."""
    if not _ISO.match(text.strip()):
        raise InvalidDate(f"'{text}' is not a date in the form YYYY-MM-DD")
    y, m, d = text.strip().split("-")
    return _make(y, int(m), d, text.strip())
