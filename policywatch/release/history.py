"""What git knows about policy files: revisions, text at a revision, release tags.

Revisions and file texts go through gitpython, imported lazily: commands that
never touch history (and the pre-push hook's fast path) should not pay for it.
Which releases exist (``releases_reachable``) is answered with plain git
(``policywatch.release.git``) for every command, the hook's ``check`` included.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from policywatch.errors import HistoryError, NotARepository
from policywatch.release.git import TAG_FORMAT, Git, Tag, parse_tag_records
from policywatch.release.record import Release, UntrustedRecord, check_record, read_record

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import git

    from policywatch.project import Project

_RS, _US = "\x1e", "\x1f"


@dataclass(frozen=True)
class Revision:
    """One commit that touched a policy file, with the path the file had then."""

    commit: str
    date: dt.datetime
    author: str
    subject: str
    message: str
    path: str
    status: str  # A, M, R (renamed), C (copied)

    @property
    def short(self) -> str:
        return self.commit[:7]


def open_repo(path: str | Path) -> git.Repo:
    import git

    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotARepository(
            f"{Path(path).resolve()}: not a git repository (run 'git init' or 'policywatch init')"
        ) from None
    except git.GitCommandNotFound:
        raise NotARepository("git is not installed or not on PATH") from None


def has_commits(repo: git.Repo) -> bool:
    return repo.head.is_valid()


def is_shallow(repo: git.Repo) -> bool:
    return Path(repo.git_dir, "shallow").exists()


def file_revisions(repo: git.Repo, path: str, rev: str = "HEAD") -> list[Revision]:
    """Commits that changed ``path``, newest first, following renames."""
    if not has_commits(repo):
        return []
    import git

    fmt = f"{_RS}%H{_US}%aI{_US}%an{_US}%B{_US}"
    try:
        out = repo.git.log(rev, "--follow", "-M", f"--format={fmt}", "--name-status", "--", path)
    except git.GitCommandError as exc:
        raise HistoryError(f"cannot read the history of {path} at {rev}: {_git_reason(exc)}") from None
    revisions = []
    for record in out.split(_RS)[1:]:
        sha, date, author, message, files = record.split(_US, 4)
        status, file_path = _parse_name_status(files.strip(), path)
        subject = message.strip().splitlines()[0] if message.strip() else ""
        revisions.append(
            Revision(sha, dt.datetime.fromisoformat(date), author, subject, message.strip(), file_path, status)
        )
    return revisions


def _parse_name_status(block: str, fallback: str) -> tuple[str, str]:
    if not block:
        return "M", fallback
    fields = block.splitlines()[0].split("\t")
    return fields[0][:1], fields[-1]


def read_at(repo: git.Repo, rev: str, path: str) -> bytes:
    """The bytes of ``path`` at ``rev``, or a HistoryError that says why not."""
    import git

    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError, git.BadObject):
        hint = " (shallow clone: run 'git fetch --unshallow')" if is_shallow(repo) else ""
        raise HistoryError(f"unknown revision '{rev}'{hint}") from None
    try:
        return (commit.tree / path).data_stream.read()
    except KeyError:
        raise HistoryError(f"{path} does not exist at {rev}") from None


def list_tags(repo: git.Repo, prefix: str = "") -> list[Tag]:
    """Tags under ``refs/tags/<prefix>`` in one git call, annotated or not."""
    return parse_tag_records(repo.git.for_each_ref(f"--format={TAG_FORMAT}", f"refs/tags/{prefix}"))


def tag_pattern(tag_format: str, slug: str) -> re.Pattern[str]:
    """A regex that matches this policy's release tags and captures the version."""
    rx = re.escape(tag_format).replace(r"\{slug\}", re.escape(slug))
    return re.compile("^" + rx.replace(r"\{version\}", r"(?P<version>\d[0-9A-Za-z.\-]*)") + "$")


def tag_name(tag_format: str, slug: str, version: str) -> str:
    return tag_format.replace("{slug}", slug).replace("{version}", version)


def version_key(version: str) -> tuple:
    """Order versions numerically: 1.10 after 1.9."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", version))


@dataclass(frozen=True)
class ReleaseTag:
    """A release that can be trusted: its tag, the commit it names and the record it carries."""

    version: str
    tag: str
    commit: str
    date: dt.datetime | None
    record: Release


@dataclass(frozen=True)
class RejectedTag:
    """A tag named like a release that cannot be trusted as one, and why."""

    policy: str  # the slug its name gives
    tag: str
    reason: str

    @property
    def warning(self) -> str:
        return f"ignoring tag {self.tag}: {self.reason}"

    def refusal(self, then: str) -> str:
        """The one line of a command that stops at this tag; ``then`` says what happens or what to do."""
        return f"tag {self.tag} cannot be trusted as a release: {self.reason}; {then}"

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "tag": self.tag, "reason": self.reason}


@dataclass(frozen=True)
class ReleaseHistory:
    """Every release reachable from one revision, per policy, and the release tags refused."""

    rev: str
    policies: dict[str, tuple[ReleaseTag, ...]]  # slug -> its releases, oldest version first
    rejected: tuple[RejectedTag, ...] = ()

    def of(self, slug: str) -> tuple[ReleaseTag, ...]:
        return self.policies.get(slug, ())

    def last(self, slug: str) -> ReleaseTag | None:
        found = self.of(slug)
        return found[-1] if found else None

    def rejected_of(self, slug: str) -> list[RejectedTag]:
        return [r for r in self.rejected if r.policy == slug]

    def records(self) -> list[Release]:
        """Every trusted record, oldest publication first."""
        found = [rel.record for rels in self.policies.values() for rel in rels]
        return sorted(found, key=lambda r: (r.published, r.tag))

    @property
    def warnings(self) -> list[str]:
        return [r.warning for r in self.rejected]


def releases_reachable(project: Project, rev: str = "HEAD", *, git: Git | None = None) -> ReleaseHistory:
    """The trusted releases of each policy in the history of ``rev``, and the release tags refused.

    The one answer to "what was released" for every command: a tag on another
    branch is not this history's past, and a tag whose record cannot be read or
    disagrees with its name (``policywatch.release.record.trusted_record``) is never a
    release, only a ``RejectedTag``. Plain git, one call: ``check`` uses it too.
    """
    git = git or Git(project.root)
    if not git.has_commits():
        return ReleaseHistory(rev, {})
    fmt = project.config.tag_format
    named = _any_release(fmt)
    found: dict[str, list[ReleaseTag]] = {}
    rejected = []
    for tag in git.tags(merged=rev):
        if not (match := named.match(tag.name)):
            continue
        slug, version = match.group("slug"), match.group("version")
        try:
            record = read_record(tag)
            if record.policy != slug and (own := tag_pattern(fmt, record.policy).match(tag.name)):
                slug, version = record.policy, own.group("version")  # formats like {slug}-{version} are ambiguous
            check_record(record, tag.name, slug, version)
        except UntrustedRecord as why:
            rejected.append(RejectedTag(slug, tag.name, str(why)))
            continue
        found.setdefault(slug, []).append(ReleaseTag(version, tag.name, tag.commit, tag.date, record))
    policies = {slug: tuple(sorted(rels, key=lambda r: version_key(r.version))) for slug, rels in found.items()}
    return ReleaseHistory(rev, policies, tuple(sorted(rejected, key=lambda r: r.tag)))


def policies_folder(policies: str) -> str:
    """The policies folder as git spells paths: ``legal`` for ``./legal/``, empty for the top."""
    folder = PurePosixPath(policies).as_posix()
    return "" if folder == "." else folder


def policy_file(policies: str, slug: str) -> str:
    """The repository path of a policy's file in the policies folder, as git spells it."""
    return f"{policies_folder(policies)}/{slug}.md".lstrip("/")


def slug_of(policies: str, path: str) -> str | None:
    """The slug of a policy file at ``path``; None for a path outside the policies folder or not Markdown."""
    folder, _, name = path.rpartition("/")
    if folder != policies_folder(policies) or not name.endswith(".md"):
        return None
    return name[: -len(".md")]


@dataclass(frozen=True)
class Removal:
    """How a file left the latest commit: the commit that deleted it, its day, and the path it was renamed to."""

    commit: str
    day: dt.date
    renamed_to: str | None = None


def removal(repo: git.Repo, path: str) -> Removal | None:
    """How ``path`` left ``HEAD``; None while it is still there (or when no commit deleted it).

    A policy's file gone from the latest commit means the policy is withdrawn (or
    renamed): the site marks it so and no version of it is in force any more.
    """
    try:
        repo.head.commit.tree / path
        return None
    except KeyError:
        pass
    deleted = repo.git.log("-1", "--diff-filter=D", "--format=%H %cI", "HEAD", "--", path).split()
    if not deleted:
        return None
    commit, day = deleted[0], dt.datetime.fromisoformat(deleted[1]).date()
    for line in repo.git.show("-M", "--name-status", "--format=", commit).splitlines():
        fields = line.split("\t")
        if fields[0].startswith("R") and len(fields) == 3 and fields[1] == path:
            return Removal(commit, day, fields[2])
    return Removal(commit, day)


def _any_release(tag_format: str) -> re.Pattern[str]:
    """A regex that matches any policy's release tags, capturing slug and version."""
    rx = re.escape(tag_format).replace(r"\{slug\}", r"(?P<slug>[^/]+?)", 1)
    return re.compile("^" + rx.replace(r"\{version\}", r"(?P<version>\d[0-9A-Za-z.\-]*)", 1) + "$")


def _git_reason(exc: Exception) -> str:
    stderr = getattr(exc, "stderr", "") or ""
    lines = [ln.strip() for ln in str(stderr).strip().strip("'").splitlines() if ln.strip()]
    return lines[-1].removeprefix("stderr: ").strip("' ") if lines else str(exc)
