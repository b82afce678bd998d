"""The materiality rules as data: word lists shipped in ``policywatch/engine/rules/``, extended per project.

``load_rules`` reads the shipped TOML files and adds what a project's
``[materiality]`` table asks for, checking every value so that an error names
the key. See ``policywatch.engine.materiality`` for how the rules are applied.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from policywatch.engine.rules_settings import rules_settings
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


def _read_rules_file(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("policywatch.engine.rules").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules shipped with policywatch."""
    return _build(_read_rules_file("categories.toml"), _read_rules_file("language.toml"))


def _build(categories: dict[str, Any], language: dict[str, Any], always=(), never=()) -> Rules:
    cats = tuple(_category(name, table) for name, table in categories.items())
    synonyms: dict[str, set[int]] = {}
    groups = list(language["minor"]["synonyms"])
    groups += [group for table in categories.values() for group in table.get("concepts", [])]
    for n, group in enumerate(groups):
        for word in group:
            synonyms.setdefault(word.lower(), set()).add(n)
            synonyms.setdefault(stem(word.lower()), set()).add(n)
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
    )


def load_rules(config: Any = None) -> Rules:
    """The shipped rules, extended by a project's ``[materiality]`` table.

    ``config`` is a ``policywatch.config.Config``, the ``[materiality]`` table
    itself, or None for the shipped rules. Every value is checked; an error
    names the key.
    """
    settings = rules_settings(config)
    if settings is None:
        return default_rules()
    where = settings.where
    categories = _read_rules_file("categories.toml")
    language = _read_rules_file("language.toml")
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
    return _build(categories, language, settings.always_material, settings.never_material)
