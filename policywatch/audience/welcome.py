"""The welcome after a confirmation: the changes already published and not yet in effect.

Someone who subscribes during a notice period is owed that notice (``notify``
would send it on its next run: ``owe_late_followers``). The welcome tells them
instead, and the ledger records each such release as sent to them by the welcome,
so ``notify`` does not send it again and ``audit`` shows who was told, when.
Which releases are owed is decided as ``notify`` decides it (``plan_notices``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policywatch.audience.announcements import Announcement, plan_notices, tagged_releases
from policywatch.audience.outbox import EMAIL, NotifySettings, Outbox
from policywatch.audience.subscribers import Subscriber
from policywatch.store import Store, utcnow

if TYPE_CHECKING:
    from policywatch.project import Project

WELCOME_DETAIL = "told in the welcome email after confirming"


def _outbox(store: Store) -> Outbox:
    # No sender's lease is taken and commits stay synchronous: this is a service request, not a sender.
    return Outbox(store, NotifySettings(synchronous_commit=True), owner="welcome")


def owed_on_arrival(project: Project, store: Store, subscriber: Subscriber) -> list[Announcement]:
    """Material releases already published, not yet in effect, that ``subscriber`` follows, oldest first."""
    plan = plan_notices(_outbox(store), tagged_releases(project))
    owed = [a for a in plan.announced if a.upcoming and any(subscriber.follows(s) for s in a.followers)]
    return sorted(owed, key=lambda a: (a.release.published, a.release.tag))


def record_welcome(
    project: Project, store: Store, subscriber: Subscriber, owed: list[Announcement], message_id: str
) -> int:
    """Record ``owed`` as sent to ``subscriber`` by the welcome (``message_id``); returns how many rows changed.

    A release not yet ledgered is ledgered first, exactly as ``notify`` would (its other
    followers and webhooks are owed it as usual). A delivery to this address still
    queued, failed or skipped becomes sent; one being sent or already sent is left alone.
    """
    from policywatch.audience.runner import source_language, webhook_names

    outbox = _outbox(store)
    ledgered = outbox.ledgered()
    hooks = webhook_names(project) if any(a.release.tag not in ledgered for a in owed) else []
    now = utcnow()
    language = source_language(project)  # the welcome is written in the source's language
    changed = 0
    for announcement in owed:
        if announcement.release.tag not in ledgered:
            outbox.ledger_release(announcement.release, hooks, announcement.followers)
        changed += store.execute(
            "INSERT INTO deliveries (release_tag, channel, target, subscriber_id, state, attempts, message_id, detail,"
            " language, created_at, updated_at, sent_at) VALUES (?, ?, ?, (SELECT id FROM subscribers WHERE email = ?),"
            " 'sent', 1, ?, ?, ?, ?, ?, ?) ON CONFLICT (release_tag, channel, target) DO UPDATE SET state = 'sent',"
            " message_id = excluded.message_id, detail = excluded.detail, language = excluded.language,"
            " sent_at = excluded.sent_at,"
            " updated_at = excluded.updated_at, lease_owner = NULL, lease_until = NULL"
            " WHERE deliveries.state IN ('queued', 'failed', 'skipped')",
            (
                announcement.release.tag,
                EMAIL,
                subscriber.email,
                subscriber.email,
                message_id,
                WELCOME_DETAIL,
                language,
                now,
                now,
                now,
            ),
        )
    return changed
