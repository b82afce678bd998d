"""Every released version of every policy, read from git alone.

A release is an annotated tag reachable from HEAD; its record
(``policywatch.release.record``) says when it takes effect and why. A tag named like a
release that cannot be trusted (no record, a lightweight tag, a record that is
malformed or is that of another policy, version or file) is not published: the
build goes on and names it in a warning (``history.releases_reachable``).

A policy whose file is no longer in the latest commit is *retired*: its
versions keep their pages (old notices link to them), and the site says when
it was withdrawn, or renamed and to which policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from policywatch.document import parse_policy
from policywatch.errors import PolicyFormatError
from policywatch.project import Project
from policywatch.release import history
from policywatch.release.record import Release, replaced_before_effect
from policywatch.release.text import released_text


@dataclass(frozen=True)
class PublishedVersion:
    """One released version: its record and the text it published."""

    release: Release
    text: str  # the whole file as tagged
    body: str  # the Markdown body, without front matter
    released_at: dt.datetime  # the tag's date

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def effective(self) -> dt.date:
        return self.release.effective


@dataclass(frozen=True)
class Retirement:
    """When a policy's file left the repository and, for a rename, the policy it became."""

    day: dt.date
    renamed_to: str | None = None  # the new slug, when it has releases of its own
    renamed_title: str | None = None


@dataclass(frozen=True)
class PolicyArchive:
    """The released versions of one policy, oldest first."""

    slug: str
    versions: tuple[PublishedVersion, ...]
    skipped: tuple[str, ...] = field(default=())  # tags that are not published, with why
    retired: Retirement | None = None
    formerly: tuple[PolicyArchive, ...] = ()  # retired policies renamed to this one

    @property
    def title(self) -> str:
        return self.versions[-1].release.title if self.versions else self.slug

    def previous(self, version: PublishedVersion) -> PublishedVersion | None:
        index = self.versions.index(version)
        return self.versions[index - 1] if index else None

    def next(self, version: PublishedVersion) -> PublishedVersion | None:
        index = self.versions.index(version)
        return self.versions[index + 1] if index + 1 < len(self.versions) else None

    def in_effect(self, today: dt.date) -> PublishedVersion | None:
        """The newest version whose effective date has come."""
        current = [v for v in self.versions if v.effective <= today]
        return current[-1] if current else None

    def upcoming(self, today: dt.date) -> list[PublishedVersion]:
        """Published versions that will take effect after ``today``, soonest first (not those a
        later version replaces before they take effect)."""
        upcoming = (v for i, v in enumerate(self.versions) if v.effective > today and i not in self._replaced)
        return sorted(upcoming, key=lambda v: v.effective)

    def replaced_by(self, version: PublishedVersion) -> PublishedVersion | None:
        """For a version superseded before it took effect (it never applies), the version that
        applies instead; None for a version that takes effect."""
        index = self.versions.index(version)
        return self.versions[self._replaced[index]] if index in self._replaced else None

    @cached_property
    def _replaced(self) -> dict[int, int]:
        return replaced_before_effect(self.versions)


def load_archive(project: Project) -> list[PolicyArchive]:
    """Every policy with at least one published release, by slug."""
    return read_archive(project)[0]


def read_archive(project: Project) -> tuple[list[PolicyArchive], list[str]]:
    """The archive and a warning for each release tag that is not published."""
    repo = history.open_repo(project.root)
    if not history.has_commits(repo):
        return [], []
    known = history.releases_reachable(project)
    archives = {}
    for slug in sorted(known.policies):
        archive = policy_archive(project, repo, slug, known.of(slug))
        if archive.versions or archive.skipped:
            archives[slug] = archive
    for slug, archive in archives.items():
        if archive.versions:
            retired = retirement(project, repo, slug, archives)
            if retired:
                archives[slug] = replace(archive, retired=retired)
    for archive in list(archives.values()):
        if archive.retired and archive.retired.renamed_to:
            new = archive.retired.renamed_to
            archives[new] = replace(archives[new], formerly=(*archives[new].formerly, archive))
    warnings = known.warnings + [f"{a.slug}: skipped {why}" for a in archives.values() for why in a.skipped]
    return [a for a in archives.values() if a.versions], warnings


def retirement(project: Project, repo, slug: str, archives: dict[str, PolicyArchive]) -> Retirement | None:
    """How the policy's file left the latest commit; None while it is still there."""
    policies = project.config.policies
    gone = history.removal(repo, history.policy_file(policies, slug))
    if gone is None:
        return None
    new = history.slug_of(policies, gone.renamed_to) if gone.renamed_to else None
    if new in archives and archives[new].versions:
        return Retirement(gone.day, new, archives[new].title)
    return Retirement(gone.day)


def policy_archive(project: Project, repo, slug: str, releases: tuple[history.ReleaseTag, ...]) -> PolicyArchive:
    """The trusted ``releases`` of one policy that can be published, and why any other is not."""
    current_path = f"{project.config.policies}/{slug}.md"
    versions: list[PublishedVersion] = []
    skipped = []
    for ref in releases:
        try:
            text = released_text(project, repo, ref, current_path)
        except PolicyFormatError as exc:
            skipped.append(f"{ref.tag}: {exc}")
            continue
        if text is None:
            skipped.append(f"{ref.tag}: {current_path} is not in the tagged commit")
            continue
        released_at = ref.date or repo.commit(ref.commit).committed_datetime
        versions.append(_published(ref, text, slug, current_path, released_at, project.config.date_order))
    return PolicyArchive(slug, tuple(versions), tuple(skipped))


def _published(
    ref: history.ReleaseTag, text: str, slug: str, path: str, released_at: dt.datetime, date_order: str | None
) -> PublishedVersion:
    try:
        body = parse_policy(text, path=f"{ref.tag}:{path}", slug=slug, date_order=date_order).body
    except PolicyFormatError:
        body = text
    return PublishedVersion(ref.record, text, body, released_at)


VERDICTS = {
    "material": "Material change",
    "minor": "Minor change",
    "initial": "First version",
}


def verdict_label(classification: str) -> str:
    """How a release's verdict reads on the site and in the feed."""
    return VERDICTS.get(classification, classification.capitalize())
