"""Commands that announce releases: notify, audit."""

from __future__ import annotations

from policywatch.cli import app  # noqa: F401
