"""What publish refuses (exit 2, nothing written), one publish at a time, and recovery after a crash."""

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
from tests._publish_support import MATERIAL_EDIT, edit, released_repo, run


def snapshot(repo):
    return repo.head(), repo.git("tag"), repo.git("status", "--porcelain"), repo.read("policies/privacy.md")


def assert_refused(result, repo, before, *fragments):
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("policywatch: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert snapshot(repo) == before


@pytest.fixture
def changed(tmp_path, in_repo):
    """Released at 1.0, then a committed material edit of privacy."""
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    return repo


def test_uncommitted_edits_to_a_policy_file_are_refused(changed):
    edit(changed, "terms", "You may cancel", "You may not cancel")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "policies/terms.md: uncommitted edits")


def test_an_untracked_policy_file_is_refused(changed):
    changed.write("policies/cookies.md", "# Cookies\n")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "policies/cookies.md: uncommitted edits")


def test_an_effective_date_moved_back_by_hand_is_refused(changed):
    edit(changed, "privacy", "effective: 2024-03-01", "effective: 2024-01-01")
    changed.commit("Backdate")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "effective date 2024-01-01 is earlier than 2024-03-01")


def test_an_existing_tag_is_refused(changed):
    changed.git("checkout", "-q", "-b", "side", "HEAD~1")
    edit(changed, "privacy", "We will not sell", "We shall never sell")
    changed.commit("Released on another branch")
    changed.tag("privacy/v2.0", "made elsewhere")
    changed.git("checkout", "-q", "main")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "tag privacy/v2.0 already exists")


def test_a_repository_in_the_middle_of_a_merge_is_refused(changed):
    changed.git("checkout", "-q", "-b", "other", "HEAD~1")
    edit(changed, "terms", "You may cancel", "You can cancel")
    changed.commit("Other edit")
    changed.git("checkout", "-q", "main")
    edit(changed, "terms", "You may cancel", "You cannot cancel")
    changed.commit("Conflicting edit")
    changed.git("merge", "other", check=False)
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "in the middle of a merge")


def test_a_repository_in_the_middle_of_a_rebase_is_refused(changed):
    changed.git("checkout", "-q", "-b", "other", "HEAD~1")
    edit(changed, "privacy", "We will not sell", "We shall never sell")
    changed.commit("Conflicting edit")
    changed.git("rebase", "main", check=False)
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "in the middle of a rebase")


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


def test_a_publication_date_before_the_last_publication_is_refused(changed):
    run("publish", "--yes", "--date", "2024-03-15")
    edit(changed, "terms", "You may cancel at any time.", "You may cancel at any time!")
    changed.commit("Exclaim")
    edit(changed, "privacy", "We collect your email address", "We collect your email address and phone number")
    changed.commit("Collect phone numbers")
    before = snapshot(changed)
    assert_refused(
        run("publish", "--yes", "--date", "2024-03-10"),
        changed,
        before,
        "publication date 2024-03-10 is before 2024-03-15, when privacy/v2.0 was published",
    )


def test_a_backdated_effective_date_alone_is_refused_not_nothing_to_publish(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "terms", "effective: 2024-03-01", "effective: 2023-12-01")
    repo.commit("Backdate terms")
    assert run("check").exit_code == 1
    assert_refused(
        run("publish", "--yes"),
        repo,
        snapshot(repo),
        "policies/terms.md: effective date 2023-12-01 is earlier than 2024-03-01",
    )


def test_a_lowered_version_alone_is_refused_not_nothing_to_publish(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "terms", 'version: "1.0"', 'version: "0.9"')
    repo.commit("Lower the version")
    assert run("check").exit_code == 1
    assert_refused(run("publish", "--yes"), repo, snapshot(repo), "policies/terms.md: version 0.9 is lower than 1.0")


def test_a_publication_date_whose_notice_ends_after_year_9999_is_one_line(changed):
    assert_refused(
        run("publish", "--yes", "--date", "9999-12-15"),
        changed,
        snapshot(changed),
        "policies/privacy.md: publication date 9999-12-15 plus notice_days 30 is past 9999-12-31",
    )


def test_a_huge_notice_period_is_one_line(changed):
    changed.commit("Huge notice period", {"policywatch.toml": "notice_days = 100000000000\n"})
    assert_refused(run("publish", "--yes"), changed, snapshot(changed), "notice_days 100000000000")


def test_an_emptied_policy_is_refused_by_publish_and_check(changed):
    body_start = changed.read("policies/terms.md").index("# Terms")
    changed.commit("Empty terms", {"policies/terms.md": changed.read("policies/terms.md")[:body_start]})
    assert_refused(run("publish", "--yes"), changed, snapshot(changed), "policies/terms.md: the policy has no text")
    result = run("check")
    assert result.exit_code == 2 and "git rm policies/terms.md" in result.stderr


def test_a_policy_left_with_only_its_heading_and_date_line_is_empty(changed):
    text = '---\ntitle: Terms\nversion: "1.0"\n---\n# Terms of Service\n\nLast updated: 1 March 2024\n'
    changed.commit("Strip terms", {"policies/terms.md": text})
    result = run("check")
    assert result.exit_code == 2 and "policies/terms.md: the policy has no text" in result.stderr
