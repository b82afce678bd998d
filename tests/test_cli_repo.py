"""The repository commands as a user runs them: init, log, show, and their errors (status: test_status.py)."""

import json
import subprocess
import sys

import pytest

from policywatch.cli import app
from tests._publish_support import assert_one_line_error, run, runner, tag_release

# -- init -----------------------------------------------------------------------------------


def test_init_creates_git_repo_config_policies_folder_and_ignore_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".git").is_dir()
    assert (tmp_path / "policywatch.toml").is_file()
    assert (tmp_path / "policies").is_dir()
    assert "/.policywatch/" in (tmp_path / ".gitignore").read_text().splitlines()


def test_init_twice_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("init")
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = run("init")
    assert result.exit_code == 0
    assert "created" not in result.output
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_init_keeps_an_existing_gitignore(empty_repo, in_repo):
    in_repo(empty_repo)
    empty_repo.write(".gitignore", "node_modules/")
    run("init")
    assert (empty_repo.root / ".gitignore").read_text().splitlines()[0] == "node_modules/"


def test_init_in_a_subfolder_sets_up_the_enclosing_repository(empty_repo, monkeypatch):
    (empty_repo.root / "docs").mkdir()
    monkeypatch.chdir(empty_repo.root / "docs")
    run("init")
    assert (empty_repo.root / "policywatch.toml").is_file()
    assert not (empty_repo.root / "docs" / ".git").exists()


# -- log and show ---------------------------------------------------------------------------


def test_log_shows_commits_with_their_release_tags(policy_repo, in_repo):
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    text = policy_repo.read("policies/zepp-privacy.md")
    policy_repo.commit("Add a clause on retention", {"policies/zepp-privacy.md": text + "\nWe keep logs 30 days.\n"})
    lines = run("log", "zepp-privacy").stdout.splitlines()
    assert "Add a clause on retention" in lines[0]
    assert "Add privacy policies" in lines[1] and "[zepp-privacy/v1.0]" in lines[1]


def test_log_json_lists_releases(policy_repo, in_repo):
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    data = json.loads(run("log", "zepp-privacy", "--format", "json").stdout)
    assert [r["version"] for r in data["releases"]] == ["1.0"]
    assert data["commits"][0]["subject"] == "Add privacy policies"


def test_show_prints_the_working_copy_and_a_released_version(policy_repo, in_repo):
    in_repo(policy_repo)
    released = policy_repo.read("policies/zepp-privacy.md")
    tag_release(policy_repo, "zepp-privacy")
    policy_repo.commit("Edit", {"policies/zepp-privacy.md": released.replace("do not sell", "may sell")})
    assert run("show", "zepp-privacy@1.0").stdout == released
    assert "may sell" in run("show", "zepp-privacy").stdout
    assert run("show", "zepp-privacy@HEAD~1").stdout == released


def test_show_an_unknown_version_lists_the_known_ones(policy_repo, in_repo):
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    assert_one_line_error(run("show", "zepp-privacy@7.0"), "no version or revision '7.0'", "1.0")


# -- bad input ------------------------------------------------------------------------------


def test_a_slug_with_a_path_separator_is_refused(policy_repo, in_repo):
    in_repo(policy_repo)
    assert_one_line_error(run("show", "../etc/passwd"), "not a policy slug")


def test_an_unknown_slug_names_the_known_ones(policy_repo, in_repo):
    in_repo(policy_repo)
    assert_one_line_error(run("log", "cookies"), "no policy 'cookies'", "zepp-privacy")


def test_a_missing_policies_folder_is_explained(empty_repo, in_repo):
    in_repo(empty_repo)
    assert_one_line_error(run("status"), "policies/: policies folder not found")


def test_outside_a_git_repository_is_explained(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(run("status"), "not inside a git repository")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("---\ntitle: [unclosed\n---\n", ("policies/broken.md:", "malformed front matter")),
        ("---\n- just\n- a list\n---\n", ("policies/broken.md:2", "must be a mapping")),
        ("---\neffective: 2024-02-30\n---\n", ("policies/broken.md:2", "2024-02-30")),
        ("# T\n\nEffective Date: February 30, 2024\n", ("policies/broken.md:3", "February 30, 2024")),
        ("# Confidentialit\xe9\n".encode("latin-1"), ("policies/broken.md:1", "not valid UTF-8")),
        (b"\x00\x01\x02binary", ("policies/broken.md", "binary file")),
    ],
)
def test_a_bad_policy_file_gets_one_line_naming_it_and_changes_nothing(policy_repo, in_repo, content, fragments):
    in_repo(policy_repo)
    path = policy_repo.write("policies/broken.md", content)
    before = path.read_bytes()
    assert_one_line_error(run("status"), *fragments)
    assert path.read_bytes() == before


def test_invalid_config_names_the_key(policy_repo, in_repo):
    in_repo(policy_repo)
    policy_repo.write("policywatch.toml", "notice_days = -5\n")
    assert_one_line_error(run("status"), "policywatch.toml: notice_days")


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match="not inside a git repository"):
        runner.invoke(app, ["--debug", "status"], catch_exceptions=False)


def test_the_module_entry_point_and_version(tmp_path):
    out = subprocess.run([sys.executable, "-m", "policywatch", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.startswith("policywatch ")
