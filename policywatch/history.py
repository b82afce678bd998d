"""What git knows about policy files: revisions, text at a revision, release tags.

Everything here goes through gitpython, imported lazily: commands that never
touch history (and the pre-push hook's fast path) should not pay for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.errors import HistoryError, NotARepository

if TYPE_CHECKING:
    import git

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


@dataclass(frozen=True)
class Tag:
    name: str
    commit: str
    message: str
    date: dt.datetime | None
    annotated: bool


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


TAG_FORMAT = _RS + _US.join(
    [
        "%(refname:strip=2)",
        "%(objecttype)",
        "%(objectname)",
        "%(*objectname)",
        "%(taggerdate:iso-strict)",
        "%(contents)",
    ]
)


def parse_tag_records(out: str) -> list[Tag]:
    """Tags from ``git for-each-ref --format=TAG_FORMAT`` output (shared by gitpython and plain-git readers)."""
    tags = []
    for record in out.split(_RS)[1:]:
        name, kind, obj, peeled, date, contents = record.split(_US, 5)
        annotated = kind == "tag"
        tags.append(
            Tag(
                name,
                peeled if annotated else obj,
                contents.rstrip("\n") if annotated else "",
                dt.datetime.fromisoformat(date) if date else None,
                annotated,
            )
        )
    return tags


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


def release_tags(repo: git.Repo, tag_format: str, slug: str, tags: list[Tag] | None = None) -> list[tuple[str, Tag]]:
    """(version, tag) of every release of one policy, oldest version first."""
    rx = tag_pattern(tag_format, slug)
    found = []
    for tag in list_tags(repo) if tags is None else tags:
        if m := rx.match(tag.name):
            found.append((m.group("version"), tag))
    return sorted(found, key=lambda vt: version_key(vt[0]))


def _git_reason(exc: Exception) -> str:
    stderr = getattr(exc, "stderr", "") or ""
    lines = [ln.strip() for ln in str(stderr).strip().strip("'").splitlines() if ln.strip()]
    return lines[-1].removeprefix("stderr: ").strip("' ") if lines else str(exc)
