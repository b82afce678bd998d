"""The tokens in unsubscribe links: made for each subscriber, looked up by the service.

The token in a link is the only credential, so it is unguessable, checked for shape
before the database sees it, and never shown: a page gets a ``Person``, whose address
is masked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from policywatch.store import Store, chain, utcnow

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def new_token() -> str:
    """Unguessable: 192 random bits, URL-safe, for the one-click unsubscribe link."""
    return secrets.token_urlsafe(24)


def valid_token(token: str) -> bool:
    """Tokens are ``secrets.token_urlsafe`` text; anything else is refused before the database sees it."""
    return bool(_TOKEN.match(token))


@dataclass(frozen=True)
class Person:
    """What the pages may show: never the token, and the address only masked."""

    id: int
    email: str
    status: str
    updated_at: str
    unsubscribed_at: str | None  # set once, by the first unsubscribe

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)


def mask_email(address: str) -> str:
    """``jane.doe@example.com`` -> ``j***@example.com``: recognisable to its owner, little use to anyone else."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def find_by_token(store: Store, token: str) -> Person | None:
    rows = store.query(
        "SELECT id, email, status, updated_at, unsubscribed_at FROM subscribers WHERE token = ?", (token,)
    )
    return Person(*rows[0]) if rows else None


def unsubscribe_by_token(store: Store, token: str) -> tuple[Person | None, bool]:
    """Mark the token's subscriber unsubscribed; returns it and whether this call changed anything.

    Only a change of status touches the row, and ``unsubscribed_at`` is only ever
    filled when empty, so it keeps the moment the person first unsubscribed however
    often the link is posted again (and whatever later touches ``updated_at``).
    """
    if not valid_token(token):
        return None, False
    now = utcnow()
    with store.transaction():
        changed = store.query(
            "UPDATE subscribers SET status = 'unsubscribed', updated_at = ?,"
            " unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE token = ? AND status <> 'unsubscribed'"
            + chain.SUBSCRIBERS.returning,
            (now, now, token),
        )
        chain.record(store, "subscribers", "unsubscribed", changed)
    return find_by_token(store, token), bool(changed)
