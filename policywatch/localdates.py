"""Date lines in translated policies ("Stand: 9. August 2024"), found and rewritten in their own language.

``policywatch.document`` reads the English date lines of any policy. A translation
states its dates with its language's labels and month names ("Gültig ab",
"Date d'entrée en vigueur", "9 de agosto de 2024"); a release rewrites them the way
the body already writes them (month name or numbers, padded or not, abbreviated or
not), with the month names from Babel's locale data. Only ``publish`` needs this,
so Babel is imported on the first call, never on the push path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

_APOS = "['’]"
# Labels per language, longest alternatives first: (effective, updated). English is document's.
LABELS: dict[str, tuple[str, str]] = {
    "de": (
        r"Datum\s+des\s+Inkrafttretens|Inkrafttreten|Gültig\s+ab|Gültig\s+seit|Gültig\s+vom"
        r"|In\s+Kraft\s+seit|In\s+Kraft\s+ab|Wirksam\s+ab",
        r"Zuletzt\s+aktualisiert(?:\s+am)?|Letzte\s+Aktualisierung|Zuletzt\s+geändert(?:\s+am)?"
        r"|Letzte\s+Änderung|Aktualisiert\s+am|Stand\s+vom|Stand",
    ),
    "fr": (
        rf"Date\s+d{_APOS}entrée\s+en\s+vigueur|Entrée\s+en\s+vigueur|Date\s+d{_APOS}effet"
        r"|En\s+vigueur\s+(?:à\s+compter\s+du|depuis\s+le|le|du)|Applicable\s+à\s+compter\s+du",
        r"Date\s+de\s+(?:la\s+)?dernière\s+mise\s+à\s+jour|Dernière\s+mise\s+à\s+jour(?:\s+le)?"
        r"|Mise?\s+à\s+jour\s+le|Dernière\s+modification(?:\s+le)?",
    ),
    "es": (
        r"Fecha\s+de\s+entrada\s+en\s+vigor|Entrada\s+en\s+vigor|Fecha\s+de\s+vigencia"
        r"|Vigente\s+(?:desde(?:\s+el)?|a\s+partir\s+del?)|En\s+vigor\s+desde(?:\s+el)?",
        r"Fecha\s+de\s+(?:la\s+)?última\s+actualización|Última\s+actualización|Actualizad[oa]\s+el"
        r"|Última\s+modificación|Última\s+revisión",
    ),
}
# How each language writes a date with its month's name: a regex and the Babel pattern that writes it back.
_NAMED = {
    "de": (r"(?P<d>\d{{1,2}})\.\s*(?P<m>{months})\s+(?P<y>\d{{4}})", "{d}. {m} y"),
    "fr": (r"(?P<d>1er|\d{{1,2}})\s+(?P<m>{months})\s+(?P<y>\d{{4}})", "{d} {m} y"),
    "es": (r"(?P<d>\d{{1,2}})\s+de\s+(?P<m>{months})\s+de\s+(?P<y>\d{{4}})", "{d} 'de' {m} 'de' y"),
}
_NUMERIC = r"(?P<nd>\d{1,2})(?P<ns>[./])(?P<nm>\d{1,2})(?P=ns)(?P<ny>\d{4})"
_ISO = r"(?P<iso>\d{4}-\d{2}-\d{2})"
_SPACE = "[ \t\u00a0\u202f]*"


class UnknownDateLanguage(ValueError):
    """No labels are known for this language: its date lines cannot be found."""


@dataclass(frozen=True)
class LocalDate:
    """A date as a translation wrote it, with the Babel pattern that writes another the same way."""

    kind: str  # effective | updated
    start: int  # offsets of the date in the text given
    end: int
    date: dt.date
    pattern: str  # a Babel (CLDR) date pattern, or "iso"
    first: bool = False  # French "1er" for the first of the month

    def format(self, day: dt.date, locale: str) -> str:
        if self.pattern == "iso":
            return day.isoformat()
        from babel.dates import format_date

        text = format_date(day, self.pattern, locale=locale)
        if self.first and day.day == 1:
            text = re.sub(r"^0?1(?=\s)", "1er", text)
        return text


def supports(language: str) -> bool:
    """Whether date lines in ``language`` (``de``, ``pt-BR``) are recognised; English is ``document``'s."""
    return _base(language) in LABELS


def find_dates(text: str, language: str) -> list[LocalDate]:
    """The first effective and the first last-updated date line of ``text`` (a policy body) in ``language``."""
    found: dict[str, LocalDate] = {}
    for m in _line_pattern(_locale(language)).finditer(text):
        kind = "effective" if m.group("eff") else "updated"
        if kind in found:
            continue
        try:
            day, pattern, first = _read(m, language)
        except ValueError:
            continue  # a date that names no day ("31. Februar") is left as written
        found[kind] = LocalDate(kind, m.start("date"), m.end("date"), day, pattern, first)
    return sorted(found.values(), key=lambda d: d.start)


def rewrite_dates(text: str, language: str, *, effective: dt.date | None, updated: dt.date | None) -> str:
    """``text`` with its date lines set to the new dates, each written as it was; other bytes untouched."""
    if not supports(language):
        raise UnknownDateLanguage(language)
    values = {"effective": effective, "updated": updated}
    locale = _locale(language)
    for line in reversed(find_dates(text, language)):
        if (new := values[line.kind]) is not None:
            text = text[: line.start] + line.format(new, locale) + text[line.end :]
    return text


def _base(language: str) -> str:
    return language.replace("_", "-").partition("-")[0].lower()


def _locale(language: str) -> str:
    """Babel's name for a language tag: ``de_AT`` for de-AT."""
    return language.replace("-", "_")


@cache
def _months(locale: str) -> dict[str, tuple[int, str]]:
    """Month names of the locale and of its language (wide and abbreviated, lower case, with and without the
    dot) -> (month, CLDR width): an Austrian text may say "Jänner" or "Januar"."""
    from babel.dates import get_month_names

    names: dict[str, tuple[int, str]] = {}
    for where in dict.fromkeys((_base(locale), locale)):
        for width, pattern in (("abbreviated", "MMM"), ("wide", "MMMM")):
            for month, name in get_month_names(width, locale=where).items():
                names[name.lower()] = (month, pattern)
                names.setdefault(name.lower().rstrip("."), (month, pattern))
    return names


@cache
def _line_pattern(locale: str) -> re.Pattern[str]:
    effective, updated = LABELS[_base(locale)]
    names = sorted(_months(locale), key=len, reverse=True)
    months = "|".join(re.escape(n) + ("" if n.endswith(".") else r"\.?") for n in names)
    named = _NAMED[_base(locale)][0].format(months=f"(?:{months})")
    return re.compile(
        rf"(?:(?<=[\r\n])|\A)(?P<pre>[ \t>*_#\-]*)(?P<label>(?P<eff>{effective})|(?P<upd>{updated}))"
        rf"(?P<sep>{_SPACE}[*_]*{_SPACE}[:：]?{_SPACE}[*_]*{_SPACE})"
        rf"(?P<date>{_ISO}|{_NUMERIC}|{named})(?P<post>[ \t*_.)]*)(?=[\r\n]|\Z)",
        re.I,
    )


def _read(m: re.Match[str], language: str) -> tuple[dt.date, str, bool]:
    if m.group("iso"):
        return dt.date.fromisoformat(m.group("iso")), "iso", False
    if m.group("nd"):
        d, month, sep = m.group("nd"), m.group("nm"), m.group("ns")
        day = dt.date(int(m.group("ny")), int(month), int(d))  # dmy: every language here writes day first
        return day, f"{'dd' if len(d) == 2 else 'd'}{sep}{'MM' if len(month) == 2 else 'M'}{sep}y", False
    base = _base(language)
    names = _months(_locale(language))
    written = m.group("m").lower()
    month, width = names.get(written) or names[written.rstrip(".")]
    d = m.group("d")
    first = d.lower() == "1er"
    day = dt.date(int(m.group("y")), month, 1 if first else int(d))
    pattern = _NAMED[base][1].format(d="dd" if len(d) == 2 and d.isdigit() else "d", m=width)
    return day, pattern, first
