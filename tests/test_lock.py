"""The publish lock and journal: one publish at a time, and recovery after a crash."""

import datetime as dt
import threading
import time

import pytest

from policywatch.errors import PublishLocked
from policywatch.project import open_project
from policywatch.release.git import Git
from policywatch.release.journal import Journal
from policywatch.release.lock import publish_lock
from policywatch.release.publish import _prepare, begin, commit_files, publish, write_files
from tests._publish_support import edit, run, snapshot


def test_a_second_publish_fails_cleanly_while_another_holds_the_lock(changed):
    project = open_project(changed.root)
    before = snapshot(changed)
    with publish_lock(changed.root), pytest.raises(PublishLocked, match="another publish is running"):
        publish(project, date=dt.date(2024, 3, 15), lock_wait=0.2)
    assert snapshot(changed) == before


def test_a_second_publish_waits_for_the_first_to_finish(changed):
    project = open_project(changed.root)
    held = threading.Event()

    def hold():
        with publish_lock(changed.root):
            held.set()
            time.sleep(0.3)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    result = publish(project, date=dt.date(2024, 3, 15), lock_wait=10)
    thread.join()
    assert [r.tag for r in result.releases] == ["privacy/v2.0"]


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


def test_a_dry_run_writes_no_lock_or_journal(changed):
    run("publish", "--dry-run")
    assert not (changed.root / ".policywatch").exists()


def test_the_state_folder_ignores_itself(changed):
    run("publish", "--yes")
    assert (changed.root / ".policywatch").is_dir()
    assert changed.git("status", "--porcelain") == ""


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
