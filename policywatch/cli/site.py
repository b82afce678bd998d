"""Commands that publish the public archive: site build, feed."""

from __future__ import annotations

from policywatch.cli import app  # noqa: F401
