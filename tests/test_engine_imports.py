"""The engine is a leaf: it imports nothing of policywatch's but modules that import only the standard library."""

from __future__ import annotations

from tests._import_support import PACKAGE, imported

ENGINE = PACKAGE / "engine"
LEAVES = {"policywatch.errors", "policywatch.dates", "policywatch.termsafe", "policywatch.settings_values"}


def test_the_engine_imports_only_itself_and_leaf_modules_of_policywatch():
    outside = {
        f"{path.name}: {name}"
        for path in ENGINE.rglob("*.py")
        for name in imported(path)
        if name.split(".")[0] == "policywatch" and name not in LEAVES and not name.startswith("policywatch.engine")
    }
    assert outside == set()


def test_the_leaf_modules_the_engine_uses_import_nothing_of_policywatch():
    root = ENGINE.parent.parent
    for module in LEAVES:
        path = root / (module.replace(".", "/") + ".py")
        assert not {n for n in imported(path) if n.split(".")[0] == "policywatch"}, module
