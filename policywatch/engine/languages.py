"""Which language a policy is written in, and its words reduced to their dictionary forms.

The language comes from the caller (a translation's file name, a ``language:``
front matter field); a text without either is detected here from the share of
each language's commonest words (``rules/detection.toml``): deterministic,
instant, and enough for the several hundred words of a policy. Word forms are
reduced with simplemma, a maintained lemmatiser, imported only when a text in
another language than English is judged: the push check never loads it.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from policywatch.engine import lazyre as re

ENGLISH = "en"
# A language needs this many of its marker words, and this lead over the next one, to be named.
MIN_HITS = 5
MIN_LEAD = 1.5
# Words of a text read to tell its language.
DETECTION_WORDS = 2000
_WORD = re.compile(r"\w+(?:'\w+)*")
# French and Italian elide before a vowel: "n'utilisons", "l'utilisateur", "qu'il" are two words each.
_ELISION = re.compile(r"\b(?P<head>[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=\w)", re.I)
_ELIDING = frozenset({"fr", "it"})
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.S | re.M)
_DECLARED = re.compile(r"^language[ \t]*:[ \t]*['\"]?([A-Za-z]{2,3}(?:-[A-Za-z]{2})?)['\"]?[ \t]*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Language:
    """The language a comparison used, and whether it was detected rather than given."""

    code: str
    detected: bool = False

    def __str__(self) -> str:
        return f"{self.code} (detected)" if self.detected else self.code


@lru_cache(maxsize=1)
def _profiles() -> dict[str, frozenset[str]]:
    text = resources.files("policywatch.engine.rules").joinpath("detection.toml").read_text(encoding="utf-8")
    return {code: frozenset(words) for code, words in tomllib.loads(text)["markers"].items()}


@lru_cache(maxsize=1)
def _marking() -> dict[str, tuple[str, ...]]:
    """Each marker word and the languages it marks."""
    marking: dict[str, tuple[str, ...]] = {}
    for code, words in _profiles().items():
        for word in words:
            marking[word] = (*marking.get(word, ()), code)
    return marking


def supported() -> tuple[str, ...]:
    """Languages with materiality rules of their own (English first)."""
    return tuple(_profiles())


def detect(text: str) -> str:
    """The language ``text`` is most likely written in; English when no other language clearly leads.

    Counts each profile's marker words among the first 2,000 words (the markers are a language's commonest words:
    a policy's language shows in far fewer); ties and thin evidence fall back to English, the language the rules
    were first written for.
    """
    words: Counter[str] = Counter()
    for word, n in Counter(_first_words(text[:24_000], DETECTION_WORDS)).items():
        words[word.lower()] += n  # each word written once lower-cased, not each time it is written
    hits = dict.fromkeys(_profiles(), 0)
    for word, n in words.items():
        for code in _marking().get(word, ()):
            hits[code] += n
    ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best == ENGLISH or count < MIN_HITS or count < MIN_LEAD * runner_up:
        return ENGLISH
    return best


def _first_words(text: str, count: int) -> list[str]:
    """The first ``count`` words of ``text``, elided articles split off ("l'utilisateur": "l", "utilisateur").

    Reads only as far as it must: a stretch ending at a space holds whole words, the same ones the
    whole text starts with. An elision lies inside a word, so only words holding an apostrophe are split.
    """
    parts = []
    for reach in (7 * count, 10 * count):  # English words take about six characters with their space
        cut = max(text.rfind(" ", 0, reach), text.rfind("\n", 0, reach)) + 1
        if 0 < cut < len(text):
            parts.append(text[:cut])
    for part in (*parts, text):
        words = _WORD.findall(part)
        if "'" in part and _elides(part):
            words = [p for w in words for p in (_WORD.findall(_ELISION.sub(r"\g<head> ", w)) if "'" in w else (w,))]
        if len(words) >= count:
            break
    return words[:count]


_APOSTROPHE = re.compile(r"'(?=\w)")


def _elides(text: str) -> bool:
    """``text`` holds an elided article: looked for only beside its apostrophes, which English text has few of."""
    return any(_ELISION.search(text, max(0, m.start() - 7), m.end() + 1) for m in _APOSTROPHE.finditer(text))


def resolve(text: str, given: str | None = None) -> Language:
    """The language to judge ``text`` in: ``given`` (a file name's tag, front matter), else detected.

    A regional tag ("pt-BR", "de-AT") is judged by its language's rules.
    """
    if given:
        return Language(given.split("-", 1)[0].lower())
    front = _FRONT.match(text)
    if front and (declared := _DECLARED.search(front.group(1))):
        return Language(declared.group(1).split("-", 1)[0].lower())
    return Language(detect(text[front.end() :] if front else text), detected=True)


def prepare(text: str, code: str) -> str:
    """``text`` with what the word rules cannot read spelt out: elided articles and negations stand apart."""
    if code not in _ELIDING or ("'" not in text and "\u2019" not in text):
        return text
    return _ELISION.sub(r"\g<head>' ", text.replace("\u2019", "'"))


@lru_cache(maxsize=65536)
def lemma(word: str, code: str) -> str:
    """The dictionary form of a lower-case word ("partnern" → "partner", "pourra" → "pouvoir")."""
    import simplemma

    return simplemma.lemmatize(word, lang=code).lower()


def lemmatiser(code: str):
    """A one-argument function reducing a word of language ``code`` to its dictionary form."""

    def reduce(word: str) -> str:
        return lemma(word, code)

    return reduce


@lru_cache(maxsize=65536)
def known(word: str, code: str) -> bool:
    """``word`` is in the lemmatiser's dictionary of ``code``: a common noun, not a name, in German."""
    import simplemma

    return simplemma.is_known(word, lang=code) or simplemma.is_known(word.lower(), lang=code)
