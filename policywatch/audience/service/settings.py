"""``[service]``: where the service answers, and whether (and how carefully) it takes subscriptions.

Checked once, when the service starts, so that a typo or a missing secret stops
``serve`` (or the WSGI application's first request) with one line naming the key,
never halfway through someone's confirmation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from policywatch.config import get
from policywatch.errors import ServiceSettingsError

if TYPE_CHECKING:
    from policywatch.project import Project

SECRET_VAR = "POLICYWATCH_SECRET"
MIN_SECRET = 32  # characters: the HMAC key that signs confirmation links

_KEYS = {
    "url",
    "subscribe",
    "confirm_days",
    "per_client_per_hour",
    "per_address_per_day",
    "max_pending",
    "allowed_origins",
}


@dataclass(frozen=True)
class ServiceSettings:
    """Where the service's own links point, and the limits that keep its subscribe form from being abused."""

    url: str  # absolute, ending in "/": confirm and unsubscribe links are built on it; "" when unknown
    subscribe: bool = False
    secret: bytes = b""
    confirm_days: int = 7
    per_client_per_hour: int = 10  # subscribe requests from one client address
    per_address_per_day: int = 3  # confirmation emails to one address
    max_pending: int = 10_000  # unconfirmed, unexpired requests held at once
    origins: tuple[str, ...] = ()  # scheme://host[:port] a browser's POST may come from

    def link(self, path: str) -> str:
        return self.url + path.lstrip("/")


def origin_of(url: str) -> str:
    """``https://Example.com:443/x`` -> ``https://example.com``: how browsers write the Origin header."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}{port}"


def service_settings(project: Project, environ: Mapping[str, str] | None = None) -> ServiceSettings:
    """``[service]`` with ``[site] base_url`` and ``[site] subscribe_url``; the secret from the environment."""
    from policywatch.site.settings import check_base_url

    env = os.environ if environ is None else environ
    where = f"{project.config.source} [service]"
    table = project.config.section("service")
    if not isinstance(table, dict):
        raise ServiceSettingsError(f"{where}: must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise ServiceSettingsError(
            f"{where}: unknown key '{sorted(unknown)[0]}' (known keys: {', '.join(sorted(_KEYS))})"
        )
    site = project.config.section("site")
    site = site if isinstance(site, dict) else {}
    base = site.get("base_url", "")
    url = ""
    if "url" in table:
        url = check_base_url(get(table, "url", str, "", where), f"{where} url")
    elif isinstance(base, str) and base.strip():
        url = check_base_url(base, f"{project.config.source} [site] base_url")
    subscribe = get(table, "subscribe", bool, False, where)
    numbers = {}
    for key in ("confirm_days", "per_client_per_hour", "per_address_per_day", "max_pending"):
        value = get(table, key, int, getattr(ServiceSettings, key), where)
        if value < 1:
            raise ServiceSettingsError(f"{where}: {key}: must be 1 or more, got {value}")
        numbers[key] = value
    extra = get(table, "allowed_origins", list, [], where)
    origins = []
    for entry in extra:
        origin = origin_of(entry) if isinstance(entry, str) else ""
        if not origin or origin != entry.strip().rstrip("/").lower():
            raise ServiceSettingsError(
                f"{where}: allowed_origins: each must be scheme://host[:port] such as https://example.com, "
                f"got {entry!r}"
            )
        origins.append(origin)
    subscribe_url = site.get("subscribe_url", "")
    for known in (url, base, subscribe_url):
        if isinstance(known, str) and origin_of(known):
            origins.append(origin_of(known))
    secret = env.get(SECRET_VAR, "")
    if subscribe:
        if not url:
            raise ServiceSettingsError(
                f"{where}: subscribe = true needs [service] url or [site] base_url: confirmation links are built on it"
            )
        if len(secret.strip()) < MIN_SECRET:
            raise ServiceSettingsError(
                f"{SECRET_VAR}: must be set to at least {MIN_SECRET} random characters when [service] subscribe = true"
                " (for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
    return ServiceSettings(
        url=url,
        subscribe=subscribe,
        secret=secret.strip().encode("utf-8") if subscribe else b"",
        origins=tuple(dict.fromkeys(origins)),
        **numbers,
    )
