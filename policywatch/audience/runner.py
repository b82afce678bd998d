"""`notify`: ledger what is owed, then hand claimed batches to the channels.

One sender claims a batch, passes it to its channel, records each outcome as
the channel reports it, and claims the next. ``workers > 1`` starts that many
sender processes against the same database; the parent only watches the ledger
to draw progress. Several machines running ``notify`` against one PostgreSQL
share the work the same way.

Each claimed batch of emails is split by the notice each recipient is owed: the
translation in their language when one was released with the source, else the
source's (``NoticeChoice``). The ledger row stays the source release's, one per
person, so nobody is sent both, and the language sent is recorded with the outcome.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policywatch.audience.announcements import (
    Announcement,
    NoticePlan,
    against_version_in_force,
    announceable,
    plan_notices,
    policy_chains,
    refuse_superseded,
    tagged_releases,
    translations_of,
)
from policywatch.audience.channels import Notice, Outcome, Recipient
from policywatch.audience.languages import notice_language
from policywatch.audience.notify_settings import notify_settings
from policywatch.audience.outbox import EMAIL, Outbox, delivery_key, follower_filter
from policywatch.errors import ConfigError
from policywatch.plural import plural
from policywatch.release.record import Release, replaced_before_effect
from policywatch.store import Store, project_store

if TYPE_CHECKING:
    from policywatch.project import Project

Progress = Callable[[int, int], None]  # (settled so far, total owed)
POLL_SECONDS = 1.0  # how often the parent of worker processes reads the ledger for progress


@dataclass
class NotifySummary:
    """What one ``notify`` run did. ``pending``: still owed at the end (deferred, or held by another sender);
    ``left`` is the part of it no sender is working on (queued or deferred), which makes the run unfinished."""

    releases: list[str] = field(default_factory=list)
    ledgered: list[str] = field(default_factory=list)
    created: int = 0
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    duplicates: int = 0
    pending: int = 0
    left: int = 0  # queued or deferred at the end: not done
    deferred_left: int = 0  # of ``left``, those waiting out a back-off after a temporary failure
    next_try: str | None = None  # when the first of those is due
    unsent: int = 0  # not tried: the server could not be used
    blocked: list[str] = field(default_factory=list)  # why a server could not be used at all (also in problems)
    would_post: int = 0  # dry run: webhook posts a real run would make
    dry_run: bool = False
    eml_dir: str | None = None
    workers: int = 1
    seconds: float = 0.0
    ledger_seconds: float = 0.0  # creating the deliveries of newly owed releases
    problems: list[str] = field(default_factory=list)
    untold: list[str] = field(default_factory=list)  # material releases nobody follows yet
    covered: int = 0  # unsent deliveries of replaced releases, covered by the newer notice
    peak_rss_mb: list[float] = field(default_factory=list)  # per sender process

    def counts(self) -> str:
        """One line of what happened, as ``notify`` and ``publish`` print it."""
        line = (
            f"sent {self.sent}, failed {self.failed}, skipped {self.skipped}, "
            f"deferred {self.deferred}, still pending {self.pending} "
            f"({plural(len(self.releases), 'release')}, {self.seconds:.1f} s)"
        )
        if self.duplicates:
            line += f"; {self.duplicates} sent twice after a lost lease"
        if self.covered:
            line += f"; {self.covered} not sent, covered by a newer notice"
        return line

    def problem_lines(self) -> list[str]:
        """What went wrong, one line each; a server that could not be used is one error line saying what is left."""
        lines = []
        if self.blocked:
            left = f"; {self.pending} still pending: run 'policywatch notify' again" if self.pending else ""
            lines.append(f"error: {'; '.join(self.blocked)}{left}")
        return lines + [p for p in self.problems if p not in self.blocked]

    def untold_lines(self) -> list[str]:
        """One line per material release that has nobody to tell, as ``notify`` and ``publish`` print it."""
        return [
            f"{tag}: material release with no subscribers to tell; add subscribers, then run 'policywatch notify'"
            for tag in self.untold
        ]

    @property
    def exit_code(self) -> int:
        """2: a server could not be used; 1: something failed or is left undone; 0: everything owed is done."""
        if self.blocked:
            return 2
        return 1 if self.failed or self.left else 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def pending_line(self) -> str:
        """Why deliveries are still owed, in one line; "" when nothing is."""
        if not self.pending:
            return ""
        reasons = []
        if self.deferred_left:
            reasons.append(
                f"{self.deferred_left} deferred after a temporary failure, next try after {self.next_try} "
                "(--retry-now tries them at once)"
            )
        if self.left - self.deferred_left:
            why = "the server could not be used" if self.blocked else "see above"
            reasons.append(f"{self.left - self.deferred_left} not sent ({why})")
        if self.pending - self.left:
            reasons.append(f"{self.pending - self.left} being sent by another sender still at work")
        return f"{self.pending} still pending: {'; '.join(reasons)}: run 'policywatch notify' again"

    def add(self, counts: dict[str, int]) -> None:
        self.sent += counts.get("sent", 0)
        self.failed += counts.get("failed", 0)
        self.deferred += counts.get("deferred", 0)
        self.skipped += counts.get("skipped", 0)
        self.duplicates += counts.get("duplicate", 0)
        self.unsent += counts.get("unsent", 0)
        self.blocked += [b for b in counts.get("blocked", []) if b not in self.blocked]  # type: ignore[union-attr]


def site_base_url(project: Project) -> str:
    """The archive's address from ``[site]`` (checked), or empty when it is not set."""
    from policywatch.site_config import read_site_settings

    return read_site_settings(project.config).base_url


def source_language(project: Project) -> str:
    """The language the source policies (and the default templates) are written in: ``[site] lang``."""
    from policywatch.site_config import read_site_settings

    return read_site_settings(project.config).lang


def require_links(project: Project) -> None:
    """Refuse to send notices with no link to the text and no unsubscribe link, unless allowed."""
    from policywatch.config import CONFIG_FILE

    if not site_base_url(project) and not notify_settings(project).allow_no_links:
        source = CONFIG_FILE if project.config.source == "defaults" else project.config.source
        raise ConfigError(
            f"{source} [site] base_url is not set: notices would carry no link to the policy and no unsubscribe link; "
            "set it, or set [notify] allow_no_links = true"
        )


def make_notice(project: Project, release: Release, chain: Sequence[Release] = ()) -> Notice:
    """The notice of ``release``; given its policy's releases (``chain``, oldest first), told against
    the version in force and naming the releases it replaced before they took effect."""
    if chain:
        material = [r for r in chain if r.material]
        covers = tuple(
            material[i].version for i, by in replaced_before_effect(material).items() if material[by].tag == release.tag
        )
        release = against_version_in_force(project, release, chain)
    else:
        covers = ()
    from policywatch.audience.service.settings import public_settings

    service = public_settings(project)
    return Notice(
        release, base_url=site_base_url(project), covers=covers, service_url=service.url, objections=service.objections
    )


@dataclass
class NoticeChoice:
    """The notices of one source release: its own, and one per translation released with it,
    each made the first time a reader of its language is met."""

    project: Project
    release: Release
    chains: dict[str, list[Release]]
    translations: dict[str, Release]
    source_language: str
    _made: dict[str, Notice] = field(default_factory=dict)

    @classmethod
    def of(cls, project: Project, release: Release, tagged: Sequence[Release]) -> NoticeChoice:
        chains = policy_chains(tagged)
        return cls(project, release, chains, translations_of(release, tagged), source_language(project))

    def pick(self, language: str) -> tuple[str, Notice]:
        """(the language recorded, the notice) for a reader of ``language``."""
        chosen = notice_language(language, self.translations)
        if chosen not in self._made:
            source = self._made.get("") or make_notice(
                self.project, self.release, self.chains.get(self.release.policy, ())
            )
            self._made[""] = source
            if chosen:
                # The translation's own record, told as its source's release is: the same kind of change,
                # the same effective date, and the same releases it replaced before they took effect.
                text = replace(
                    self.translations[chosen],
                    classification=self.release.classification,
                    effective=self.release.effective,
                )
                self._made[chosen] = Notice(text, base_url=source.base_url, covers=source.covers, language=chosen)
        return chosen or self.source_language, self._made[chosen]

    def split(self, recipients: Iterable[Recipient]) -> dict[str, tuple[Notice, list[Recipient]]]:
        """Recipients grouped by the language of the notice they are owed."""
        groups: dict[str, tuple[Notice, list[Recipient]]] = {}
        for recipient in recipients:
            language, notice = self.pick(recipient.language)
            groups.setdefault(language, (notice, []))[1].append(recipient)
        return groups


def webhook_names(project: Project) -> list[str]:
    from policywatch.audience.webhook import webhook_channels

    return [channel.name.split(":", 1)[1] for channel in webhook_channels(project)]


def notify_releases(project: Project, releases: Sequence[Release], **options: Any) -> NotifySummary:
    """What ``publish`` calls after tagging: ledger these releases at once, then send what is owed."""
    return run_notify(project, only=[r.tag for r in releases if r.material], **options)


def run_notify(
    project: Project,
    *,
    release: str | None = None,
    only: Sequence[str] | None = None,
    dry_run: bool = False,
    retry_failed: bool = False,
    retry_now: bool = False,
    workers: int = 1,
    progress: Progress | None = None,
    eml_dir: Path | None = None,
) -> NotifySummary:
    """Send every notice owed (or only ``release``'s, or only the tags in ``only``).

    ``retry_now`` skips the back-off of deferred deliveries. Batches held by a sender that
    provably died (see ``senders``) are taken back at once, not when their lease runs out.
    """
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    started = time.monotonic()
    settings = notify_settings(project)
    summary = NotifySummary(dry_run=dry_run, workers=workers)
    tagged = tagged_releases(project)
    with project_store(project) as store:
        outbox = Outbox(store, settings)
        named: set[str] | None = None
        if release is not None:
            chosen = announceable(project, release)
            refuse_superseded(tagged, chosen)
            named = {chosen.tag}
        elif only is not None:
            named = set(only)
        scope = named
        plan = plan_notices(outbox, tagged, named)
        by_tag = {r.tag: r for r in tagged}
        if dry_run:
            return _dry_run(project, store, outbox, plan, scope, by_tag, retry_failed, summary, eml_dir, started)
        hooks = webhook_names(project)
        ledger_start = time.monotonic()
        for rel, by in plan.superseded:
            summary.covered += outbox.supersede(rel, by)
        for announcement in plan.new:
            summary.created += outbox.ledger_release(announcement.release, hooks, announcement.followers)
            summary.ledgered.append(announcement.release.tag)
        for announcement in plan.open:
            summary.created += outbox.owe_late_followers(announcement.release, announcement.followers)
        summary.ledger_seconds = round(time.monotonic() - ledger_start, 3)
        summary.untold = [
            a.release.tag
            for a in plan.announced
            if (a.upcoming or a.release.tag in summary.ledgered) and not outbox.has_deliveries(a.release.tag)
        ]
        if retry_failed:
            outbox.retry_failed(scope)
        if retry_now:
            outbox.retry_now(scope)
        outbox.reclaim_expired()
        outbox.reclaim_dead()
        work = outbox.work(scope)
        if work:
            require_links(project)
        tags = sorted({tag for tag, _ in work})
        summary.releases = sorted(set(tags) | set(summary.ledgered))
        missing = [t for t in tags if t not in by_tag]
        summary.problems += [
            f"{t}: release tag not found in this repository; its deliveries stay queued" for t in missing
        ]
        tags = [t for t in tags if t in by_tag]
        before = outbox.counts(tags)
        total = before["queued"] + before["sending"]
        if tags and total:
            if workers == 1:
                counts = asyncio.run(_send(project, outbox, [(t, by_tag[t]) for t in tags], progress, total))
                summary.add(counts)
                summary.problems += counts.get("problems", [])  # type: ignore[arg-type]
                summary.peak_rss_mb.append(counts["peak_rss_mb"])
            else:
                _run_workers(project, outbox, [(t, by_tag[t]) for t in tags], workers, progress, total, summary)
        outbox.reclaim_dead()
        left = outbox.pending(scope)  # all releases unless one was named: deferred ones, other senders' batches
        summary.pending = left.left + left.sending
        summary.left, summary.deferred_left, summary.next_try = left.left, left.deferred, left.next_try
        summary.problems = summary.blocked + [p for p in summary.problems if p not in summary.blocked]
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


async def _send(
    project: Project,
    outbox: Outbox,
    releases: Sequence[tuple[str, Release]],
    progress: Progress | None,
    total: int,
) -> dict[str, Any]:
    """One sender: claim, send, record, until nothing claimable is left."""
    from policywatch.audience.email import open_email_channel
    from policywatch.audience.webhook import webhook_channels

    counts: Counter[str] = Counter()
    problems: list[str] = []
    blocked: list[str] = []
    hooks = {channel.name: channel for channel in webhook_channels(project)}
    settled = 0

    def report(outcome: Outcome, language: str | None = None) -> None:
        nonlocal settled
        counts[outbox.record(outcome, language)] += 1
        settled += 1
        if progress:
            progress(settled, total)

    tagged = tagged_releases(project)
    async with AsyncExitStack() as stack:
        opened: dict[str, Any] = {}
        for tag, release in releases:
            choice = NoticeChoice.of(project, release, tagged)
            for _, channel_name in (w for w in outbox.work([tag]) if w[0] == tag):
                channel = opened.get(channel_name)
                if channel is None:
                    if channel_name == EMAIL:
                        channel = open_email_channel(project)
                    elif channel_name in hooks:
                        channel = hooks[channel_name]
                    else:
                        problems.append(f"{tag}: {channel_name} is no longer configured; its delivery stays queued")
                        continue
                    opened[channel_name] = await stack.enter_async_context(channel)
                    channel = opened[channel_name]
                while getattr(channel, "unusable", None) is None:
                    claim = outbox.claim(tag, channel_name)
                    counts["skipped"] += claim.skipped
                    settled += claim.skipped
                    if not claim.recipients:
                        if claim.skipped:
                            continue
                        break
                    try:
                        if channel_name == EMAIL:
                            for language, (notice, group) in choice.split(claim.recipients).items():
                                await channel.send(notice, group, lambda o, lang=language: report(o, lang))
                        else:
                            await channel.send(choice.pick("")[1], claim.recipients, report)
                    finally:
                        outbox.release_unreported()
        blocked += [f"cannot send email: {c.unusable}" for c in opened.values() if getattr(c, "unusable", None)]
    result: dict[str, Any] = dict(counts)
    result["problems"] = problems
    result["blocked"] = blocked
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


# -- several sender processes -----------------------------------------------------------------


def _worker(root: str, tags: list[str], results: Any, parent: int) -> None:
    """Entry point of a sender process: its own connection, its own leases; reports on ``results``.

    It dies with its parent, so that killing ``notify`` stops every sender it started.
    """
    from policywatch.audience.senders import die_with_parent
    from policywatch.errors import PolicywatchError
    from policywatch.project import open_project

    die_with_parent(parent)
    try:
        project = open_project(root)
        by_tag = {r.tag: r for r in tagged_releases(project)}
        with project_store(project) as store:
            outbox = Outbox(store, notify_settings(project))
            results.put(asyncio.run(_send(project, outbox, [(t, by_tag[t]) for t in tags], None, 0)))
    except PolicywatchError as exc:
        results.put({"error": exc})
        raise SystemExit(exc.exit_code) from None


def _run_workers(
    project: Project,
    outbox: Outbox,
    releases: list[tuple[str, Release]],
    workers: int,
    progress: Progress | None,
    total: int,
    summary: NotifySummary,
) -> None:
    """Start the sender processes and wait for them, each on its own. One that dies (killed, out
    of memory) costs only a moment: its batch is taken back once it is gone, and sent by this process
    if no other sender is left to take it."""
    import multiprocessing
    import os
    import queue

    tags = [tag for tag, _ in releases]
    start = outbox.counts(tags)
    settled_before = start["sent"] + start["failed"] + start["skipped"]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    senders = [
        context.Process(target=_worker, args=(str(project.root), tags, results, os.getpid())) for _ in range(workers)
    ]
    for sender in senders:
        sender.start()
    reports: list[dict[str, Any]] = []
    while any(sender.is_alive() for sender in senders) or len(reports) < workers:
        try:
            reports.append(results.get(timeout=POLL_SECONDS))
        except queue.Empty:
            if not any(sender.is_alive() for sender in senders):
                break
        if progress:
            now = outbox.counts(tags)
            progress(now["sent"] + now["failed"] + now["skipped"] - settled_before, total)
    for sender in senders:
        sender.join()
    errors = [report["error"] for report in reports if "error" in report]
    if errors:
        raise errors[0]
    for report in reports:
        summary.add(report)
        summary.problems += [p for p in report.get("problems", []) if p not in summary.problems]
        summary.peak_rss_mb.append(report["peak_rss_mb"])
    died = [sender.exitcode for sender in senders if sender.exitcode != 0]
    if died:
        outbox.reclaim_dead()
        finished = ""
        if not summary.blocked and outbox.work(tags):
            counts = asyncio.run(_send(project, outbox, releases, None, 0))
            summary.add(counts)
            finished = " and sent by this process"
        summary.problems.append(
            f"{len(died)} sender process(es) died (exit {', '.join(map(str, died))}); "
            f"what they held was taken back{finished}"
        )


# -- dry run ----------------------------------------------------------------------------------


def _dry_run(
    project: Project,
    store: Store,
    outbox: Outbox,
    plan: NoticePlan,
    scope: set[str] | None,
    by_tag: dict[str, Release],
    retry_failed: bool,
    summary: NotifySummary,
    eml_dir: Path | None,
    started: float,
) -> NotifySummary:
    """Write each owed email as an ``.eml`` file and count webhook posts; the ledger is not touched."""
    from policywatch.audience.email import open_email_channel, private_folder

    states = ("queued", "failed") if retry_failed else ("queued",)
    replaced = {r.tag for r, _ in plan.superseded}
    owed: dict[str, Announcement] = {a.release.tag: a for a in plan.announced}
    fresh = {a.release.tag for a in plan.new}
    tags = sorted({t for t, _ in outbox.work(scope)} | set(owed) | _failed_tags(store, scope, retry_failed))
    summary.releases = [t for t in tags if t in by_tag and t not in replaced]
    if summary.releases:
        require_links(project)
    folder = eml_dir or project.state_dir / "dry-run" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    private_folder(folder)
    summary.eml_dir = str(folder)
    hooks = webhook_names(project)
    tagged = list(by_tag.values())
    counts: Counter[str] = Counter()

    def report(outcome: Outcome) -> None:
        counts["sent" if outcome.status == "sent" else outcome.status] += 1

    async def write() -> None:
        async with open_email_channel(project, dry_run_dir=folder) as channel:
            for tag in summary.releases:
                release = by_tag[tag]
                followers = owed[tag].followers if tag in owed else ()
                choice = NoticeChoice.of(project, release, tagged)
                for chunk in _chunks(_would_receive(store, release, states, followers)):
                    for notice, group in choice.split(chunk).values():
                        await channel.send(notice, group, report)
                counts["webhooks"] += len(hooks) if tag in fresh else _count_webhooks(store, tag, states)

    asyncio.run(write())
    summary.sent = counts["sent"]
    summary.failed = counts["failed"]
    summary.deferred = counts["deferred"]
    summary.would_post = counts["webhooks"]
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _chunks(items: Iterable[Recipient], size: int = 1000) -> Iterator[list[Recipient]]:
    chunk: list[Recipient] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _failed_tags(store: Store, scope: set[str] | None, retry_failed: bool) -> set[str]:
    if not retry_failed:
        return set()
    tags = {row[0] for row in store.query("SELECT DISTINCT release_tag FROM deliveries WHERE state = 'failed'")}
    return tags if scope is None else tags & scope


def _would_receive(
    store: Store, release: Release, states: tuple[str, ...], followers: Sequence[str]
) -> Iterator[Recipient]:
    """Streamed: whom a real run would email for this release: its deliveries in ``states``, and
    the active subscribers of ``followers`` it has no delivery for yet."""
    marks = ", ".join("?" * len(states))
    rows = store.stream(
        "SELECT d.target, s.name, s.token, s.id, s.language"
        " FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id"
        f" WHERE d.release_tag = ? AND d.channel = ? AND d.state IN ({marks}) AND s.status = 'active'"
        " ORDER BY d.id",
        (release.tag, EMAIL, *states),
    )
    for email, name, token, subscriber_id, language in rows:
        yield Recipient(delivery_key(release.tag, EMAIL, email), email, name, token, subscriber_id, language)
    if not followers:
        return
    follows, params = follower_filter(followers)
    rows = store.stream(
        f"SELECT s.email, s.name, s.token, s.id, s.language FROM subscribers s WHERE {follows} AND NOT EXISTS"
        " (SELECT 1 FROM deliveries d WHERE d.release_tag = ? AND d.channel = ? AND d.target = s.email)"
        " ORDER BY s.id",
        (*params, release.tag, EMAIL),
    )
    for email, name, token, subscriber_id, language in rows:
        yield Recipient(delivery_key(release.tag, EMAIL, email), email, name, token, subscriber_id, language)


def _count_webhooks(store: Store, tag: str, states: tuple[str, ...]) -> int:
    marks = ", ".join("?" * len(states))
    return store.query(
        f"SELECT COUNT(*) FROM deliveries WHERE release_tag = ? AND channel <> ? AND state IN ({marks})",
        (tag, EMAIL, *states),
    )[0][0]
