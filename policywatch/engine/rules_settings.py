"""A project's ``[materiality]`` table with every value's type checked, before any rule is built.

Cheap (no word list is read), so every command that may judge a change checks
the table at once, even when nothing changed and the rules are never loaded:
a mistyped value fails on the first run, not on the first material edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.errors import RulesError
from policywatch.settings_values import Table, strings, text

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KEYS = {"terms", "categories", "always_material", "never_material"}
CATEGORY_KEYS = {"label", "terms", "topic"}


@dataclass(frozen=True)
class CategorySettings:
    """A data category as a project's settings name it: its label and the terms that mean it."""

    label: str
    terms: list[str]
    topic: bool | None  # None: as shipped (or not a topic, for a new category)


@dataclass(frozen=True)
class RulesSettings:
    """What a project adds to the shipped rules. ``where`` names the file and table for later errors."""

    where: str
    categories: dict[str, CategorySettings]
    terms: dict[str, list[str]]
    always_material: list[str]
    never_material: list[str]


def rules_settings(config: Any) -> RulesSettings | None:
    """``config`` is a ``Config``, the ``[materiality]`` table itself, or None; None when it adds nothing."""
    if config is None:
        return None
    where = "materiality"
    table = config
    if hasattr(config, "section"):
        table, where = config.section("materiality"), f"{config.source}: materiality"
    rules = Table(table, where, RulesError, KEYS, sep=".")
    if not rules.values:
        return None
    categories = {}
    for name, spec in rules.table("categories").values.items():
        category = Table(spec, f"{where}.categories.{name}", RulesError, CATEGORY_KEYS, sep=".")
        categories[name] = CategorySettings(
            label=text(spec.get("label", name.replace("_", " ")), category.label("label"), RulesError, required=True),
            terms=strings(spec.get("terms"), category.label("terms"), RulesError),
            topic=category.flag("topic", False) if "topic" in category else None,
        )
    terms_table = rules.table("terms")
    terms = {name: strings(value, terms_table.label(name), RulesError) for name, value in terms_table.values.items()}
    return RulesSettings(where, categories, terms, rules.strings("always_material"), rules.strings("never_material"))
