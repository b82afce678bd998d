"""Which releases audience announces, and to whom: where audience reads the release stage.

Releases live in git as tags (``release.history``); the ledger (``outbox``) only
records what was owed and sent. This module reads the tags and the texts behind
them: the releases that exist, a release named on the command line, which
material releases a notify run owes (news, not history; one notice when a later
release replaces an earlier one before it takes effect), and what a notice
compares a release with (the version in force).

A translation (``privacy.de``, see ``policywatch.locales``) is never announced on
its own: it is released with its source at the same version, and its readers are
told in the source release's one notice, in their language (``languages``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from policywatch.errors import NothingToAnnounce, ReleaseNotFound, UntrustedReleaseTag
from policywatch.locales import split_translation
from policywatch.release.record import ChangeSummary, Release, replaced_before_effect

if TYPE_CHECKING:
    from policywatch.audience.outbox import Outbox
    from policywatch.document import Policy
    from policywatch.project import Project


def tagged_releases(project: Project) -> list[Release]:
    """Every trusted release reachable from HEAD, oldest publication first (one git call).

    A tag whose record cannot be trusted is never among them, so it is never announced.
    """
    from policywatch.release.history import releases_reachable

    return releases_reachable(project).records()


def find_release(project: Project, spec: str) -> Release:
    """A release named as its tag (``privacy/v2.0``) or as ``SLUG@VERSION``; refused when its tag cannot be trusted."""
    from policywatch.release.history import releases_reachable, tag_name

    known = releases_reachable(project)
    releases = known.records()
    slug, at, version = spec.partition("@")
    for release in releases:
        if release.tag == spec or (at and release.policy == slug and release.version == version.removeprefix("v")):
            return release
    named = tag_name(project.config.tag_format, slug, version.removeprefix("v")) if at else spec
    for refused in known.rejected:
        if refused.tag == named:
            raise UntrustedReleaseTag(refused.refusal(f"it is never announced (delete it: git tag -d {named})"))
    known_tags = ", ".join(r.tag for r in releases[-5:]) or "none"
    raise ReleaseNotFound(f"no release '{spec}' (give a release tag or SLUG@VERSION; latest: {known_tags})")


def announceable(project: Project, spec: str) -> Release:
    release = find_release(project, spec)
    source, language = split_translation(release.policy)
    if language:
        raise NothingToAnnounce(
            f"{release.tag} is the {language} translation of {source}: its readers are told in the notice of "
            f"{source}'s release of the same version, in their language"
        )
    if not release.material:
        raise NothingToAnnounce(
            f"{release.tag} is a {release.classification} release: only material changes are announced"
        )
    return release


def refuse_superseded(tagged: Sequence[Release], chosen: Release) -> None:
    """Naming a release that never takes effect is a mistake: its notice is the newer one's."""
    chain = policy_chains([r for r in tagged if r.material]).get(chosen.policy, [])
    for index, by in replaced_before_effect(chain).items():
        if chain[index].tag == chosen.tag:
            raise NothingToAnnounce(
                f"{chosen.tag} was replaced by {chain[by].tag} before it took effect and its notice covers it: "
                f"run 'policywatch notify {chain[by].tag}'"
            )


@dataclass(frozen=True)
class Announcement:
    """A material release whose notice is owed, and to whom."""

    release: Release
    followers: tuple[str, ...]  # slugs whose subscribers are owed it: the policy's, its former names, its translations

    @property
    def upcoming(self) -> bool:
        return self.release.effective > dt.date.today()


@dataclass(frozen=True)
class NoticePlan:
    """What one notify run owes: releases to ledger, releases still open to late subscribers,
    and releases replaced before they took effect (with the release whose notice covers each)."""

    new: list[Announcement]
    open: list[Announcement]
    superseded: list[tuple[Release, str]]

    @property
    def announced(self) -> list[Announcement]:
        return self.new + self.open


def former_slugs(releases: Sequence[Release]) -> dict[str, tuple[str, ...]]:
    """Each policy's earlier slugs, followed through every rename its releases record."""
    direct: dict[str, set[str]] = {}
    for release in releases:
        if release.renamed_from and release.renamed_from != release.policy:
            direct.setdefault(release.policy, set()).add(release.renamed_from)
    found: dict[str, tuple[str, ...]] = {}
    for slug in direct:
        seen: set[str] = set()
        todo = list(direct[slug])
        while todo:
            old = todo.pop()
            if old not in seen and old != slug:
                seen.add(old)
                todo += direct.get(old, ())
        found[slug] = tuple(sorted(seen))
    return found


def translations_of(release: Release, releases: Sequence[Release]) -> dict[str, Release]:
    """The translations released with ``release`` (same version), by language tag."""
    found = {}
    for other in releases:
        source, language = split_translation(other.policy)
        if language and source == release.policy and other.version == release.version:
            found[language] = other
    return found


def translation_slugs(releases: Sequence[Release]) -> dict[str, tuple[str, ...]]:
    """Each source's translations' slugs: someone following ``privacy.de`` follows ``privacy``."""
    found: dict[str, set[str]] = {}
    for release in releases:
        source, language = split_translation(release.policy)
        if language:
            found.setdefault(source, set()).add(release.policy)
    return {source: tuple(sorted(slugs)) for source, slugs in found.items()}


def policy_chains(releases: Sequence[Release]) -> dict[str, list[Release]]:
    """The releases of each policy, oldest version first."""
    from policywatch.release.history import version_key

    chains: dict[str, list[Release]] = {}
    for release in releases:
        chains.setdefault(release.policy, []).append(release)
    return {slug: sorted(chain, key=lambda r: version_key(r.version)) for slug, chain in chains.items()}


def plan_notices(outbox: Outbox, releases: Sequence[Release], named: set[str] | None = None) -> NoticePlan:
    """Which material releases are owed to whom.

    A release replaced by a later material one before it took effect is not sent to
    anyone not yet told: the later notice (which compares with the version in force)
    covers it. A release not yet ledgered is owed when it is news (still in its notice
    period, or tagged since this ledger began; older ones are history, announced only
    when ``named``); one already ledgered stays owed to people who subscribe before it
    takes effect. With ``named``, only those releases.
    """
    ledgered = outbox.ledgered()
    started = outbox.started()
    today = dt.date.today()
    formers = former_slugs(releases)
    translated = translation_slugs(releases)
    plan = NoticePlan([], [], [])
    sources = [r for r in releases if r.material and not split_translation(r.policy)[1]]
    for slug, chain in policy_chains(sources).items():
        replaced = replaced_before_effect(chain)
        followers = (slug, *formers.get(slug, ()), *translated.get(slug, ()))
        for index, release in enumerate(chain):
            news = release.tag in ledgered or release.effective >= today or release.published >= started
            if index in replaced:
                by = chain[replaced[index]].tag
                if news and (named is None or by in named):
                    plan.superseded.append((release, by))
                continue
            if named is not None and release.tag not in named:
                continue
            announcement = Announcement(release, followers)
            if release.tag not in ledgered:
                if news or named is not None:
                    plan.new.append(announcement)
            elif announcement.upcoming:
                plan.open.append(announcement)
    return plan


def against_version_in_force(project: Project, release: Release, chain: Sequence[Release]) -> Release:
    """``release`` with previous version, changes and reasons compared with the release it will
    replace: the newest earlier one that takes effect (compared by the engine, texts from git),
    and the summaries of every release since that one, oldest first."""
    from policywatch.release.history import version_key

    replaced = replaced_before_effect(chain)
    earlier = [
        r for i, r in enumerate(chain) if i not in replaced and version_key(r.version) < version_key(release.version)
    ]
    if not earlier or earlier[-1].version == release.previous_version:
        return release
    prior = earlier[-1]
    from policywatch.engine.materiality import load_rules
    from policywatch.release import history
    from policywatch.release.pending import compare_content, content, reason_lines, register_entries

    repo = history.open_repo(project.root)
    new = _policy_at(repo, release)
    comparison = compare_content(new, content(_policy_at(repo, prior)), content(new), load_rules(project.config))
    changes = [
        ChangeSummary(c.section, c.kind, c.classification, list(c.reasons), c.old_text, c.new_text)
        for c in comparison.changes
    ]
    since = [r for r in chain if version_key(prior.version) < version_key(r.version) <= version_key(release.version)]
    summary = "\n\n".join(r.summary for r in since if r.summary)
    return replace(
        release,
        previous_version=prior.version,
        changes=changes,
        reasons=reason_lines(comparison.changes),
        summary=summary,
        register=register_entries(comparison),
    )


def _policy_at(repo: Any, release: Release) -> Policy:
    from policywatch.document import decode_policy, parse_policy
    from policywatch.release import history

    name = f"{release.tag}:{release.path}"
    return parse_policy(
        decode_policy(history.read_at(repo, release.commit, release.path), name), path=name, slug=release.policy
    )
