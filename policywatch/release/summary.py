"""Summaries written by people: what a release means, in the words of whoever made it.

The engine's reasons say what changed in the text; a summary says what it means
for the reader, and notices, the feed and the site show it first. A release takes
its summary from ``publish --summary`` / ``--summary-file`` or, without those,
from the ``Policy-Summary:`` trailers of the commits since the policy's last
release, read by git itself (``%(trailers)``), so they follow
``git interpret-trailers`` exactly: only the message's last paragraph holds
trailers, keys match without regard to case, folded lines are joined.

A value that starts with a policy's slug and a colon (``privacy: Location is now
shared``) is for that policy only; any other value is for every policy the
commit changed (for ``--summary``: every policy the publish releases). Several
values for one policy are joined as paragraphs, oldest commit first.

A summary is user text: each paragraph is one line, its control characters and
line separators cleaned as the rest of the record's text is, and the whole is
limited to ``MAX_CHARS`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policywatch.errors import InvalidSummary
from policywatch.release.git import Git
from policywatch.release.record import clean_summary

TRAILER_KEY = "Policy-Summary"
MAX_CHARS = 2000
_FILE_BYTES = 64 * 1024  # room for any summary of MAX_CHARS with its blank lines, and no more
_NAMED = re.compile(r"^(?P<slug>[^\s:]+):\s+(?P<text>\S.*)$", re.S)


def split_named(value: str, slugs: Iterable[str]) -> tuple[str | None, str]:
    """(slug, text) for ``SLUG: text`` naming one of ``slugs``; (None, value) for anything else."""
    match = _NAMED.match(value.strip())
    if match and match.group("slug") in set(slugs):
        return match.group("slug"), match.group("text")
    return None, value


def joined(texts: Sequence[str], where: str) -> str:
    """The texts as one summary, or ``InvalidSummary`` saying ``where`` it came from and what is wrong."""
    summary = "\n\n".join(p for p in (clean_summary(t) for t in texts) if p)
    if not summary:
        raise InvalidSummary(f"{where}: the summary is empty")
    if len(summary) > MAX_CHARS:
        raise InvalidSummary(
            f"{where}: the summary is {len(summary):,} characters; a summary holds at most {MAX_CHARS:,} "
            "(say what the change means; the reasons beneath it give the detail)"
        )
    return summary


@dataclass(frozen=True)
class Given:
    """The summaries given on the command line: ``--summary`` values, or one ``--summary-file``."""

    values: tuple[str, ...] = ()
    file: Path | None = None

    def __bool__(self) -> bool:
        return bool(self.values) or self.file is not None

    def for_policies(self, releasing: Sequence[str], slugs: Iterable[str]) -> dict[str, str]:
        """{slug: summary} for the policies ``releasing``; a value naming another policy is refused."""
        if self.values and self.file is not None:
            raise InvalidSummary("--summary-file: give --summary or --summary-file, not both")
        if self.file is not None:
            text = joined([_read(self.file)], str(self.file))
            return dict.fromkeys(releasing, text)
        texts: dict[str, list[str]] = {slug: [] for slug in releasing}
        known = set(slugs)
        for value in self.values:
            slug, text = split_named(value, known)
            if slug is not None and slug not in texts:
                raise InvalidSummary(f"--summary: names policy {slug}, which this publish does not release")
            if not clean_summary(text):
                raise InvalidSummary("--summary: the summary is empty")
            for target in [slug] if slug else releasing:
                texts[target].append(text)
        return {slug: joined(parts, f"--summary for {slug}") for slug, parts in texts.items() if parts}


def _read(path: Path) -> str:
    """The file's text, read no further than ``_FILE_BYTES`` (``/dev/zero`` never ends)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidSummary(f"{path}: cannot read the summary file: {exc.strerror or exc}") from None
    if len(data) > _FILE_BYTES:
        raise InvalidSummary(
            f"{path}: the summary file is larger than {_FILE_BYTES // 1024} KiB; "
            f"a summary holds at most {MAX_CHARS:,} characters"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidSummary(f"{path}: the summary file is not UTF-8 text") from None


@dataclass(frozen=True)
class Since:
    """One policy's question: which commits since ``since`` (None: all history) speak for it."""

    slug: str
    since: str | None
    paths: tuple[str, ...]  # its file now, and as last released when it was renamed since
    formerly: str | None = None  # its slug at its last release, when it was renamed since


def from_trailers(git: Git, head: str, wanted: Sequence[Since], slugs: Iterable[str]) -> dict[str, str]:
    """{slug: summary} from the ``Policy-Summary:`` trailers of the commits since each policy's last release."""
    known = set(slugs) | {item.formerly for item in wanted if item.formerly}
    logs: dict[str | None, list[tuple[str, list[str]]]] = {}
    out = {}
    for item in wanted:
        if item.since not in logs:
            logs[item.since] = _trailers(git, item.since, head)
        commits = logs[item.since]
        touching: set[str] | None = None
        texts, shas = [], []
        for sha, values in commits:
            for value in values:
                slug, text = split_named(value, known)
                if slug is None:
                    if touching is None:
                        touching = _touching(git, item.since, head, item.paths)
                    if sha not in touching:
                        continue
                elif slug not in (item.slug, item.formerly):
                    continue
                texts.append(text)
                if sha not in shas:
                    shas.append(sha)
        if texts:
            where = f"{item.slug}: the {TRAILER_KEY} trailers of {', '.join(s[:12] for s in shas)}"
            try:
                out[item.slug] = joined(texts, where)
            except InvalidSummary as exc:
                raise InvalidSummary(f"{exc}; give --summary or --summary-file to replace them") from None
    return out


def _trailers(git: Git, since: str | None, head: str) -> list[tuple[str, list[str]]]:
    """(commit, trailer values) of the commits in ``since..head`` that carry the trailer, oldest first."""
    span = f"{since}..{head}" if since else head
    # -z ends each commit with NUL, which no message can hold; unfolded values hold no newline.
    fmt = f"--format=%H%n%(trailers:key={TRAILER_KEY},valueonly,unfold)"
    records = git.run("log", "-z", "--reverse", fmt, span, "--").split("\0")
    found = []
    for record in records:
        sha, _, rest = record.strip("\n").partition("\n")
        values = [line for line in rest.split("\n") if line.strip()]
        if sha and values:
            found.append((sha, values))
    return found


def _touching(git: Git, since: str | None, head: str, paths: Sequence[str]) -> set[str]:
    span = f"{since}..{head}" if since else head
    return set(git.run("--literal-pathspecs", "log", "--format=%H", span, "--", *paths).split())
