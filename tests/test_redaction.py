"""Passwords in connection URLs never reach a message, however the URL is formed.

Through the real CLI: a real repository with a material release owed (so ``notify``
reads the SMTP URL), and ``subscribers list`` against the database URL.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.errors import DatabaseError
from policywatch.redaction import redact_url, scrub, split_url
from tests._store_support import EMAIL_CONFIG, make_release, repo_with_policy, tag_release

runner = CliRunner()
SECRET = "Sup3r"

# (password, host and port): the password holds characters a URL cannot carry raw,
# or the port / host is wrong.
NASTY = [
    pytest.param(f"{SECRET}/x9", "127.0.0.1:1", id="slash"),
    pytest.param(f"{SECRET}#x9", "127.0.0.1:1", id="hash"),
    pytest.param(f"{SECRET}?x9", "127.0.0.1:1", id="question"),
    pytest.param(f"{SECRET}@x9", "127.0.0.1:1", id="at"),
    pytest.param(f"{SECRET}%x9", "127.0.0.1:1", id="percent"),
    pytest.param(f"{SECRET}/#?@%", "127.0.0.1:1", id="all"),
    pytest.param(f"{SECRET}/9", "127.0.0.1:99999", id="slash-port-99999"),
    pytest.param(SECRET, "127.0.0.1:99999", id="port-99999"),
    pytest.param(SECRET, "127.0.0.1:abc", id="port-abc"),
    pytest.param(SECRET, "", id="empty-host"),
    pytest.param(SECRET, "[::1", id="broken-ipv6"),
]


def assert_hidden(result) -> None:
    output = result.stdout + result.stderr
    assert SECRET not in output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("policywatch: error: ")
    return lines[0]


@pytest.fixture
def owed(tmp_path, monkeypatch):
    """A repository with a material release nobody has been told about yet."""
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    monkeypatch.delenv("POLICYWATCH_SMTP_PASSWORD", raising=False)
    repo = repo_with_policy(tmp_path / "repo", ("privacy",), EMAIL_CONFIG)
    tag_release(repo, make_release("privacy", "2.0"))
    monkeypatch.chdir(repo.root)
    runner.invoke(app, ["subscribers", "add", "ann@example.com"])
    return repo


@pytest.mark.parametrize("scheme", ["smtp", "smtp+tls", "smtp+ssl"])
@pytest.mark.parametrize(("password", "hostport"), NASTY)
def test_smtp_url_password_never_appears(owed, monkeypatch, scheme, password, hostport):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"{scheme}://mailer:{password}@{hostport}?retries=0&timeout=2")
    result = runner.invoke(app, ["notify"])
    assert_hidden(result)


@pytest.mark.parametrize(("password", "hostport"), [p for p in NASTY if p.id not in ("at", "percent")])
def test_unreadable_smtp_url_is_one_line_and_exit_2(owed, monkeypatch, password, hostport):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp+tls://mailer:{password}@{hostport}")
    result = runner.invoke(app, ["notify"])
    assert result.exit_code == 2
    one_error_line(result)


def test_smtp_port_out_of_range_is_named(owed, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp+tls://mailer:{SECRET}@127.0.0.1:99999")
    result = runner.invoke(app, ["notify"])
    line = one_error_line(result)
    assert "POLICYWATCH_SMTP_URL" in line and "99999" in line


def test_smtp_password_with_a_slash_asks_for_percent_encoding(owed, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp+tls://mailer:{SECRET}/x@mail.example.com:587")
    result = runner.invoke(app, ["notify"])
    assert "%2F" in one_error_line(result)


def test_smtp_url_in_the_email_table_is_refused_without_echoing_it(owed):
    (owed.root / "policywatch.toml").write_text(
        EMAIL_CONFIG + f'url = "smtp+tls://mailer:{SECRET}/x@mail.example.com:587"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["notify"])
    assert_hidden(result)
    assert "email.url" in one_error_line(result)


def _database_urls(password: str, hostport: str) -> str:
    return f"postgresql://policywatch:{password}@{hostport}/test"


@pytest.mark.parametrize(("password", "hostport"), NASTY)
def test_database_url_from_the_environment_never_shows_its_password(owed, monkeypatch, password, hostport):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", _database_urls(password, hostport))
    result = runner.invoke(app, ["subscribers", "list"])
    assert_hidden(result)
    assert result.exit_code == 2
    one_error_line(result)


@pytest.mark.parametrize(("password", "hostport"), NASTY)
def test_database_url_from_config_never_shows_its_password(owed, password, hostport):
    url = _database_urls(password, hostport).replace("\\", "\\\\")
    (owed.root / "policywatch.toml").write_text(EMAIL_CONFIG + f'[database]\nurl = "{url}"\n', encoding="utf-8")
    result = runner.invoke(app, ["subscribers", "list"])
    assert_hidden(result)
    assert result.exit_code == 2
    one_error_line(result)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://policywatch@127.0.0.1:5432/test?password={SECRET}",
        f"dbname=test password={SECRET}",
        f"postgresql://policywatch:{SECRET}x@127.0.0.1:5432/test",
    ],
    ids=["query-password", "connection-string", "wrong-password"],
)
def test_database_passwords_outside_the_user_part_are_hidden(owed, monkeypatch, url):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", url)
    result = runner.invoke(app, ["subscribers", "list"])
    assert_hidden(result)
    assert result.exit_code == 2


def test_database_port_out_of_range_is_one_line_naming_the_port(owed, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"postgresql://policywatch:{SECRET}@127.0.0.1:99999/test")
    result = runner.invoke(app, ["subscribers", "list"])
    line = one_error_line(result)
    assert "database URL" in line and "99999" in line


def test_debug_still_shows_the_traceback(owed, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"postgresql://policywatch:{SECRET}@127.0.0.1:abc/test")
    result = runner.invoke(app, ["--debug", "subscribers", "list"])
    assert isinstance(result.exception, DatabaseError)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u@h:5432/db", "postgresql://u@h:5432/db"),
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("smtp+tls://u:a/b#c?d@e@mail.example.com:587", "smtp+tls://u:***@mail.example.com:587"),
        ("postgresql://h/db?sslmode=require&password=pw", "postgresql://h/db?sslmode=require&password=***"),
        ("host=h password='p w' dbname=x", "host=h password=*** dbname=x"),
        ("https://u:pw@h/\nx", "https://u:***@h/\\x0ax"),
    ],
)
def test_redact_url_hides_the_password_and_keeps_the_rest(url, shown):
    assert redact_url(url) == shown


def test_scrub_masks_the_raw_and_the_decoded_password():
    url = "postgresql://u:p%40ss%zz@h/db"
    assert scrub("bad token p%40ss%zz near p@ss%zz", url) == "bad token *** near ***"


def test_split_url_allows_an_at_sign_in_a_path_when_asked():
    parts, port = split_url("https://example.com/@team/", "[site] base_url", DatabaseError, at_in_path=True)
    assert (parts.hostname, parts.path, port) == ("example.com", "/@team/", None)
