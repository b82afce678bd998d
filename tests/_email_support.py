"""A real SMTP server (aiosmtpd, in-process, own thread) that can be told to misbehave."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from policywatch.audience.channels import Notice, Outcome, Recipient
from policywatch.audience.email import EmailChannel
from policywatch.audience.smtp_settings import SenderSettings, parse_smtp_url
from policywatch.release.record import ChangeSummary, Release
from policywatch.templates import template_environment

DROP = "drop"  # close the connection after DATA, without a reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    peer: Any
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    """Stores each accepted message; answers DATA from ``script`` first (a reply, or DROP)."""

    script: list[str] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply to DATA
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        with self.lock:
            scripted = self.script.pop(0) if self.script else None
        if scripted is None:
            scripted = next((self.refuse[r] for r in envelope.rcpt_tos if r in self.refuse), None)
        if scripted == DROP:
            server.transport.close()
            return "250 never seen"
        if scripted is not None:
            if scripted.startswith("421"):
                await server.push(scripted)
                server.transport.close()
            return scripted
        with self.lock:
            self.messages.append(
                Received(
                    session.peer,
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or envelope.content),
                )
            )
        return "250 2.0.0 queued"

    @property
    def peers(self) -> set[Any]:
        return {m.peer for m in self.messages}


@contextmanager
def smtp_server(
    handler: Handler | None = None, port: int | None = None, **smtp_kwargs: Any
) -> Iterator[tuple[Controller, Handler]]:
    handler = handler or Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **smtp_kwargs)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def make_release(**overrides: Any) -> Release:
    values: dict[str, Any] = {
        "policy": "privacy",
        "title": "Example Privacy Policy",
        "path": "policies/privacy.md",
        "version": "2.0",
        "previous_version": "1.0",
        "classification": "material",
        "effective": dt.date(2026, 12, 25),
        "updated": dt.date(2026, 11, 25),
        "published": dt.date(2026, 11, 25),
        "tag": "privacy/v2.0",
        "reasons": ["new recipient: advertising partners"],
        "changes": [
            ChangeSummary(
                section="Sharing",
                kind="modified",
                classification="material",
                reasons=["new recipient: advertising partners"],
                old_text="We do not share your data.",
                new_text="We share your data with advertising partners.",
            ),
            ChangeSummary(section="Contact", kind="modified", classification="minor", reasons=["punctuation"]),
        ],
    }
    values.update(overrides)
    return Release(**values)


def make_notice(**release_overrides: Any) -> Notice:
    return Notice(make_release(**release_overrides), base_url="https://policies.example.com")


SENDER = SenderSettings(
    address="privacy@example.com",
    header="Example Privacy <privacy@example.com>",
    list_id="<policies.example.com>",
    unsubscribe_url="",
)


def recipients(count: int, domain: str = "example.org") -> list[Recipient]:
    return [Recipient(f"privacy/v2.0:{i}:email", f"user{i}@{domain}", f"User {i}", f"tok{i:04d}") for i in range(count)]


def channel_for(
    controller: Controller, query: str = "", scheme: str = "smtp", root: Path | None = None
) -> EmailChannel:
    url = f"{scheme}://127.0.0.1:{controller.port}?backoff=0.01&timeout=5" + (f"&{query}" if query else "")
    return EmailChannel(parse_smtp_url(url), SENDER, template_environment(root))


async def send_all(channel: EmailChannel, notice: Notice, to: list[Recipient]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    async with channel:
        await channel.send(notice, to, outcomes.append)
    return outcomes
