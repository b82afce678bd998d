"""Bad policy files through the real CLI in a real repository: one line naming the file, exit 2, no traceback."""

from __future__ import annotations

import pytest

from tests._git_support import new_git_project
from tests._publish_support import PRIVACY, TERMS, run

BAD = [
    pytest.param("---\ntitle: T\neffective: 2024-02-30\n---\nbody\n", "policies/bad.md:3:", id="feb-30"),
    pytest.param("---\ntitle: T\neffective: 0000-01-01\n---\nbody\n", "policies/bad.md:3:", id="year-0"),
    pytest.param("# T\n\nLast updated: 0000-01-01\n", "policies/bad.md:3:", id="body-year-0"),
    pytest.param(b"# Caf\xe9\n", "policies/bad.md:1: is not valid UTF-8", id="not-utf8"),
    pytest.param("---\ntitle: T\n\tversion: 1.0\n---\nbody\n", "policies/bad.md:3:", id="tab"),
    pytest.param("---\n- a\n- b\n---\nbody\n", "policies/bad.md:2: front matter must be a mapping", id="list"),
    pytest.param("---\nhello\n---\nbody\n", "policies/bad.md:2: front matter must be a mapping", id="scalar"),
    pytest.param("---\ntitle: " + "[" * 5000 + "\n---\nbody\n", "policies/bad.md:2: front matter is nested", id="bomb"),
    pytest.param("---\ntitle: a\ntitle: b\n---\nbody\n", "policies/bad.md:3: front matter key 'title'", id="dup"),
    pytest.param(
        "# T\n\nEffective date: 03/04/2024\n", "policies/bad.md:3: Effective date line: '03/04/2024'", id="ambig"
    ),
    pytest.param("---\ntitle: [a, b]\n---\nbody\n", "policies/bad.md:2: front matter 'title'", id="title-list"),
    pytest.param("---\ntitle: T\nversion: 1.0\n", "policies/bad.md:1: front matter starts", id="unclosed"),
]


def _repo(tmp_path, bad: str | bytes, config: str | None = None):
    files: dict[str, str | bytes] = {"policies/privacy.md": PRIVACY, "policies/terms.md": TERMS, "policies/bad.md": bad}
    if config is not None:
        files["policywatch.toml"] = config
    repo = new_git_project(tmp_path / "repo")
    repo.commit("Add policies", files)
    return repo


def _one_line(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(f"policywatch: error: {expected}"), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["check", "status", "publish"])
@pytest.mark.parametrize(("bad", "expected"), BAD)
def test_a_bad_policy_file_is_one_line_and_exit_2(tmp_path, in_repo, command, bad, expected):
    repo = in_repo(_repo(tmp_path, bad))
    head = repo.head()
    args = [command, "--yes"] if command == "publish" else [command]
    _one_line(run(*args), expected)
    assert repo.head() == head and repo.git("tag") == ""


@pytest.mark.parametrize("command", ["check", "status", "publish"])
def test_a_symlinked_policy_is_refused_naming_the_link(tmp_path, in_repo, command):
    outside = tmp_path / "outside.md"
    outside.write_text("# Somewhere else\n", encoding="utf-8")
    repo = new_git_project(tmp_path / "repo")
    (repo.root / "policies").mkdir()
    (repo.root / "policies" / "linked.md").symlink_to(outside)
    repo.commit("Add policies", {"policies/privacy.md": PRIVACY})
    in_repo(repo)
    args = [command, "--yes"] if command == "publish" else [command]
    _one_line(run(*args), "policies/linked.md: is a symbolic link")


@pytest.mark.parametrize("command", ["check", "status"])
def test_a_symlinked_policies_folder_is_refused(tmp_path, in_repo, command):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "privacy.md").write_text(PRIVACY, encoding="utf-8")
    repo = new_git_project(tmp_path / "repo")
    (repo.root / "policies").symlink_to(outside)
    repo.commit("Link the policies")
    in_repo(repo)
    _one_line(run(command), "policies/: is a symbolic link")


@pytest.mark.parametrize(("order", "iso"), [("dmy", "2024-04-03"), ("mdy", "2024-03-04")])
def test_the_configured_date_order_reads_numeric_dates(tmp_path, in_repo, order, iso):
    repo = in_repo(_repo(tmp_path, "# T\n\nLast updated: 03/04/2024\n\nText.\n", f'date_order = "{order}"\n'))
    result = run("publish", "--yes")
    assert result.exit_code == 0, result.output
    assert f"\nupdated: {iso}\n" in repo.read("policies/bad.md")


def test_publish_writes_a_numeric_date_back_in_the_configured_order(tmp_path, in_repo):
    repo = in_repo(_repo(tmp_path, "# T\n\nLast updated: 03/04/2024\n\nText.\n", 'date_order = "dmy"\n'))
    assert run("publish", "--yes", "--date", "2024-04-03").exit_code == 0
    repo.commit("Reword", {"policies/bad.md": repo.read("policies/bad.md").replace("Text.", "Text!")})
    result = run("publish", "--yes", "--date", "2025-01-05")
    assert result.exit_code == 0, result.output
    assert "\nLast updated: 05/01/2025\n" in repo.read("policies/bad.md")


def test_publish_refuses_to_write_an_ambiguous_date_without_a_date_order(tmp_path, in_repo):
    repo = in_repo(_repo(tmp_path, "# T\n\nLast updated: 25/12/2024\n\nText.\n"))
    assert run("publish", "--yes", "--date", "2024-12-25").exit_code == 0
    repo.commit("Reword", {"policies/bad.md": repo.read("policies/bad.md").replace("Text.", "Text!")})
    head = repo.head()
    _one_line(run("publish", "--yes", "--date", "2025-01-05"), "policies/bad.md:")
    assert repo.head() == head


def test_publish_of_a_cr_only_policy_keeps_one_front_matter_and_its_line_ends(tmp_path, in_repo):
    cr_policy = PRIVACY.replace("\n", "\r")
    repo = new_git_project(tmp_path / "repo")
    repo.commit("Add policies", {"policies/privacy.md": cr_policy})
    in_repo(repo)
    result = run("publish", "--yes")
    assert result.exit_code == 0, result.output
    text = (repo.root / "policies" / "privacy.md").read_bytes().decode("utf-8")
    assert text.count("---") == 2 and "\n" not in text
    assert run("check").exit_code == 0
