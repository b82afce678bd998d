"""The ``[site]`` table: where the public archive lives and how it names itself.

Read here, below both the site and notify: the site builds its pages from it,
and notices link to those pages at its ``base_url``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from policywatch.config import Config
from policywatch.errors import SiteConfigError
from policywatch.settings_values import Table
from policywatch.urls import check_base_url

SITE_KEYS = {
    "base_url",
    "title",
    "author",
    "lang",
    "compare_all_up_to",
    "subscribe_url",
    "prevailing",
    "translation_note",
}
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class SiteSettings:
    """Where the archive is published and how it names itself."""

    base_url: str  # absolute http(s) URL ending in "/"; empty when not set
    title: str = "Policy archive"
    author: str = ""  # who publishes the feed; the title when empty
    lang: str = "en"
    compare_all_up_to: int = 12  # pre-build every pairwise comparison up to this many versions
    subscribe_url: str = ""  # where the policy pages' subscribe form posts (the service's /subscribe); none if ""
    prevailing: str = ""  # the language whose text prevails over translations; the site's own when empty
    translation_note: str = ""  # a sentence each translation shows instead of the one naming ``prevailing``

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def publisher(self) -> str:
        return self.author or self.title


def read_site_settings(config: Config) -> SiteSettings:
    """``[site]``, every key checked; ``base_url`` is empty when the file leaves it out or blank."""
    where = f"{config.source} [site]"
    table = Table(config.section("site"), where, SiteConfigError, SITE_KEYS)
    url = table.text("base_url", "", strip=True)
    if url:
        url = check_base_url(url, f"{where} base_url")
    title = table.text("title", SiteSettings.title, strip=True) or SiteSettings.title
    author = table.text("author", "", strip=True)
    lang = table.text("lang", "en")
    if not _LANG.match(lang):
        raise SiteConfigError(f"{where}: lang: must be a language tag such as 'en' or 'de-CH', got '{lang}'")
    limit = table.whole_number("compare_all_up_to", SiteSettings.compare_all_up_to, low=2)
    subscribe = table.text("subscribe_url", "", strip=True)
    if subscribe:
        subscribe = check_base_url(subscribe, f"{where} subscribe_url").removesuffix("/")
    prevailing = table.text("prevailing", "", strip=True)
    if prevailing and not _LANG.match(prevailing):
        raise SiteConfigError(f"{where}: prevailing: must be a language tag such as 'en' or 'de', got '{prevailing}'")
    note = " ".join(table.text("translation_note", "").split())
    return SiteSettings(url, title, author, lang, limit, subscribe, prevailing, note)
