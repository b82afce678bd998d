"""A repository that takes subscriptions, a real SMTP server for its emails, and reading them."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests._email_support import Handler, smtp_server
from tests._publish_support import run
from tests.conftest import SEEDS, GitProject, new_git_project

SECRET = "s3cret-for-tests-only-0123456789abcdef"
SITE_URL = "https://policies.example.com/legal/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LINK = re.compile(r"https?://\S+/confirm\?token=\S+")


@dataclass
class Mailbox:
    handler: Handler
    port: int

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list:
        """The messages to ``address``, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m.message() for m in list(self.handler.messages) if m.rcpt_tos == [address]]
            if len(found) >= count or time.monotonic() > deadline:
                return found

            time.sleep(0.02)

    def confirmation_link(self, address: str) -> str:
        body = self.wait_for(address)[0].get_body(("plain",)).get_content()
        return LINK.search(body).group(0)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def write_config(repo: GitProject, service: str = "subscribe = true\n") -> None:
    """``[site] base_url`` and the ``[service]`` table given (replacing the one written before)."""
    config = repo.read("policywatch.toml").split("\n[site]\n")[0]
    repo.write("policywatch.toml", config + f'\n[site]\nbase_url = "{SITE_URL}"\n\n[service]\n{service}')


def company_repo(root: Path, enter) -> GitProject:
    """Two bundled policies released long ago; subscriptions enabled. ``enter``: the fixture that moves into it."""
    repo = enter(new_git_project(root))
    assert run("init").exit_code == 0
    shutil.copy(SEEDS / "zepp-privacy.md", repo.root / "policies/privacy.md")
    shutil.copy(SEEDS / "zepp-privacy.md", repo.root / "policies/cookies.md")
    write_config(repo)
    repo.commit("Add the policies")
    assert run("publish", "--yes", "--date", "2026-01-05", "--no-notify").exit_code == 0
    return repo


@contextmanager
def mailbox(monkeypatch) -> Iterator[Mailbox]:
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        monkeypatch.setenv("POLICYWATCH_FROM", "Privacy Team <privacy@example.com>")
        monkeypatch.setenv("POLICYWATCH_SECRET", SECRET)
        yield Mailbox(handler, controller.port)
