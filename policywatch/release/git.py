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
        self._commits = False  # True once the repository is known to have a commit
        self._batch: subprocess.Popen[bytes] | None = None

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        """End the ``cat-file`` session, if one was started."""
        batch, self._batch = getattr(self, "_batch", None), None
        if batch is not None:
            batch.stdin.close()  # type: ignore[union-attr]
            batch.wait()
            batch.stdout.close()  # type: ignore[union-attr]
            batch.stderr.close()  # type: ignore[union-attr]

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
        if not self._commits:
            self._commits = self.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip() != ""
        return self._commits

    def resolve(self, rev: str) -> tuple[bool, str | None]:
        """(whether the clone is shallow, the commit ``rev`` names or None), in one git call."""
        out = self.run("rev-parse", "--is-shallow-repository", "--verify", "-q", f"{rev}^{{commit}}", check=False)
        words = out.split()
        commit = words[1] if len(words) > 1 else None
        self._commits = self._commits or commit is not None
        return bool(words) and words[0] == "true", commit

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
        folder = folder.rstrip("/")
        found = self._object(f"{rev}:{folder}")
        if found is None or found[0] != b"tree":
            return {}
        data, pos, modes = found[1], 0, {}
        width = found[2]
        while pos < len(data):
            space = data.index(b" ", pos)
            nul = data.index(b"\0", space)
            name = data[space + 1 : nul].decode("utf-8", errors="surrogateescape")
            modes[f"{folder}/{name}"] = data[pos:space].decode("ascii").zfill(6)
            pos = nul + 1 + width
        return modes

    def read_blobs(self, specs: list[str]) -> dict[str, bytes | None]:
        """``{"REV:path": bytes}`` for many files, through one ``git cat-file --batch`` session; None where missing."""
        return {
            spec: obj[1] if obj is not None and obj[0] == b"blob" else None
            for spec, obj in zip(specs, self._objects(specs), strict=True)
        }

    def _object(self, spec: str) -> tuple[bytes, bytes, int] | None:
        """(type, content, hash width in bytes) of the object ``spec`` names; None when there is none."""
        return self._objects([spec])[0]

    def _objects(self, specs: list[str]) -> list[tuple[bytes, bytes, int] | None]:
        """``_object`` of each spec, the requests written a pipe's worth at a time and the answers read after.

        One ``cat-file --batch`` process serves every read of a command: a check
        reads the policy folder, the policies and their released texts through it,
        in three exchanges instead of one per file. A request stays under 16 KB, so
        it fits in the pipe and git never waits on an answer nobody is reading yet.
        """
        found: list[tuple[bytes, bytes, int] | None] = [None] * len(specs)
        wanted = [
            (i, spec.encode("utf-8", errors="surrogateescape")) for i, spec in enumerate(specs) if "\n" not in spec
        ]
        while wanted:
            size, count = 0, 0
            while count < len(wanted) and (count == 0 or size + len(wanted[count][1]) < 16_384):
                size += len(wanted[count][1]) + 1
                count += 1
            chunk, wanted = wanted[:count], wanted[count:]
            for (i, _), obj in zip(chunk, self._exchange([name for _, name in chunk]), strict=True):
                found[i] = obj
        return found

    def _exchange(self, names: list[bytes]) -> list[tuple[bytes, bytes, int] | None]:
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        batch = self._batch
        out: list[tuple[bytes, bytes, int] | None] = []
        try:
            batch.stdin.write(b"".join(name + b"\n" for name in names))  # type: ignore[union-attr]
            batch.stdin.flush()  # type: ignore[union-attr]
            for _ in names:
                header = batch.stdout.readline().split()  # type: ignore[union-attr]
                if len(header) != 3 or not header[2].isdigit():  # "<spec> missing" / "ambiguous"
                    if not header:
                        raise OSError("no answer")
                    out.append(None)
                    continue
                size = int(header[2])
                data = batch.stdout.read(size + 1)[:size]  # type: ignore[union-attr]
                out.append((header[1], data, len(header[0]) // 2))
        except OSError:
            error = batch.stderr.read().decode(errors="replace").strip() if batch.poll() is not None else ""  # type: ignore[union-attr]
            self.close()
            raise HistoryError(f"git cat-file failed: {error or 'it stopped answering'}") from None
        return out

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
