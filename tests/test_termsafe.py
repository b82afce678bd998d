"""Control characters from policy texts, git, subscribers and servers never reach the terminal raw.

A policy line holding ``ESC]52;...`` (a clipboard write) or ``ESC[2J`` (clear the
screen) is shown as the visible text ``\\x1b]52;...``, by every command that prints it.
"""

from __future__ import annotations

import io
import json
import os
import pty
import socket
import subprocess
import sys

import pytest

from policywatch.audience.channels import Outcome
from policywatch.audience.outbox import Outbox
from policywatch.audience.service.app import make_app
from policywatch.audience.subscribers import add_subscriber
from policywatch.project import open_project
from policywatch.store import project_store
from policywatch.termsafe import printable
from tests._publish_support import MATERIAL_EDIT, edit, released_repo, run
from tests._store_support import make_release, tag_release
from tests._unsubscribe_support import serving

CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
HOSTILE = f"{CLIPBOARD}{CLEAR} \u202eevil\x9b31m"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_no_raw_control(text: str) -> None:
    assert not [c for c in RAW if c in text], repr(text)


@pytest.fixture
def hostile(tmp_path, in_repo, monkeypatch):
    """privacy released, then changed materially by a line full of terminal escapes, title and commit too."""
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", MATERIAL_EDIT[0], f"We may sell your personal information. {HOSTILE}")
    edit(repo, "privacy", "title: Example Privacy Policy", "title: Example \u202eyciloP")
    repo.commit(f"Sharing {CLEAR}")
    return repo


def python_m(repo, *args: str, terminal: bool = False) -> tuple[str, str, int]:
    """``python -m policywatch ARGS`` in a real process; stdout on a pseudo-terminal when ``terminal``."""
    env = {k: v for k, v in os.environ.items() if k != "POLICYWATCH_DATABASE_URL"}
    command = [sys.executable, "-m", "policywatch", *args]
    if not terminal:
        proc = subprocess.run(command, cwd=repo.root, env=env, capture_output=True, text=True)
        return proc.stdout, proc.stderr, proc.returncode
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, cwd=repo.root, env=env, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    proc.wait()
    return b"".join(chunks).decode().replace("\r\n", "\n"), stderr, proc.returncode


def test_printable_shows_escapes_and_keeps_tab_newline_and_crlf():
    assert printable(f"a\tb\r\nc{CLEAR}\rd\u202e\udce9") == "a\tb\r\nc\\x1b[2J\\x0dd\\u202e\\udce9"


def test_check_shows_a_clipboard_write_as_text(hostile):
    result = run("check")
    assert result.exit_code == 1
    assert_no_raw_control(result.output)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in result.output


def test_check_from_the_pre_push_hook_path_shows_escapes_as_text(hostile):
    out, err, code = python_m(hostile, "check")
    assert code == 1, err
    assert_no_raw_control(out + err)
    assert "\\x1b[2J" in out


def test_check_json_escapes_what_json_leaves_raw_and_keeps_the_value(hostile):
    out, _err, code = python_m(hostile, "check", "--format", "json")
    assert code == 1
    assert_no_raw_control(out)
    assert any(HOSTILE in reason for reason in json.loads(out)["errors"][0]["reasons"])


def test_check_error_naming_a_hostile_ref_is_escaped(hostile):
    out, err, code = python_m(hostile, "check", "--against", f"nope{CLEAR}")
    assert code == 2
    assert_no_raw_control(out + err)
    assert "nope\\x1b[2J" in err


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_diff_shows_escapes_as_text(hostile, fmt):
    result = run("diff", "--format", fmt)
    assert result.exit_code == 0
    assert_no_raw_control(result.output)
    assert "\\x1b" in result.output and "\\u202e" in result.output


def test_diff_in_colour_on_a_terminal_shows_escapes_as_text(hostile):
    out, err, code = python_m(hostile, "diff", "privacy", terminal=True)
    assert code == 0, err
    assert "\x1b[" in out  # the colours themselves
    assert CLEAR not in out and "\x1b]" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out


def test_diff_json_keeps_the_text_and_prints_no_raw_control(hostile):
    result = run("diff", "privacy", "--format", "json")
    assert_no_raw_control(result.output)
    new_text = "".join(c["new_text"] for c in json.loads(result.output)["changes"])
    assert HOSTILE in new_text


def test_status_shows_a_title_with_a_direction_override_as_text(hostile):
    result = run("status")
    assert_no_raw_control(result.output)
    assert "Example \\u202eyciloP" in result.output


def test_log_shows_a_commit_subject_with_an_escape_as_text(hostile):
    result = run("log", "privacy")
    assert_no_raw_control(result.output)
    assert "Sharing \\x1b[2J" in result.output


def test_publish_plan_shows_escapes_as_text(hostile):
    result = run("publish", "--dry-run")
    assert result.exit_code == 0, result.output
    assert_no_raw_control(result.output)


def test_an_error_message_holding_an_escape_shows_it_as_text(hostile):
    result = run("show", f"x{CLEAR}")
    assert result.exit_code == 2
    assert_no_raw_control(result.stderr)
    assert "x\\x1b[2J" in result.stderr


def test_subscribers_list_shows_a_name_with_controls_as_text(hostile):
    assert run("subscribers", "add", "ann@example.com", "--name", "Ann \u202enimda\x9b2J").exit_code == 0
    for fmt in ("text", "json"):
        result = run("subscribers", "list", "--format", fmt)
        assert_no_raw_control(result.output)
    assert json.loads(result.output)[0]["name"] == "Ann \u202enimda\x9b2J"


def test_import_errors_show_a_hostile_address_as_text(hostile):
    (hostile.root / "in.csv").write_text("email,name\nann\u202e@example.com,A\n", encoding="utf-8")
    result = run("subscribers", "import", "in.csv")
    assert result.exit_code == 2
    assert_no_raw_control(result.stderr)
    assert "\\u202e" in result.stderr


@pytest.fixture
def audited(hostile):
    """A ledgered release whose one delivery carries a server reply full of controls."""
    release = tag_release(hostile, make_release("privacy", "9.0"))
    with project_store(open_project(hostile.root)) as store:
        add_subscriber(store, "ann@example.com", "Ann")
        outbox = Outbox(store)
        outbox.ledger_release(release)
        [ann] = outbox.claim(release.tag, "email").recipients
        outbox.record(Outcome(ann.delivery_id, "failed", f"550 {HOSTILE}"))
    return hostile


def test_audit_json_prints_no_raw_control_and_keeps_the_reply(audited):
    result = run("audit", "privacy@9.0", "--format", "json")
    assert_no_raw_control(result.output)
    assert json.loads(result.output)[0]["detail"] == f"550 {HOSTILE}"


@pytest.mark.parametrize(
    ("args", "shown"), [(("show", "privacy"), "\\x1b]52;"), (("audit", "privacy@9.0"), "550 \\x1b]52;")]
)
def test_file_content_on_a_terminal_is_escaped(audited, args, shown):
    out, err, code = python_m(audited, *args, terminal=True)
    assert code == 0, err
    assert_no_raw_control(out)
    assert shown in out


def test_show_into_a_pipe_gives_the_file_as_it_is(audited):
    out, _err, code = python_m(audited, "show", "privacy")
    assert code == 0
    assert out == (audited.root / "policies/privacy.md").read_text(encoding="utf-8")


def test_audit_csv_into_a_pipe_keeps_the_server_reply(audited):
    out, _err, code = python_m(audited, "audit", "privacy@9.0")
    assert code == 0
    assert f"550 {HOSTILE}" in out


def test_the_unsubscribe_server_logs_a_hostile_request_path_as_text(tmp_path):
    log = io.StringIO()
    with serving(make_app(f"sqlite:///{tmp_path / 'state.db'}"), access_log=log) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as client:
            client.sendall(f"GET /{CLIPBOARD}{CLEAR} HTTP/1.0\r\n\r\n".encode("latin-1"))
            while client.recv(65536):
                pass
    assert_no_raw_control(log.getvalue())
    assert "/\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J" in log.getvalue()
