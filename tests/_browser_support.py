"""Debian's chromium for the browser tests (the ``browser`` fixture is in conftest.py).

Tests that need it skip only when no browser is installed, and say so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

requires_browser = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no browser available: chromium not found at {CHROMIUM}"
)
