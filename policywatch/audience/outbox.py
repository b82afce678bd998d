"""The outbox: one ledger row per notice owed, and the rules that move it.

A delivery is owed per (release tag, subscriber, channel) and per (release,
webhook). It moves ``queued -> sending -> sent | failed`` (or ``skipped`` when
the subscriber left before it went out). A sender *claims* a batch by setting
``sending`` with a lease; it records each outcome the moment the channel reports
it; a sender that dies leaves its batch ``sending`` until the lease expires, and
then anyone may claim it again. So nothing is lost, and the only duplicate is a
message the server accepted in the instant before its outcome was written.

The release lives in git and the deliveries in the database, so no transaction
holds both: a release is *ledgered* (its deliveries created) by whichever run
first sees its tag, which is how a publish killed after tagging is still announced.
Until a release takes effect, every run also owes it to followers who subscribed
since (``owe_late_followers``); a release that a later one replaces before it takes
effect is covered by the later notice (``supersede``). Which releases are owed is
read from git by ``announcements``; this module keeps only the ledger.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policywatch.audience.channels import Outcome, Recipient
from policywatch.audience.notify_settings import NotifySettings
from policywatch.audience.senders import LOCK_CLASS, SenderId, on_this_host, process_gone, this_sender
from policywatch.plural import plural
from policywatch.release.record import Release
from policywatch.store import Store, stamp, utcnow

if TYPE_CHECKING:
    pass

EMAIL = "email"
STATES = ("queued", "sending", "sent", "failed", "skipped")
BACKOFF_SECONDS = (60, 300, 900, 3600)  # before the 2nd, 3rd, ... attempt of a deferred delivery


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger, as the audit shows it."""

    release_tag: str
    channel: str
    target: str
    name: str
    state: str
    attempts: int
    message_id: str | None
    detail: str
    created_at: str
    updated_at: str
    sent_at: str | None
    language: str | None = None  # the language the notice was sent in; None until it was tried (or a webhook)


@dataclass(frozen=True)
class Pending:
    """Deliveries still owed after a run. ``queued`` and ``deferred`` are left undone;
    ``sending`` ones are held by a sender that is still at work."""

    queued: int = 0  # due now but not sent (the server could not be used, or no channel for them)
    deferred: int = 0  # waiting out the back-off after a temporary failure
    sending: int = 0
    next_try: str | None = None  # when the first deferred one is due

    @property
    def left(self) -> int:
        return self.queued + self.deferred


@dataclass(frozen=True)
class Claim:
    """A batch this sender now holds: the recipients to hand to one channel."""

    release_tag: str
    channel: str
    recipients: list[Recipient]
    skipped: int  # subscribers who left since the release was ledgered


def delivery_key(release_tag: str, channel: str, target: str) -> str:
    """The delivery's name outside the database: stable, so the Message-ID it seeds is too."""
    return f"{release_tag}|{channel}|{target}"


def lease_owner() -> str:
    """Who holds a claim: the machine, the process and its start time, and a random nonce."""
    return str(this_sender())


def _like_escape(slug: str) -> str:
    return slug.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def follower_filter(followers: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """SQL condition on subscribers ``s``, with its parameters: active, and following one of the
    slugs ``followers`` or every policy."""
    follows = " OR ".join("(';' || s.policies || ';') LIKE ? ESCAPE '\\'" for _ in followers)
    return f"s.status = 'active' AND (s.policies = '' OR {follows})", tuple(
        f"%;{_like_escape(slug)};%" for slug in followers
    )


class Outbox:
    """The ledger, seen by one sender (who owns the leases it takes)."""

    def __init__(self, store: Store, settings: NotifySettings | None = None, *, owner: str | None = None):
        self.store = store
        self.settings = settings or NotifySettings()
        if not self.settings.synchronous_commit and hasattr(store, "relax_commits"):
            store.relax_commits()
        self.owner = owner or self._announce()
        self._claims = 0
        self._inflight: dict[str, tuple[int, str, int]] = {}  # key -> (row id, lease, attempts)
        self._cursors: dict[tuple[str, str], int] = {}  # (release, channel) -> last id claimed
        self._renew_at = 0.0  # monotonic time at which the leases held are extended

    def _announce(self) -> str:
        """This sender's name; on PostgreSQL, also take the session lock that says it is alive."""
        while True:
            sender = this_sender()
            if self.store.dialect != "postgresql" or self.store.hold_session_lock(LOCK_CLASS, sender.nonce):
                return str(sender)

    # -- releases -------------------------------------------------------------------------

    def ledgered(self) -> set[str]:
        return {row[0] for row in self.store.query("SELECT tag FROM releases")}

    def started(self) -> dt.date:
        """The day this ledger began: releases tagged before it are history, not news."""
        rows = self.store.query("SELECT MIN(applied_at) FROM schema_version")
        first = rows[0][0] if rows and rows[0][0] else utcnow()
        return dt.date.fromisoformat(first[:10])

    def ledger_release(self, release: Release, webhooks: Sequence[str] = (), followers: Sequence[str] = ()) -> int:
        """Create the release's deliveries, once; returns how many were created (0 if already done).

        Email deliveries are made in one INSERT ... SELECT, inside the database: a million
        subscribers never pass through this process. ``followers``: the slugs whose
        subscribers are owed it (default the release's policy; a renamed policy adds its
        former slugs).
        """
        now = utcnow()
        with self.store.transaction():
            fresh = self.store.execute(
                "INSERT INTO releases (tag, policy, version, classification, effective, ledgered_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tag) DO NOTHING",
                (release.tag, release.policy, release.version, release.classification, str(release.effective), now),
            )
            if not fresh:
                return 0
            created = self._owe_followers(release, followers or (release.policy,), now)
            for name in webhooks:
                created += self.store.execute(
                    "INSERT INTO deliveries (release_tag, channel, target, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (release_tag, channel, target) DO NOTHING",
                    (release.tag, f"webhook:{name}", name, now, now),
                )
        return created

    def owe_late_followers(self, release: Release, followers: Sequence[str] = ()) -> int:
        """Owe an already ledgered release to active followers who have no delivery of it yet
        (they subscribed after it was ledgered); returns how many. Each is owed it once."""
        with self.store.transaction():
            return self._owe_followers(release, followers or (release.policy,), utcnow())

    def _owe_followers(self, release: Release, followers: Sequence[str], now: str) -> int:
        # Those already owed it are left out by the unique index (ON CONFLICT), one probe each. Not
        # by NOT EXISTS: PostgreSQL may plan that as a scan of deliveries per subscriber, which also
        # reads the rows this statement inserts (quadratic on a fresh release).
        follows, params = follower_filter(followers)
        return self.store.execute(
            "INSERT INTO deliveries (release_tag, channel, target, subscriber_id, created_at, updated_at)"
            f" SELECT ?, ?, s.email, s.id, ?, ? FROM subscribers s WHERE {follows} ORDER BY s.id"
            " ON CONFLICT (release_tag, channel, target) DO NOTHING",
            (release.tag, EMAIL, now, now, *params),
        )

    def supersede(self, release: Release, by: str) -> int:
        """Record that ``release`` was replaced before it took effect and that the notice of ``by``
        covers it; its deliveries not yet sent are skipped (so nobody gets both). Returns how many."""
        now = utcnow()
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO releases (tag, policy, version, classification, effective, ledgered_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tag) DO NOTHING",
                (release.tag, release.policy, release.version, release.classification, str(release.effective), now),
            )
            self.store.execute(
                "UPDATE releases SET superseded_by = ? WHERE tag = ? AND (superseded_by IS NULL OR superseded_by <> ?)",
                (by, release.tag, by),
            )
            return self.store.execute(
                "UPDATE deliveries SET state = 'skipped', detail = ?, updated_at = ?,"
                " lease_owner = NULL, lease_until = NULL WHERE release_tag = ? AND state IN ('queued', 'failed')",
                (f"superseded before it took effect: covered by the notice of {by}", now, release.tag),
            )

    def superseded_by(self, release_tag: str) -> str | None:
        rows = self.store.query("SELECT superseded_by FROM releases WHERE tag = ?", (release_tag,))
        return rows[0][0] if rows else None

    def has_deliveries(self, release_tag: str) -> bool:
        """Whether anyone (a subscriber or a webhook) is owed or was sent this release."""
        return bool(self.store.query("SELECT 1 FROM deliveries WHERE release_tag = ? LIMIT 1", (release_tag,)))

    # -- claiming -------------------------------------------------------------------------

    def work(self, tags: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(release tag, channel) pairs with deliveries that can be claimed now."""
        now = utcnow()
        rows = self.store.query(
            "SELECT DISTINCT release_tag, channel FROM deliveries"
            " WHERE (state = 'queued' AND not_before <= ?) OR (state = 'sending' AND lease_until < ?)"
            " ORDER BY release_tag, channel",
            (now, now),
        )
        wanted = set(tags) if tags is not None else None
        return [(tag, channel) for tag, channel in rows if wanted is None or tag in wanted]

    def claim(self, release_tag: str, channel: str, limit: int | None = None) -> Claim:
        """Take up to ``limit`` claimable deliveries under a fresh lease.

        Claimable: queued and due, or ``sending`` under a lease that has expired (its
        sender died). PostgreSQL skips rows another sender is claiming this instant;
        SQLite serialises claims with BEGIN IMMEDIATE.
        """
        limit = limit or self.settings.batch_size
        self._claims += 1
        self._renew_at = time.monotonic() + self.settings.lease_seconds / 2
        lease = f"{self.owner}#{self._claims}"
        moment = dt.datetime.now(dt.UTC)
        now = stamp(moment)
        until = stamp(moment + dt.timedelta(seconds=self.settings.lease_seconds))
        with self.store.transaction():
            # Batches whose sender died first, then queued ones that are due. Queued rows are
            # read onwards from where this sender's last claim ended, so the scan does not wade
            # through the rows already sent (the planner may walk the primary key in id order);
            # when that runs dry it starts once more from the beginning, for rows queued again.
            claimed = self._take(
                lease, until, now, release_tag, channel, "state = 'sending' AND lease_until < ?", limit
            )
            cursor = self._cursors.get((release_tag, channel), 0)
            while len(claimed) < limit:
                taken = self._take(
                    lease,
                    until,
                    now,
                    release_tag,
                    channel,
                    "state = 'queued' AND not_before <= ? AND id > ?",
                    limit - len(claimed),
                    cursor,
                )
                claimed += taken
                if taken:
                    self._cursors[(release_tag, channel)] = max(row[0] for row in taken)
                if len(claimed) >= limit or cursor == 0:
                    break
                cursor = 0
            claimed.sort()
            people = self._people([row[2] for row in claimed if row[2] is not None])
            recipients, gone = [], []
            for row_id, target, subscriber_id, attempts in claimed:
                name, token, status, language = people.get(subscriber_id, ("", "", "active", ""))
                if status != "active":
                    gone.append((f"subscriber {status} before sending", now, row_id))
                    continue
                key = delivery_key(release_tag, channel, target)
                self._inflight[key] = (row_id, lease, attempts)
                recipients.append(Recipient(key, target, name, token, subscriber_id or 0, language))
            if gone:
                self.store.executemany(
                    "UPDATE deliveries SET state = 'skipped', detail = ?, updated_at = ?,"
                    " lease_owner = NULL, lease_until = NULL WHERE id = ?",
                    gone,
                )
        return Claim(release_tag, channel, recipients, len(gone))

    def _take(self, lease: str, until: str, now: str, tag: str, channel: str, which: str, limit: int, *extra) -> list:
        return self.store.query(
            "UPDATE deliveries SET state = 'sending', lease_owner = ?, lease_until = ?,"
            " attempts = attempts + 1, updated_at = ?"
            f" WHERE id IN (SELECT id FROM deliveries WHERE release_tag = ? AND channel = ? AND {which}"
            f" ORDER BY id LIMIT ?{self.store.skip_locked()})"
            " RETURNING id, target, subscriber_id, attempts",
            (lease, until, now, tag, channel, now, *extra, limit),
        )

    def _people(self, ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.store.query(f"SELECT id, name, token, status, language FROM subscribers WHERE id IN ({marks})", ids)
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}

    # -- recording ------------------------------------------------------------------------

    def record(self, outcome: Outcome, language: str | None = None) -> str:
        """Write one outcome at once (autocommitted); returns what it became.

        ``language``: the language of the notice that was tried, kept with a ``sent`` or ``failed`` one.

        ``sent`` wins over anything but an earlier ``sent`` (then it is a ``duplicate``: the
        lease ran out while this sender was still at work). ``failed`` and ``deferred``
        count only while this sender still holds the lease (else ``stale``), and so does
        ``unsent`` (the server could not be used): queued again as it was, the attempt not counted.
        """
        if self._inflight and time.monotonic() >= self._renew_at:
            self.renew()
        row_id, lease, attempts = self._inflight.pop(outcome.delivery_id, (None, None, 0))
        if row_id is None:
            row_id = self._row_id(outcome.delivery_id)
            if row_id is None:
                return "stale"
        now = utcnow()
        if outcome.status == "sent":
            changed = self.store.execute(
                "UPDATE deliveries SET state = 'sent', message_id = ?, detail = ?, sent_at = ?, updated_at = ?,"
                " language = COALESCE(?, language), lease_owner = NULL, lease_until = NULL"
                " WHERE id = ? AND state <> 'sent'",
                (outcome.message_id, outcome.detail, now, now, language, row_id),
            )
            return "sent" if changed else "duplicate"
        if outcome.status == "unsent":
            changed = self.store.execute(
                "UPDATE deliveries SET state = 'queued', attempts = attempts - 1, detail = ?, updated_at = ?,"
                " lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'sending' AND lease_owner = ?",
                (outcome.detail, now, row_id, lease),
            )
            return "unsent" if changed else "stale"
        if outcome.status == "deferred" and attempts < self.settings.max_attempts:
            wait = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
            due = stamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait))
            state, detail, result = "queued", outcome.detail, "deferred"
        else:
            due = ""
            state, result = "failed", "failed"
            detail = outcome.detail
            if outcome.status == "deferred":
                detail = f"gave up after {plural(attempts, 'attempt')}: {outcome.detail}"
        changed = self.store.execute(
            "UPDATE deliveries SET state = ?, detail = ?, message_id = COALESCE(?, message_id), not_before = ?,"
            " updated_at = ?, language = COALESCE(?, language), lease_owner = NULL, lease_until = NULL"
            " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
            # a Message-ID names a message that was refused, for tracing; one still queued has none yet
            (
                state,
                detail,
                outcome.message_id if state == "failed" else None,
                due,
                now,
                language if state == "failed" else None,
                row_id,
                lease,
            ),
        )
        return result if changed else "stale"

    def renew(self) -> int:
        """Extend the lease on everything this sender still holds.

        Called as outcomes come in, once half the lease has gone: a slow channel
        (a rate limit, a sluggish server) keeps its batch instead of having it
        reclaimed, and sent a second time, by another sender.
        """
        until = stamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.settings.lease_seconds))
        leases = {lease for _, lease, _ in self._inflight.values()}
        self._renew_at = time.monotonic() + self.settings.lease_seconds / 2
        return sum(
            self.store.execute(
                "UPDATE deliveries SET lease_until = ? WHERE lease_owner = ? AND state = 'sending'", (until, lease)
            )
            for lease in leases
        )

    def _row_id(self, key: str) -> int | None:
        tag, channel, target = key.split("|", 2)
        rows = self.store.query(
            "SELECT id FROM deliveries WHERE release_tag = ? AND channel = ? AND target = ?", (tag, channel, target)
        )
        return rows[0][0] if rows else None

    def release_unreported(self) -> int:
        """Put back what this sender claimed but never reported (a channel that stopped early)."""
        count = 0
        for row_id, lease, _ in self._inflight.values():
            count += self.store.execute(
                "UPDATE deliveries SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?"
                " WHERE id = ? AND state = 'sending' AND lease_owner = ?",
                (utcnow(), row_id, lease),
            )
        self._inflight.clear()
        return count

    # -- maintenance ----------------------------------------------------------------------

    def reclaim_expired(self) -> int:
        """Queue again every delivery whose sender's lease has run out."""
        now = utcnow()
        return self.store.execute(
            "UPDATE deliveries SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?"
            " WHERE state = 'sending' AND lease_until < ?",
            (now, now),
        )

    def reclaim_dead(self) -> int:
        """Queue again at once the batches whose sender provably died (see ``senders``).

        A process on this host that is gone, or a PostgreSQL session that is gone: what it
        held goes back to the queue now instead of when its lease runs out.
        """
        rows = self.store.query("SELECT DISTINCT lease_owner FROM deliveries WHERE state = 'sending'")
        verdicts: dict[str, bool] = {}
        dead = []
        for (lease,) in rows:
            if not lease:
                continue
            name = lease.split("#", 1)[0]
            if name not in verdicts:
                verdicts[name] = name != self.owner and self._sender_dead(name)
            if verdicts[name]:
                dead.append(lease)
        now = utcnow()
        return sum(
            self.store.execute(
                "UPDATE deliveries SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?"
                " WHERE state = 'sending' AND lease_owner = ?",
                (now, lease),
            )
            for lease in dead
        )

    def _sender_dead(self, name: str) -> bool:
        sender = SenderId.parse(name)
        if sender is None:
            return False
        if on_this_host(sender) and process_gone(sender.pid, sender.start):
            return True
        return self.store.dialect == "postgresql" and not self.store.session_lock_held(LOCK_CLASS, sender.nonce)

    def retry_now(self, tags: Iterable[str] | None = None) -> int:
        """Make deferred deliveries due at once (``--retry-now``): the back-off is skipped this time."""
        now = utcnow()
        sql = "UPDATE deliveries SET not_before = '', updated_at = ? WHERE state = 'queued' AND not_before > ?"
        if tags is None:
            return self.store.execute(sql, (now, now))
        return sum(self.store.execute(sql + " AND release_tag = ?", (now, now, tag)) for tag in tags)

    def pending(self, tags: Iterable[str] | None = None) -> Pending:
        """What is still owed, and why: deferred (waiting out a back-off), due, or held by a sender."""
        now = utcnow()
        sql = (
            "SELECT CASE WHEN state = 'sending' THEN 'sending' WHEN not_before > ? THEN 'deferred' ELSE 'queued' END,"
            " COUNT(*), MIN(not_before) FROM deliveries WHERE state IN ('queued', 'sending')"
        )
        selected = list(tags) if tags is not None else None
        if selected is not None and not selected:
            return Pending()
        params: list[str] = [now]
        if selected is not None:
            sql += f" AND release_tag IN ({', '.join('?' * len(selected))})"
            params += selected
        found = {kind: (count, first) for kind, count, first in self.store.query(sql + " GROUP BY 1", params)}
        deferred = found.get("deferred", (0, None))
        return Pending(
            queued=found.get("queued", (0, None))[0],
            deferred=deferred[0],
            sending=found.get("sending", (0, None))[0],
            next_try=deferred[1] if deferred[0] else None,
        )

    def retry_failed(self, tags: Iterable[str] | None = None) -> int:
        """Queue failed deliveries again (``--retry-failed``), due at once, attempts kept."""
        now = utcnow()
        sql = "UPDATE deliveries SET state = 'queued', not_before = '', updated_at = ? WHERE state = 'failed'"
        if tags is None:
            return self.store.execute(sql, (now,))
        return sum(self.store.execute(sql + " AND release_tag = ?", (now, tag)) for tag in tags)

    def counts(self, tags: Iterable[str] | None = None) -> dict[str, int]:
        """Deliveries per state, over some releases or all."""
        totals = dict.fromkeys(STATES, 0)
        selected = list(tags) if tags is not None else None
        if selected is None:
            rows = self.store.query("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
        elif not selected:
            rows = []
        else:
            marks = ", ".join("?" * len(selected))
            rows = self.store.query(
                f"SELECT state, COUNT(*) FROM deliveries WHERE release_tag IN ({marks}) GROUP BY state", selected
            )
        for state, count in rows:
            totals[state] = count
        return totals

    def deliveries(self, release_tag: str) -> Iterator[Delivery]:
        """Every delivery of one release, streamed, in the order they were created."""
        for row in self.store.stream(
            "SELECT d.release_tag, d.channel, d.target, COALESCE(s.name, ''), d.state, d.attempts, d.message_id,"
            " d.detail, d.created_at, d.updated_at, d.sent_at, d.language"
            " FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id"
            " WHERE d.release_tag = ? ORDER BY d.id",
            (release_tag,),
        ):
            yield Delivery(*row)
