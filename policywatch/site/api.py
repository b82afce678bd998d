"""The site's files for applications: ``api/<slug>/current.json`` and ``api/<slug>/versions.json``.

An app that shows terms at sign-in reads ``current.json``: the version in force,
the upcoming one and the instant it takes over, so it can switch on time even if
the site is not rebuilt that day; and which version a user must have accepted.
``versions.json`` is every version with the days it was in force, for
answering "what applied on that day" offline. Both come from
``policywatch.release.inforce``, the same answer as the ``in-force`` command.

The output is a function of the archive and the build day alone (no build time,
keys in a fixed order), so the same repository built on the same day gives the
same bytes. The schema is documented in docs/site.md ("For applications").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from policywatch import urls
from policywatch.release.inforce import Period, Timeline, timeline
from policywatch.site.archive import PolicyArchive, PublishedVersion

SCHEMA = 1


def api_files(archives: list[PolicyArchive], base_url: str, today: dt.date) -> dict[str, bytes]:
    """Both files of every policy, by site path."""
    files = {}
    for archive in archives:
        line = archive_timeline(archive)
        files[urls.api_current_path(archive.slug)] = _dump(current(archive, line, base_url, today))
        files[urls.api_versions_path(archive.slug)] = _dump(versions(archive, line, base_url))
    return files


def archive_timeline(archive: PolicyArchive) -> Timeline:
    """The timeline of the versions the site publishes, ended by the policy's withdrawal if it was withdrawn."""
    retired = archive.retired
    return timeline(
        archive.slug,
        [v.release for v in archive.versions],
        withdrawn=retired.day if retired else None,
        renamed_to=retired.renamed_to if retired else None,
    )


def switch_at(day: dt.date) -> str:
    """The instant a version takes effect: the start of its effective date, in UTC (the day the site builds on)."""
    return f"{day.isoformat()}T00:00:00Z"


def sha256(version: PublishedVersion) -> str:
    """Of the file exactly as released: the bytes of the tagged blob, which the site serves at ``text_url``."""
    return hashlib.sha256(version.text.encode("utf-8")).hexdigest()


def current(archive: PolicyArchive, line: Timeline, base_url: str, today: dt.date) -> dict[str, Any]:
    """``current.json``: the version in force on ``today``, the soonest upcoming one, and acceptance."""
    by_version = {v.version: v for v in archive.versions}
    period = line.period(today)
    coming = line.upcoming(today)
    nxt = coming[0] if coming else None
    upcoming = None
    if nxt is not None and nxt.start is not None:
        upcoming = {
            "version": nxt.version,
            "effective": nxt.start.isoformat(),
            "switch_at": switch_at(nxt.start),
            **_described(archive.slug, by_version[nxt.version], base_url),
        }
    return {
        "schema": SCHEMA,
        "policy": archive.slug,
        "title": archive.title,
        "version": period.version if period else None,
        "effective": period.start.isoformat() if period and period.start else None,
        **(_described(archive.slug, by_version[period.version], base_url) if period else dict.fromkeys(_DESCRIBED)),
        "upcoming": upcoming,
        "acceptance_required": any(p.needs_acceptance for p in (period, nxt) if p is not None),
        "acceptance_version": _acceptance_version(line, today),
        "withdrawn": _withdrawn(line),
        "versions_url": urls.api_versions_url(base_url, archive.slug),
    }


def versions(archive: PolicyArchive, line: Timeline, base_url: str) -> dict[str, Any]:
    """``versions.json``: every version, oldest first, with the days it was in force (independent of the build day)."""
    by_version = {v.version: v for v in archive.versions}
    return {
        "schema": SCHEMA,
        "policy": archive.slug,
        "title": archive.title,
        "withdrawn": _withdrawn(line),
        "versions": [_period(archive.slug, p, by_version[p.version], base_url) for p in line.periods],
    }


def _period(slug: str, period: Period, version: PublishedVersion, base_url: str) -> dict[str, Any]:
    return {
        "version": period.version,
        "effective": period.release.effective.isoformat(),
        "effective_from": period.start.isoformat() if period.start else None,
        "effective_until": period.end.isoformat() if period.end else None,
        "replaced_by": period.replaced_by,
        **_described(slug, version, base_url),
    }


_DESCRIBED = ("classification", "material", "published", "sha256", "url", "text_url")


def _described(slug: str, version: PublishedVersion, base_url: str) -> dict[str, Any]:
    release = version.release
    return {
        "classification": release.classification,
        "material": release.material,
        "published": release.published.isoformat(),
        "sha256": sha256(version),
        "url": urls.version_url(base_url, slug, version.version),
        "text_url": urls.source_url(base_url, slug, version.version),
    }


def _acceptance_version(line: Timeline, today: dt.date) -> str | None:
    """The newest version that has taken effect or is upcoming and asks to be accepted (a first version or a
    material change): a user who accepted it, or any later version, need not accept again."""
    coming = line.upcoming(today)
    if line.period(today) is None and not coming:
        return None
    asking = [
        p for p in line.periods if p.needs_acceptance and p.start is not None and (p.start <= today or p in coming)
    ]
    return asking[-1].version if asking else None


def _withdrawn(line: Timeline) -> dict[str, Any] | None:
    if line.withdrawn is None:
        return None
    return {"on": line.withdrawn.isoformat(), "renamed_to": line.renamed_to}


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
