"""policywatch: public policies as versioned Markdown in git, with material-change detection."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["compare", "Comparison", "Change", "__version__"]

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policywatch.engine.comparison import Change, Comparison, compare


def __getattr__(name: str) -> Any:
    # Lazy, so that `import policywatch` (and the CLI's fast paths) stay cheap.
    if name in ("compare", "Comparison", "Change"):
        from policywatch.engine import comparison

        return getattr(comparison, name)
    raise AttributeError(f"module 'policywatch' has no attribute {name!r}")
