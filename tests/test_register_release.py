"""Publishing a register records its entries added, changed and removed; the notice email shows them first."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from policywatch.audience.channels import Notice, Recipient
from policywatch.audience.message import NoticeMessage
from policywatch.audience.webhook import payload
from policywatch.release.history import list_tags, open_repo
from policywatch.release.record import parse_tag
from policywatch.templates import template_environment
from tests._email_support import SENDER, smtp_server
from tests._git_support import new_git_project
from tests._publish_support import run

PATH = "policies/subprocessors.md"
REGISTER = """---
title: Sub-processors
kind: register
notice_days: 45
---
# Sub-processors

Our sub-processors are located in the United States:

* [Stripe](https://stripe.com). Payment processing.
* [Postmark](https://postmarkapp.com). Transactional email.
"""
ACME = "* [Acme AI](https://acme.example). Model hosting.\n"


def released(tmp_path, in_repo):
    """The register, published as 1.0, with the working directory inside its repository."""
    repo = in_repo(new_git_project(tmp_path / "repo"))
    repo.commit("Add the register", {PATH: REGISTER}, date="2024-03-01T09:00:00+00:00")
    assert run("publish", "--yes", "--date", "2024-03-01").exit_code == 0
    return repo


def record(repo, tag):
    return parse_tag(next(t for t in list_tags(open_repo(repo.root)) if t.name == tag))


def test_adding_an_entry_publishes_a_material_release_recording_it(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    result = run("publish", "--yes", "--date", "2024-04-01")
    assert result.exit_code == 0, result.output
    release = record(repo, "subprocessors/v2.0")
    assert release.classification == "material"
    assert [(e["status"], e["name"], e["fields"]) for e in release.register] == [
        ("added", "Acme AI", {"purpose": "Model hosting", "location": "United States"})
    ]
    assert "new sub-processor: Acme AI (United States; Model hosting)" in " ".join(release.reasons)
    assert release.effective.isoformat() == "2024-05-16"  # the register's own 45 days' notice


def test_removing_an_entry_is_a_minor_release(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    repo.commit(
        "Postmark is gone",
        {PATH: repo.read(PATH).replace("* [Postmark](https://postmarkapp.com). Transactional email.\n", "")},
    )
    assert run("publish", "--yes", "--date", "2024-04-01").exit_code == 0
    release = record(repo, "subprocessors/v1.1")
    assert [(e["status"], e["name"]) for e in release.register] == [("removed", "Postmark")]


def test_reordering_the_entries_gives_nothing_to_publish(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    text = repo.read(PATH)
    stripe = "* [Stripe](https://stripe.com). Payment processing.\n"
    repo.commit("Alphabetical order", {PATH: text.replace(stripe, "") + stripe})
    result = run("check")
    assert result.exit_code == 0, result.output


def test_the_notice_email_shows_the_table_of_entries_before_the_other_changes(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    run("publish", "--yes", "--date", "2024-04-01")
    notice = Notice(record(repo, "subprocessors/v2.0"), base_url="https://policies.example.com")
    data = NoticeMessage(notice, SENDER, template_environment()).build(
        Recipient("subprocessors/v2.0:ada:email", "ada@example.org", "Ada", "tok")
    )
    message = email.message_from_bytes(data, policy=email.policy.default)
    text, html = (message.get_body((k,)).get_content() for k in ("plain", "html"))
    assert "- Added: Acme AI (United States; Model hosting)" in text
    assert text.index("Added: Acme AI") < text.index("What changes")
    assert "<td><strong>Added</strong></td><td>Acme AI</td><td>United States</td><td>Model hosting</td>" in html


def test_a_register_whose_entries_can_no_longer_be_read_is_refused_naming_the_file(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    repo.commit("Entries as prose", {PATH: repo.read(PATH).replace("* [", "[")})
    result = run("check")
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"policywatch: error: {PATH}: is a register (kind: register) but lists no entries")


def test_the_json_webhook_carries_the_entries_added_changed_and_removed(tmp_path, in_repo):
    repo = released(tmp_path, in_repo)
    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    run("publish", "--yes", "--date", "2024-04-01")
    data = payload(Notice(record(repo, "subprocessors/v2.0")), "subprocessors/v2.0:webhook:ops")
    assert [(e["status"], e["name"], e["classification"]) for e in data["register"]] == [
        ("added", "Acme AI", "material")
    ]
    assert "register" not in payload(Notice(record(repo, "subprocessors/v1.0")), "subprocessors/v1.0:webhook:ops")


def test_a_notice_sent_over_smtp_against_the_version_in_force_lists_every_entry_added_since(
    tmp_path, in_repo, monkeypatch, sqlite_url
):
    """2.0 adds Acme AI and 3.0 adds Beta before 2.0 takes effect: one notice, against 1.0, naming both."""
    for name in ("POLICYWATCH_FROM", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", sqlite_url)
    repo = released(tmp_path, in_repo)
    settings = '[site]\nbase_url = "https://policies.example.com/"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
    repo.commit("Configure notices", {"policywatch.toml": settings})
    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    today = dt.date.today().isoformat()  # notices are owed only for releases not yet in effect
    assert run("publish", "--yes", "--no-notify", "--date", today).exit_code == 0
    repo.commit("New sub-processor: Beta", {PATH: repo.read(PATH) + "* [Beta](https://beta.example). Backups.\n"})
    assert run("publish", "--yes", "--no-notify", "--date", today).exit_code == 0
    run("subscribers", "add", "customer@example.com")
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("notify")
    assert result.exit_code == 0, result.output
    [message] = handler.messages
    text = " ".join(message.message().get_body(("plain",)).get_content().split())
    assert "Version 3.0 replaces version 1.0" in text
    assert "- Added: Acme AI (United States; Model hosting)" in text
    assert "- Added: Beta (United States; Backups)" in text
