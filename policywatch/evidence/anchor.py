"""The ledger's chain head recorded in git, so the database cannot be rewritten unseen.

With ``[evidence] git_note = true``, ``publish`` and ``notify`` append a line
``policywatch-chain-head seq=N hash=H at=T`` to a git note (``refs/notes/policywatch``)
on the commit of each release they handled. Anyone holding a clone then holds
the head the chain had at that moment: a rewritten database, even one whose
chain was recomputed throughout, no longer reaches it. Off by default: notes are
refs that must be pushed (``git push origin refs/notes/policywatch``), and a
repository should not grow refs its owner did not ask for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from policywatch.errors import ConfigError, HistoryError
from policywatch.release.git import Git
from policywatch.settings_values import Table
from policywatch.store import Store, chain, utcnow

NOTES_REF = "refs/notes/policywatch"
_LINE = re.compile(r"^policywatch-chain-head seq=(\d+) hash=([0-9a-f]{64}) at=(\S+)$")


@dataclass(frozen=True)
class Anchor:
    """A chain head as git recorded it, on a commit."""

    commit: str
    seq: int
    hash: str
    at: str

    def to_json(self) -> dict[str, object]:
        return {"commit": self.commit, "seq": self.seq, "hash": self.hash, "at": self.at}


def enabled(project) -> bool:
    """``[evidence] git_note``: whether publish and notify record the chain head in git."""
    section = project.config.section("evidence")
    return Table(section, f"{project.config.source} [evidence]", ConfigError, {"git_note"}).flag("git_note", False)


def record_head(project, store: Store, commits: Iterable[str]) -> chain.Head | None:
    """Append the current chain head to the note of each commit; the head recorded, or None when off."""
    if not enabled(project):
        return None
    current = chain.head(store)
    line = f"policywatch-chain-head seq={current.seq} hash={current.hash} at={utcnow()}"
    git = Git(project.root)
    for commit in sorted(set(commits)):
        git.run("notes", f"--ref={NOTES_REF}", "append", "-m", line, commit)
    return current


def anchors(root, commit: str | None = None) -> list[Anchor]:
    """The chain heads recorded in git: on one commit, or on every commit with a note."""
    git = Git(root)
    if commit is not None:
        targets = [commit]
    else:
        listed = git.run("notes", f"--ref={NOTES_REF}", "list", check=False)
        targets = [line.split()[1] for line in listed.splitlines() if len(line.split()) == 2]
    found = []
    for target in targets:
        try:
            text = git.run("notes", f"--ref={NOTES_REF}", "show", target)
        except HistoryError:
            continue  # no note on this commit
        for line in text.splitlines():
            if match := _LINE.match(line.strip()):
                found.append(Anchor(target, int(match.group(1)), match.group(2), match.group(3)))
    return found


def check_anchors(store: Store, found: Iterable[Anchor]) -> str | None:
    """The first recorded head the live chain does not pass through; None when it passes through all."""
    top = chain.head(store)
    for anchor in found:
        if anchor.seq > top.seq:
            return (
                f"git note on {anchor.commit[:12]} records chain event {anchor.seq}, "
                f"but the chain ends at event {top.seq}: events were removed"
            )
        rows = store.query("SELECT hash FROM ledger_chain WHERE seq = ?", (anchor.seq,)) if anchor.seq else []
        have = rows[0][0] if rows else chain.GENESIS
        if have != anchor.hash:
            return (
                f"git note on {anchor.commit[:12]} records chain event {anchor.seq} as {anchor.hash[:12]}, "
                f"the database has {have[:12]}: the ledger was rewritten"
            )
    return None


def record_for_tags(project, tags: Iterable[str]) -> chain.Head | None:
    """``record_head`` on the commits of these release tags, with the project's store; None when off or none."""
    wanted = set(tags)
    if not enabled(project) or not wanted:  # the setting is read, and checked, on every run
        return None
    from policywatch.store import project_store

    commits = [tag.commit for tag in Git(project.root).tags() if tag.name in wanted]
    with project_store(project) as store:
        return record_head(project, store, commits)
