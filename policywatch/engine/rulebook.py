"""The materiality rules as data: word lists shipped in ``policywatch/engine/rules/``, extended per project.

``load_rules`` reads the shipped TOML files and adds what a project's
``[materiality]`` table asks for, checking every value so that an error names
the key. See ``policywatch.engine.materiality`` for how the rules are applied.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from policywatch.engine.rules_settings import RulesSettings, rules_settings
from policywatch.engine.structure import Structure, default_structure
from policywatch.engine.wording import stem, term_key
from policywatch.errors import RulesError

# Word lists of language.toml that [materiality.terms] may extend, and where they live in the file.
_LANGUAGE_LISTS = {
    "negations": ("modality", "negations"),
    "limits": ("modality", "limits"),
    "permissions": ("modality", "permissions"),
    "obligations": ("modality", "obligations"),
    "activities": ("activities", "verbs"),
    "stopwords": ("minor", "stopwords"),
    "generic_names": ("names", "generic"),
}


@dataclass(frozen=True)
class Category:
    """A topic whose terms make a change material when they appear or disappear."""

    name: str
    label: str
    terms: tuple[str, ...]
    topic: bool = False
    in_favour: bool = False  # terms added are in the user's favour (a right, a safeguard)
    concepts: tuple[tuple[str, str], ...] = ()  # (term's spelling-free key, its concept), for terms in a group
    places: frozenset[str] = frozenset()  # terms that count only in a sentence holding one of ``context``
    context: tuple[str, ...] = ()

    def concept(self, term: str) -> str:
        """The concept a term of this category stands for: its group's, else its own spelling-free form."""
        key = term_key(term)
        return _concept_map(self).get(key, key)


@dataclass(frozen=True)
class Rules:
    """Everything the rules need: word lists, categories and section overrides."""

    categories: tuple[Category, ...]
    negations: frozenset[str]
    limits: frozenset[str]
    permissions: frozenset[str]
    obligations: frozenset[str]
    activities: frozenset[str]
    stopwords: frozenset[str]
    synonyms: dict[str, frozenset[int]] = field(hash=False)
    number_words: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    retention: tuple[str, ...] = ()
    always_material: tuple[str, ...] = ()
    never_material: tuple[str, ...] = ()
    generic_names: frozenset[str] = frozenset()  # "Inc", "Center": capitalised, but they name no new party
    pronouns: frozenset[str] = frozenset()  # "them" → "messages": the noun spelled out
    structure: Structure = field(default_factory=default_structure, hash=False)
    language: str = "en"  # ISO 639-1 code of the texts these rules read
    stem: Callable[[str], str] = field(default=stem, hash=False, compare=False)  # a word's base form
    weak: frozenset[str] = frozenset({"will"})  # obligations that are also a tense ("will", "werden")
    unit_days: dict[str, float] = field(default_factory=dict, hash=False)  # base form of a unit → days (not English)
    settings: RulesSettings | None = field(default=None, hash=False, compare=False)  # the project's additions

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=256)
def _concept_map(category: Category) -> dict[str, str]:
    return dict(category.concepts)


def _category(name: str, table: dict[str, Any]) -> Category:
    groups = [[t.lower() for t in group] for group in table.get("concepts", [])]
    terms = [t.lower() for t in table["terms"]]
    terms += [t for group in groups for t in group if t not in terms]
    concepts = {term_key(t): term_key(group[0]) for group in groups for t in group}
    return Category(
        name,
        table["label"],
        tuple(dict.fromkeys(terms)),
        bool(table.get("topic", False)),
        table.get("in_favour") == "added",
        tuple(sorted(concepts.items())),
        frozenset(t.lower() for t in table.get("places", ())),
        tuple(t.lower() for t in table.get("context", ())),
    )


def _read_rules_file(name: str, code: str = "en") -> dict[str, Any]:
    """A shipped rules file: English at the top of ``rules/``, other languages in a folder named by their code."""
    folder = resources.files("policywatch.engine.rules")
    if code != "en":
        folder = folder.joinpath(code)
        if not folder.joinpath(name).is_file():
            raise RulesError(f"no materiality rules for language '{code}' (rules exist for: {', '.join(languages())})")
    return tomllib.loads(folder.joinpath(name).read_text(encoding="utf-8"))


def languages() -> tuple[str, ...]:
    """The languages with shipped rules: English and every folder of ``rules/`` holding a rule set."""
    folder = resources.files("policywatch.engine.rules")
    return ("en", *sorted(f.name for f in folder.iterdir() if f.is_dir() and f.joinpath("categories.toml").is_file()))


@lru_cache(maxsize=8)
def default_rules(language: str = "en") -> Rules:
    """The rules shipped with policywatch, for texts in ``language`` (an ISO 639-1 code)."""
    categories = _read_rules_file("categories.toml", language)
    return _build(categories, _read_rules_file("language.toml", language), code=language)


def _build(
    categories: dict[str, Any], language: dict[str, Any], always=(), never=(), code: str = "en", settings=None
) -> Rules:
    base = stem
    if code != "en":
        from policywatch.engine.languages import lemmatiser

        base = lemmatiser(code)
    cats = tuple(_category(name, table) for name, table in categories.items())
    synonyms: dict[str, set[int]] = {}
    groups = list(language["minor"]["synonyms"])
    groups += [group for table in categories.values() for group in table.get("concepts", [])]
    for n, group in enumerate(groups):
        for word in group:
            synonyms.setdefault(word.lower(), set()).add(n)
            synonyms.setdefault(base(word.lower()), set()).add(n)
    nums = language["numbers"]
    return Rules(
        categories=cats,
        negations=frozenset(language["modality"]["negations"]),
        limits=frozenset(language["modality"]["limits"]),
        permissions=frozenset(language["modality"]["permissions"]),
        obligations=frozenset(language["modality"]["obligations"]),
        activities=frozenset(language["activities"]["verbs"]),
        stopwords=frozenset(language["minor"]["stopwords"]),
        synonyms={k: frozenset(v) for k, v in synonyms.items()},
        number_words=tuple(nums["words"]),
        durations=tuple(nums["durations"]),
        ages=tuple(nums["ages"]),
        currencies=tuple(nums["currencies"]),
        retention=tuple(nums["retention"]),
        always_material=tuple(always),
        never_material=tuple(never),
        generic_names=frozenset(w.lower() for w in language.get("names", {}).get("generic", ())),
        pronouns=frozenset(w.lower() for w in language["minor"].get("pronouns", ())),
        language=code,
        stem=base,
        weak=frozenset(language["modality"].get("weak", ["will"])),
        unit_days={base(unit): float(days) for unit, days in nums.get("units", {}).items()},
        settings=settings,
    )


def load_rules(config: Any = None, language: str = "en") -> Rules:
    """The shipped rules for ``language``, extended by a project's ``[materiality]`` table.

    ``config`` is a ``policywatch.config.Config``, the ``[materiality]`` table
    itself, or None for the shipped rules. Every value is checked; an error
    names the key. The table's additions apply to every language's rules.
    """
    return _extended(rules_settings(config), language)


def rules_for(rules: Rules, language: str) -> Rules:
    """``rules`` for texts in ``language``: the same project additions on that language's shipped rules."""
    return rules if rules.language == language else _extended(rules.settings, language)


def _extended(settings: RulesSettings | None, code: str) -> Rules:
    if settings is None:
        return default_rules(code)
    where = settings.where
    categories = _read_rules_file("categories.toml", code)
    language = _read_rules_file("language.toml", code)
    for name, spec in settings.categories.items():
        existing = categories.setdefault(name, {"label": spec.label, "terms": []})
        existing["terms"] = list(existing["terms"]) + spec.terms
        existing["label"] = spec.label
        existing["topic"] = spec.topic if spec.topic is not None else existing.get("topic", False)
    for name, values in settings.terms.items():
        if name in categories:
            categories[name]["terms"] = list(categories[name]["terms"]) + values
        elif name in _LANGUAGE_LISTS:
            section, entry = _LANGUAGE_LISTS[name]
            language[section][entry] = list(language[section][entry]) + values
        else:
            known_names = ", ".join(sorted([*categories, *_LANGUAGE_LISTS]))
            raise RulesError(f"{where}.terms.{name}: unknown word list (known: {known_names})")
    return _build(categories, language, settings.always_material, settings.never_material, code, settings)
