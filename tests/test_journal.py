"""The publish journal: saved whole and private, and a publish killed half-way finished or undone from it."""

from __future__ import annotations

import datetime as dt
import os
import stat

from policywatch.project import open_project
from policywatch.release.git import Git
from policywatch.release.journal import JOURNAL_FILE, Journal, JournalTag
from policywatch.release.publish import _prepare, begin, commit_files, write_files
from tests._publish_support import edit, run, snapshot


def test_a_saved_journal_is_complete_and_private_and_leaves_no_temporary_file(tmp_path):
    previous = os.umask(0)
    try:
        journal = Journal(
            id="5f0c",
            base="a" * 40,
            files={"policies/privacy.md": ["1" * 64, "2" * 64]},
            tags=[JournalTag("privacy/v2.0", 'Privacy 2.0\n\nPolicywatch-Release: {"note": "caf\\u00e9"}\n')],
        )
        journal.save(tmp_path)
        journal.commit = "b" * 40
        journal.save(tmp_path)
    finally:
        os.umask(previous)
    state = tmp_path / ".policywatch"
    assert Journal.load(tmp_path) == journal
    assert stat.S_IMODE((state / JOURNAL_FILE).stat().st_mode) == 0o600
    assert sorted(p.name for p in state.iterdir()) == [".gitignore", JOURNAL_FILE]


def interrupted(repo, stage):
    """Run a publish up to ``stage`` and stop there, as a killed process would."""
    project = open_project(repo.root)
    git = Git(repo.root)
    plan = _prepare(project, git, None, dt.date(2024, 3, 15), None)
    journal = begin(project, git, plan)
    write_files(project, plan)
    if stage == "committed":
        commit_files(project, git, plan, journal)
    return journal


def test_a_publish_killed_after_its_commit_gets_its_tags_on_the_next_run(changed):
    interrupted(changed, "committed")
    publish_commit = changed.head()
    assert "privacy/v2.0" not in changed.git("tag")
    result = run("publish", "--yes")
    assert "completed an interrupted publish: created privacy/v2.0" in result.output
    assert changed.git("rev-parse", "privacy/v2.0^{commit}") == publish_commit
    assert Journal.load(changed.root) is None


def test_a_publish_killed_after_its_commit_is_found_even_when_the_journal_missed_the_commit(changed):
    journal = interrupted(changed, "committed")
    journal.commit = None
    journal.save(changed.root)
    result = run("publish", "--yes")
    assert "created privacy/v2.0" in result.output


def test_a_publish_killed_before_its_commit_is_rolled_back_and_then_runs_again(changed):
    head = changed.head()
    interrupted(changed, "written")
    assert changed.git("status", "--porcelain") != ""
    result = run("publish", "--yes", "--date", "2024-03-20")
    assert "rolled back an interrupted publish" in result.output
    assert changed.git("rev-parse", "HEAD~1") == head
    assert "effective: 2024-04-19" in changed.read("policies/privacy.md")


def test_a_failed_commit_puts_the_files_back_and_leaves_no_journal(changed, monkeypatch):
    changed.git("config", "--unset", "user.name")
    changed.git("config", "--unset", "user.email")
    changed.git("config", "user.useConfigOnly", "true")
    monkeypatch.setenv("HOME", str(changed.root.parent))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    before = snapshot(changed)
    result = run("publish", "--yes")
    assert result.exit_code == 2
    assert "git commit failed" in result.stderr
    assert snapshot(changed) == before
    assert Journal.load(changed.root) is None


def test_a_publish_killed_between_two_tags_creates_only_the_missing_one(changed):
    from policywatch.release.journal import create_tag

    edit(changed, "terms", "You may cancel at any time.", "You may cancel at any time!")
    changed.commit("Exclaim")
    journal = interrupted(changed, "committed")
    first = journal.tags[0]
    create_tag(Git(changed.root), first.name, first.message, journal.commit)
    result = run("publish", "--yes")
    assert f"created {journal.tags[1].name}" in result.output
    assert {"privacy/v2.0", "terms/v1.1"} <= set(changed.git("tag").split())


def test_check_warns_about_an_interrupted_publish(changed):
    interrupted(changed, "committed")
    result = run("check")
    assert "warning: (publish): a publish was interrupted" in result.output
