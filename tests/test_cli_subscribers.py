"""`policywatch subscribers ...` as a user runs it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policywatch.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def repo(policy_repo, in_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    return in_repo(policy_repo)


def test_add_then_list_as_json(repo):
    assert run("subscribers", "add", "Jane@Example.com", "--name", "Jane", "--policy", "zepp-privacy").exit_code == 0
    result = run("subscribers", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)
    assert (item["email"], item["name"], item["policies"], item["status"]) == (
        "jane@example.com",
        "Jane",
        ["zepp-privacy"],
        "active",
    )
    assert "token" not in item


def test_add_with_an_invalid_address_is_a_one_line_error(repo):
    result = run("subscribers", "add", "jane@@example.com")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "policywatch: error: 'jane@@example.com': invalid email address (needs exactly one '@')"
    ]


def test_add_following_an_unknown_policy_names_the_known_ones(repo):
    result = run("subscribers", "add", "jane@example.com", "--policy", "privcy")
    assert result.exit_code == 2
    assert "unknown policy 'privcy'" in result.stderr and "zepp-privacy" in result.stderr


def test_remove_marks_the_subscriber_unsubscribed(repo):
    run("subscribers", "add", "jane@example.com")
    assert run("subscribers", "remove", "jane@example.com").exit_code == 0
    result = run("subscribers", "list", "--status", "unsubscribed")
    assert result.stdout.split("\t")[0] == "jane@example.com"


def test_import_reports_bad_lines_exits_2_and_keeps_good_rows(repo):
    (repo.root / "in.csv").write_text("email,name,policies\na@example.com,A,\nbroken,B,\n", encoding="utf-8")
    result = run("subscribers", "import", "in.csv")
    assert result.exit_code == 2
    assert "in.csv:3: 'broken': invalid email address" in result.stderr
    assert "1 added" in result.stdout
    assert run("subscribers", "list").stdout.startswith("a@example.com\t")


def test_export_writes_the_csv_file_with_every_cell_quoted(repo):
    run("subscribers", "add", "a@example.com", "--name", "A")
    assert run("subscribers", "export", "out.csv").exit_code == 0
    assert (repo.root / "out.csv").read_text(
        encoding="utf-8"
    ) == '"email","name","policies","language"\n"a@example.com","A","",""\n'


def test_unreachable_database_is_a_one_line_error_without_the_password(repo, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", "postgresql://alice:s3cret@127.0.0.1:1/policies")
    result = run("subscribers", "list")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("policywatch: error: postgresql://alice:***@127.0.0.1:1/policies: cannot connect")
    assert "s3cret" not in result.output


def _import_bytes(repo, data: bytes):
    (repo.root / "in.csv").write_bytes(data)
    return run("subscribers", "import", "in.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email," + b"x" * 140_000 + b"\n", "in.csv:1: not a readable CSV file: field larger than field limit"),
        (b"email,name\na@example.com," + b"x" * 140_000 + b"\n", "in.csv:2: not a readable CSV file: field larger"),
        (b"\xe9mail,name\n", "in.csv:1: not UTF-8 text (save the file as UTF-8 CSV)"),
        ("email,name\na@example.com,A\n".encode("utf-16"), "in.csv:1: not UTF-8 text"),
        (b"", "in.csv: empty file (expected the header email,name,policies,language)"),
        (b"em\x00ail,name\n", "in.csv:1: bad header 'em\\x00ail,name'"),
        (b"email," + b"n" * 5_000 + b"\n", "in.csv:1: bad header 'email,nnn"),
    ],
)
def test_import_of_an_unreadable_file_is_one_line_exit_2_and_changes_nothing(repo, data, message):
    result = _import_bytes(repo, data)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"policywatch: error: {message}")
    assert len(line) < 300
    assert run("subscribers", "list").stdout == ""


def test_import_of_a_row_holding_nul_reports_its_line(repo):
    result = _import_bytes(repo, b"email,name\na@example.com,A\x00B\nb@example.com,B\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["in.csv:2: name 'A\\x00B': must be one line without control characters"]
    assert "1 added" in result.stdout


def test_import_of_a_file_with_a_byte_order_mark_reads_the_header(repo):
    result = _import_bytes(repo, b"\xef\xbb\xbfemail,name\na@example.com,A\n")
    assert result.exit_code == 0, result.output
    assert run("subscribers", "list").stdout == "a@example.com\tA\t(all)\tactive\n"


def test_import_of_a_header_alone_adds_nobody_and_succeeds(repo):
    result = _import_bytes(repo, b"email,name,policies\n")
    assert result.exit_code == 0
    assert result.stdout.strip() == "in.csv: 0 added, 0 updated, 0 unchanged, 0 bad rows skipped"


def test_import_with_latin1_text_in_a_row_reports_that_row(repo):
    result = _import_bytes(repo, b"email,name\na@example.com,J\xe9r\xf4me\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["in.csv:2: name: not valid UTF-8"]


@pytest.mark.parametrize(
    ("target", "message"),
    [("policies", "policies: is a folder, not a file name"), ("/proc/out.csv", "/proc/out.csv: cannot write")],
)
def test_export_to_a_place_that_cannot_take_the_file_is_one_line_exit_2(repo, target, message):
    run("subscribers", "add", "a@example.com")
    result = run("subscribers", "export", target)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"policywatch: error: {message}")
    assert [p.name for p in repo.root.iterdir() if p.name.startswith(".policies.")] == []
