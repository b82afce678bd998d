"""Commands that manage subscribers: subscribers add/remove/list/import/export."""

from __future__ import annotations

from policywatch.cli import app  # noqa: F401
