"""A real release, published and announced by the command line, read by a real SMTP server."""

from __future__ import annotations

import json

import pytest

from tests._email_support import smtp_server
from tests._publish_support import published_to_announce, run


@pytest.fixture
def announced(tmp_path, in_repo, monkeypatch):
    """A material release of the privacy policy with one subscriber, not yet announced."""
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    monkeypatch.delenv("POLICYWATCH_SMTP_URL", raising=False)
    return published_to_announce(tmp_path, in_repo, "alice@example.com", "--name", "Alice Smith")


def test_the_notice_for_a_published_release_tells_what_changed_and_when(announced, monkeypatch):
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("notify", "privacy@2.0")
    assert result.exit_code == 0, result.output
    [received] = handler.messages
    msg = received.message()
    text = msg.get_body(("plain",)).get_content()
    assert msg["Subject"] == "Changes to Example Privacy Policy: version 2.0 takes effect on 14 April 2024"
    assert msg["To"] == "Alice Smith <alice@example.com>"
    assert "Dear Alice Smith," in text
    assert "Version 2.0 replaces version 1.0" in text
    assert "We may sell your personal information." in text
    assert "https://policies.example.com/privacy/v2.0/changes/" in text
    assert msg["List-Unsubscribe"].startswith("<https://policies.example.com/unsubscribe?token=")


def test_the_audit_names_the_message_id_the_subscriber_received(announced, monkeypatch):
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        run("notify", "privacy@2.0")
    audit = run("audit", "privacy@2.0", "--format", "json")
    [row] = json.loads(audit.output)
    assert row["message_id"] == handler.messages[0].message()["Message-ID"]


def test_plain_smtp_to_a_remote_host_stops_notify_with_one_line_naming_the_variable(announced, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", "smtp://mail.example.com")
    result = run("notify", "privacy@2.0")
    assert result.exit_code == 2
    assert "POLICYWATCH_SMTP_URL" in result.output and "insecure=1" in result.output
    assert "Traceback" not in result.output


def test_a_dry_run_writes_the_notice_as_an_eml_file_and_sends_nothing(announced, tmp_path):
    folder = tmp_path / "eml"
    result = run("notify", "privacy@2.0", "--dry-run", "--eml-dir", str(folder))
    assert result.exit_code == 0, result.output
    [written] = folder.glob("*.eml")
    assert b'To: "Alice Smith" <alice@example.com>' in written.read_bytes()
