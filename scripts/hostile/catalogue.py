"""Every category's cases, in the order the report prints them."""

from __future__ import annotations

from importlib import import_module

from .harness import Case

MODULES = (
    "cases_frontmatter",
    "cases_names",
    "cases_git",
    "cases_config",
    "cases_subscribers",
    "cases_notify",
    "cases_terminal",
    "cases_publish",
    "cases_serve",
)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for name in MODULES:
        try:
            module = import_module(f"hostile.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"hostile.{name}":
                raise
            continue
        cases.extend(module.cases())
    names = [(c.category, c.name) for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate case names: {sorted(duplicates)[:5]}")
    return cases


def categories() -> list[str]:
    return sorted({case.category for case in all_cases()})
