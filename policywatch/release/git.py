"""Git through its command line, for the paths that run on every push.

``check`` runs from a pre-push hook, so it cannot afford to import gitpython
(about 75 ms) before doing any work. This module reads tags, blobs and commit
messages with a handful of plain ``git`` calls and writes the publication
commit and tags the same way. It is the one way the code runs plain git
(``init``, the hooks and crash recovery too), and it imports nothing of the
release package: ``history`` builds on it, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policywatch.errors import HistoryError, NotARepository

_RS, _US = "\x1e", "\x1f"
SYMLINK_MODE = "120000"
_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or 'git am'",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}


@dataclass(frozen=True)
class Tag:
    """A tag as git lists it: an annotated tag's message is where a release keeps its record."""

    name: str
    commit: str
    message: str
    date: dt.datetime | None
    annotated: bool


# Fields end at a unit separator, records at NUL: git refnames cannot hold control characters
# and ``%(contents)`` stops at a NUL, so no tag message, however hostile, can shift a field.
TAG_FORMAT = (
    _US.join(
        [
            "%(refname:strip=2)",
            "%(objecttype)",
            "%(objectname)",
            "%(*objectname)",
            "%(taggerdate:iso-strict)",
            "%(contents)",
        ]
    )
    + "%00"
)


def parse_tag_records(out: str) -> list[Tag]:
    """Tags from ``git for-each-ref --format=TAG_FORMAT`` output (shared by gitpython and plain-git readers)."""
    tags = []
    for record in out.split("\0"):
        record = record.removeprefix("\n")
        if not record:
            continue
        name, kind, obj, peeled, date, contents = record.split(_US, 5)
        annotated = kind == "tag"
        tags.append(
            Tag(name, peeled if annotated else obj, contents.rstrip("\n") if annotated else "", _date(date), annotated)
        )
    return tags


def _date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


class Git:
    """One repository's git, run as a subprocess from its root."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def run(self, *args: str, input: str | None = None, check: bool = True) -> str:
        try:
            out = subprocess.run(
                ["git", *args],
                cwd=self.root,
                input=input,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
            )
        except FileNotFoundError:
            raise NotARepository("git is not installed or not on PATH") from None
        if check and out.returncode != 0:
            reason = out.stderr.strip().splitlines()
            raise HistoryError(f"git {args[0]} failed: {reason[-1] if reason else out.returncode}")
        return out.stdout

    def has_commits(self) -> bool:
        return self.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip() != ""

    def rev_parse(self, rev: str) -> str:
        out = self.run("rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False).strip()
        if not out:
            hint = " (shallow clone: run 'git fetch --unshallow')" if self.is_shallow() else ""
            raise HistoryError(f"unknown revision '{rev}'{hint}")
        return out

    def git_dir(self) -> Path:
        return (self.root / self.run("rev-parse", "--git-dir").strip()).resolve()

    def git_path(self, name: str) -> Path:
        """A path inside the git directory as git resolves it (worktrees, core.hooksPath)."""
        return (self.root / self.run("rev-parse", "--git-path", name).strip()).resolve()

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository", check=False).strip() == "true"

    def operation_in_progress(self) -> str | None:
        """'a merge', 'a rebase', ... when the repository is half-way through one."""
        for name, what in _IN_PROGRESS.items():
            if self.git_path(name).exists():
                return what
        return None

    def tags(self, merged: str | None = None) -> list[Tag]:
        """Every tag (or those in the history of ``merged``) with its target commit and message, in one call."""
        only = [f"--merged={merged}"] if merged else []
        return parse_tag_records(self.run("for-each-ref", f"--format={TAG_FORMAT}", *only, "refs/tags/"))

    def list_files(self, rev: str, folder: str) -> list[str]:
        """Paths of the files directly inside ``folder`` at ``rev``."""
        return list(self.file_modes(rev, folder))

    def file_modes(self, rev: str, folder: str) -> dict[str, str]:
        """``{path: mode}`` of the entries directly inside ``folder`` at ``rev`` (120000 is a symbolic link)."""
        out = self.run("ls-tree", "-z", rev, "--", folder.rstrip("/") + "/")
        entries = (line.partition("\t") for line in out.split("\0") if line)
        return {path: meta.split(" ", 1)[0] for meta, _, path in entries}

    def read_blobs(self, specs: list[str]) -> dict[str, bytes | None]:
        """``{"REV:path": bytes}`` for many files in one ``git cat-file --batch``; None where missing."""
        if not specs:
            return {}
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.root,
            input="".join(f"{s}\n" for s in specs).encode("utf-8"),
            capture_output=True,
        )
        if proc.returncode != 0:
            raise HistoryError(f"git cat-file failed: {proc.stderr.decode(errors='replace').strip()}")
        data, pos, found = proc.stdout, 0, {}
        for spec in specs:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) != 3 or not header[2].isdigit():  # "<spec> missing" / "ambiguous"
                found[spec] = None
                continue
            size = int(header[2])
            found[spec] = data[pos : pos + size] if header[1] == b"blob" else None
            pos += size + 1
        return found

    def messages(self, since: str | None, until: str, path: str) -> list[tuple[str, str]]:
        """(commit, message) of commits touching ``path`` after ``since`` up to ``until``, newest first."""
        span = f"{since}..{until}" if since else until
        out = self.run("log", f"--format={_RS}%H{_US}%B", span, "--", path)
        pairs = []
        for record in out.split(_RS)[1:]:
            sha, message = record.split(_US, 1)
            pairs.append((sha, message.strip()))
        return pairs

    def dirty_paths(self, paths: list[str]) -> list[str]:
        """Paths among ``paths`` (files or folders) with staged, unstaged or untracked changes."""
        out = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", *paths)
        return [entry[3:] for entry in out.split("\0") if len(entry) > 3 and entry[2] == " "]
