"""Publishing: from each policy's pending verdict to new files, one commit and a tag per release.

``plan_publication`` is a pure function (pending verdicts and a date in, the
actions out), so ``--dry-run`` prints exactly what a real run would do.
``publish`` checks the refusals, takes the lock, and applies the plan with a
journal (``policywatch.release.journal``) so a run killed half-way is repaired by the next.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from policywatch.document import parse_policy, with_metadata
from policywatch.errors import (
    DateOutOfRange,
    EffectiveDateMovedBack,
    InvalidPolicyName,
    OperationInProgress,
    PublicationDateMovedBack,
    TagExists,
    TranslationOutOfStep,
    UncommittedPolicyEdits,
    UnsupportedVersion,
    UntrustedReleaseTag,
    VersionMovedBack,
)
from policywatch.filemodes import state_dir
from policywatch.files import atomic_write
from policywatch.locales import language_tag, split_translation
from policywatch.project import POLICY_SUFFIX, Project
from policywatch.refs import shown, tag_name_problem
from policywatch.release.git import Git
from policywatch.release.history import tag_name, version_key
from policywatch.release.journal import Journal, JournalTag, create_tag, digest, recover
from policywatch.release.lock import publish_lock
from policywatch.release.pending import FIRST_VERSION, Pending, pending_changes, refuse_empty
from policywatch.release.record import COMMIT_TRAILER, ChangeSummary, Release, one_line_title, tag_message
from policywatch.release.summary import TRAILER_KEY as SUMMARY_TRAILER
from policywatch.release.summary import Given, Since, from_trailers
from policywatch.release.translations import TranslationLink, link_translations, translations_of


@dataclass(frozen=True)
class Action:
    """One policy's release as planned: its new metadata, its new file text, and why."""

    slug: str
    path: str
    title: str
    classification: str  # material | minor | initial
    previous_version: str | None
    version: str
    effective: dt.date
    updated: dt.date
    tag: str
    old_text: str
    new_text: str
    reasons: list[str] = field(default_factory=list)
    changes: list[ChangeSummary] = field(default_factory=list)
    decided_by: str = "engine"
    decision_commit: str | None = None
    decision_note: str | None = None
    renamed_from: str | None = None
    summary: str = ""
    register: list[dict[str, Any]] = field(default_factory=list)
    translation_of: str | None = None  # a translation released with its source: the source's version
    translations_later: list[str] = field(default_factory=list)  # a source's translations that follow later

    @property
    def rewrites_file(self) -> bool:
        return self.old_text != self.new_text

    def release(self, published: dt.date, commit: str) -> Release:
        return Release(
            policy=self.slug,
            title=self.title,
            path=self.path,
            version=self.version,
            previous_version=self.previous_version,
            classification=self.classification,
            effective=self.effective,
            updated=self.updated,
            published=published,
            tag=self.tag,
            commit=commit,
            reasons=list(self.reasons),
            changes=list(self.changes),
            decided_by=self.decided_by,
            decision_commit=self.decision_commit,
            decision_note=self.decision_note,
            renamed_from=self.renamed_from,
            summary=self.summary,
            register=list(self.register),
            translation_of=self.translation_of,
            translations_later=list(self.translations_later),
        )


@dataclass(frozen=True)
class Plan:
    date: dt.date
    actions: list[Action]
    unchanged: list[str]  # slugs with nothing to release
    ignored: list[str] = field(default_factory=list)  # warnings naming release tags that cannot be trusted
    notes: list[str] = field(default_factory=list)  # warnings about the releases planned (a translation's dates)

    def releases(self, commit: str) -> list[Release]:
        return [a.release(self.date, commit) for a in self.actions]

    def unsummarised(self) -> list[str]:
        """A warning for each material release that no person summarised."""
        return [
            f"{a.slug}: material release {a.version} has no summary; give one with --summary or a "
            f"'{SUMMARY_TRAILER}:' trailer"
            for a in self.actions
            if a.classification == "material" and not a.summary
        ]


@dataclass
class PublishResult:
    plan: Plan
    releases: list[Release]
    commit: str | None
    repaired: list[str]
    dry_run: bool


def bump(version: str, classification: str, path: str = "") -> str:
    """1.0 -> 2.0 for a material change, 1.0 -> 1.1 for a minor one; 1.9 -> 1.10."""
    parts = version.split(".")
    if not all(p.isdigit() for p in parts):
        where = f"{path}: " if path else ""
        raise UnsupportedVersion(
            f"{where}version '{version}' cannot be bumped: use numbers separated by dots (1.0, 2.3.1)"
        )
    if classification == "material":
        return ".".join([str(int(parts[0]) + 1)] + ["0"] * (len(parts) - 1))
    if len(parts) == 1:
        return f"{parts[0]}.1"
    return ".".join([parts[0], str(int(parts[1]) + 1)] + ["0"] * (len(parts) - 2))


def plan_publication(
    items: list[Pending],
    *,
    date: dt.date,
    notice_days: int,
    tag_format: str,
    existing_tags: dict[str, str],
    summaries: dict[str, str] | None = None,
    translations_later: tuple[str, ...] = (),
) -> Plan:
    """What a publication on ``date`` releases. Pure: reads nothing, writes nothing."""
    summaries = summaries or {}
    actions: list[Action] = []
    unchanged: list[str] = []
    links = {link.slug: link for link in link_translations(items) if link.language}
    for item in items:
        if item.slug in links:
            continue  # after the sources: a translation may be released with its source
        # Metadata that contradicts the history fails check, so it stops a publish even with no text to release.
        _refuse_contradictions(item)
        if item.verdict == "none":
            unchanged.append(item.slug)
            continue
        _refuse_untrusted(item)
        _refuse_earlier_date(item, date)
        action = _action(item, date, notice_days, tag_format, summaries.get(item.slug, ""))
        actions.append(_checked(action, item, existing_tags))
    by_slug = {a.slug: a for a in actions}
    notes: list[str] = []
    later_used: set[str] = set()
    for item in items:
        if (link := links.get(item.slug)) is None:
            continue
        _refuse_contradictions(item)
        source = by_slug.get(link.source)
        if source is not None and link.upcoming and link.translation_of == source.version:
            _refuse_untrusted(item)
            _refuse_earlier_date(item, date)
            action, note = _translation_action(item, link, source, tag_format, summaries.get(item.slug, ""))
            actions.append(_checked(action, item, existing_tags))
            notes += [note] if note else []
            continue
        if source is not None and source.classification in ("material", "initial"):
            if link.language not in translations_later or source.classification == "initial":
                raise TranslationOutOfStep(_behind_refusal(link, source))
            later_used.add(link.language)
            by_slug[link.source] = replace(source, translations_later=[*source.translations_later, link.language])
            actions[actions.index(source)] = by_slug[link.source]
        elif link.errors and (source is not None or item.verdict != "none"):
            raise TranslationOutOfStep(link.errors[0])
        if item.verdict == "none":
            unchanged.append(item.slug)
            continue
        _refuse_untrusted(item)
        _refuse_earlier_date(item, date)
        action = _action(item, date, notice_days, tag_format, summaries.get(item.slug, ""))
        actions.append(_checked(action, item, existing_tags))
    if unused := [lang for lang in translations_later if lang not in later_used]:
        raise TranslationOutOfStep(
            f"--translations-later {unused[0]}: no translation in that language falls behind a material "
            "release of this publish"
        )
    return Plan(date, actions, unchanged, [r.warning for item in items for r in item.ignored], notes)


def _checked(action: Action, item: Pending, existing_tags: dict[str, str]) -> Action:
    """The action, unless git would refuse its tag or the tag exists already."""
    if why := tag_name_problem(action.tag):
        raise InvalidPolicyName(
            f"{item.path}: version {shown(action.version)} cannot be released: git refuses the tag "
            f"'{shown(action.tag)}' ({why})"
        )
    if action.tag in existing_tags:
        raise TagExists(
            f"tag {action.tag} already exists (at {existing_tags[action.tag][:12]}); "
            f"{item.path} would be released as {action.version}: set its version by hand or delete the tag"
        )
    return action


def _behind_refusal(link: TranslationLink, source: Action) -> str:
    claimed = "names no translation_of"
    if link.translation_of:
        claimed = f"still translates {link.source} {link.translation_of}"
    return (
        f'{link.path} {claimed}: update it and set translation_of: "{source.version}" to release it with '
        f"{link.source} {source.version}, or publish with --translations-later {link.language}"
    )


def _translation_action(
    item: Pending, link: TranslationLink, source: Action, tag_format: str, summary: str
) -> tuple[Action, str | None]:
    """A translation released with its source: the same version and dates, its date lines in its own language."""
    policy = item.policy
    if item.last and version_key(source.version) <= version_key(item.last.version):
        raise VersionMovedBack(
            f"{item.path}: released as {item.last.version} already ({item.last.tag}); it cannot be released "
            f"as {source.version} with {link.source}"
        )
    new = with_metadata(policy, version=source.version, effective=source.effective, updated=source.updated).text
    note = None
    if link.language.partition("-")[0] != "en":
        from policywatch.localdates import rewrite_dates, supports

        if supports(link.language):
            head = len(new) - len(parse_policy(new, path=policy.path, slug=policy.slug).body)
            new = new[:head] + rewrite_dates(
                new[head:], link.language, effective=source.effective, updated=source.updated
            )
        else:
            note = (
                f"{item.path}: date lines in '{link.language}' are not recognised; only its front matter "
                "carries the new dates, check its text by hand"
            )
    action = Action(
        slug=item.slug,
        path=item.path,
        title=one_line_title(policy.title),
        classification="initial" if item.last is None else source.classification,
        previous_version=item.last.version if item.last else None,
        version=source.version,
        effective=source.effective,
        updated=source.updated,
        tag=tag_name(tag_format, item.slug, source.version),
        old_text=policy.text,
        new_text=new,
        reasons=[f"translation of {link.source} {source.version}", *item.reasons],
        changes=_change_summaries(item),
        decided_by=source.decided_by,
        decision_commit=source.decision_commit,
        decision_note=source.decision_note,
        renamed_from=item.renamed_from,
        summary=summary,
        translation_of=source.version,
    )
    return action, note


def _refuse_untrusted(item: Pending) -> None:
    """A release tag that cannot be trusted may be the real last release: no next version is safe."""
    if item.ignored:
        first = item.ignored[0]
        then = f"the next version of {item.slug} cannot be chosen safely; delete it (git tag -d {first.tag})"
        raise UntrustedReleaseTag(first.refusal(then))


def _refuse_contradictions(item: Pending) -> None:
    last, policy = item.last, item.policy
    if last is None:
        return
    released_eff = last.record.effective if last.record else (last.policy.effective if last.policy else None)
    if policy.effective and released_eff and policy.effective < released_eff:
        raise EffectiveDateMovedBack(
            f"{item.path}: effective date {policy.effective.isoformat()} is earlier than "
            f"{released_eff.isoformat()}, the effective date of {last.tag}; an effective date cannot move back"
        )
    if policy.version and version_key(policy.version) < version_key(last.version):
        raise VersionMovedBack(f"{item.path}: version {policy.version} is lower than {last.version} ({last.tag})")


def _refuse_earlier_date(item: Pending, date: dt.date) -> None:
    record = item.last.record if item.last else None
    if record and date < record.published:
        raise PublicationDateMovedBack(
            f"{item.path}: publication date {date.isoformat()} is before {record.published.isoformat()}, "
            f"when {record.tag} was published"
        )


def _action(item: Pending, date: dt.date, notice_days: int, tag_format: str, summary: str) -> Action:
    policy = item.policy
    if item.verdict == "initial":
        version = planned_version(item)
        previous = item.last.version if item.last else None
        effective = policy.effective or date
        updated = policy.updated or date
        new = with_metadata(
            policy,
            version=None if policy.version else version,
            effective=None if policy.meta.get("effective") else effective,
            updated=None if policy.meta.get("updated") else updated,
        )
        reasons = list(item.reasons)
    else:
        previous = item.last.version
        version = planned_version(item)
        updated = date
        if item.verdict == "material":
            effective = _notice_end(item, date, notice_days)
            released_eff = _released_effective(item)
            if released_eff and released_eff > effective:
                effective = released_eff
            new = with_metadata(policy, version=version, effective=effective, updated=updated)
        else:
            effective = policy.effective or _released_effective(item) or date
            new = with_metadata(policy, version=version, updated=updated)
        reasons = list(item.reasons)
    decision = item.decision
    return Action(
        slug=item.slug,
        path=item.path,
        title=one_line_title(policy.title),
        classification=item.verdict,
        previous_version=previous,
        version=version,
        effective=effective,
        updated=updated,
        tag=tag_name(tag_format, item.slug, version),
        old_text=policy.text,
        new_text=new.text,
        reasons=reasons,
        changes=_change_summaries(item),
        decided_by=item.decided_by,
        decision_commit=decision.commit if decision else None,
        decision_note=decision.note if decision else None,
        renamed_from=item.renamed_from,
        summary=summary,
        register=list(item.register),
    )


def planned_version(item: Pending) -> str:
    """The version a release of ``item`` gets: its own for a first release, else the bump (or higher, set by hand)."""
    policy = item.policy
    if item.verdict == "initial":
        return policy.version or FIRST_VERSION
    version = bump(item.last.version, item.verdict, item.path)
    if policy.version and version_key(policy.version) > version_key(version):
        version = policy.version
    return version


def _change_summaries(item: Pending) -> list[ChangeSummary]:
    return [
        ChangeSummary(c.section, c.kind, c.classification, list(c.reasons), c.old_text, c.new_text)
        for c in item.changes
    ]


def _notice_end(item: Pending, date: dt.date, notice_days: int) -> dt.date:
    """The publication date plus the policy's own notice period, or the project's."""
    if item.policy.notice_days is not None:
        notice_days = item.policy.notice_days
    try:
        return date + dt.timedelta(days=notice_days)
    except OverflowError:
        raise DateOutOfRange(
            f"{item.path}: publication date {date.isoformat()} plus notice_days {notice_days} is past 9999-12-31; "
            "check --date and notice_days"
        ) from None


def _released_effective(item: Pending) -> dt.date | None:
    if item.last is None:
        return None
    if item.last.record:
        return item.last.record.effective
    return item.last.policy.effective if item.last.policy else None


def publish(
    project: Project,
    slugs: list[str] | None = None,
    *,
    date: dt.date | None = None,
    override: str | None = None,
    dry_run: bool = False,
    confirm: Callable[[Plan], bool] | None = None,
    lock_wait: float = 30.0,
    summary: Given | None = None,
    translations_later: list[str] | None = None,
) -> PublishResult:
    """Release every policy that changed since its last release (or only ``slugs``), translations with their sources.

    ``summary`` (the ``--summary`` options) wins over the ``Policy-Summary:`` trailers.
    ``translations_later`` names the languages whose translations may stay behind a material release.
    """
    git = Git(project.root)
    date = date or dt.date.today()
    summary = summary or Given()
    later = later_languages(translations_later or [])
    if slugs:
        slugs = with_translations(project, slugs)
    if dry_run:
        plan = _prepare(project, git, slugs, date, override, summary, later)
        notes = ["an interrupted publish will be completed or rolled back first"] if Journal.load(project.root) else []
        return PublishResult(plan, plan.releases(""), None, notes, True)
    with publish_lock(project.root, lock_wait):
        repaired = recover(project.root, git)
        plan = _prepare(project, git, slugs, date, override, summary, later)
        if not plan.actions or (confirm is not None and not confirm(plan)):
            return PublishResult(plan, [], None, repaired, False)
        commit = apply_plan(project, git, plan)
    return PublishResult(plan, plan.releases(commit), commit, repaired, False)


def _prepare(
    project: Project,
    git: Git,
    slugs: list[str] | None,
    date: dt.date,
    override: str | None,
    summary: Given = Given(),  # frozen: one shared default is safe
    translations_later: tuple[str, ...] = (),
) -> Plan:
    if what := git.operation_in_progress():
        raise OperationInProgress(f"{project.root}: the repository is in the middle of {what}; finish it first")
    if not git.has_commits():
        raise UncommittedPolicyEdits(f"{project.root}: no commits yet; commit the policy files first")
    paths = [project.relpath(project.policy_path(s)) for s in slugs] if slugs else [project.config.policies]
    dirty = git.dirty_paths(paths)
    if dirty:
        more = f" (and {len(dirty) - 1} more)" if len(dirty) > 1 else ""
        raise UncommittedPolicyEdits(f"{dirty[0]}: uncommitted edits{more}; commit or stash them before publishing")
    items = pending_changes(project, rev="HEAD", slugs=slugs, override=override, git=git)
    refuse_empty(items)
    existing = {t.name: t.commit for t in git.tags()}
    return plan_publication(
        items,
        date=date,
        notice_days=project.config.notice_days,
        tag_format=project.config.tag_format,
        existing_tags=existing,
        summaries=_summaries(project, git, items, summary),
        translations_later=translations_later,
    )


def later_languages(given: list[str]) -> tuple[str, ...]:
    """``--translations-later de,fr --translations-later pt-BR`` as language tags, each checked."""
    out: list[str] = []
    for part in (p.strip() for value in given for p in value.split(",")):
        tag = language_tag(part) if part else None
        if tag is None:
            raise TranslationOutOfStep(
                f"--translations-later {shown(part)}: not a language tag such as de, fr or pt-BR"
            )
        if tag not in out:
            out.append(tag)
    return tuple(out)


def with_translations(project: Project, slugs: list[str]) -> list[str]:
    """``slugs`` with each source's translations and each translation's source: they are released together."""
    present = project.slugs()
    wanted = list(slugs)
    for slug in slugs:
        source, language = split_translation(slug)
        related = translations_of(present, source) + ([source] if language and source in present else [])
        wanted += [s for s in related if s not in wanted]
    return wanted


def _summaries(project: Project, git: Git, items: list[Pending], given: Given) -> dict[str, str]:
    """Each released policy's summary: from the options where they give one, else from its commits' trailers."""
    releasing = [item for item in items if item.verdict != "none"]
    if not releasing:
        return {}
    folder = project.config.policies
    slugs = {PurePosixPath(p).stem for p in git.list_files("HEAD", folder) if p.endswith(POLICY_SUFFIX)}
    found = given.for_policies([item.slug for item in releasing], slugs) if given else {}
    wanted = [
        Since(
            item.slug,
            item.last.commit if item.last else None,
            (item.path,) + ((item.last.record.path,) if item.last and item.last.record else ()),
            item.renamed_from,
        )
        for item in releasing
        if item.slug not in found
    ]
    return {**from_trailers(git, "HEAD", wanted, slugs), **found}


def begin(project: Project, git: Git, plan: Plan) -> Journal:
    """Record what is about to happen, before anything happens."""
    journal = Journal(
        id=uuid.uuid4().hex,
        base=git.rev_parse("HEAD"),
        files={a.path: [digest(a.old_text), digest(a.new_text)] for a in plan.actions if a.rewrites_file},
        tags=[JournalTag(a.tag, tag_message(a.release(plan.date, ""))) for a in plan.actions],
    )
    journal.save(project.root)
    return journal


def write_files(project: Project, plan: Plan) -> None:
    for action in plan.actions:
        if action.rewrites_file:
            # The temporary file goes in the state folder: one left by a crash must not look like a policy edit.
            atomic_write(project.root / action.path, action.new_text, temp_dir=state_dir(project.root))


def commit_files(project: Project, git: Git, plan: Plan, journal: Journal) -> str:
    """One commit for the whole publication; HEAD itself when no file changed."""
    paths = [a.path for a in plan.actions if a.rewrites_file]
    if not paths:
        return journal.base
    git.run("commit", "--quiet", "--no-verify", "-F", "-", "--", *paths, input=commit_message(plan, journal.id))
    journal.commit = git.rev_parse("HEAD")
    journal.save(project.root)
    return journal.commit


def make_tags(project: Project, git: Git, journal: Journal, commit: str) -> None:
    for tag in journal.tags:
        create_tag(git, tag.name, tag.message, commit)
    Journal.remove(project.root)


def apply_plan(project: Project, git: Git, plan: Plan) -> str:
    """Write, commit, tag; each step recorded so an interrupted run can be completed or undone."""
    journal = begin(project, git, plan)
    try:
        write_files(project, plan)
        commit = commit_files(project, git, plan, journal)
    except BaseException:
        # No commit yet: put the files back now rather than leave them for the next run.
        recover(project.root, git)
        raise
    make_tags(project, git, journal, commit)
    return commit


def commit_message(plan: Plan, journal_id: str) -> str:
    names = ", ".join(f"{a.slug} {a.version}" for a in plan.actions)
    lines = [f"Publish {names}", ""]
    for a in plan.actions:
        lines.append(describe(a))
    lines += ["", f"{COMMIT_TRAILER}: {journal_id}"]
    return "\n".join(lines) + "\n"


def describe(action: Action) -> str:
    """One line per release, for the commit message and the command's output."""
    head = f"{action.slug} {action.previous_version or '(new)'} -> {action.version}: {action.classification}"
    if action.classification == "material":
        head += f", effective {action.effective.isoformat()}"
    head += f", updated {action.updated.isoformat()}"
    if action.decided_by != "engine":
        head += f" (decided by {action.decided_by})"
    if action.renamed_from:
        head += f" (renamed from {action.renamed_from})"
    if action.translation_of:
        head += f" (translation of {split_translation(action.slug)[0]} {action.translation_of})"
    if action.translations_later:
        head += f" (translations later: {', '.join(action.translations_later)})"
    return head
