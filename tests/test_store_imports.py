"""The state database is below every stage: store/ imports errors and base helpers, never a stage of the flow."""

from __future__ import annotations

from pathlib import Path

from tests._import_support import PACKAGE, imported

STORE = PACKAGE / "store"


def _ours(path: Path) -> set[str]:
    return {name for name in imported(path) if name.split(".")[0] == "policywatch"}


def test_the_store_imports_only_itself_errors_and_modules_that_import_nothing_else_of_ours():
    outside = {name for path in STORE.rglob("*.py") for name in _ours(path) if not name.startswith("policywatch.store")}
    for name in outside - {"policywatch.errors"}:
        helper = PACKAGE.parent / (name.replace(".", "/") + ".py")
        assert _ours(helper) <= {"policywatch.errors"}, f"store imports {name}, which imports {_ours(helper)}"
