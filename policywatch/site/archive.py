"""Every released version of every policy, read from git alone.

A release is an annotated tag; its record (``policywatch.release``) says when it
takes effect and why. Tags that match the tag format but carry no record (made
by hand, or before policywatch) are still published: their dates then come from
the text itself and the tag, and their verdict is shown as not recorded. A tag
whose record is malformed, or is the record of another policy or version, is
not published: the build goes on and names it in a warning.

A policy whose file is no longer in the latest commit is *retired*: its
versions keep their pages (old notices link to them), and the site says when
it was withdrawn, or renamed and to which policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from policywatch import history
from policywatch.document import parse_policy
from policywatch.errors import PolicyFormatError
from policywatch.project import Project
from policywatch.release import TRAILER, Release, parse_tag
from policywatch.status import ReleaseRef, released_text, releases

UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class PublishedVersion:
    """One released version: its record and the text it published."""

    release: Release
    text: str  # the whole file as tagged
    body: str  # the Markdown body, without front matter
    released_at: dt.datetime  # the tag's date (the commit's for a lightweight tag)
    recorded: bool = True  # False when the tag carries no release record

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
        """Published versions that take effect after ``today``, soonest first."""
        return sorted((v for v in self.versions if v.effective > today), key=lambda v: v.effective)


def load_archive(project: Project) -> list[PolicyArchive]:
    """Every policy with at least one published release, by slug."""
    return read_archive(project)[0]


def read_archive(project: Project) -> tuple[list[PolicyArchive], list[str]]:
    """The archive and a warning for each release tag that is not published."""
    repo = history.open_repo(project.root)
    if not history.has_commits(repo):
        return [], []
    tags = history.list_tags(repo)
    slugs = {record.policy for tag in tags if (record := parse_tag(tag))}
    if project.policies_dir.is_dir():
        slugs.update(project.slugs())
    archives = {}
    for slug in sorted(slugs):
        archive = policy_archive(project, repo, slug, tags)
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
    warnings = [f"{a.slug}: skipped {why}" for a in archives.values() for why in a.skipped]
    return [a for a in archives.values() if a.versions], warnings


def retirement(project: Project, repo, slug: str, archives: dict[str, PolicyArchive]) -> Retirement | None:
    """How the policy's file left the latest commit; None while it is still there."""
    path = _policy_file(project, slug)
    if _in_head(repo, path):
        return None
    deleted = repo.git.log("-1", "--diff-filter=D", "--format=%H %cI", "HEAD", "--", path).split()
    if not deleted:
        return None
    commit, day = deleted[0], dt.datetime.fromisoformat(deleted[1]).date()
    for line in repo.git.show("-M", "--name-status", "--format=", commit).splitlines():
        fields = line.split("\t")
        if fields[0].startswith("R") and len(fields) == 3 and fields[1] == path:
            new = _slug_of(project, fields[2])
            if new in archives and archives[new].versions:
                return Retirement(day, new, archives[new].title)
    return Retirement(day)


def _folder(project: Project) -> str:
    """The policies folder as git spells paths: ``legal`` for ``./legal/``, empty for the top."""
    folder = PurePosixPath(project.config.policies).as_posix()
    return "" if folder == "." else folder


def _policy_file(project: Project, slug: str) -> str:
    return f"{_folder(project)}/{slug}.md".lstrip("/")


def _slug_of(project: Project, path: str) -> str | None:
    folder, _, name = path.rpartition("/")
    if folder != _folder(project) or not name.endswith(".md"):
        return None
    return name[: -len(".md")]


def _in_head(repo, path: str) -> bool:
    try:
        repo.head.commit.tree / path
    except KeyError:
        return False
    return True


def policy_archive(project: Project, repo, slug: str, tags: list[history.Tag]) -> PolicyArchive:
    current_path = f"{project.config.policies}/{slug}.md"
    messages = {tag.name: tag.message for tag in tags}
    versions: list[PublishedVersion] = []
    skipped = []
    for ref in releases(project, repo, slug, tags):
        if why := _unpublishable(ref, slug, messages.get(ref.tag, "")):
            skipped.append(f"{ref.tag}: {why} (not published)")
            continue
        try:
            text = released_text(project, repo, ref, current_path)
        except PolicyFormatError as exc:
            skipped.append(f"{ref.tag}: {exc}")
            continue
        if text is None:
            skipped.append(f"{ref.tag}: {current_path} is not in the tagged commit")
            continue
        previous = versions[-1].version if versions else None
        released_at = dt.datetime.fromisoformat(ref.date) if ref.date else repo.commit(ref.commit).committed_datetime
        versions.append(_published(ref, text, slug, current_path, previous, released_at, project.config.date_order))
    return PolicyArchive(slug, tuple(versions), tuple(skipped))


def _unpublishable(ref: ReleaseRef, slug: str, message: str) -> str | None:
    """Why a tag's record cannot be trusted, or None: a verdict or date read from it could be wrong."""
    if ref.record is None:
        trailers = [line for line in message.splitlines() if line.startswith(TRAILER)]
        return "its release record is malformed" if trailers else None
    if (ref.record.policy, ref.record.version) != (slug, ref.version):
        return f"its release record is for {ref.record.policy} {ref.record.version}"
    return None


def _published(
    ref: ReleaseRef,
    text: str,
    slug: str,
    path: str,
    previous: str | None,
    released_at: dt.datetime,
    date_order: str | None,
) -> PublishedVersion:
    try:
        policy = parse_policy(text, path=f"{ref.tag}:{path}", slug=slug, date_order=date_order)
        body, title, effective, updated = policy.body, policy.title, policy.effective, policy.updated
    except PolicyFormatError:
        body, title, effective, updated = text, slug, None, None
    if ref.record is not None:
        return PublishedVersion(ref.record, text, body, released_at)
    day = released_at.date()
    record = Release(
        policy=slug,
        title=title,
        path=path,
        version=ref.version,
        previous_version=previous,
        classification=UNRECORDED,
        effective=effective or day,
        updated=updated or effective or day,
        published=day,
        tag=ref.tag,
        commit=ref.commit,
    )
    return PublishedVersion(record, text, body, released_at, recorded=False)


VERDICTS = {
    "material": "Material change",
    "minor": "Minor change",
    "initial": "First version",
    UNRECORDED: "Change not recorded",
}


def verdict_label(classification: str) -> str:
    """How a release's verdict reads on the site and in the feed."""
    return VERDICTS.get(classification, classification.capitalize())
