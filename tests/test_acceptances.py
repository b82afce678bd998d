"""Acceptances imported and reported from the command line, on SQLite and PostgreSQL, with real release tags."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.store import open_store
from tests._acceptance_support import days, release, released_repo

runner = CliRunner()
HEADER = "subject,policy,version,accepted_at,source\n"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def at(day_offset: int) -> str:
    return f"{days(day_offset).isoformat()}T09:00:00Z"


@pytest.fixture
def repo(tmp_path, in_repo, any_url, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    return in_repo(released_repo(tmp_path / "repo"))


@pytest.fixture
def url(repo, any_url) -> str:
    return any_url


def count(url: str) -> int:
    store = open_store(url)
    try:
        return store.query("SELECT COUNT(*) FROM acceptances")[0][0]
    finally:
        store.close()


def write(repo, text: str, name: str = "acc.csv"):
    path = repo.root / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


# -- import ------------------------------------------------------------------------------------


def test_import_stores_every_row(repo, url):
    rows = f"u1,privacy,2.0,{at(-90)},web\nu1,terms,1.0,{at(-90)},app\nu2,privacy,1.0,{at(-300)},api\n"
    path = write(repo, HEADER + rows)
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "3 rows imported" in result.stdout
    assert count(url) == 3


def test_importing_the_same_file_again_stores_nothing_twice(repo, url):
    path = write(repo, HEADER + f"u1,privacy,2.0,{at(-90)},web\nu2,privacy,1.0,{at(-300)},api\n")
    run("acceptances", "import", str(path))
    again = run("acceptances", "import", str(path))
    assert again.exit_code == 0 and "0 new or earlier" in again.stdout
    assert count(url) == 2


def test_a_bad_row_is_one_line_naming_the_file_and_line_and_nothing_is_imported(repo, url):
    path = write(repo, HEADER + f"u1,privacy,2.0,{at(-90)},web\nu2,privacy,2.0,{at(-90)},fax\n")
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"policywatch: error: {path}:3: source: must be one of web, app, api"]
    assert count(url) == 0


def test_an_unknown_version_in_a_file_names_its_line(repo, url):
    path = write(repo, HEADER + f"u1,privacy,7.0,{at(-90)},web\n")
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 2 and f"{path}:2: version '7.0' of privacy was never released" in result.stderr
    assert count(url) == 0


def test_a_bad_row_after_a_full_batch_still_leaves_nothing_imported(repo, url):
    good = "".join(f"u{i},privacy,2.0,{at(-90)},web\n" for i in range(2500))
    path = write(repo, HEADER + good + "u-bad,privacy,2.0,not-a-date,web\n")
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 2 and f"{path}:2502: accepted_at:" in result.stderr
    assert count(url) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file (expected the header subject,policy,version,accepted_at,source)"),
        ("email,policy\n", ":1: bad header 'email,policy'"),
        (HEADER + "u1,privacy,2.0,,web\n", ":2: accepted_at: is empty"),
        (HEADER + f"u1,privacy,2.0,{at(-90)}\n", ":2: row: 4 fields, the header has 5"),
    ],
)
def test_unreadable_files_are_one_line_errors(repo, url, text, message):
    path = write(repo, text)
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"policywatch: error: {path}") and message in line
    assert count(url) == 0


def test_a_file_that_is_not_utf8_is_refused(repo, url):
    path = repo.root / "latin1.csv"
    path.write_bytes(HEADER.encode() + f"Jos\xe9,privacy,2.0,{at(-90)},web\n".encode("latin-1"))
    result = run("acceptances", "import", str(path))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_a_missing_file_is_a_one_line_error(repo):
    result = run("acceptances", "import", "nowhere.csv")
    assert result.exit_code == 2 and result.stderr.startswith("policywatch: error: nowhere.csv: cannot read")


# -- report ------------------------------------------------------------------------------------


@pytest.fixture
def accepted(repo):
    """privacy: 2 subjects on 2.1, 1 on 2.0, 2 only on 1.0; 3.0 (material) is upcoming."""
    release(repo, "privacy", "3.0", "material", days(20), days(-1))
    rows = [
        ("a", "2.1", -40),
        ("b", "2.1", -30),
        ("c", "2.0", -90),
        ("d", "1.0", -300),
        ("e", "1.0", -200),
        ("a", "1.0", -300),
        ("f", "3.0", -1),
    ]
    text = HEADER + "".join(f"{s},privacy,{v},{at(d)},web\n" for s, v, d in rows)
    assert run("acceptances", "import", str(write(repo, text))).exit_code == 0
    return repo


def report(*args: str) -> dict:
    result = run("acceptances", "report", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_of_a_material_version_counts_who_accepted_and_who_must(accepted):
    data = report("privacy@2.0")
    assert (data["accepted"], data["must_accept"], data["not_required"]) == (4, 2, 0)
    assert data["in_force"] is True and data["effective"] == days(-100).isoformat()


def test_report_of_a_minor_version_counts_the_material_one_before_it(accepted):
    data = report("privacy@2.1")
    assert data["required_version"] == "2.0"
    assert (data["accepted"], data["must_accept"], data["not_required"]) == (3, 2, 1)


def test_report_of_an_upcoming_version_says_it_is_not_in_force(accepted):
    data = report("privacy@v3.0")
    assert data["in_force"] is False and data["effective"] == days(20).isoformat()
    assert (data["accepted"], data["must_accept"]) == (1, 5)


def test_report_as_text_says_since_when(accepted):
    result = run("acceptances", "report", "privacy@2.0")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"privacy 2.0 (material), in force since {days(-100).isoformat()}"
    assert lines[1].split() == ["accepted:", "4", "(this", "version", "or", "a", "later", "one)"]
    assert lines[2].split()[:3] == ["must", "accept:", "2"]


def test_report_as_csv_has_a_header_and_one_row(accepted):
    import csv
    import io

    result = run("acceptances", "report", "privacy@2.0", "--format", "csv")
    header, row = list(csv.reader(io.StringIO(result.stdout)))
    values = dict(zip(header, row, strict=True))
    assert (values["accepted"], values["must_accept"], values["in_force"]) == ("4", "2", "true")


def test_report_of_an_unknown_version_is_a_one_line_error(accepted):
    result = run("acceptances", "report", "privacy@8.0")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "policywatch: error: no release 'privacy@8.0' (give SLUG@VERSION; latest: privacy@3.0, terms@1.0)"
    )


def test_the_earliest_acceptance_of_a_version_is_kept_within_a_file_and_across_imports(repo, url):
    first = write(repo, HEADER + f"u1,privacy,2.0,{at(-60)},web\nu1,privacy,2.0,{at(-80)},app\n", "one.csv")
    assert run("acceptances", "import", str(first)).exit_code == 0
    second = write(repo, HEADER + f"u1,privacy,2.0,{at(-70)},api\nu1,privacy,2.0,{at(-90)},web\n", "two.csv")
    assert run("acceptances", "import", str(second)).exit_code == 0
    store = open_store(url)
    try:
        assert store.query("SELECT accepted_at, source FROM acceptances") == [
            (f"{days(-90).isoformat()}T09:00:00.000000Z", "web")
        ]
    finally:
        store.close()
