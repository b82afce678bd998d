"""Commands that release policies: publish, check, hook."""

from __future__ import annotations

from policywatch.cli import app  # noqa: F401
