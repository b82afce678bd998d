"""``site build --if-due``: rebuild the site only when what it shows has changed.

A version takes effect on its date whether or not anyone publishes that day, so
the site is rebuilt on a schedule (a daily cron job, systemd timer or CI
schedule). Each build leaves ``STATE_FILE`` in the site: what it knew, namely a
digest of every published release and withdrawal, each policy's version in force
and upcoming versions on the build day, the base URL and the policywatch version.
A build is due when a build today would record something else: a release, a
withdrawal, a version that has taken effect since, new settings or a new
policywatch. The file is written with the site, in the same rename
(``output.write_tree``), so a site and its record never disagree.

Templates a repository overrides are not in the record: after changing one, run
``site build`` without ``--if-due``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policywatch import __version__
from policywatch.site.api import archive_timeline
from policywatch.site.archive import PolicyArchive, read_archive
from policywatch.site.settings import site_settings
from policywatch.site_config import SiteSettings

if TYPE_CHECKING:
    from policywatch.project import Project

STATE_FILE = ".policywatch-build.json"
FORMAT = 1


@dataclass(frozen=True)
class Due:
    """Whether ``OUT`` needs a new build today, and the one line that says why (or why not)."""

    due: bool
    reason: str


def build_state(archives: list[PolicyArchive], settings: SiteSettings, today: dt.date) -> bytes:
    """What a build on ``today`` knows, as the bytes of ``STATE_FILE``."""
    return (json.dumps(_state(archives, settings, today), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def site_due(project: Project, out: str | Path, *, today: dt.date, base_url: str | None = None) -> Due:
    """Whether the site in ``out`` differs from what a build on ``today`` would make of the releases."""
    out = Path(out)
    record = out / STATE_FILE
    archives, _ = read_archive(project)
    new = _state(archives, site_settings(project.config, base_url), today)
    try:
        old = json.loads(record.read_bytes())
    except FileNotFoundError:
        return Due(True, f"no earlier build is recorded in {out}")
    except (OSError, ValueError):
        old = None
    if not isinstance(old, dict) or old.get("format") != FORMAT:
        return Due(True, f"{record} cannot be read, so the last build is unknown")
    if old == new:
        after = f" (next change on {new['next_change']})" if new["next_change"] else ""
        return Due(False, f"nothing due: {out} is up to date{after}")
    return Due(True, _why(old, new))


def _state(archives: list[PolicyArchive], settings: SiteSettings, today: dt.date) -> dict[str, Any]:
    policies, changes = {}, []
    for archive in archives:
        line = archive_timeline(archive)
        period = line.period(today)
        policies[archive.slug] = {
            "in_force": period.version if period else None,
            "upcoming": [p.version for p in line.upcoming(today)],
        }
        changes.append(line.next_change(today))
    next_change = min((d for d in changes if d is not None), default=None)
    return {
        "format": FORMAT,
        "policywatch": __version__,
        "base_url": settings.base_url,
        "releases": _digest(archives),
        "policies": policies,
        "next_change": next_change.isoformat() if next_change else None,
    }


def _digest(archives: list[PolicyArchive]) -> str:
    """Every published release (tag, commit and record) and every withdrawal, in one hash."""
    published = [
        {
            "slug": archive.slug,
            "retired": [archive.retired.day.isoformat(), archive.retired.renamed_to] if archive.retired else None,
            "versions": [v.release.to_json() for v in archive.versions],
        }
        for archive in archives
    ]
    return hashlib.sha256(json.dumps(published, sort_keys=True).encode("utf-8")).hexdigest()


def _why(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("releases") != new["releases"]:
        return "releases changed since the last build"
    before = old.get("policies") if isinstance(old.get("policies"), dict) else {}
    for slug, now in new["policies"].items():
        then = before.get(slug) if isinstance(before.get(slug), dict) else {}
        if then.get("in_force") != now["in_force"]:
            return f"{slug} {now['in_force']} has taken effect" if now["in_force"] else f"{slug} is no longer in force"
        if then.get("upcoming") != now["upcoming"]:
            return f"the upcoming versions of {slug} changed"
    if old.get("base_url") != new["base_url"]:
        return "the base URL changed"
    if old.get("policywatch") != new["policywatch"]:
        return f"policywatch changed from {old.get('policywatch')} to {new['policywatch']}"
    return "the last build recorded something else"
