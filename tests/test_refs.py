"""Policy files whose names cannot name a release tag are refused, by git's own rules, before anything is written."""

from __future__ import annotations

import subprocess

import pytest

from policywatch.refs import tag_name_problem
from tests._publish_support import PRIVACY, run, small_repo

BAD_FILES = [
    "foo bar.md",
    "-rf.md",
    "a..b.md",
    "x.lock.md",
    "a~1.md",
    "what?.md",
    "a:b.md",
    "a^b.md",
    "star*.md",
    "br[ack.md",
    "back\\slash.md",
    "at@{1}.md",
]


@pytest.mark.parametrize("name", BAD_FILES)
def test_check_refuses_a_policy_file_name_that_cannot_name_a_tag(tmp_path, in_repo, name):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Add a policy", {f"policies/{name}": PRIVACY})
    result = run("check")
    assert result.exit_code == 2
    assert f"policies/{name}: this file name cannot name a release tag" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["check", "publish"])
def test_a_committed_file_name_holding_a_line_break_is_named_not_skipped(tmp_path, in_repo, command):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Add a policy", {"policies/new\nline.md": PRIVACY})
    result = run(command, *(["--yes", "--no-notify"] if command == "publish" else []))
    assert result.exit_code == 2
    assert "policies/new\\x0aline.md: this file name cannot name a release tag" in result.stderr


def test_status_refuses_a_policy_file_name_that_cannot_name_a_tag(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.write("policies/foo bar.md", PRIVACY)
    result = run("status")
    assert result.exit_code == 2
    assert "policies/foo bar.md: this file name cannot name a release tag" in result.stderr


def test_publish_refuses_a_bad_file_name_before_any_commit_or_tag(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Add a policy", {"policies/-rf.md": PRIVACY})
    before = (repo.head(), repo.git("tag"))
    result = run("publish", "--yes", "--no-notify")
    assert result.exit_code == 2
    assert "policies/-rf.md: this file name cannot name a release tag ('-rf/v1.0': it starts with '-')" in (
        result.stderr
    )
    assert (repo.head(), repo.git("tag")) == before
    assert not (repo.root / ".policywatch" / "publish-journal.json").exists()


def test_publish_refuses_a_version_that_cannot_name_a_tag(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Odd version", {"policies/privacy.md": PRIVACY.replace('version: "1.0"', 'version: "0.9.lock"')})
    before = (repo.head(), repo.git("tag"))
    result = run("publish", "--yes", "--no-notify")
    assert result.exit_code == 2
    assert "policies/privacy.md: version 0.9.lock cannot be released" in result.stderr
    assert (repo.head(), repo.git("tag")) == before


def test_a_dash_revision_is_not_read_as_an_option(tmp_path, in_repo):
    in_repo(small_repo(tmp_path))
    result = run("check", "--against", "--output=x")
    assert result.exit_code == 2
    assert "unknown revision '--output=x'" in result.stderr


TAG_NAMES = [
    "privacy/v1.0",
    "foo bar/v1",
    "-rf/v1",
    "a..b/v1",
    "x.lock/v1",
    "a~1/v1",
    "a^/v1",
    "a:b/v1",
    "a?/v1",
    "a*/v1",
    "a[/v1",
    "a\\b/v1",
    "a@{1}/v1",
    "@",
    "a/.hidden",
    ".a/v1",
    "a./v1.",
    "a//b",
    "/a",
    "a/",
    "a\x01b",
    "a\x7fb",
    "datenschutzerklärung/v1.0",
    "a@b/v1",
    "a.b-c_d/v2.3.1",
    "x.lockx/v1",
    "a/b.lock",
    "@/v1",
    "a{b}/v1",
]


@pytest.mark.parametrize("name", TAG_NAMES)
def test_tag_names_are_judged_as_git_judges_them(name):
    refused_by_git = subprocess.run(["git", "check-ref-format", f"refs/tags/{name}"], capture_output=True).returncode
    refused_by_git = refused_by_git != 0 or name.startswith("-")  # `git tag` also refuses a leading '-'
    assert (tag_name_problem(name) is not None) == refused_by_git
