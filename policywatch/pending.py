"""What each policy would release now: its last release against its current text.

``check``, ``publish`` and ``status`` all ask the same question, so they share
this answer: the verdict (material, minor, none, or initial for a policy never
released), its reasons, who decided it (the engine, a ``Policy-Change:`` trailer
in a commit message, or the ``--as`` option) and any metadata that contradicts
the release history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from policywatch.document import Policy, decode_policy, parse_policy, symlink_error
from policywatch.errors import HistoryError, PolicyNotFound
from policywatch.gitcmd import SYMLINK_MODE, Git
from policywatch.history import release_tags, version_key
from policywatch.project import POLICY_SUFFIX, Project
from policywatch.release import Release, parse_tag

if TYPE_CHECKING:
    from policywatch.comparison import Change
    from policywatch.history import Tag

VERDICTS = ("material", "minor")
TRAILER_KEY = "Policy-Change"
_TRAILER = re.compile(rf"^{TRAILER_KEY}[ \t]*:[ \t]*(?P<verdict>\w+)[ \t]*(?P<note>.*)$", re.I | re.M)
WORKING_TREE = None


@dataclass(frozen=True)
class LastRelease:
    version: str
    tag: str
    commit: str
    record: Release | None
    policy: Policy | None  # the file as released; None when the tag's commit lacks it


@dataclass(frozen=True)
class Decision:
    """A person's verdict that overrules the engine."""

    verdict: str
    by: str  # "trailer" | "option"
    commit: str | None = None
    note: str | None = None


@dataclass
class Pending:
    slug: str
    path: str
    policy: Policy  # the text being checked (at the revision, or the working tree)
    last: LastRelease | None
    verdict: str  # material | minor | none | initial
    engine_verdict: str
    reasons: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    decision: Decision | None = None
    problems: list[str] = field(default_factory=list)  # metadata that contradicts history

    @property
    def decided_by(self) -> str:
        return self.decision.by if self.decision else "engine"

    def summary(self) -> dict[str, Any]:
        """The plain view that `check --format json` and `status --format json` print."""
        return {
            "policy": self.slug,
            "path": self.path,
            "version": self.policy.version,
            "last_release": self.last.tag if self.last else None,
            "released_version": self.last.version if self.last else None,
            "verdict": self.verdict,
            "engine_verdict": self.engine_verdict,
            "decided_by": self.decided_by,
            "decision_commit": self.decision.commit if self.decision else None,
            "reasons": list(self.reasons),
            "problems": list(self.problems),
        }


def pending_changes(
    project: Project,
    *,
    rev: str | None = "HEAD",
    slugs: list[str] | None = None,
    override: str | None = None,
    git: Git | None = None,
) -> list[Pending]:
    """The pending release of each policy at ``rev`` (a git revision, or None for the working tree)."""
    git = git or Git(project.root)
    if rev is None:
        current = _working_policies(project, slugs)
        if not git.has_commits():
            return [_unreleased(p) for p in current]
        head = "HEAD"
    else:
        try:
            head = git.rev_parse(rev)
        except HistoryError:
            if rev == "HEAD" and not git.has_commits():
                return []
            raise
        current = _policies_at(project, git, head, slugs)
    # Only releases in the history of what is checked count: a tag on another branch is not this text's past.
    tags = git.tags(merged=head)
    releases = {}
    for policy in current:
        found = release_tags(None, project.config.tag_format, policy.slug, tags)
        if found:
            releases[policy.slug] = found[-1]
    wanted = []
    for policy in current:
        if policy.slug in releases:
            version, tag = releases[policy.slug]
            record = parse_tag(tag)
            paths = [record.path] if record else []
            paths += [policy.path] if policy.path not in paths else []
            wanted.append((policy.slug, [f"{tag.commit}:{p}" for p in paths]))
    blobs = git.read_blobs([spec for _, specs in wanted for spec in specs])
    rules = _Rules(project)
    out = []
    for policy in current:
        if policy.slug not in releases:
            out.append(_unreleased(policy))
            continue
        version, tag = releases[policy.slug]
        specs = next(s for slug, s in wanted if slug == policy.slug)
        last = _last_release(version, tag, specs, blobs, policy)
        out.append(_pending(policy, last, git, head, rules, override))
    return out


def _unreleased(policy: Policy) -> Pending:
    return Pending(policy.slug, policy.path, policy, None, "initial", "initial", ["first release"])


def _working_policies(project: Project, slugs: list[str] | None) -> list[Policy]:
    if slugs:
        return [project.load(s) for s in slugs]
    return project.load_all()


def _policies_at(project: Project, git: Git, commit: str, slugs: list[str] | None) -> list[Policy]:
    folder = project.config.policies
    modes = git.file_modes(commit, folder)
    if not modes and git.run("ls-tree", "-z", commit, "--", folder.rstrip("/")).startswith(SYMLINK_MODE):
        raise symlink_error(f"{folder.rstrip('/')}/")
    paths = [p for p in modes if p.endswith(POLICY_SUFFIX)]
    paths = [p for p in paths if not PurePosixPath(p).name.startswith(".")]
    if slugs:
        by_slug = {PurePosixPath(p).stem: p for p in paths}
        missing = [s for s in slugs if s not in by_slug]
        if missing:
            raise PolicyNotFound(f"no policy '{missing[0]}' in {folder}/ at {commit[:12]}")
        paths = [by_slug[s] for s in slugs]
    if link := next((p for p in paths if modes[p] == SYMLINK_MODE), None):
        raise symlink_error(link)
    blobs = git.read_blobs([f"{commit}:{p}" for p in paths])
    policies = []
    for path in paths:
        data = blobs[f"{commit}:{path}"]
        if data is not None:
            text, slug = decode_policy(data, path), PurePosixPath(path).stem
            policies.append(parse_policy(text, path=path, slug=slug, date_order=project.config.date_order))
    return policies


def _last_release(
    version: str, tag: Tag, specs: list[str], blobs: dict[str, bytes | None], current: Policy
) -> LastRelease:
    record = parse_tag(tag)
    released = None
    for spec in specs:
        data = blobs.get(spec)
        if data is not None:
            path = spec.split(":", 1)[1]
            text = decode_policy(data, f"{tag.name}:{path}")
            # Most policies are unchanged since their release: skip parsing the same text twice.
            released = current if text == current.text else parse_policy(text, path=path, date_order=current.date_order)
            break
    return LastRelease(version, tag.name, tag.commit, record, released)


class _Rules:
    """Materiality rules, loaded on the first comparison only (most checks compare nothing)."""

    def __init__(self, project: Project):
        self.project = project
        self._loaded = False
        self._rules: Any = None

    def get(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                from policywatch.materiality import load_rules
            except ImportError:
                self._rules = None
            else:
                self._rules = load_rules(self.project.config)
        return self._rules


def content(policy: Policy) -> str:
    """The body with its date values blanked: a release rewrites dates, which is not a change of text."""
    body = policy.body
    offset = len(policy.text) - len(body)
    for line in sorted(policy.date_lines, key=lambda d: d.start, reverse=True):
        body = body[: line.start - offset] + "[date]" + body[line.end - offset :]
    return body


def _pending(policy: Policy, last: LastRelease, git: Git, head: str, rules: _Rules, override: str | None) -> Pending:
    if last.policy is None:
        reasons = [f"file not found in {last.tag}"]
        result = Pending(policy.slug, policy.path, policy, last, "initial", "initial", reasons)
        result.problems = _contradictions(policy, last)
        return result
    old, new = content(last.policy), content(policy)
    if old == new:
        verdict, changes, reasons = "none", [], []
    else:
        from policywatch import compare

        comparison = compare(old, new, rules=rules.get())
        verdict, changes = comparison.classification, list(comparison.changes)
        reasons = _reasons(changes)
    result = Pending(policy.slug, policy.path, policy, last, verdict, verdict, reasons, changes)
    if verdict != "none":
        decision = _decision(git, last.commit, head, policy.path, override)
        if decision:
            result.decision = decision
            result.verdict = decision.verdict
    result.problems = _contradictions(policy, last)
    return result


def _reasons(changes: list[Change]) -> list[str]:
    """One line per change: where, why, and the words involved unless the reasons already quote them."""
    reasons = []
    for change in changes:
        where = f"{change.section}: " if change.section else ""
        why = "; ".join(change.reasons) or change.classification
        text = " ".join((change.new_text or change.old_text).split())
        quoted = ""
        if text and text[:40] not in why:
            quoted = f' ({change.kind}: "{text[:77] + "..." if len(text) > 80 else text}")'
        reasons.append(f"{change.classification}: {where}{why}{quoted}")
    return reasons


def _decision(git: Git, since: str, head: str, path: str, override: str | None) -> Decision | None:
    if override:
        return Decision(override, "option", None, "--as " + override)
    for sha, message in git.messages(since, head, path):
        if trailer := parse_trailer(message):
            verdict, note = trailer
            subject = message.splitlines()[0] if message else ""
            return Decision(verdict, "trailer", sha, note or subject)
    return None


def parse_trailer(message: str) -> tuple[str, str] | None:
    """(verdict, note) from the last ``Policy-Change:`` trailer of a commit message."""
    found = None
    for m in _TRAILER.finditer(message):
        verdict = m.group("verdict").lower()
        if verdict in VERDICTS:
            note = m.group("note").strip().lstrip("-:—(").rstrip(")").strip()
            found = (verdict, note)
    return found


def _contradictions(policy: Policy, last: LastRelease) -> list[str]:
    problems = []
    released_eff = last.record.effective if last.record else (last.policy.effective if last.policy else None)
    if policy.effective and released_eff and policy.effective < released_eff:
        problems.append(
            f"{policy.path}: effective date {policy.effective.isoformat()} is earlier than "
            f"{released_eff.isoformat()}, the effective date of {last.tag}"
        )
    if policy.version and version_key(policy.version) < version_key(last.version):
        problems.append(f"{policy.path}: version {policy.version} is lower than {last.version}, released as {last.tag}")
    return problems


def last_reviewed(item: Pending) -> dt.date | None:
    """The latest day anyone released or dated the policy."""
    days = [d for d in (item.policy.updated,) if d]
    if item.last and item.last.record:
        days.append(item.last.record.published)
    if not days and item.policy.effective:
        days.append(item.policy.effective)
    return max(days) if days else None
