"""The layout is the design: data flows one way, document -> engine -> release -> audience -> site.

Each package may import only the stages above it; the README's architecture map
names every package and module there is. These tests read the imports from the
source (``ast``), so a reach back up the flow fails here, not in review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "policywatch"

# The base: the policy file, settings, user errors and small shared pieces. They import only each other.
BASE = "base"
# What each stage may import (besides itself). The CLI may import anything.
ALLOWED = {
    BASE: {BASE, "leaf"},
    "engine": {"leaf"},
    "store": {"leaf"},
    "release": {BASE, "leaf", "engine"},
    "audience": {BASE, "leaf", "engine", "release", "store"},
    "site": {BASE, "leaf", "engine", "release"},
    # A release's evidence: its redline page (site), the ledger (audience, store) and git (release).
    "evidence": {BASE, "leaf", "engine", "release", "audience", "store", "site"},
}
# Base modules that import nothing of ours but each other: the engine and the store may use them.
LEAVES = {"errors", "dates", "termsafe", "filemodes", "files", "redaction", "settings_values"}
# Top-level modules that belong to a stage rather than to the base.
TOP_LEVEL_STAGE = {"scaffold": "release", "check": "release"}


def _stage(module: str) -> str | None:
    """The stage of ``policywatch.x.y``; None for the package itself, its entry points and the CLI."""
    parts = module.split(".")
    if parts[0] != "policywatch" or len(parts) == 1 or parts[1] in {"__main__", "cli"}:
        return None
    head = parts[1]
    if (PACKAGE / head).is_dir():
        return head
    if head in LEAVES:
        return "leaf"
    return TOP_LEVEL_STAGE.get(head, BASE)


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] == "policywatch"}


def _resolve(name: str) -> str:
    """``policywatch.release.git.Git`` -> ``policywatch.release.git``: the longest prefix that is a module."""
    parts = name.split(".")
    while len(parts) > 1:
        candidate = ROOT.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return "policywatch"


SOURCES = sorted(PACKAGE.rglob("*.py"))


def _reaches() -> list[str]:
    found = []
    for path in SOURCES:
        here = _module_name(path)
        stage = _stage(here)
        if stage is None:
            continue
        allowed = ALLOWED.get(stage, ALLOWED[BASE]) | {stage}
        for name in sorted(_imports(path)):
            target = _stage(_resolve(name))
            if target is not None and target not in allowed and not (stage == "leaf" and target == "leaf"):
                found.append(f"{here} ({stage}) imports {name} ({target})")
    return found


def test_every_import_goes_down_the_flow():
    assert _reaches() == []


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_the_leaf_modules_import_only_each_other(leaf):
    assert {_stage(_resolve(n)) for n in _imports(PACKAGE / f"{leaf}.py")} <= {"leaf"}


def test_the_package_itself_exposes_the_engine_lazily():
    assert {_stage(_resolve(n)) for n in _imports(PACKAGE / "__init__.py")} <= {"engine"}


def test_the_readme_architecture_map_names_every_package_and_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    named = {part for found in re.findall(r"`([a-z_/]+)(?:\.py)?`", section) for part in found.strip("/").split("/")}
    expected = {path.parent.name for path in PACKAGE.rglob("__init__.py") if path.parent != PACKAGE}
    # Command modules are named after their commands, which the command reference lists.
    expected |= {path.stem for path in SOURCES if not path.name.startswith("__") and path.parent.name != "cli"}
    assert expected - named == set()
