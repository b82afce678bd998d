"""The reader's language: how it is read, and which notice it picks.

A subscriber has a language tag, or none (``""``: the source's language). It is
set by an import's ``language`` column, by the subscribe form, or, when neither
chose one, from the ``Accept-Language`` header of the request that confirms.
At sending time the tag picks the notice: the release of ``<slug>.<tag>`` (a
translation, see ``policywatch.locales``) at the source release's version when
there is one, else the one with the tag's language alone (``de`` for ``de-AT``),
else the source's own notice. A subscription to a translation's slug
(``privacy.de``) is a subscription to its source in that language: one person,
one notice per source release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from policywatch.errors import InvalidSubscriber
from policywatch.locales import language_tag, split_translation

MAX_ACCEPT_LANGUAGE = 4096  # characters of the header read; a longer one is cut, not refused


def check_language(raw: str) -> str:
    """A subscriber's language in canonical spelling (``pt-BR``); ``""`` for none; refused when not a tag."""
    value = raw.strip()
    if not value:
        return ""
    tag = language_tag(value.replace("_", "-"))
    if tag is None:
        raise InvalidSubscriber(
            f"language {value!r}: not a language tag (an ISO 639-1 code, optionally with a region: de, pt-BR)"
        )
    return tag


def accepted_language(header: str) -> str:
    """The language a browser's ``Accept-Language`` header prefers most, ``""`` when it names none we can use.

    Quality values are honoured (``q=0`` refuses a language), ties keep the header's
    order, the wildcard and tags that are not ISO 639-1 languages are passed over.
    """
    best, best_q = "", 0.0
    for item in header[:MAX_ACCEPT_LANGUAGE].split(","):
        tag, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:
                    quality = 0.0
        canonical = language_tag(tag) if tag and tag != "*" else None
        if canonical is None:
            # a longer tag (zh-Hant-TW, es-419) still tells its language
            canonical = language_tag(tag.split("-", 1)[0]) if tag and tag != "*" else None
        if canonical and quality > best_q:
            best, best_q = canonical, quality
    return best


def follow_translations(slugs: Iterable[str], language: str) -> tuple[tuple[str, ...], str]:
    """A subscription to ``privacy.de`` as a subscription to ``privacy`` in German.

    Returns the sources followed and the language: the one given, else the language of
    the translation named (the first, when several are named in different languages).
    """
    sources: set[str] = set()
    chosen = language
    for slug in slugs:
        source, tag = split_translation(slug)
        sources.add(source)
        if tag and not chosen:
            chosen = tag
    return tuple(sorted(sources)), chosen


def notice_language(language: str, available: Mapping[str, object]) -> str:
    """Which of the ``available`` translations' languages a reader of ``language`` is sent; ``""``: the source's."""
    if not language:
        return ""
    if language in available:
        return language
    primary = language.split("-", 1)[0]
    return primary if primary in available else ""
