"""The tokens in unsubscribe links: made for each subscriber, looked up by the service.

The token in a link is the only credential, so it is unguessable, checked for shape
before the database sees it, and never shown: a page gets a ``Person``, whose address
is masked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from policywatch.store import Store, utcnow

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
    changed = store.execute(
        "UPDATE subscribers SET status = 'unsubscribed', updated_at = ?, unsubscribed_at = COALESCE(unsubscribed_at, ?)"
        " WHERE token = ? AND status <> 'unsubscribed'",
        (now, now, token),
    )
    return find_by_token(store, token), bool(changed)


# -- objection links ----------------------------------------------------------------------

_OBJECT_TOKEN = re.compile(r"^([0-9]{1,18})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


def _object_signature(key: str, subscriber_id: int, tag: str, expires: int) -> str:
    digest = hmac.new(key.encode("utf-8"), f"object|{subscriber_id}|{tag}|{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def object_token(subscriber_id: int, unsubscribe_token: str, tag: str, expires: int) -> str:
    """``ID.EXPIRES.SIGNATURE``: one subscriber's link to object to one release, until ``expires`` (epoch seconds).

    Signed (HMAC-SHA256) with the subscriber's own unsubscribe token, a 192-bit random
    secret already in the store: ``notify`` needs no further secret to make it, the
    service recomputes it to check it, and a link for one release or person is no use
    for another. A subscriber given a new unsubscribe token (by subscribing again)
    has their old objection links retired with the old token.
    """
    return f"{subscriber_id}.{expires}.{_object_signature(unsubscribe_token, subscriber_id, tag, expires)}"


def subscriber_of_object_token(store: Store, token: str, tag: str, now: float | None = None) -> tuple[int, str] | None:
    """(id, email) of the subscriber a genuine, unexpired objection token for ``tag`` was made for; else None."""
    match = _OBJECT_TOKEN.match(token)
    if not match:
        return None
    subscriber_id, expires, signature = int(match.group(1)), int(match.group(2)), match.group(3)
    if (time.time() if now is None else now) >= expires:
        return None
    rows = store.query("SELECT email, token FROM subscribers WHERE id = ?", (subscriber_id,))
    if not rows:
        return None
    email, key = rows[0]
    if not hmac.compare_digest(signature, _object_signature(key, subscriber_id, tag, expires)):
        return None
    return subscriber_id, email
