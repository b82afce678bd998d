"""A policy and its translations on the site: the language switcher, hreflang links and the translation's note.

Each locale (``privacy.de``) keeps its own pages; this module tells every page of
a policy which other languages it exists in, in what language its text is, and,
on a translation, which version of the source it translates and which text
prevails (``[site] prevailing`` or ``translation_note``). Language names come
from Babel's locale data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from policywatch import urls
from policywatch.locales import split_translation
from policywatch.release.history import version_key
from policywatch.site.archive import PolicyArchive, PublishedVersion
from policywatch.site_config import SiteSettings


@dataclass(frozen=True)
class Alternate:
    """The same page in another language: for the switcher and the hreflang links."""

    lang: str
    name: str  # the language's name in itself ("Deutsch")
    path: str  # site-relative
    href: str  # absolute, as hreflang links want
    current: bool


class Translations:
    """Which archives are locales of which source, and what each page says about it."""

    def __init__(self, archives: list[PolicyArchive], settings: SiteSettings):
        self.settings = settings
        self.by_slug = {a.slug: a for a in archives}
        self.groups: dict[str, list[PolicyArchive]] = {}
        for archive in archives:
            source, language = split_translation(archive.slug)
            if language and source in self.by_slug:
                self.groups.setdefault(source, []).append(archive)

    def language(self, archive: PolicyArchive) -> str | None:
        """The language of a translation whose source is on the site; None for a source."""
        source, language = split_translation(archive.slug)
        return language if source in self.groups else None

    def context(self, archive: PolicyArchive, shown: PublishedVersion, *, per_version: bool) -> dict[str, object]:
        """What the policy page (showing ``shown``) or a version page needs to link and label its languages."""
        version = shown if per_version else None
        source_slug = split_translation(archive.slug)[0] if self.language(archive) else archive.slug
        members = self.groups.get(source_slug)
        if not members:
            return {}
        source = self.by_slug[source_slug]
        group = [(self.settings.lang, source), *((split_translation(a.slug)[1], a) for a in members)]
        alternates = []
        for lang, member in group:
            if version is not None and not any(v.version == version.version for v in member.versions):
                continue
            path = urls.policy_path(member.slug) if version is None else urls.version_path(member.slug, version.version)
            href = self.settings.base_url + path
            alternates.append(Alternate(lang, endonym(lang), path, href, member.slug == archive.slug))
        out: dict[str, object] = {"alternates": alternates if len(alternates) > 1 else []}
        out["x_default"] = next((a.href for a in alternates if a.lang == self.settings.lang), None)
        if language := self.language(archive):
            out["page_lang"] = language
            out["translation"] = self.note(archive, source, language, shown)
        return out

    def note(
        self, archive: PolicyArchive, source: PolicyArchive, language: str, shown: PublishedVersion
    ) -> dict[str, object]:
        """The translation's note: what it translates, whether the source moved on, and which text prevails."""
        of = shown.release.translation_of
        newer = [v for v in source.versions if of and version_key(v.version) > version_key(of) and v.release.material]
        prevailing = self.settings.prevailing or self.settings.lang
        sentence = self.settings.translation_note or (
            f"If this translation and the {name_in(prevailing, self.settings.lang)} text differ, "
            f"the {name_in(prevailing, self.settings.lang)} text prevails."
        )
        return {
            "language_name": name_in(language, self.settings.lang),
            "source": source,
            "translation_of": of,
            "source_has": any(v.version == of for v in source.versions),
            "newer": newer,
            "prevails": sentence,
        }

    def later(self, version: PublishedVersion) -> list[str]:
        """A source release's translations that follow later, by name ("German (de)")."""
        return [f"{name_in(lang, self.settings.lang)} ({lang})" for lang in version.release.translations_later]


@cache
def endonym(tag: str) -> str:
    """``Deutsch`` for de: a switcher names each language in itself."""
    return name_in(tag, tag)


@cache
def name_in(tag: str, language: str) -> str:
    """The name of language ``tag`` in ``language`` (``German`` for de in en); the tag itself when unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return tag
    return name[:1].upper() + name[1:] if name else tag
