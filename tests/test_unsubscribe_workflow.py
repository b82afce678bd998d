"""Unsubscribing from a real notice: the link in a sent message, then the next notice.

A repository publishes material releases to subscribers through a real SMTP
server (aiosmtpd); the unsubscribe endpoint runs on a real loopback HTTP server.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from policywatch.audience.announcements import find_release
from policywatch.audience.outbox import Outbox
from policywatch.audience.service.app import make_app
from policywatch.audience.subscribers import get_subscriber
from policywatch.project import open_project
from policywatch.store import project_store
from tests._email_support import smtp_server
from tests._git_support import SEEDS, new_git_project
from tests._publish_support import run
from tests._unsubscribe_support import ONE_CLICK, serving

BASE_URL = "https://policies.example.com/legal/"
SUBSCRIBERS = "email,name,policies\nana@example.com,Ana,\nbo@example.org,Bo,privacy\n"


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch):
    """A bundled policy released at 1.0 and two subscribers who follow it; the site lives under /legal/."""
    repo = in_repo(new_git_project(tmp_path / "policies-repo"))
    assert run("init").exit_code == 0
    shutil.copy(SEEDS / "zepp-privacy.md", repo.root / "policies/privacy.md")
    repo.write("policywatch.toml", repo.read("policywatch.toml") + f'\n[site]\nbase_url = "{BASE_URL}"\n')
    repo.commit("Add the policy")
    assert run("publish", "--yes", "--date", "2026-01-05").exit_code == 0
    (tmp_path / "people.csv").write_text(SUBSCRIBERS, encoding="utf-8")
    assert run("subscribers", "import", str(tmp_path / "people.csv")).exit_code == 0
    monkeypatch.setenv("POLICYWATCH_FROM", "Privacy Team <privacy@example.com>")
    return repo


@pytest.fixture
def endpoint(company) -> Iterator[str]:
    """The endpoint for the repository, mounted under the site's path as a reverse proxy would pass it."""
    with serving(make_app(open_project(company.root), prefix="/legal")) as base:
        yield base


def material_edit(repo, old: str, new: str) -> None:
    repo.write("policies/privacy.md", repo.read("policies/privacy.md").replace(old, new, 1))
    repo.commit(f"Change '{old}'")


def publish(monkeypatch, *args: str):
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run(*args)
    assert result.exit_code == 0, result.output
    return handler.messages


def status(repo, email: str) -> str:
    with project_store(open_project(repo.root)) as store:
        return get_subscriber(store, email).status


def token(repo, email: str) -> str:
    with project_store(open_project(repo.root)) as store:
        return get_subscriber(store, email).token


def on_endpoint(url: str, endpoint: str) -> str:
    """The link as it would reach the endpoint: same path and query, the test server's address."""
    parts = urlsplit(url)
    return urlunsplit(urlsplit(endpoint)[:2] + parts[2:])


def test_the_one_click_link_of_a_sent_notice_unsubscribes_its_recipient(company, endpoint, monkeypatch):
    material_edit(company, "We do not sell", "We may sell")
    messages = publish(monkeypatch, "publish", "--yes", "--date", "2026-03-02")
    notice = next(m.message() for m in messages if m.rcpt_tos == ["bo@example.org"])
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = notice["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert url.startswith(BASE_URL + "unsubscribe?token=")
    response = httpx.post(on_endpoint(url, endpoint), **ONE_CLICK)
    assert response.status_code == 200
    assert (status(company, "bo@example.org"), status(company, "ana@example.com")) == ("unsubscribed", "active")


def test_the_link_in_the_body_of_a_notice_opens_the_confirmation_page(company, endpoint, monkeypatch):
    material_edit(company, "We do not sell", "We may sell")
    messages = publish(monkeypatch, "publish", "--yes", "--date", "2026-03-02")
    body = next(m.message() for m in messages if m.rcpt_tos == ["ana@example.com"]).get_body(("plain",))
    url = next(word for word in body.get_content().split() if "/unsubscribe?token=" in word).strip("<>()")
    page = httpx.get(on_endpoint(url, endpoint))
    assert page.status_code == 200 and "a***@example.com" in page.text
    assert status(company, "ana@example.com") == "active"


def test_a_notice_published_after_unsubscribing_is_not_sent_to_that_person(company, endpoint, monkeypatch):
    response = httpx.post(f"{endpoint}/legal/unsubscribe?token={token(company, 'bo@example.org')}", **ONE_CLICK)
    assert response.status_code == 200
    material_edit(company, "We do not sell", "We may sell")
    messages = publish(monkeypatch, "publish", "--yes", "--date", "2026-03-02")
    assert [m.rcpt_tos for m in messages] == [["ana@example.com"]]


def test_a_queued_notice_is_skipped_for_someone_who_unsubscribes_before_it_is_sent(company, endpoint, monkeypatch):
    material_edit(company, "We do not sell", "We may sell")
    assert run("publish", "--yes", "--date", "2026-03-02", "--no-notify").exit_code == 0
    project = open_project(company.root)
    with project_store(project) as store:
        assert Outbox(store).ledger_release(find_release(project, "privacy@2.0")) == 2
    httpx.post(f"{endpoint}/legal/unsubscribe?token={token(company, 'bo@example.org')}", **ONE_CLICK)
    messages = publish(monkeypatch, "notify")
    proof = list(csv.DictReader(io.StringIO(run("audit", "privacy@2.0", "--format", "csv").output)))
    assert [m.rcpt_tos for m in messages] == [["ana@example.com"]]
    assert {row["recipient"]: row["state"] for row in proof} == {"ana@example.com": "sent", "bo@example.org": "skipped"}
