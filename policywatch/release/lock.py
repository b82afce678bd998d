"""One publish at a time, and a journal so that a publish killed half-way is finished or undone.

The lock is an ``flock`` on ``.policywatch/publish.lock``: the kernel drops it
when its holder dies, so a crash never leaves a stale lock behind. The journal
(``.policywatch/publish-journal.json``) is written before the first file
changes and removed after the last tag exists; finding one means a publish
stopped part-way, and ``recover`` completes it (the commit exists: create the
missing tags, which are the release record) or rolls it back (no commit: put
the policy files back as they were).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from policywatch.errors import InterruptedPublish, PublishLocked
from policywatch.filemodes import open_private, private_dir
from policywatch.release.git import Git

LOCK_FILE = "publish.lock"
JOURNAL_FILE = "publish-journal.json"
COMMIT_TRAILER = "Policywatch-Publish"


def state_dir(root: Path) -> Path:
    """``.policywatch/``, private (0700), with its own ``.gitignore`` so its files never reach a commit."""
    folder = private_dir(root / ".policywatch")
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


@contextlib.contextmanager
def publish_lock(root: Path, wait: float = 30.0) -> Iterator[None]:
    """Hold the repository's publish lock; wait up to ``wait`` seconds for another publish to end."""
    import fcntl

    path = state_dir(root) / LOCK_FILE
    with open(open_private(path, os.O_RDWR | os.O_APPEND), "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise PublishLocked(
                        f"{path.relative_to(root)}: another publish is running (process {holder}); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class JournalTag:
    name: str
    message: str


@dataclass
class Journal:
    """What a publish is about to do, enough to finish or undo it."""

    id: str
    base: str  # HEAD before the publish
    files: dict[str, list[str]] = field(default_factory=dict)  # path -> [digest before, digest after]
    tags: list[JournalTag] = field(default_factory=list)
    commit: str | None = None  # set once the publication commit exists

    def save(self, root: Path) -> None:
        path = state_dir(root) / JOURNAL_FILE
        tmp = path.with_suffix(".tmp")
        with open(open_private(tmp, os.O_WRONLY | os.O_TRUNC), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(self), indent=1))
        os.replace(tmp, path)

    @staticmethod
    def load(root: Path) -> Journal | None:
        path = root / ".policywatch" / JOURNAL_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["tags"] = [JournalTag(**t) for t in data.get("tags", [])]
            return Journal(**data)
        except (ValueError, TypeError) as exc:
            raise InterruptedPublish(
                f".policywatch/{JOURNAL_FILE}: unreadable record of an interrupted publish ({exc}); "
                "check the policy files and tags, then delete it"
            ) from None

    @staticmethod
    def remove(root: Path) -> None:
        (root / ".policywatch" / JOURNAL_FILE).unlink(missing_ok=True)


def recover(root: Path, git: Git) -> list[str]:
    """Finish or undo a publish that stopped half-way; return what was done, for the user."""
    journal = Journal.load(root)
    if journal is None:
        return []
    commit = journal.commit or _find_commit(git, journal)
    if commit is None and journal.files:
        undone = _roll_back(root, git, journal)
        Journal.remove(root)
        return [f"rolled back an interrupted publish (no commit was made): restored {', '.join(undone)}"]
    target = commit or journal.base
    existing = {t.name: t.commit for t in git.tags()}
    made = []
    for tag in journal.tags:
        if tag.name in existing:
            if existing[tag.name] != target:
                raise InterruptedPublish(
                    f"tag {tag.name} exists but does not point at the interrupted publish's commit {target[:12]}; "
                    f"check it, then delete .policywatch/{JOURNAL_FILE}"
                )
            continue
        create_tag(git, tag.name, tag.message, target)
        made.append(tag.name)
    Journal.remove(root)
    if not made:
        return ["an interrupted publish had already finished; cleared its journal"]
    return [f"completed an interrupted publish: created {', '.join(made)} at {target[:12]}"]


def _find_commit(git: Git, journal: Journal) -> str | None:
    out = git.run(
        "log", "--format=%H", "-F", f"--grep={COMMIT_TRAILER}: {journal.id}", f"{journal.base}..HEAD", check=False
    )
    shas = out.split()
    return shas[0] if shas else None


def _roll_back(root: Path, git: Git, journal: Journal) -> list[str]:
    head = git.rev_parse("HEAD")
    if head != journal.base:
        raise InterruptedPublish(
            f"an interrupted publish started at {journal.base[:12]} but HEAD is now {head[:12]} without its commit; "
            f"check the policy files, then delete .policywatch/{JOURNAL_FILE}"
        )
    restored = []
    for path, (before, after) in journal.files.items():
        file = root / path
        current = file.read_text(encoding="utf-8", errors="surrogateescape") if file.exists() else None
        if current is not None and digest(current) not in (before, after):
            raise InterruptedPublish(
                f"{path}: changed since an interrupted publish; check it, then delete .policywatch/{JOURNAL_FILE}"
            )
        if current is not None and digest(current) == after:
            git.run("checkout", journal.base, "--", path)
            restored.append(path)
    return restored or ["nothing (no file had been written)"]


def create_tag(git: Git, name: str, message: str, commit: str) -> None:
    git.run("tag", "-a", "--cleanup=verbatim", "-F", "-", "--", name, commit, input=message)
