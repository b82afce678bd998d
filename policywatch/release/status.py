"""Where each policy stands against its releases: the data behind `status` and `log`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policywatch.project import Project
from policywatch.release import history
from policywatch.release.text import released_text
from policywatch.release.translations import link_translations


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
    notice_days: int = 30  # the policy's own notice period, else the project's
    kind: str = "policy"  # policy | register
    source: str | None = None  # for a translation: the slug of the policy it translates
    language: str | None = None  # for a translation: its language tag
    translation: dict[str, object] | None = None  # for a translation: what it translates and how far behind it is
    translations_later: list[str] = field(default_factory=list)  # languages still to follow, as releases recorded


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


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def policy_statuses(project: Project) -> list[PolicyStatus]:
    """Each policy in the working tree against its last release reachable from HEAD."""
    from policywatch.release.pending import pending_changes

    repo = history.open_repo(project.root)
    known = history.releases_reachable(project)
    items = pending_changes(project, rev=None)
    pending = {p.slug: p.verdict for p in items}
    renamed = {p.slug: p.renamed_from for p in items if p.renamed_from}
    links = {link.slug: link for link in link_translations(items)}
    out = []
    for policy in project.load_all():
        link = links.get(policy.slug)
        last = known.last(policy.slug) or (known.last(renamed[policy.slug]) if policy.slug in renamed else None)
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
                project.config.notice_days if policy.notice_days is None else policy.notice_days,
                policy.kind,
                link.source if link and link.language else None,
                link.language if link and link.language else None,
                link.to_json() if link and link.language else None,
                following_later(policy.slug, links.values()),
            )
        )
    return under_sources(out)


def following_later(source: str, links) -> list[str]:
    """The languages of ``source``'s translations still behind a release that recorded them as following later."""
    return sorted(link.language for link in links if link.source == source and any(b.later for b in link.behind))


def under_sources(statuses: list[PolicyStatus]) -> list[PolicyStatus]:
    """Each translation right after its source (in slug order), so a listing shows locales under it."""
    sources = {s.slug for s in statuses}
    out = []
    for status in statuses:
        if status.source in sources:
            continue
        out.append(status)
        out += [s for s in statuses if s.source == status.slug]
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
