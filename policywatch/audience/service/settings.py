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

from policywatch.errors import ServiceSettingsError
from policywatch.settings_values import Table
from policywatch.urls import check_base_url

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
    "objections",
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
    objections: bool = False  # GET/POST /object answer, and register notices carry a link to them

    def link(self, path: str) -> str:
        return service_link(self.url, path)


def service_link(url: str, path: str) -> str:
    """A link to one of the service's endpoints: every email (confirm, unsubscribe, object) builds its links here."""
    return url + path.lstrip("/") if url else ""


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
    from dataclasses import replace

    env = os.environ if environ is None else environ
    settings = public_settings(project)
    where = f"{project.config.source} [service]"
    secret = env.get(SECRET_VAR, "").strip()
    if settings.subscribe:
        if not settings.url:
            raise ServiceSettingsError(
                f"{where}: subscribe = true needs [service] url or [site] base_url: confirmation links are built on it"
            )
        if len(secret) < MIN_SECRET:
            raise ServiceSettingsError(
                f"{SECRET_VAR}: must be set to at least {MIN_SECRET} random characters when [service] subscribe = true"
                " (for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
    return replace(settings, secret=secret.encode("utf-8") if settings.subscribe else b"")


def public_settings(project: Project) -> ServiceSettings:
    """``[service]`` without the secret: what ``notify`` needs to build the service's links into notices."""
    from policywatch.site_config import read_site_settings

    where = f"{project.config.source} [service]"
    table = Table(project.config.section("service"), where, ServiceSettingsError, _KEYS)
    site = read_site_settings(project.config)
    url = table.text("url", "", strip=True)
    url = check_base_url(url, f"{where} url") if url else site.base_url
    subscribe = table.flag("subscribe", False)
    numbers = {
        key: table.whole_number(key, getattr(ServiceSettings, key), low=1)
        for key in ("confirm_days", "per_client_per_hour", "per_address_per_day", "max_pending")
    }
    origins = []
    for entry in table.strings("allowed_origins"):
        origin = origin_of(entry)
        if not origin or origin != entry.rstrip("/").lower():
            raise ServiceSettingsError(
                f"{table.label('allowed_origins')}: each must be scheme://host[:port] such as https://example.com,"
                f" got {entry!r}"
            )
        origins.append(origin)
    origins += [origin_of(known) for known in (url, site.base_url, site.subscribe_url) if origin_of(known)]
    return ServiceSettings(
        url=url,
        subscribe=subscribe,
        origins=tuple(dict.fromkeys(origins)),
        objections=table.flag("objections", False),
        **numbers,
    )
