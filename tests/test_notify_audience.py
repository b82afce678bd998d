"""Who is owed a notice: late subscribers, releases replaced before they took effect, renamed
policies, and notices that would carry no links. Real git repositories, the command line,
a real SMTP server (aiosmtpd), on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policywatch.release.record import replaced_before_effect
from tests._email_support import Handler, smtp_server
from tests._publish_support import MATERIAL_EDIT, edit, released_repo, run
from tests._store_support import make_release, tag_release

BASE_URL = "https://policies.example.com/"
LINKED = f'[site]\nbase_url = "{BASE_URL}"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
UNLINKED = '[email]\nfrom = "Privacy <privacy@example.com>"\n'
SECOND_EDIT = (
    "We collect your email address to send receipts.",
    "We collect your email address and your precise location to send receipts and advertising.",
)


@pytest.fixture
def repo(tmp_path, in_repo, monkeypatch, any_url):
    """privacy and terms released at 1.0 (in force), notices linked to the archive; state in ``any_url``."""
    for name in ("POLICYWATCH_FROM", "POLICYWATCH_SMTP_URL", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    project = in_repo(released_repo(tmp_path))
    project.commit("Configure notices", {"policywatch.toml": LINKED})
    return project


def received(handler: Handler) -> Counter[tuple[str, str]]:
    """(recipient, release tag) -> how many messages the server accepted."""
    return Counter((m.rcpt_tos[0], m.message()["X-Policywatch-Release"]) for m in handler.messages)


def publish(repo, monkeypatch, handler_port: int, change: tuple[str, str], *args: str):
    edit(repo, "privacy", *change)
    repo.commit(f"Change: {change[1][:30]}")
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{handler_port}")
    return run("publish", "--yes", *args)


def notify(monkeypatch, port: int, *args: str):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}")
    return run("notify", *args)


def audit(spec: str) -> list[dict[str, str]]:
    result = run("audit", spec, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


# -- late subscribers ----------------------------------------------------------------------------


def test_publishing_a_material_release_with_no_subscribers_says_nobody_was_told(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        result = publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
    assert result.exit_code == 0, result.output
    assert "privacy/v2.0: material release with no subscribers to tell" in result.output
    assert "run 'policywatch notify'" in result.output
    assert handler.messages == []


def test_notify_says_an_upcoming_release_has_nobody_to_tell(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT, "--no-notify")
        result = notify(monkeypatch, controller.port)
    assert result.exit_code == 0, result.output
    assert result.output.count("privacy/v2.0: material release with no subscribers to tell") == 1
    assert handler.messages == []


def test_people_who_subscribe_after_publication_are_told_once_before_it_takes_effect(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
        assert run("subscribers", "add", "late@example.com").exit_code == 0
        assert run("subscribers", "add", "terms-only@example.com", "--policy", "terms").exit_code == 0
        first = notify(monkeypatch, controller.port)
        assert run("subscribers", "add", "later@example.com", "--policy", "privacy").exit_code == 0
        second = notify(monkeypatch, controller.port)
        third = notify(monkeypatch, controller.port)
    assert (first.exit_code, second.exit_code, third.exit_code) == (0, 0, 0), first.output + second.output
    assert received(handler) == {("late@example.com", "privacy/v2.0"): 1, ("later@example.com", "privacy/v2.0"): 1}
    assert {row["recipient"]: row["state"] for row in audit("privacy@2.0")} == {
        "late@example.com": "sent",
        "later@example.com": "sent",
    }


def test_a_subscriber_who_joins_after_a_release_took_effect_is_not_sent_it(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT, "--date", "2024-03-15")
        assert run("subscribers", "add", "late@example.com").exit_code == 0
        result = notify(monkeypatch, controller.port)
    assert result.exit_code == 0, result.output
    assert handler.messages == []
    assert "no subscribers to tell" not in result.output


def test_a_dry_run_writes_the_notice_owed_to_a_late_subscriber(repo, monkeypatch, tmp_path):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
        run("subscribers", "add", "late@example.com")
        result = notify(monkeypatch, controller.port, "--dry-run", "--eml-dir", str(tmp_path / "eml"))
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "eml").glob("*.eml")
    assert b"To: late@example.com" in written.read_bytes()
    assert handler.messages == []


# -- releases replaced before they took effect -------------------------------------------------------


def test_a_new_subscriber_gets_one_notice_for_releases_replaced_before_they_took_effect(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
        publish(repo, monkeypatch, controller.port, SECOND_EDIT)
        run("subscribers", "add", "new@example.com")
        result = notify(monkeypatch, controller.port)
    assert result.exit_code == 0, result.output
    assert received(handler) == {("new@example.com", "privacy/v3.0"): 1}


def test_the_single_notice_tells_the_changes_against_the_version_in_force(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
        publish(repo, monkeypatch, controller.port, SECOND_EDIT)
        run("subscribers", "add", "new@example.com")
        notify(monkeypatch, controller.port)
    [message] = handler.messages
    text = message.message().get_body(("plain",)).get_content()
    assert "Version 3.0 replaces version 1.0" in text
    assert "takes the place of version 2.0" in text
    assert "We may sell your personal information." in " ".join(text.split())  # the change made in 2.0
    assert f"{BASE_URL}privacy/compare/v1.0...v3.0/" in text


def test_someone_told_of_the_replaced_release_is_still_sent_the_newest(repo, monkeypatch):
    run("subscribers", "add", "early@example.com")
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
        publish(repo, monkeypatch, controller.port, SECOND_EDIT)
        result = notify(monkeypatch, controller.port)
    assert result.exit_code == 0, result.output
    assert received(handler) == {("early@example.com", "privacy/v2.0"): 1, ("early@example.com", "privacy/v3.0"): 1}


def test_an_unsent_notice_of_a_replaced_release_is_covered_by_the_newer_one(repo, monkeypatch):
    run("subscribers", "add", "ana@example.com")
    with smtp_server(Handler(refuse={"ana@example.com": "451 4.3.0 try again later"})) as (controller, _):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)  # deferred: still queued
    with smtp_server() as (controller, handler):
        result = publish(repo, monkeypatch, controller.port, SECOND_EDIT)
        again = notify(monkeypatch, controller.port)
    assert (result.exit_code, again.exit_code) == (0, 0), result.output + again.output
    assert received(handler) == {("ana@example.com", "privacy/v3.0"): 1}
    assert "not sent, covered by a newer notice" in result.output


def test_the_audit_of_a_replaced_release_shows_the_notice_that_covered_it(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT, "--no-notify")
        run("subscribers", "add", "ana@example.com")
        publish(repo, monkeypatch, controller.port, SECOND_EDIT)
    [row] = audit("privacy@2.0")
    assert (row["release"], row["recipient"], row["state"]) == ("privacy/v3.0", "ana@example.com", "sent")
    assert "covers privacy/v2.0" in row["detail"]
    assert row["message_id"] == handler.messages[0].message()["Message-ID"]


def test_naming_a_replaced_release_to_notify_is_refused_and_names_the_newer_one(repo, monkeypatch):
    with smtp_server() as (controller, handler):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT, "--no-notify")
        publish(repo, monkeypatch, controller.port, SECOND_EDIT, "--no-notify")
        run("subscribers", "add", "ana@example.com")
        result = notify(monkeypatch, controller.port, "privacy@2.0")
    assert result.exit_code == 2
    assert "privacy/v2.0 was replaced by privacy/v3.0 before it took effect" in result.output
    assert "Traceback" not in result.output and handler.messages == []


def test_the_site_shows_only_the_version_that_will_apply_and_marks_the_replaced_one(repo, monkeypatch, tmp_path):
    with smtp_server() as (controller, _):
        publish(repo, monkeypatch, controller.port, MATERIAL_EDIT, "--no-notify")
        publish(repo, monkeypatch, controller.port, SECOND_EDIT, "--no-notify")
    out = tmp_path / "public"
    result = run("site", "build", str(out))
    assert result.exit_code == 0, result.output
    policy_page = (out / "privacy" / "index.html").read_text(encoding="utf-8")
    assert policy_page.count("Upcoming change:") == 1
    assert re.search(r"version 3\.0 of .* takes effect", policy_page)
    replaced = (out / "privacy" / "v2.0" / "index.html").read_text(encoding="utf-8")
    assert "Superseded before it took effect" in replaced
    assert re.search(r'href="[^"]*privacy/v3\.0/">version 3\.0</a> replaced it', replaced)
    assert (out / "privacy" / "compare" / "v1.0...v3.0" / "index.html").is_file()  # the notice links to it
    assert "Superseded before it took effect" not in (out / "privacy" / "v3.0" / "index.html").read_text("utf-8")


# -- renamed policies ------------------------------------------------------------------------------


def test_subscribers_of_a_renamed_policy_receive_the_notices_of_its_new_name(repo, monkeypatch):
    run("subscribers", "add", "old-name@example.com", "--policy", "privacy")
    run("subscribers", "add", "terms-only@example.com", "--policy", "terms")
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.commit("Rename the privacy policy")
    release = dataclasses.replace(
        make_release("privacy-policy", "2.0"), renamed_from="privacy", tag="privacy-policy/v2.0"
    )
    tag_release(repo, release)
    with smtp_server() as (controller, handler):
        result = notify(monkeypatch, controller.port)
        again = notify(monkeypatch, controller.port)
    assert (result.exit_code, again.exit_code) == (0, 0), result.output
    assert received(handler) == {("old-name@example.com", "privacy-policy/v2.0"): 1}


def test_a_rename_published_with_a_material_edit_reaches_the_old_slugs_subscribers(repo, monkeypatch):
    run("subscribers", "add", "old-name@example.com", "--policy", "privacy")
    run("subscribers", "add", "terms-only@example.com", "--policy", "terms")
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    text = repo.read("policies/privacy-policy.md")
    repo.write("policies/privacy-policy.md", text.replace(*MATERIAL_EDIT))
    repo.commit("Rename the privacy policy and allow selling data")
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("publish", "--yes")
        again = notify(monkeypatch, controller.port)
    assert (result.exit_code, again.exit_code) == (0, 0), result.output + again.output
    assert received(handler) == {("old-name@example.com", "privacy-policy/v2.0"): 1}


# -- notices without links -------------------------------------------------------------------------


@pytest.fixture
def unlinked(repo, monkeypatch):
    """A material release published (without notices) while no [site] base_url is set."""
    repo.commit("No archive yet", {"policywatch.toml": UNLINKED})
    run("subscribers", "add", "ana@example.com")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    assert run("publish", "--yes", "--no-notify").exit_code == 0
    return repo


def test_notify_refuses_to_send_notices_without_links_naming_the_key(unlinked, monkeypatch):
    with smtp_server() as (controller, handler):
        result = notify(monkeypatch, controller.port)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "[site] base_url is not set" in line and "allow_no_links" in line
    assert handler.messages == []


def test_publish_refuses_to_send_notices_without_links_but_keeps_the_release(repo, monkeypatch):
    repo.commit("No archive yet", {"policywatch.toml": UNLINKED})
    run("subscribers", "add", "ana@example.com")
    with smtp_server() as (controller, handler):
        result = publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
    assert result.exit_code == 2
    assert "[site] base_url is not set" in result.output
    assert "privacy/v2.0" in repo.git("tag", "--list")
    assert handler.messages == []


def test_publish_without_links_and_without_subscribers_is_not_refused(repo, monkeypatch):
    repo.commit("No archive yet", {"policywatch.toml": UNLINKED})
    with smtp_server() as (controller, handler):
        result = publish(repo, monkeypatch, controller.port, MATERIAL_EDIT)
    assert result.exit_code == 0, result.output
    assert "privacy/v2.0: material release with no subscribers to tell" in result.output
    assert handler.messages == []


def test_notices_without_links_go_out_when_the_setting_allows_them(unlinked, monkeypatch):
    repo = unlinked
    repo.write("policywatch.toml", UNLINKED + "\n[notify]\nallow_no_links = true\n")
    with smtp_server() as (controller, handler):
        result = notify(monkeypatch, controller.port, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sent"] == 1
    assert received(handler) == {("ana@example.com", "privacy/v2.0"): 1}
    assert handler.messages[0].message()["List-Unsubscribe"] is None


def test_init_writes_commented_examples_of_the_archive_url_and_the_sender(tmp_path, in_repo):
    from policywatch.config import load_config
    from policywatch.site.settings import site_settings
    from tests._git_support import new_git_project

    project = in_repo(new_git_project(tmp_path / "fresh"))
    assert run("init").exit_code == 0
    text = project.read("policywatch.toml")
    assert "# [site]\n# base_url = " in text and "# [email]\n# from = " in text
    (project.root / "policywatch.toml").write_text(re.sub(r"(?m)^# (\[|base_url|from)", r"\1", text), "utf-8")
    config = load_config(project.root)
    assert site_settings(config).base_url.startswith("https://")
    assert "@" in config.section("email")["from"]


# -- which releases never take effect ------------------------------------------------------------


@given(st.lists(st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 8)), max_size=12))
def test_a_release_is_replaced_exactly_when_a_later_one_takes_effect_no_later(days):
    chain = [SimpleNamespace(effective=day) for day in days]
    replaced = replaced_before_effect(chain)
    for i, release in enumerate(chain):
        assert (i in replaced) == any(later.effective <= release.effective for later in chain[i + 1 :])
        if i in replaced:
            instead = replaced[i]
            assert instead > i and instead not in replaced and chain[instead].effective <= release.effective
