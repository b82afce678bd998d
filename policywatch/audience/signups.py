"""Self-service subscriptions: a request, a signed link, and nobody subscribed until they confirm.

A request is a row in ``subscribe_requests`` holding the address, the policies
asked for, when and from where it was asked (client address and user agent). Its
confirmation link carries a token ``NONCE.EXPIRES.SIGNATURE``: the signature
(HMAC-SHA256 with the service's secret) is checked and the expiry read before the
database is asked anything, and the database keeps only a hash of the nonce, so a
copy of the database cannot confirm anyone. Confirming fills ``confirmed_at`` and
the confirming request's origin once; the row stays as the proof of consent.

The limits that keep the form from being used against other people's inboxes
(per client address, per email address, pending requests in all) are counted in
the store, so every worker process of the service shares them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from policywatch.audience.languages import follow_translations
from policywatch.audience.service.tokens import new_token
from policywatch.audience.subscribers import Subscriber, get_subscriber
from policywatch.store import Store, stamp

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")
MAX_AGENT = 300  # characters of a user agent kept as proof

Refusal = Literal["client", "address", "pending"]


@dataclass(frozen=True)
class Origin:
    """Where a request came from, kept as proof of consent."""

    address: str
    agent: str
    language: str = ""  # the language its browser prefers (Accept-Language), for a subscriber who chose none


@dataclass(frozen=True)
class Limits:
    days: int = 7
    per_client_per_hour: int = 10
    per_address_per_day: int = 3
    max_pending: int = 10_000


@dataclass(frozen=True)
class Requested:
    """A request accepted: the link token to email (never logged) and the row's id (for logs)."""

    id: int
    token: str
    expires_at: str


@dataclass(frozen=True)
class Confirmed:
    """What confirming did: the subscriber, whether this confirmation changed anything, and when."""

    request_id: int
    subscriber: Subscriber
    changed: bool
    confirmed_at: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signature(secret: bytes, nonce: str, expires: int) -> str:
    return _b64(hmac.new(secret, f"confirm|{nonce}|{expires}".encode("ascii"), hashlib.sha256).digest())


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


def make_token(secret: bytes, nonce: str, expires: dt.datetime) -> str:
    seconds = int(expires.timestamp())
    return f"{nonce}.{seconds}.{_signature(secret, nonce, seconds)}"


def read_token(secret: bytes, token: str, now: dt.datetime | None = None) -> str | None:
    """The nonce of a genuine, unexpired token; None for anything else (forged, altered, expired, malformed)."""
    match = _TOKEN.match(token)
    if not match or not secret:
        return None
    nonce, seconds, signature = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(signature, _signature(secret, nonce, seconds)):
        return None
    moment = now or dt.datetime.now(dt.UTC)
    return nonce if moment.timestamp() < seconds else None


def hit(store: Store, bucket: str, limit: int, window: dt.timedelta, now: dt.datetime) -> bool:
    """Count one attempt in ``bucket``; whether it is within ``limit`` attempts per ``window``."""
    start, cutoff = stamp(now), stamp(now - window)
    rows = store.query(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) ON CONFLICT (bucket) DO UPDATE SET"
        " hits = CASE WHEN rate_limits.window_start < ? THEN 1 ELSE rate_limits.hits + 1 END,"
        " window_start = CASE WHEN rate_limits.window_start < ? THEN excluded.window_start"
        " ELSE rate_limits.window_start END RETURNING hits",
        (bucket, start, cutoff, cutoff),
    )
    return rows[0][0] <= limit


def client_bucket(address: str) -> str:
    """The rate-limit counter of a client: its IPv4 address, or its IPv6 /64 (one host may hold all of it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "client:" + address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return f"client:{ip.ipv4_mapped}"
        return f"client:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"client:{ip}"


def address_bucket(email: str) -> str:
    """The rate-limit counter of an address, named by a hash: the counters hold no address."""
    return "address:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def request_subscription(
    store: Store,
    secret: bytes,
    email: str,
    policies: tuple[str, ...],
    origin: Origin,
    limits: Limits = Limits(),  # noqa: B008 - frozen
    now: dt.datetime | None = None,
    language: str = "",
) -> Requested | Refusal:
    """Record a request to subscribe ``email`` (already normalised) and return its link token, or why not.

    ``language``: the notices' language chosen on the form (a checked tag), ``""`` when none was.

    Refused, without a row: a client or an address over its rate, or too many
    requests already waiting for confirmation. The caller answers the same page either way.
    """
    moment = now or dt.datetime.now(dt.UTC)
    if not hit(store, client_bucket(origin.address), limits.per_client_per_hour, dt.timedelta(hours=1), moment):
        return "client"
    if not hit(store, address_bucket(email), limits.per_address_per_day, dt.timedelta(days=1), moment):
        return "address"
    now_text = stamp(moment)
    store.execute("DELETE FROM subscribe_requests WHERE confirmed_at IS NULL AND expires_at < ?", (now_text,))
    store.execute("DELETE FROM rate_limits WHERE window_start < ?", (stamp(moment - dt.timedelta(days=2)),))
    waiting = store.query(
        "SELECT COUNT(*) FROM subscribe_requests WHERE confirmed_at IS NULL AND expires_at >= ?", (now_text,)
    )[0][0]
    if waiting >= limits.max_pending:
        return "pending"
    nonce = secrets.token_urlsafe(16)
    expires = (moment + dt.timedelta(days=limits.days)).replace(microsecond=0)
    rows = store.query(
        "INSERT INTO subscribe_requests (nonce_hash, email, policies, language, requested_at, expires_at,"
        " request_address, request_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            _nonce_hash(nonce),
            email,
            ";".join(policies),
            language,
            now_text,
            stamp(expires),
            origin.address,
            origin.agent,
        ),
    )
    return Requested(rows[0][0], make_token(secret, nonce, expires), stamp(expires))


def pending_request(store: Store, nonce: str) -> tuple[int, str, tuple[str, ...], str | None] | None:
    """(id, email, policies, confirmed_at) of the request behind a genuine token, None when there is none."""
    rows = store.query(
        "SELECT id, email, policies, confirmed_at FROM subscribe_requests WHERE nonce_hash = ?", (_nonce_hash(nonce),)
    )
    if not rows:
        return None
    row_id, email, policies, confirmed = rows[0]
    return row_id, email, tuple(p for p in policies.split(";") if p), confirmed


def confirm_subscription(store: Store, nonce: str, origin: Origin, now: dt.datetime | None = None) -> Confirmed | None:
    """Subscribe the address of the request behind ``nonce``, once; None when there is no such request.

    The request is claimed by a conditional UPDATE, so of simultaneous confirmations
    exactly one subscribes. A new address is added; an address that had left is
    active again with a new unsubscribe token; an active one follows the policies
    asked for as well (all, if either is all).

    The language is the one chosen on the form; when none was, the confirming browser's
    preferred one (``origin.language``) for a subscriber who has none yet.
    """
    now_text = stamp(now or dt.datetime.now(dt.UTC))
    digest = _nonce_hash(nonce)
    with store.transaction():
        claimed = store.execute(
            "UPDATE subscribe_requests SET confirmed_at = ?, confirm_address = ?, confirm_agent = ?"
            " WHERE nonce_hash = ? AND confirmed_at IS NULL",
            (now_text, origin.address, origin.agent, digest),
        )
        found = pending_request(store, nonce)
        if found is None:
            return None
        row_id, email, asked, confirmed_at = found
        chosen = store.query("SELECT language FROM subscribe_requests WHERE id = ?", (row_id,))[0][0]
        if not claimed:
            subscriber = get_subscriber(store, email)
            if subscriber is None:  # confirmed, then removed from the database by hand
                return None
            return Confirmed(row_id, subscriber, False, confirmed_at or now_text)
        _subscribe(store, email, asked, now_text, chosen, origin.language)
        store.execute(
            "UPDATE subscribe_requests SET subscriber_id = (SELECT id FROM subscribers WHERE email = ?) WHERE id = ?",
            (email, row_id),
        )
    subscriber = get_subscriber(store, email)
    assert subscriber is not None
    return Confirmed(row_id, subscriber, True, now_text)


def _subscribe(store: Store, email: str, asked: tuple[str, ...], now: str, chosen: str, browser: str) -> None:
    """``chosen``: the language asked for on the form, which always counts; ``browser``: the confirming
    browser's, which counts only for someone with no language yet."""
    rows = store.query("SELECT status, policies, language FROM subscribers WHERE email = ?", (email,))
    asked, chosen = follow_translations(asked, chosen)
    wanted = ";".join(asked)
    if not rows:
        store.execute(
            "INSERT INTO subscribers (email, name, policies, language, status, token, created_at, updated_at)"
            " VALUES (?, '', ?, ?, 'active', ?, ?, ?)",
            (email, wanted, chosen or browser, new_token(), now, now),
        )
        return
    status, had, language = rows[0]
    language = chosen or language or browser
    if status == "active":
        merged = "" if not had or not asked else ";".join(sorted({*had.split(";"), *asked} - {""}))
        store.execute(
            "UPDATE subscribers SET policies = ?, language = ?, updated_at = ? WHERE email = ?",
            (merged, language, now, email),
        )
        return
    store.execute(
        "UPDATE subscribers SET policies = ?, language = ?, status = 'active', updated_at = ?,"
        " unsubscribed_at = NULL, token = ? WHERE email = ?",
        (wanted, language, now, new_token(), email),
    )
