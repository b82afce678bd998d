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

from policywatch.document import Policy, decode_policy, parse_policy, symlink_error
from policywatch.errors import EmptyPolicy, HistoryError, HistoryIncomplete, InvalidPolicyName, PolicyNotFound
from policywatch.project import POLICY_SUFFIX, Project
from policywatch.refs import shown, tag_name_problem
from policywatch.release.git import SYMLINK_MODE, Git
from policywatch.release.history import (
    RejectedTag,
    ReleaseHistory,
    ReleaseTag,
    releases_reachable,
    tag_name,
    version_key,
)
from policywatch.release.record import COMMIT_TRAILER, Release

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policywatch.engine.comparison import Change

VERDICTS = ("material", "minor")
TRAILER_KEY = "Policy-Change"
_TRAILER = re.compile(rf"^{TRAILER_KEY}[ \t]*:[ \t]*(?P<verdict>\w+)[ \t]*(?P<note>.*)$", re.I | re.M)
WORKING_TREE = None
FIRST_VERSION = "1.0"
FETCH_ALL = "git fetch --tags --unshallow (in GitHub Actions: fetch-depth: 0 and fetch-tags: true)"


@dataclass(frozen=True)
class LastRelease:
    """The release a policy's unpublished text is judged against."""

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
    """A policy's text and its verdict against its last release: what check, status and publish act on."""

    slug: str
    path: str
    policy: Policy  # the text being checked (at the revision, or the working tree)
    last: LastRelease | None
    verdict: str  # material | minor | none | initial
    engine_verdict: str
    reasons: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    register: list[dict[str, Any]] = field(default_factory=list)  # a register's entries added, changed, removed
    decision: Decision | None = None
    problems: list[str] = field(default_factory=list)  # metadata that contradicts history
    renamed_from: str | None = None  # the slug of the last release, when the file was renamed since
    ignored: list[RejectedTag] = field(default_factory=list)  # release tags that cannot be trusted
    releases: tuple[ReleaseTag, ...] = ()  # every trusted release of this policy, oldest first

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
            "renamed_from": self.renamed_from,
            "notice_days": self.policy.notice_days,
            "ignored_tags": [r.to_json() for r in self.ignored],
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
    if "site" in project.config.sections:  # a mistyped [site] key fails check and status too, not only site build
        from policywatch.site_config import read_site_settings

        read_site_settings(project.config)
    git = git or Git(project.root)
    if rev is None:
        current = _working_policies(project, slugs)
        check_policy_names(current, project.config.tag_format)
        if not git.has_commits():
            return [_unreleased(p) for p in current]
        head = "HEAD"
        if git.is_shallow():
            raise _shallow("the working tree")
    else:
        head = _resolve(git, rev)
        if head is None:
            return []
        current = _policies_at(project, git, head, slugs)
        check_policy_names(current, project.config.tag_format)
    # Only trusted releases in the history of what is checked count: a tag on another branch is not this text's past.
    known = releases_reachable(project, head, git=git)
    releases = {policy.slug: last for policy in current if (last := known.last(policy.slug))}
    unreleased = [p for p in current if p.slug not in releases]
    present = {p.slug for p in current}
    renamed = renamed_releases(git, head, {p.path: p.slug for p in unreleased}, present, known) if unreleased else {}
    releases.update(renamed)
    # A policy with untrusted tags of its own is refused for them, not taken for one whose tags are missing.
    lost = [p for p in unreleased if p.slug not in renamed and not known.rejected_of(p.slug)]
    _refuse_lost_tags(git, head, rev, lost, known)
    wanted = []
    for policy in current:
        if policy.slug in releases:
            last = releases[policy.slug]
            paths = [last.record.path] + ([policy.path] if policy.path != last.record.path else [])
            wanted.append((policy.slug, [f"{last.commit}:{p}" for p in paths]))
    blobs = git.read_blobs([spec for _, specs in wanted for spec in specs])
    rules = _Rules(project)
    out = []
    for policy in current:
        if policy.slug not in releases:
            out.append(_unreleased(policy))
            continue
        specs = next(s for slug, s in wanted if slug == policy.slug)
        last = _last_release(releases[policy.slug], specs, blobs, policy)
        item = _pending(policy, last, git, head, rules, override)
        if policy.slug in renamed:
            _mark_renamed(item, last)
        out.append(item)
    for item in out:
        item.ignored = known.rejected_of(item.slug)
        item.releases = known.of(item.slug)
    return out


def _resolve(git: Git, rev: str) -> str | None:
    """The commit ``rev`` names, in one git call that also says whether the clone is shallow."""
    if rev.startswith("-"):
        raise HistoryError(f"unknown revision '{shown(rev)}'")
    shallow, commit = git.resolve(rev)
    if commit is None:
        if rev == "HEAD" and not git.has_commits():
            return None
        hint = " (shallow clone: run 'git fetch --unshallow')" if shallow else ""
        raise HistoryError(f"unknown revision '{shown(rev)}'{hint}")
    if shallow:
        raise _shallow(rev)
    return commit


def _shallow(where: str) -> HistoryIncomplete:
    return HistoryIncomplete(
        f"{where}: shallow clone, so earlier releases cannot be seen and nothing can be judged; "
        f"fetch the whole history and the tags: {FETCH_ALL}"
    )


def check_policy_names(policies: list[Policy], tag_format: str) -> None:
    """Refuse a policy whose file name cannot name its release tag (git would refuse it, or read it as an option)."""
    check_path_names([policy.path for policy in policies], tag_format)


def check_path_names(paths: list[str], tag_format: str) -> None:
    """``check_policy_names`` for files not read yet: a name git cannot read back (a line break) is refused too."""
    for path in paths:
        tag = tag_name(tag_format, PurePosixPath(path).stem, FIRST_VERSION)
        if why := tag_name_problem(tag):
            raise InvalidPolicyName(
                f"{shown(path)}: this file name cannot name a release tag ('{shown(tag)}': {why}); "
                "rename the file with letters, digits, '.', '-' and '_'"
            )


def renamed_releases(
    git: Git, head: str, by_path: dict[str, str], present: set[str], known: ReleaseHistory
) -> dict[str, ReleaseTag]:
    """{new slug: last release} for unreleased files (``{path: slug}``) that git traces to a released one.

    Only a policy released under a name that no longer exists can have been
    renamed, so a repository without one pays nothing. Check, status, diff and
    publish all follow a rename through here.
    """
    found: dict[str, ReleaseTag] = {}
    for slug, rels in known.policies.items():
        if slug in present or not rels:
            continue
        last = rels[-1]
        out = git.run(
            *("--literal-pathspecs", "diff", "--find-renames", "--name-status", "-z", last.commit, head),
            *("--", last.record.path, *by_path),
            check=False,
        )
        fields = out.split("\0")
        for i, status in enumerate(fields):
            if status.startswith("R") and i + 2 < len(fields) and fields[i + 1] == last.record.path:
                new_slug = by_path.get(fields[i + 2])
                if new_slug and new_slug not in found:
                    found[new_slug] = last
    return found


def _mark_renamed(item: Pending, last: LastRelease) -> None:
    """A renamed policy is released under its new name even when its text did not change."""
    item.renamed_from = last.record.policy if last.record else None
    if item.verdict == "none":
        old = last.record.path if last.record else last.tag
        item.verdict = "minor"
        item.reasons = [f"renamed from {old}"]


def _refuse_lost_tags(git: Git, head: str, rev: str | None, policies: list[Policy], known: ReleaseHistory) -> None:
    """Refuse to take a policy as never released when its history says it was: its tags were not fetched."""
    if not policies:
        return
    where = rev or "HEAD"
    out = git.run(
        *("--literal-pathspecs", "-c", "core.quotePath=false", "log", "--format=%x1e%H", "--name-only", "-E"),
        *(f"--grep=^{COMMIT_TRAILER}: [0-9a-f]+$", head, "--", *(p.path for p in policies)),
        check=False,
    )
    for record in out.split("\x1e")[1:]:
        sha, *paths = [line for line in record.split("\n") if line]
        for policy in policies:
            if policy.path in paths:
                raise HistoryIncomplete(
                    f"{policy.path}: published in commit {sha[:12]}, but no release tag of {policy.slug} can be "
                    f"reached from {where}; fetch the tags: {FETCH_ALL}"
                )
    for policy in policies:
        numeric = policy.version and all(part.isdigit() for part in policy.version.split("."))
        if numeric and version_key(policy.version) > version_key(FIRST_VERSION):
            raise HistoryIncomplete(
                f"{policy.path}: version {policy.version} says it was released before, but no release tag of "
                f"{policy.slug} can be reached from {where}; fetch the tags: {FETCH_ALL} "
                f"(a policy never released starts at {FIRST_VERSION} or below)"
            )
    if not known.policies and not known.rejected and _tags_not_fetched(git):
        raise HistoryIncomplete(
            f"{policies[0].path}: this clone does not fetch tags (remote.*.tagOpt is --no-tags) and has no "
            f"release tag, so its releases cannot be seen; fetch them: {FETCH_ALL}"
        )


def _tags_not_fetched(git: Git) -> bool:
    out = git.run("config", "--get-regexp", r"^remote\..*\.tagopt$", check=False)
    return any(line.split()[-1:] == ["--no-tags"] for line in out.splitlines())


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
    check_path_names(paths, project.config.tag_format)
    blobs = git.read_blobs([f"{commit}:{p}" for p in paths])
    policies = []
    for path in paths:
        data = blobs[f"{commit}:{path}"]
        if data is not None:
            text, slug = decode_policy(data, path), PurePosixPath(path).stem
            policies.append(parse_policy(text, path=path, slug=slug, date_order=project.config.date_order))
    return policies


def _last_release(tag: ReleaseTag, specs: list[str], blobs: dict[str, bytes | None], current: Policy) -> LastRelease:
    released = None
    for spec in specs:
        data = blobs.get(spec)
        if data is not None:
            path = spec.split(":", 1)[1]
            text = decode_policy(data, f"{tag.tag}:{path}")
            # Most policies are unchanged since their release: skip parsing the same text twice.
            released = current if text == current.text else parse_policy(text, path=path, date_order=current.date_order)
            break
    return LastRelease(tag.version, tag.tag, tag.commit, tag.record, released)


class _Rules:
    """Materiality rules, loaded on the first comparison only (most checks compare nothing)."""

    def __init__(self, project: Project):
        if "materiality" in project.config.sections:  # a mistyped value fails now, not at the first change
            from policywatch.engine.rules_settings import rules_settings

            rules_settings(project.config)
        self.project = project
        self._loaded = False
        self._rules: Any = None

    def get(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                from policywatch.engine.materiality import load_rules
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
        comparison = compare_content(
            policy, old, new, rules.get(), labels=(f"{policy.path} at {last.tag}", policy.path)
        )
        verdict, changes = comparison.classification, list(comparison.changes)
        reasons = reason_lines(changes)
    result = Pending(policy.slug, policy.path, policy, last, verdict, verdict, reasons, changes)
    if verdict != "none":
        result.register = register_entries(comparison)
    if verdict != "none":
        # A file renamed since its release: commits made under the old name may carry the decision too.
        paths = [policy.path] + ([last.record.path] if last.record and last.record.path != policy.path else [])
        decision = _decision(git, last.commit, head, paths, override)
        if decision:
            result.decision = decision
            result.verdict = decision.verdict
    result.problems = _contradictions(policy, last)
    return result


def compare_content(policy: Policy, old: str, new: str, rules: Any, labels: tuple[str, str] = ("old", "new")):
    """``compare`` on contents (``content``), which leave out the front matter: so a register
    (``kind: register`` there) is handed to the register comparison here, entry by entry."""
    if policy.kind == "register":
        from policywatch.engine.register import DEFAULT_KEY, RegisterSettings, compare_register

        key = str(policy.meta.get("register_key") or DEFAULT_KEY)
        return compare_register(old, new, RegisterSettings(key), rules, labels=labels)
    from policywatch import compare

    return compare(old, new, rules=rules, labels=labels)


def register_entries(comparison: Any) -> list[dict[str, Any]]:
    """A register comparison's entries added, changed and removed, as plain data for the release record."""
    from dataclasses import asdict

    return [asdict(e) for e in comparison.register.entries] if comparison.register else []


def reason_lines(changes: list[Change]) -> list[str]:
    """The reasons a release records and ``check`` prints: one line per change.

    Each line says where (the section), why (the engine's reasons, or its
    classification) and the words involved unless the reasons already quote them.
    ``notify`` uses it too when a notice compares with the version in force, so both read alike.
    """
    reasons = []
    for change in changes:
        where = f"{change.section}: " if change.section else ""
        why = "; ".join(change.reasons) or change.classification
        if change.summary and change.summary != why:
            why = f"{change.summary} ({why})"
        text = " ".join((change.new_text or change.old_text).split())
        quoted = ""
        if text and text[:40] not in why:
            quoted = f' ({change.kind}: "{text[:77] + "..." if len(text) > 80 else text}")'
        reasons.append(f"{change.classification}: {where}{why}{quoted}")
    return reasons


def _decision(git: Git, since: str, head: str, paths: list[str], override: str | None) -> Decision | None:
    """The ``--as`` option, else the newest trailer among commits touching the file (newest name first)."""
    if override:
        return Decision(override, "option", None, "--as " + override)
    for path in paths:
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


def refuse_empty(items: list[Pending]) -> None:
    """An emptied policy is not a release: withdrawing a policy is ``git rm``."""
    for item in items:
        if is_empty(item.policy):
            raise EmptyPolicy(
                f"{item.path}: the policy has no text; to withdraw a policy, delete its file with 'git rm {item.path}'"
            )


def is_empty(policy: Policy) -> bool:
    """True when nothing but headings and date lines is left of the body."""
    for line in content(policy).splitlines():
        text = line.strip()
        if text and not text.startswith("#") and "[date]" not in text and any(c.isalnum() for c in text):
            return False
    return True


def last_reviewed(item: Pending) -> dt.date | None:
    """The latest day anyone released or dated the policy."""
    days = [d for d in (item.policy.updated,) if d]
    if item.last and item.last.record:
        days.append(item.last.record.published)
    if not days and item.policy.effective:
        days.append(item.policy.effective)
    return max(days) if days else None
