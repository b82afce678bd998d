"""A register's entries as data: JSON and CSV beside its page, and when each entry was added.

Customers scrape sub-processor pages to learn of new entities; these files give
them the data instead. Each entry's "added" date is the publication date of the
earliest release that lists it without a gap since (an entry removed and listed
again counts from its return), read from the release history alone.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from policywatch.csvcells import SafeWriter
from policywatch.engine.register import FIELDS, Entry, keyed, parse_register, register_settings
from policywatch.site.archive import PolicyArchive, PublishedVersion

# Field names as JSON keys and CSV headings: no spaces, so they can be used as identifiers.
_KEYS = {name: name.replace(" ", "_") for name in FIELDS}
CSV_COLUMNS = ("name", *(_KEYS[f] for f in FIELDS), "added", "added_in_version", "section")


@dataclass(frozen=True)
class RegisterRow:
    """One entry of the register as published, with the release that first listed it."""

    entry: Entry
    added: PublishedVersion

    @property
    def name(self) -> str:
        return self.entry.name

    def fields(self) -> dict[str, str]:
        """The entry's fields, known ones under their identifier names, others as their column headings."""
        return {_KEYS.get(k, k): v for k, v in self.entry.fields.items()}

    def record(self) -> dict[str, str]:
        """The row as the JSON and CSV files give it."""
        return {
            "name": self.name,
            **self.fields(),
            "added": self.added.release.published.isoformat(),
            "added_in_version": self.added.version,
            "section": self.entry.section,
        }


def is_register(version: PublishedVersion) -> bool:
    return register_settings(version.text) is not None


def register_rows(archive: PolicyArchive, shown: PublishedVersion) -> list[RegisterRow]:
    """The entries of ``shown`` in document order, each with the release since which it has been listed."""
    since: dict[str, PublishedVersion] = {}
    for version in archive.versions:
        keys = set(keyed(_entries(version)))
        since = {key: since.get(key, version) for key in keys}
        if version is shown:
            break
    return [RegisterRow(entry, since.get(key, shown)) for key, entry in keyed(_entries(shown)).items()]


def _entries(version: PublishedVersion) -> list[Entry]:
    settings = register_settings(version.text)
    return parse_register(version.text, settings)[0] if settings else []


def register_json(
    archive: PolicyArchive,
    shown: PublishedVersion,
    rows: list[RegisterRow],
    url: str,
    upcoming: tuple[PublishedVersion, list[RegisterRow]] | None = None,
) -> bytes:
    """The register as published on its page; with ``upcoming``, the entries of the newest version
    still in its notice period too (a new sub-processor is announced before it takes effect)."""
    data: dict = {
        "policy": archive.slug,
        "title": shown.release.title,
        "version": shown.version,
        "effective": shown.effective.isoformat(),
        "url": url,
        "entries": [row.record() for row in rows],
    }
    if upcoming:
        version, coming = upcoming
        data["upcoming"] = {
            "version": version.version,
            "effective": version.effective.isoformat(),
            "entries": [row.record() for row in coming],
        }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def register_csv(rows: list[RegisterRow]) -> bytes:
    """Every cell quoted and neutralised (``policywatch.csvcells``): a name cannot run as a formula."""
    extra = sorted({k for row in rows for k in row.fields()} - set(CSV_COLUMNS))
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow([*CSV_COLUMNS, *extra])
    for row in rows:
        values = row.record()
        writer.writerow([values.get(column, "") for column in (*CSV_COLUMNS, *extra)])
    return out.getvalue().encode("utf-8")
