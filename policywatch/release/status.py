"""Where each policy stands against its releases: the data behind `status`, `log` and `show`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from policywatch.document import decode_policy, parse_policy
from policywatch.errors import HistoryError, PolicyNotFound, UntrustedReleaseTag
from policywatch.project import Project, check_slug
from policywatch.release import history


@dataclass(frozen=True)
class PolicyStatus:
    slug: str
    path: str
    title: str
    version: str | None
    effective: str | None
    updated: str | None
    last_release: str | None  # tag name
    released_version: str | None
    changed_since_release: bool | None  # None: never released
    note: str | None = None
    pending: str | None = None  # what a publish would release now: material | minor | none | initial
    ignored_tags: list[dict[str, str]] = field(default_factory=list)  # release tags that cannot be trusted


@dataclass(frozen=True)
class LogEntry:
    commit: str
    date: str
    author: str
    subject: str
    path: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PolicyLog:
    slug: str
    path: str
    releases: list[history.ReleaseTag]
    commits: list[LogEntry]
    shallow: bool
    ignored_tags: list[dict[str, str]] = field(default_factory=list)


def released_text(project: Project, repo, release: history.ReleaseTag, current_path: str) -> str | None:
    """The policy text as it was released; None when the file is not in that commit."""
    candidates = [release.record.path, current_path]
    for path in candidates:
        try:
            return decode_policy(history.read_at(repo, release.commit, path), f"{release.tag}:{path}")
        except HistoryError:
            continue
    return None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def policy_statuses(project: Project) -> list[PolicyStatus]:
    """Each policy in the working tree against its last release reachable from HEAD."""
    from policywatch.release.pending import pending_changes

    repo = history.open_repo(project.root)
    known = history.releases_reachable(project)
    pending = {p.slug: p.verdict for p in pending_changes(project, rev=None)}
    out = []
    for policy in project.load_all():
        last = known.last(policy.slug)
        changed, note = None, None
        if last:
            old = released_text(project, repo, last, policy.path)
            changed = old != policy.text
            if old is None:
                note = f"file not found in {last.tag}"
        elif not history.has_commits(repo):
            note = "repository has no commits"
        out.append(
            PolicyStatus(
                policy.slug,
                policy.path,
                policy.title,
                policy.version,
                _iso(policy.effective),
                _iso(policy.updated),
                last.tag if last else None,
                last.version if last else None,
                changed,
                note,
                pending.get(policy.slug),
                [r.to_json() for r in known.rejected_of(policy.slug)],
            )
        )
    return out


def policy_log(project: Project, slug: str) -> PolicyLog:
    path = project.relpath(project.policy_path(slug))
    repo = history.open_repo(project.root)
    known = history.releases_reachable(project)
    rels = list(known.of(slug))
    by_commit: dict[str, list[str]] = {}
    for rel in rels:
        by_commit.setdefault(rel.commit, []).append(rel.tag)
    commits = [
        LogEntry(r.commit, r.date.isoformat(), r.author, r.subject, r.path, by_commit.get(r.commit, []))
        for r in history.file_revisions(repo, path)
    ]
    ignored = [r.to_json() for r in known.rejected_of(slug)]
    return PolicyLog(slug, path, rels, commits, history.is_shallow(repo), ignored)


def show_text(project: Project, spec: str) -> str:
    """Text of ``SLUG`` (working tree), ``SLUG@VERSION`` (a release) or ``SLUG@REV`` (any git revision)."""
    slug, _, version = spec.partition("@")
    check_slug(slug)
    if not version:
        return project.load(slug).text
    repo = history.open_repo(project.root)
    current = project.policies_dir / f"{slug}.md"
    current_path = project.relpath(current) if current.exists() else f"{project.config.policies}/{slug}.md"
    known = history.releases_reachable(project)
    rels = known.of(slug)
    for refused in known.rejected_of(slug):
        if refused.tag == history.tag_name(project.config.tag_format, slug, version.removeprefix("v")):
            raise UntrustedReleaseTag(refused.refusal("it is not shown as a release"))
    for rel in rels:
        if rel.version == version.removeprefix("v"):
            text = released_text(project, repo, rel, current_path)
            if text is None:
                raise HistoryError(f"{rel.tag} does not contain {current_path}")
            return text
    try:
        data = history.read_at(repo, version, current_path)
    except HistoryError:
        known = ", ".join(r.version for r in rels) or "none"
        raise PolicyNotFound(f"{slug} has no version or revision '{version}' (released versions: {known})") from None
    text = decode_policy(data, f"{version}:{current_path}")
    parse_policy(text, path=f"{version}:{current_path}", slug=slug, date_order=project.config.date_order)
    return text


def read_policy_at(project: Project, rev: str, path: str | Path):
    """Parse a policy file as it was at a revision."""
    repo = history.open_repo(project.root)
    name = f"{rev}:{path}"
    text = decode_policy(history.read_at(repo, rev, str(path)), name)
    return parse_policy(text, path=name, slug=Path(path).stem, date_order=project.config.date_order)
