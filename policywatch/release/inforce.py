"""Which version of a policy is in force on a day, and from when until when each version was.

The release records alone decide. On a day D the version in force is the newest
release whose effective date is D or earlier, so a version that a later one
replaces before it takes effect never applies (``record.replaced_before_effect``);
once the policy's file is deleted from the latest commit (withdrawn or renamed) no
version is in force from that commit's day on. The upcoming versions on D are those
published by D that take effect after it.

One answer for every reader: the ``in-force`` command, the site's
``api/<slug>/current.json`` and ``versions.json``, and ``site build --if-due``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policywatch.errors import NothingInForce, PolicyNotFound
from policywatch.release.record import Release, replaced_before_effect

if TYPE_CHECKING:
    from policywatch.project import Project

# Classifications a person must accept: the first version, and each material change. Minor never.
NEEDS_ACCEPTANCE = ("initial", "material")


@dataclass(frozen=True)
class Period:
    """One version and the days it was in force: from ``start`` up to, but not including, ``end``."""

    release: Release
    start: dt.date | None  # None: it never took effect
    end: dt.date | None  # None: no later version or withdrawal is known yet
    replaced_by: str | None = None  # for a version replaced before it took effect, the version that applied instead

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def needs_acceptance(self) -> bool:
        """A first version or a material change; a minor one never asks anyone to accept again."""
        return self.release.classification in NEEDS_ACCEPTANCE

    def covers(self, day: dt.date) -> bool:
        return self.start is not None and self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Timeline:
    """Every released version of one policy, oldest version first, with the days each was in force."""

    slug: str
    periods: tuple[Period, ...]
    withdrawn: dt.date | None = None  # the day the policy's file left the latest commit
    renamed_to: str | None = None  # the slug its file was renamed to, when it was
    ignored: tuple[str, ...] = ()  # warnings about this policy's release tags that cannot be trusted

    def period(self, day: dt.date) -> Period | None:
        """The version in force on ``day``, if any."""
        return next((p for p in self.periods if p.covers(day)), None)

    def upcoming(self, day: dt.date) -> list[Period]:
        """Versions published by ``day`` that take effect after it, soonest first."""
        found = [p for p in self.periods if p.start is not None and p.start > day and p.release.published <= day]
        return sorted(found, key=lambda p: (p.start, p.release.published))

    def next_change(self, day: dt.date) -> dt.date | None:
        """The first day after ``day`` on which a version takes effect or is published, if any is known."""
        days = [d for p in self.periods for d in (p.start, p.release.published) if d is not None and d > day]
        return min(days, default=None)

    def in_force(self, day: dt.date) -> InForce:
        """The version in force on ``day`` and what is upcoming, or ``NothingInForce`` saying why there is none."""
        current = self.period(day)
        if current is None:
            raise NothingInForce(self._why_nothing(day))
        return InForce(self.slug, day, current, tuple(self.upcoming(day)))

    def _why_nothing(self, day: dt.date) -> str:
        if not self.periods:
            return f"{self.slug} has no release yet, so no version is in force (release it with 'policywatch publish')"
        if self.withdrawn is not None and day >= self.withdrawn:
            how = f"renamed to {self.renamed_to}" if self.renamed_to else "withdrawn"
            return f"{self.slug} was {how} on {self.withdrawn.isoformat()}: no version of it is in force on {day}"
        first = min((p for p in self.periods if p.start is not None), key=lambda p: p.start, default=None)
        if first is not None and day < first.start:
            return (
                f"no version of {self.slug} is in force on {day}: its first version, {first.version}, "
                f"takes effect on {first.start.isoformat()}"
            )
        return f"no version of {self.slug} is in force on {day}"


@dataclass(frozen=True)
class InForce:
    """The answer for one policy on one day."""

    slug: str
    day: dt.date
    period: Period
    upcoming: tuple[Period, ...]

    @property
    def version(self) -> str:
        return self.period.version

    @property
    def effective(self) -> dt.date:
        assert self.period.start is not None  # a period in force has begun
        return self.period.start

    @property
    def next(self) -> Period | None:
        """The soonest upcoming version."""
        return self.upcoming[0] if self.upcoming else None

    def to_json(self) -> dict[str, Any]:
        """What ``in-force --format json`` prints: ``version``, ``effective`` and the soonest ``upcoming``."""
        nxt = self.next
        return {
            "policy": self.slug,
            "date": self.day.isoformat(),
            "version": self.version,
            "effective": self.effective.isoformat(),
            "until": self.period.end.isoformat() if self.period.end else None,
            "material": self.period.release.material,
            "upcoming": (
                {"version": nxt.version, "effective": nxt.start.isoformat(), "material": nxt.release.material}
                if nxt is not None and nxt.start is not None
                else None
            ),
        }


def timeline(
    slug: str,
    releases: Sequence[Release],
    *,
    withdrawn: dt.date | None = None,
    renamed_to: str | None = None,
    ignored: Sequence[str] = (),
) -> Timeline:
    """The days each of ``releases`` (one policy's, oldest version first) was in force.

    A version is in force from its effective date until the earliest effective date
    of any later version (which is always later, or it would have replaced this one
    before it took effect), or until the policy was withdrawn.
    """
    replaced = replaced_before_effect(releases)
    periods = []
    for i, release in enumerate(releases):
        if i in replaced:
            periods.append(Period(release, None, None, releases[replaced[i]].version))
            continue
        end = min((later.effective for later in releases[i + 1 :]), default=None)
        if withdrawn is not None:
            if release.effective >= withdrawn:
                periods.append(Period(release, None, None))  # withdrawn before it took effect
                continue
            end = withdrawn if end is None else min(end, withdrawn)
        periods.append(Period(release, release.effective, end))
    return Timeline(slug, tuple(periods), withdrawn, renamed_to, tuple(ignored))


def policy_timeline(project: Project, slug: str) -> Timeline:
    """The timeline of ``slug`` from the releases in the history of ``HEAD``.

    A slug that neither has releases nor is a policy file now is ``PolicyNotFound``,
    naming the ones there are.
    """
    from policywatch.project import check_slug
    from policywatch.release import history

    check_slug(slug)
    known = history.releases_reachable(project)
    releases = [ref.record for ref in known.of(slug)]
    ignored = tuple(r.warning for r in known.rejected_of(slug))
    if not releases:
        present = set(project.slugs()) if project.policies_dir.is_dir() else set()
        if slug not in present and not ignored:
            names = ", ".join(sorted(present | set(known.policies))) or "none"
            raise PolicyNotFound(f"no policy '{slug}' (known: {names})")
        return Timeline(slug, (), ignored=ignored)
    policies = project.config.policies
    gone = history.removal(history.open_repo(project.root), history.policy_file(policies, slug))
    if gone is None:
        return timeline(slug, releases, ignored=ignored)
    renamed = history.slug_of(policies, gone.renamed_to) if gone.renamed_to else None
    return timeline(slug, releases, withdrawn=gone.day, renamed_to=renamed, ignored=ignored)
