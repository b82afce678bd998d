"""The whole workflow on a real repository, as one company would run it.

A bundled policy is released, subscribers are imported, a material edit is
published, the notices reach a real SMTP server, the proof of notice matches
what the server received, and the links in the notice lead to pages of the
archive the site builds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests._email_support import smtp_server
from tests._git_support import SEEDS, new_git_project
from tests._publish_support import run

BASE_URL = "https://policies.example.com/"
SUBSCRIBERS = "email,name,policies\nana@example.com,Ana,\nbo@example.org,Bo,privacy\ncy@example.net,Cy,terms\n"


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch):
    """Two bundled policies released at 1.0, three subscribers (one follows the other policy only)."""
    repo = in_repo(new_git_project(tmp_path / "policies-repo"))
    assert run("init").exit_code == 0
    shutil.copy(SEEDS / "zepp-privacy.md", repo.root / "policies/privacy.md")
    shutil.copy(SEEDS / "fitbit-store-privacy.md", repo.root / "policies/terms.md")
    repo.write("policywatch.toml", repo.read("policywatch.toml") + f'\n[site]\nbase_url = "{BASE_URL}"\n')
    repo.commit("Add the policies")
    assert run("publish", "--yes", "--date", "2026-01-05").exit_code == 0
    (tmp_path / "people.csv").write_text(SUBSCRIBERS, encoding="utf-8")
    imported = run("subscribers", "import", str(tmp_path / "people.csv"))
    assert imported.exit_code == 0, imported.output
    monkeypatch.setenv("POLICYWATCH_FROM", "Privacy Team <privacy@example.com>")
    return repo


def publish_material_edit(repo, monkeypatch):
    text = repo.read("policies/privacy.md")
    repo.write("policies/privacy.md", text.replace("We do not sell", "We may sell"))
    repo.commit("Allow selling personal information")
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("publish", "--yes", "--date", "2026-03-02")
    assert result.exit_code == 0, result.output
    return handler.messages


def test_a_material_release_reaches_each_follower_once_with_its_dates_and_reason(company, monkeypatch):
    messages = publish_material_edit(company, monkeypatch)
    assert sorted(m.rcpt_tos[0] for m in messages) == ["ana@example.com", "bo@example.org"]
    body = messages[0].message().get_body(("plain",)).get_content()
    assert "takes effect on 1 April 2026" in body
    assert "negation removed: 'do not sell' → 'may sell'" in body


def test_the_proof_of_notice_names_the_message_ids_the_server_received(company, monkeypatch):
    messages = publish_material_edit(company, monkeypatch)
    received = {m.rcpt_tos[0]: m.message()["Message-ID"] for m in messages}
    proof = run("audit", "privacy@2.0", "--format", "csv")
    assert proof.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(proof.output)))
    assert {r["recipient"]: (r["state"], r["message_id"]) for r in rows} == {
        address: ("sent", message_id) for address, message_id in received.items()
    }


def test_a_second_notify_sends_nothing_more(company, monkeypatch):
    publish_material_edit(company, monkeypatch)
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("notify", "--format", "json")
    assert (result.exit_code, json.loads(result.output)["sent"], handler.messages) == (0, 0, [])


def test_the_links_in_a_notice_lead_to_pages_of_the_built_archive(company, monkeypatch, tmp_path):
    messages = publish_material_edit(company, monkeypatch)
    assert run("site", "build", str(tmp_path / "public")).exit_code == 0
    body = messages[0].message().get_body(("plain",)).get_content()
    links = set(re.findall(re.escape(BASE_URL) + r"([^\s>)\"]*)", body))
    pages = {link for link in links if not link.startswith("unsubscribe")}
    assert "privacy/v2.0/" in pages
    for link in pages:
        target = tmp_path / "public" / link
        assert (target / "index.html").is_file() or target.is_file(), link


def test_the_feed_carries_the_material_release(company, monkeypatch, tmp_path):
    publish_material_edit(company, monkeypatch)
    assert run("feed", str(tmp_path / "feed.xml")).exit_code == 0
    feed = Path(tmp_path / "feed.xml").read_text(encoding="utf-8")
    assert f"{BASE_URL}privacy/v2.0/" in feed and "material" in feed.lower()
