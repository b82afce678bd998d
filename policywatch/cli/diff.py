"""Commands that compare policy texts: diff."""

from __future__ import annotations

from policywatch.cli import app  # noqa: F401
