"""The ``[site]`` table of the configuration, checked when the site or feed needs it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from policywatch.config import Config, get
from policywatch.errors import SiteConfigError
from policywatch.redaction import redact_url, split_url

_KEYS = {"base_url", "title", "author", "lang", "compare_all_up_to", "subscribe_url"}
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class SiteSettings:
    """Where the archive is published and how it names itself."""

    base_url: str  # absolute http(s) URL ending in "/"
    title: str = "Policy archive"
    author: str = ""  # who publishes the feed; the title when empty
    lang: str = "en"
    compare_all_up_to: int = 12  # pre-build every pairwise comparison up to this many versions
    subscribe_url: str = ""  # where the policy pages' subscribe form posts (the service's /subscribe); none if ""

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def publisher(self) -> str:
        return self.author or self.title


def check_base_url(url: str, where: str) -> str:
    """An absolute http(s) URL with a host, normalised to end in '/'."""
    url = url.strip()
    parts, _ = split_url(url, where, SiteConfigError, at_in_path=True)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteConfigError(
            f"{where}: base URL must be an absolute http(s) URL such as https://example.com/policies/, "
            f"got '{redact_url(url)}'"
        )
    if parts.query or parts.fragment:
        raise SiteConfigError(f"{where}: base URL must not have a query or fragment, got '{redact_url(url)}'")
    return url if url.endswith("/") else url + "/"


def site_settings(config: Config, base_url: str | None = None) -> SiteSettings:
    """Settings from ``[site]``; ``base_url`` (the command-line option) wins over the file."""
    where = f"{config.source} [site]"
    table = config.section("site")
    if not isinstance(table, dict):
        raise SiteConfigError(f"{where}: must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise SiteConfigError(f"{where}: unknown key '{sorted(unknown)[0]}' (known keys: {', '.join(sorted(_KEYS))})")
    if base_url is not None:
        url = check_base_url(base_url, "--base-url")
    elif "base_url" in table:
        url = check_base_url(get(table, "base_url", str, "", where), f"{where} base_url")
    else:
        raise SiteConfigError(
            f"no base URL for the public archive: pass --base-url or set base_url under [site] in {config.source}"
        )
    title = get(table, "title", str, SiteSettings.title, where).strip() or SiteSettings.title
    author = get(table, "author", str, "", where).strip()
    lang = get(table, "lang", str, "en", where)
    if not _LANG.match(lang):
        raise SiteConfigError(f"{where}: lang: must be a language tag such as 'en' or 'de-CH', got '{lang}'")
    limit = get(table, "compare_all_up_to", int, SiteSettings.compare_all_up_to, where)
    if limit < 2:
        raise SiteConfigError(f"{where}: compare_all_up_to: must be 2 or more, got {limit}")
    subscribe = get(table, "subscribe_url", str, "", where).strip()
    if subscribe:
        subscribe = check_base_url(subscribe, f"{where} subscribe_url").removesuffix("/")
    return SiteSettings(url, title, author, lang, limit, subscribe)
