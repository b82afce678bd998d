"""`notify` end to end: a real git repository, a real SQLite ledger, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policywatch.audience.runner import notify_releases, run_notify
from policywatch.audience.subscribers import add_subscriber
from policywatch.cli import app
from policywatch.project import open_project
from policywatch.store import project_store
from tests._store_support import (
    EMAIL_CONFIG,
    Sink,
    make_release,
    repo_with_policy,
    smtp_sink,
    tag_release,
    webhook_receiver,
)

runner = CliRunner()
FOLLOWERS = ["ann@example.com", "bob@example.com", "cy@example.com"]


@pytest.fixture
def sink(monkeypatch):
    with smtp_sink() as (port, server):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?backoff=0.01&timeout=5")
        yield server


def make_repo(tmp_path, monkeypatch, config: str = ""):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    repo = repo_with_policy(tmp_path / "repo", ("privacy", "terms"), EMAIL_CONFIG + config)
    project = open_project(repo.root)
    with project_store(project) as store:
        add_subscriber(store, "ann@example.com", "Ann")
        add_subscriber(store, "bob@example.com", "Bob", ["privacy"])
        add_subscriber(store, "cy@example.com")
        add_subscriber(store, "terms-only@example.com", policies=["terms"])
    return repo, project


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A repository whose privacy policy was just released with a material change."""
    repo, project = make_repo(tmp_path, monkeypatch)
    tag_release(repo, make_release("privacy", "2.0"))
    return project


def test_each_follower_gets_exactly_one_notice(published, sink):
    summary = run_notify(published)
    assert (summary.sent, summary.failed, summary.pending) == (3, 0, 0)
    assert sink.per_recipient() == {address: 1 for address in FOLLOWERS}


def test_running_notify_again_sends_nothing(published, sink):
    run_notify(published)
    again = run_notify(published)
    assert (again.sent, again.releases) == (0, [])
    assert len(sink.messages) == 3


def test_ledger_holds_the_message_id_the_server_received(published, sink):
    run_notify(published)
    with project_store(published) as store:
        ledger = dict(store.query("SELECT target, message_id FROM deliveries WHERE state = 'sent'"))
    assert ledger == sink.message_ids()


def test_a_release_tagged_by_a_publish_that_died_is_still_announced(tmp_path, monkeypatch, sink):
    repo, project = make_repo(tmp_path, monkeypatch)
    tag_release(repo, make_release("privacy", "2.0"))  # tagged; the process died before any ledger write
    summary = run_notify(project)
    assert summary.ledgered == ["privacy/v2.0"]
    assert sorted(sink.per_recipient()) == FOLLOWERS


def test_minor_release_sends_nothing(tmp_path, monkeypatch, sink):
    repo, project = make_repo(tmp_path, monkeypatch)
    tag_release(repo, make_release("privacy", "2.0", "minor"))
    assert run_notify(project).releases == []
    assert sink.messages == []


def test_notify_releases_announces_only_the_releases_given(tmp_path, monkeypatch, sink):
    repo, project = make_repo(tmp_path, monkeypatch)
    privacy = tag_release(repo, make_release("privacy", "2.0"))
    tag_release(repo, make_release("terms", "3.0"))
    summary = notify_releases(project, [privacy])
    assert summary.releases == ["privacy/v2.0"]
    assert sorted(sink.per_recipient()) == FOLLOWERS


def test_refused_recipient_is_failed_and_the_others_are_sent(published, monkeypatch):
    with smtp_sink(Sink(refuse={"bob@example.com": "550 5.1.1 no such user"})) as (port, server):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?backoff=0.01&timeout=5")
        summary = run_notify(published)
        assert (summary.sent, summary.failed) == (2, 1)
        with project_store(published) as store:
            detail = store.query("SELECT state, detail FROM deliveries WHERE target = 'bob@example.com'")[0]
        assert detail[0] == "failed" and "550" in detail[1]
        server.refuse.clear()
        assert run_notify(published).sent == 0
        retried = run_notify(published, retry_failed=True)
        assert (retried.sent, retried.failed) == (1, 0)
        assert server.per_recipient() == {address: 1 for address in FOLLOWERS}


def test_temporary_refusal_is_deferred_and_stays_owed(published, monkeypatch):
    with smtp_sink(Sink(refuse={"cy@example.com": "451 4.3.0 try again later"})) as (port, server):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?backoff=0.01&timeout=5&retries=1")
        summary = run_notify(published)
    assert (summary.sent, summary.deferred, summary.pending) == (2, 1, 1)


def test_unsubscribed_before_sending_is_skipped(published, sink):
    from policywatch.audience.announcements import find_release
    from policywatch.audience.outbox import Outbox
    from policywatch.audience.subscribers import remove_subscriber

    with project_store(published) as store:
        Outbox(store).ledger_release(find_release(published, "privacy@2.0"))
        remove_subscriber(store, "cy@example.com")
    summary = run_notify(published)
    assert (summary.sent, summary.skipped) == (2, 1)
    assert "cy@example.com" not in sink.per_recipient()


def test_dry_run_writes_eml_files_and_records_nothing(published, tmp_path, sink):
    out = tmp_path / "eml"
    summary = run_notify(published, dry_run=True, eml_dir=out)
    assert summary.sent == 3
    assert len(list(out.glob("*.eml"))) == 3
    assert sink.messages == []
    with project_store(published) as store:
        assert store.query("SELECT COUNT(*) FROM releases")[0][0] == 0


def test_two_worker_processes_send_each_notice_once(published, sink):
    summary = run_notify(published, workers=2)
    assert (summary.sent, summary.pending) == (3, 0)
    assert sink.per_recipient() == {address: 1 for address in FOLLOWERS}


@pytest.fixture
def ops_webhook(tmp_path, monkeypatch, sink):
    """privacy 2.0 released, with one signed JSON webhook posting to a live receiver: (project, posts received)."""
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    with webhook_receiver() as (url, received):
        config = f'\n[[webhooks]]\nname = "ops"\nurl = "{url}"\nformat = "json"\nsecret_env = "HOOK_SECRET"\n'
        repo, project = make_repo(tmp_path, monkeypatch, config)
        tag_release(repo, make_release("privacy", "2.0"))
        yield project, received


def test_webhook_gets_one_signed_post_per_release(ops_webhook):
    project, received = ops_webhook
    run_notify(project)
    run_notify(project)
    assert len(received) == 1
    headers, body = received[0]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(b"s3cret", signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert b"privacy/v2.0" in body


# -- the commands ---------------------------------------------------------------------------------


def test_notify_command_prints_a_summary(published, sink, monkeypatch):
    monkeypatch.chdir(published.root)
    result = runner.invoke(app, ["notify"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sent 3, failed 0, skipped 0")


def test_notify_command_json_summary(published, sink, monkeypatch):
    monkeypatch.chdir(published.root)
    result = runner.invoke(app, ["notify", "--format", "json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert (data["sent"], data["ok"], data["releases"]) == (3, True, ["privacy/v2.0"])


def test_notify_command_exits_1_when_a_delivery_failed(published, monkeypatch):
    monkeypatch.chdir(published.root)
    with smtp_sink(Sink(refuse={"ann@example.com": "550 mailbox unavailable"})) as (port, _):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{port}?backoff=0.01")
        result = runner.invoke(app, ["notify"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "failed 1" in result.stdout


def test_notify_named_minor_release_is_a_one_line_error(tmp_path, monkeypatch, sink):
    repo, project = make_repo(tmp_path, monkeypatch)
    tag_release(repo, make_release("terms", "1.1", "minor"))
    monkeypatch.chdir(project.root)
    result = runner.invoke(app, ["notify", "terms@1.1"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "policywatch: error: terms/v1.1 is a minor release: only material changes are announced"
    )


def test_notify_without_smtp_settings_is_a_one_line_error(published, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SMTP_URL", raising=False)
    monkeypatch.chdir(published.root)
    result = runner.invoke(app, ["notify"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "POLICYWATCH_SMTP_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with project_store(published) as store:
        assert store.query("SELECT DISTINCT state FROM deliveries") == [("queued",)]


def test_dry_run_counts_webhook_posts_without_making_them(tmp_path, ops_webhook):
    project, received = ops_webhook
    summary = run_notify(project, dry_run=True, eml_dir=tmp_path / "eml")
    assert (summary.would_post, summary.ok, received) == (1, True, [])


def _notify_subprocess(project, port: int, stderr_tty: bool, ci: bool) -> tuple[str, str]:
    import os
    import pty
    import subprocess
    import sys
    import threading

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "POLICYWATCH_DATABASE_URL")}
    env.update({"POLICYWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}?backoff=0.01", "COLUMNS": "100"})
    if ci:
        env["CI"] = "true"
    master, slave = pty.openpty() if stderr_tty else (None, None)
    chunks: list[bytes] = []

    def drain() -> None:  # read the terminal while the command writes to it, so it never blocks
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True) if stderr_tty else None
    if reader:
        reader.start()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policywatch", "notify"],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=slave if stderr_tty else subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=60)
    if reader:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
        err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, err
    return out, err


@pytest.mark.slow
def test_progress_bar_is_drawn_on_a_terminal(published, monkeypatch):
    with smtp_sink() as (port, _):
        out, err = _notify_subprocess(published, port, stderr_tty=True, ci=False)
    assert "notify" in err and "3/3" in err
    assert out.startswith("sent 3,")


@pytest.mark.slow
def test_no_progress_bar_in_ci(published, monkeypatch):
    with smtp_sink() as (port, _):
        out, err = _notify_subprocess(published, port, stderr_tty=False, ci=True)
    assert err == ""
    assert out.startswith("sent 3,")


# -- a server that cannot be used -----------------------------------------------------------------


def _notify_with(project, monkeypatch, url: str, *args: str):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", url)
    monkeypatch.chdir(project.root)
    return runner.invoke(app, ["notify", *args], catch_exceptions=False)


def _queued_untried(project) -> bool:
    with project_store(project) as store:
        return store.query("SELECT DISTINCT state, attempts FROM deliveries") == [("queued", 0)]


def test_a_closed_port_is_named_in_one_line_and_exits_2(published, monkeypatch):
    from tests._store_support import free_port

    port = free_port()
    result = _notify_with(published, monkeypatch, f"smtp://127.0.0.1:{port}?backoff=0.01&retries=0")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"policywatch: error: cannot send email: smtp://127.0.0.1:{port}: connection refused; ")
    assert "still pending: run 'policywatch notify' again" in line
    assert _queued_untried(published)


@pytest.mark.parametrize(
    ("scheme", "cause"),
    [("smtp+tls", "server does not offer STARTTLS"), ("smtp+ssl", "TLS handshake failed")],
    ids=["starttls-to-a-server-without-it", "implicit-tls-to-a-plain-server"],
)
def test_tls_that_cannot_be_set_up_is_named_and_exits_2(published, monkeypatch, scheme, cause):
    with smtp_sink() as (port, server):
        result = _notify_with(published, monkeypatch, f"{scheme}://127.0.0.1:{port}?backoff=0.01")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"policywatch: error: cannot send email: {scheme}://127.0.0.1:{port}: {cause}")
    assert server.messages == [] and _queued_untried(published)


def test_refused_credentials_are_named_without_the_password_and_exit_2(published, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    from tests._email_support import smtp_server

    def refuse(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    with smtp_server(authenticator=refuse, auth_require_tls=False) as (controller, handler):
        url = f"smtp://mailer:Sup3rSecret@127.0.0.1:{controller.port}?backoff=0.01"
        result = _notify_with(published, monkeypatch, url)
    assert result.exit_code == 2
    assert f"smtp://127.0.0.1:{controller.port}: authentication failed (535" in result.stderr
    assert "Sup3rSecret" not in result.output + result.stderr
    assert handler.messages == [] and _queued_untried(published)


def test_what_an_unusable_server_left_is_sent_by_the_next_run(published, monkeypatch):
    from tests._store_support import free_port

    port = free_port()
    _notify_with(published, monkeypatch, f"smtp://127.0.0.1:{port}?backoff=0.01&retries=0")
    with smtp_sink() as (working, server):
        result = _notify_with(published, monkeypatch, f"smtp://127.0.0.1:{working}?backoff=0.01")
    assert result.exit_code == 0, result.stderr
    assert server.per_recipient() == {address: 1 for address in FOLLOWERS}


def test_deliveries_left_deferred_exit_1_and_say_how_many_and_why(published, monkeypatch):
    with smtp_sink(Sink(refuse={"cy@example.com": "451 4.3.0 try again later"})) as (port, _):
        result = _notify_with(published, monkeypatch, f"smtp://127.0.0.1:{port}?backoff=0.01&retries=0")
    assert result.exit_code == 1
    assert "policywatch: 1 still pending: 1 deferred after a temporary failure, next try after " in result.stderr


def test_retry_now_sends_deferred_deliveries_without_waiting_out_the_back_off(published, monkeypatch):
    sink = Sink(refuse={"cy@example.com": "451 4.3.0 try again later"})
    with smtp_sink(sink) as (port, _):
        url = f"smtp://127.0.0.1:{port}?backoff=0.01&retries=0"
        _notify_with(published, monkeypatch, url)
        sink.refuse.clear()
        waiting = _notify_with(published, monkeypatch, url)
        now = _notify_with(published, monkeypatch, url, "--retry-now")
    assert (waiting.exit_code, now.exit_code) == (1, 0)
    assert sink.per_recipient() == {address: 1 for address in FOLLOWERS}


def test_a_dry_run_writes_one_private_file_per_address_even_when_names_differ_only_in_punctuation(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    repo = repo_with_policy(tmp_path / "repo", ("privacy",), EMAIL_CONFIG)
    project = open_project(repo.root)
    with project_store(project) as store:
        for address in ("a+b@example.com", "a=b@example.com", "a_b@example.com"):
            add_subscriber(store, address)
    tag_release(repo, make_release("privacy", "2.0"))
    summary = run_notify(project, dry_run=True)
    files = list(Path(summary.eml_dir).glob("*.eml"))
    assert (summary.sent, len(files)) == (3, 3)
    assert Path(summary.eml_dir).stat().st_mode & 0o777 == 0o700
    assert {f.stat().st_mode & 0o777 for f in files} == {0o600}
