"""Where and how to send mail: ``POLICYWATCH_SMTP_URL``, the sender, and ``[email]``.

Secrets come from the environment only. Every value is checked here, once,
with an error that names the variable or key, so a typo fails before the
first message rather than halfway through a mailing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formataddr
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

from policywatch.audience.addresses import sender_address
from policywatch.errors import EmailSettingsError, InsecureSmtpRefused
from policywatch.redaction import is_loopback, redact_url, split_url
from policywatch.settings_values import Table, flag_from_text, number_from_text

URL_VAR = "POLICYWATCH_SMTP_URL"
PASSWORD_VAR = "POLICYWATCH_SMTP_PASSWORD"
FROM_VAR = "POLICYWATCH_FROM"

Security = Literal["plain", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+tls": ("starttls", 587),
    "smtp+ssl": ("tls", 465),
}

# Tunables accepted both in the URL query and in [email]; the URL wins.
_NUMBERS: dict[str, tuple[bool, float, float | None]] = {
    # key: (whole number, minimum, maximum)
    "pool_size": (True, 1, 64),
    "rate": (False, 0, None),  # messages per second over the whole pool; 0 = unlimited
    "timeout": (False, 0.01, 3600),  # seconds for one message, connecting included
    "retries": (True, 0, 20),  # further attempts after a temporary failure
    "backoff": (False, 0, 600),  # seconds before the first retry, doubled each time
}
_DEFAULTS = {"pool_size": 4, "rate": 0.0, "timeout": 30.0, "retries": 3, "backoff": 1.0}
_URL_ONLY = {"insecure", "cafile"}
_EMAIL_KEYS = {"from", "list_id", "unsubscribe_url", *_NUMBERS}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None
    cafile: str | None = None  # extra CA bundle (a private CA or a self-signed test server)
    pool_size: int = 4
    rate: float = 0.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0

    def describe(self) -> str:
        """The server without credentials, for messages and logs."""
        scheme = {v[0]: k for k, v in _SCHEMES.items()}[self.security]
        return f"{scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class SenderSettings:
    """Who the notices come from and how recipients leave the list."""

    address: str  # envelope sender and From address
    header: str  # the From header as written, with a display name when given
    list_id: str
    unsubscribe_url: str  # with a {token} placeholder; empty: links from [site] base_url

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


def email_section(config_section: Any, source: str) -> Table:
    """``[email]``, checked to be a table of known keys; its values are read where they are used."""
    return Table(config_section, f"{source}: email", EmailSettingsError, _EMAIL_KEYS, sep=".")


def parse_smtp_url(
    url: str, email: Mapping[str, Any] | Table | None = None, *, source: str = "config", password: str | None = None
) -> SmtpSettings:
    """Settings from an ``smtp://``, ``smtp+tls://`` or ``smtp+ssl://`` URL, tunables from ``[email]``."""
    table = _table(email, source)
    where = URL_VAR
    parts, port = split_url(url.strip(), where, EmailSettingsError)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise EmailSettingsError(
            f"{where}: scheme must be smtp://, smtp+tls:// (STARTTLS) or smtp+ssl:// (TLS), got '{parts.scheme}://'"
        )
    security, default_port = _SCHEMES[scheme]
    host = parts.hostname
    if not host:
        raise EmailSettingsError(f"{where}: no host in '{redact_url(url)}'")
    if parts.path not in ("", "/"):
        raise EmailSettingsError(f"{where}: unexpected path '{parts.path}' (settings go in the query: ?pool_size=4)")
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _NUMBERS and key not in _URL_ONLY:
            known = ", ".join(sorted({*_NUMBERS, *_URL_ONLY}))
            raise EmailSettingsError(f"{where}: unknown query parameter '{key}' (known: {known})")
        query[key] = value
    insecure = flag_from_text(query.get("insecure", "0"), f"{where}: insecure", EmailSettingsError)
    if security == "plain" and not insecure and not is_loopback(host):
        raise InsecureSmtpRefused(
            f"{where}: plain smtp:// to {host} would send mail and credentials unencrypted; "
            "use smtp+tls:// or smtp+ssl://, or add ?insecure=1 if you mean it"
        )
    numbers = {}
    for key, (whole, low, high) in _NUMBERS.items():
        if key in query:
            label = f"{where}: {key}"
            numbers[key] = number_from_text(query[key], label, EmailSettingsError, whole=whole, low=low, high=high)
        elif whole:
            numbers[key] = table.whole_number(key, _DEFAULTS[key], low=low, high=high)
        else:
            numbers[key] = table.number(key, _DEFAULTS[key], low=low, high=high)
    cafile = query.get("cafile") or None
    if cafile is not None and not Path(cafile).is_file():
        raise EmailSettingsError(f"{where}: cafile: no such file '{cafile}'")
    username = unquote(parts.username) if parts.username else None
    url_password = unquote(parts.password) if parts.password is not None else None
    if username and url_password is None and not password:
        raise EmailSettingsError(f"{PASSWORD_VAR}: not set, and {where} names user '{username}' without a password")
    return SmtpSettings(
        host=host,
        port=port or default_port,
        security=security,
        username=username,
        password=url_password if url_password is not None else password,
        cafile=cafile,
        **numbers,
    )


def smtp_settings(
    email: Mapping[str, Any] | Table, *, source: str = "config", environ: Mapping[str, str] | None = None
) -> SmtpSettings:
    env = os.environ if environ is None else environ
    url = env.get(URL_VAR, "").strip()
    if not url:
        raise EmailSettingsError(f"{URL_VAR}: not set (for example smtp+tls://user@mail.example.com:587)")
    return parse_smtp_url(url, email, source=source, password=env.get(PASSWORD_VAR) or None)


def sender_settings(
    email: Mapping[str, Any] | Table, *, source: str = "config", environ: Mapping[str, str] | None = None
) -> SenderSettings:
    """The sender from ``POLICYWATCH_FROM`` or ``[email] from`` (the environment wins)."""
    env = os.environ if environ is None else environ
    table = _table(email, source)
    if env.get(FROM_VAR, "").strip():
        raw, where = env[FROM_VAR].strip(), FROM_VAR
    elif "from" in table:
        raw, where = table.values["from"], table.label("from")
    else:
        raise EmailSettingsError(
            f'{source}: email.from: not set (or set {FROM_VAR}), e.g. "Privacy <privacy@example.com>"'
        )
    name, address = sender_address(raw, where)
    list_id = table.text("list_id", f"<policies.{address.rpartition('@')[2]}>", one_line=True, strip=True)
    if not list_id.endswith(">"):
        list_id = f"<{list_id}>"
    unsubscribe = table.text("unsubscribe_url", "", one_line=True, strip=True)
    if unsubscribe and (
        "{token}" not in unsubscribe
        or not unsubscribe.startswith(("https://", "http://"))
        or not unsubscribe.isascii()
        or any(ch.isspace() or ch in "<>" for ch in unsubscribe)
    ):
        raise EmailSettingsError(
            f"{source}: email.unsubscribe_url: must be an http(s) URL containing {{token}}, "
            f"ASCII only (percent-encode the rest), got '{unsubscribe}'"
        )
    return SenderSettings(address, formataddr((name, address)) if name else address, list_id, unsubscribe)


def _table(email: Mapping[str, Any] | Table | None, source: str) -> Table:
    """``[email]`` as a checked table; a plain mapping (a caller's own) is read the same way."""
    if isinstance(email, Table):
        return email
    return Table(email or {}, f"{source}: email", EmailSettingsError, sep=".")
