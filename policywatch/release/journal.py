"""The publish journal, so that a publish killed half-way is finished or undone.

The journal (``.policywatch/publish-journal.json``) is written before the first
file changes and removed after the last tag exists; finding one means a publish
stopped part-way, and ``recover`` completes it (the commit exists: create the
missing tags, which are the release record) or rolls it back (no commit: put
the policy files back as they were). Recovery relies on what it reads, so the
journal is written with ``atomic_write``: all of it on disk, or the previous one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from policywatch.errors import InterruptedPublish
from policywatch.filemodes import FILE_MODE, JOURNAL_FILE, STATE_DIR, state_dir
from policywatch.files import atomic_write
from policywatch.release.git import Git
from policywatch.release.record import COMMIT_TRAILER


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
        atomic_write(state_dir(root) / JOURNAL_FILE, json.dumps(asdict(self), indent=1), mode=FILE_MODE)

    @staticmethod
    def load(root: Path) -> Journal | None:
        path = root / STATE_DIR / JOURNAL_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["tags"] = [JournalTag(**t) for t in data.get("tags", [])]
            return Journal(**data)
        except (ValueError, TypeError) as exc:
            raise InterruptedPublish(
                f"{STATE_DIR}/{JOURNAL_FILE}: unreadable record of an interrupted publish ({exc}); "
                "check the policy files and tags, then delete it"
            ) from None

    @staticmethod
    def remove(root: Path) -> None:
        (root / STATE_DIR / JOURNAL_FILE).unlink(missing_ok=True)


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
                    f"check it, then delete {STATE_DIR}/{JOURNAL_FILE}"
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
            f"check the policy files, then delete {STATE_DIR}/{JOURNAL_FILE}"
        )
    restored = []
    for path, (before, after) in journal.files.items():
        file = root / path
        current = file.read_text(encoding="utf-8", errors="surrogateescape") if file.exists() else None
        if current is not None and digest(current) not in (before, after):
            raise InterruptedPublish(
                f"{path}: changed since an interrupted publish; check it, then delete {STATE_DIR}/{JOURNAL_FILE}"
            )
        if current is not None and digest(current) == after:
            git.run("checkout", journal.base, "--", path)
            restored.append(path)
    return restored or ["nothing (no file had been written)"]


def create_tag(git: Git, name: str, message: str, commit: str) -> None:
    """The annotated tag that is a release's record, its message kept verbatim."""
    git.run("tag", "-a", "--cleanup=verbatim", "-F", "-", "--", name, commit, input=message)
