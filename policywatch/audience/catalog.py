"""The releases a long-running service answers from, read from git once and again only when the tags move.

``policywatch serve`` (and the WSGI application) must know every released
version to check an acceptance and to say who must accept what, many times a
second. Reading the release tags costs a ``git`` call; looking at the refs
costs a few ``stat`` calls. So the catalog is read at start and read again only
when the refs that decide it (the tags, ``HEAD`` and the branch it names, the
packed refs) have changed, looked at no more than once per ``interval``. Which
version is in force on a day is computed per request from the dates in the
records, so a version takes effect at midnight UTC without any re-read.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.release.git import Git
from policywatch.release.history import releases_reachable, version_key

if TYPE_CHECKING:
    from policywatch.project import Project

REFRESH_INTERVAL = 1.0  # seconds between two looks at the refs


@dataclass(frozen=True)
class Version:
    """One released version of a policy, as acceptances need it."""

    version: str
    classification: str  # "material" | "minor" | "initial"
    effective: dt.date
    published: dt.date

    @functools.cached_property
    def earliest_acceptance(self) -> str:
        """The first day (ISO) an acceptance of it can have been made: the day before publication, for time zones."""
        return (self.published - dt.timedelta(days=1)).isoformat()

    @property
    def needs_acceptance(self) -> bool:
        """A material change (or the first version) asks for acceptance; a minor one never does."""
        return self.classification != "minor"


@dataclass(frozen=True)
class PolicyVersions:
    """A policy's released versions, oldest version first."""

    slug: str
    versions: tuple[Version, ...]
    by_version: dict[str, Version] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_version", {v.version: v for v in self.versions})  # an import asks per row

    def find(self, version: str) -> Version | None:
        return self.by_version.get(version)

    def in_force(self, today: dt.date) -> Version | None:
        """The newest version whose effective date has come (a minor release keeps its predecessor's date)."""
        started = [v for v in self.versions if v.effective <= today]
        return started[-1] if started else None

    def newest(self) -> Version:
        return self.versions[-1]

    def last_requiring(self, upto: str | None = None) -> Version | None:
        """The newest version that asks for acceptance, at or below ``upto`` when given."""
        ceiling = version_key(upto) if upto is not None else None
        found = None
        for v in self.versions:
            if ceiling is not None and version_key(v.version) > ceiling:
                break
            if v.needs_acceptance:
                found = v
        return found


@dataclass(frozen=True)
class Catalog:
    """Every policy's released versions (the trusted release tags reachable from ``HEAD``)."""

    policies: dict[str, PolicyVersions]

    def of(self, slug: str) -> PolicyVersions | None:
        return self.policies.get(slug)


def read_catalog(project: Project) -> Catalog:
    history = releases_reachable(project)
    policies = {}
    for slug, releases in history.policies.items():
        versions = tuple(
            Version(r.version, r.record.classification, r.record.effective, r.record.published) for r in releases
        )
        policies[slug] = PolicyVersions(slug, versions)
    return Catalog(policies)


class LiveCatalog:
    """The catalog of a repository, kept current for a service: re-read when the refs change, never per request."""

    def __init__(self, project: Project, *, interval: float = REFRESH_INTERVAL):
        self.project = project
        self.interval = interval
        git = Git(project.root)
        self._git_dir = Path(git.git_dir())
        common = git.run("rev-parse", "--git-common-dir").strip()
        self._common_dir = (project.root / common).resolve()
        self._lock = threading.Lock()
        self._seen = self._fingerprint()
        self._catalog = read_catalog(project)
        self._checked = time.monotonic()
        self.reads = 1  # how many times git was read: the tests check that a request does not cause one

    def current(self) -> Catalog:
        if time.monotonic() - self._checked < self.interval:
            return self._catalog
        with self._lock:
            if time.monotonic() - self._checked >= self.interval:
                seen = self._fingerprint()
                if seen != self._seen:
                    self._catalog = read_catalog(self.project)
                    self._seen = seen
                    self.reads += 1
                self._checked = time.monotonic()
        return self._catalog

    def _fingerprint(self) -> tuple:
        """What changes when a tag is made, moved or deleted, or when ``HEAD`` moves: a few stat calls."""
        head = _read(self._git_dir / "HEAD")
        marks: list[tuple] = [("HEAD", head)]
        if head.startswith("ref: "):
            marks.append(_stat(self._common_dir / head[5:].strip()))
        for name in ("packed-refs", "reftable/tables.list"):
            marks.append(_stat(self._common_dir / name))
        tags = self._common_dir / "refs" / "tags"
        for folder, _, files in os.walk(tags):
            marks.extend(_stat(Path(folder) / name) for name in sorted(files))
        return tuple(marks)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _stat(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (str(path),)
    return (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
