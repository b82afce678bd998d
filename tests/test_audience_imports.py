"""What audience imports: only from up the flow (document -> engine -> release -> audience -> site)."""

from __future__ import annotations

import subprocess
import sys

from tests._import_support import PACKAGE, imported

AUDIENCE = PACKAGE / "audience"
DOWNSTREAM = ("policywatch.site", "policywatch.cli")
WEB = ("policywatch.audience.service.", "jinja2", "wsgiref")


def test_audience_imports_nothing_of_the_site_or_the_command_line():
    downstream = {
        f"{path.relative_to(AUDIENCE)}: {name}"
        for path in AUDIENCE.rglob("*.py")
        for name in imported(path)
        if name in DOWNSTREAM or name.startswith(tuple(f"{package}." for package in DOWNSTREAM))
    }
    assert downstream == set()


def test_making_tokens_loads_neither_the_web_application_nor_its_server():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, policywatch.audience.service.tokens;"
            f"print(sorted(m for m in sys.modules if m.startswith({WEB!r})))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "['policywatch.audience.service.tokens']"
