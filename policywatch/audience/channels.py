"""The seam between the outbox ledger and the wire.

The ledger decides *who* is owed a notice and records what happened; a channel
only carries notices. A channel renders a release's notice once (``prepare``)
and then sends it to many recipients, reporting each outcome the moment it is
known so the ledger can record it before the next send: that keeps the window
for a duplicate (server accepted, ledger not yet written) as small as it can be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from policywatch.release.record import Release

OutcomeStatus = Literal["sent", "failed", "deferred", "unsent"]


@dataclass(frozen=True)
class Notice:
    """One release's announcement, shared by every recipient of it."""

    release: Release
    base_url: str = ""  # public archive (config [site] base_url); links are relative to it
    redline_excerpt: str = ""  # short plain-text excerpt of the material changes, optional
    covers: tuple[str, ...] = ()  # versions this release replaced before they took effect
    service_url: str = ""  # where the service answers ([service] url, else base_url): unsubscribe and object links
    objections: bool = False  # the service takes objections: a register release's notice links to its form
    language: str = ""  # a translation's language tag: its templates and date format; "" for the source's


@dataclass(frozen=True)
class Recipient:
    """One delivery the ledger wants carried.

    For email, ``address`` is the subscriber's address; for a webhook it is the
    webhook's name from config. ``delivery_id`` is stable across retries and
    seeds the Message-ID, so a duplicate is recognisable.
    """

    delivery_id: str
    address: str
    name: str = ""
    unsubscribe_token: str = ""
    subscriber_id: int = 0  # 0 for a webhook; objection links name the subscriber
    language: str = ""  # the subscriber's language, which picks the notice they are sent ("" for the source's)


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery.

    ``sent``: the server accepted it. ``failed``: permanent (5xx, invalid
    address, 4xx webhook): do not retry without ``--retry-failed``.
    ``deferred``: temporary (4xx SMTP after retries, drop, time-out, 5xx webhook):
    the ledger queues it again. ``unsent``: not tried, because the server cannot
    be used at all (refused, TLS, login): queued again as it was, no attempt counted.
    """

    delivery_id: str
    status: OutcomeStatus
    detail: str = ""
    message_id: str | None = None


Report = Callable[[Outcome], None]


class Channel(Protocol):
    """A way to carry notices: ``email`` or ``webhook``.

    Used as ``async with channel: await channel.send(notice, recipients, report)``.
    ``send`` returns when every recipient has been reported exactly once.
    """

    name: str

    async def __aenter__(self) -> Channel: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def send(self, notice: Notice, recipients: Iterable[Recipient], report: Report) -> None: ...
