"""Which policies are translations: ``privacy.de`` translates ``privacy``.

A translation lives next to its source with a language tag before the suffix
(``policies/privacy.de.md``, ``policies/privacy.pt-BR.md``). Only ISO 639-1
codes count, so a policy named ``terms.old`` or ``dpa.v2`` is no translation.
This module is read on the push path: it imports nothing.
"""

from __future__ import annotations

TRANSLATION_OF = "translation_of"  # the front matter key naming the source version a translation translates

_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
ISO_639_1 = frozenset(_CODES.split())


def language_tag(tag: str) -> str | None:
    """``tag`` in its canonical spelling (``pt-BR``) when it is a language tag, else None."""
    language, _, region = tag.partition("-")
    if language.lower() not in ISO_639_1:
        return None
    if not region:
        return language.lower()
    if len(region) == 2 and region.isascii() and region.isalpha():
        return f"{language.lower()}-{region.upper()}"
    return None


def split_translation(slug: str) -> tuple[str, str | None]:
    """(source slug, language) of a translation's slug; (slug, None) for a source policy."""
    source, dot, tag = slug.rpartition(".")
    if dot and source and (language := language_tag(tag)) and tag == language:
        return source, language
    return slug, None
