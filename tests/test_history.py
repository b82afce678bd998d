"""History on real repositories: revisions, renames, text at a revision, tags, odd states."""

import pytest

from policywatch import history
from policywatch.errors import HistoryError, NotARepository
from tests.conftest import new_git_project


def test_revisions_are_newest_first_with_their_subjects(empty_repo):
    empty_repo.commit("Add privacy policy", {"policies/privacy.md": "# Privacy\n\nv1\n"})
    empty_repo.commit("Unrelated", {"README.md": "hello\n"})
    empty_repo.commit("Clarify retention", {"policies/privacy.md": "# Privacy\n\nv2\n"})
    repo = history.open_repo(empty_repo.root)
    revs = history.file_revisions(repo, "policies/privacy.md")
    assert [r.subject for r in revs] == ["Clarify retention", "Add privacy policy"]
    assert [r.status for r in revs] == ["M", "A"]


def test_revisions_follow_a_rename(empty_repo):
    text = "# Privacy\n\n" + "We collect your email address to send receipts.\n" * 5
    empty_repo.commit("Add", {"policies/privacy-policy.md": text})
    empty_repo.git("mv", "policies/privacy-policy.md", "policies/privacy.md")
    empty_repo.commit("Rename to a shorter slug")
    empty_repo.commit("Edit", {"policies/privacy.md": text + "New paragraph.\n"})
    repo = history.open_repo(empty_repo.root)
    revs = history.file_revisions(repo, "policies/privacy.md")
    assert [r.subject for r in revs] == ["Edit", "Rename to a shorter slug", "Add"]
    assert revs[-1].path == "policies/privacy-policy.md"
    assert revs[1].status == "R"
    assert history.read_at(repo, revs[-1].commit, revs[-1].path).decode() == text


def test_an_empty_repository_has_no_revisions_and_no_tags(empty_repo):
    repo = history.open_repo(empty_repo.root)
    assert not history.has_commits(repo)
    assert history.file_revisions(repo, "policies/privacy.md") == []
    assert history.list_tags(repo) == []


def test_read_at_names_the_missing_file(policy_repo):
    repo = history.open_repo(policy_repo.root)
    with pytest.raises(HistoryError, match="policies/nope.md does not exist at HEAD"):
        history.read_at(repo, "HEAD", "policies/nope.md")


def test_read_at_names_an_unknown_revision(policy_repo):
    repo = history.open_repo(policy_repo.root)
    with pytest.raises(HistoryError, match="unknown revision 'v9'"):
        history.read_at(repo, "v9", "policies/zepp-privacy.md")


def test_history_works_on_a_detached_head(policy_repo):
    first = policy_repo.head()
    policy_repo.commit("Edit", {"policies/zepp-privacy.md": policy_repo.read("policies/zepp-privacy.md") + "\nMore.\n"})
    policy_repo.git("checkout", "-q", "--detach", first)
    repo = history.open_repo(policy_repo.root)
    assert [r.commit for r in history.file_revisions(repo, "policies/zepp-privacy.md")] == [first]


def test_a_shallow_clone_is_recognised_and_missing_commits_are_explained(policy_repo, tmp_path):
    policy_repo.commit("Second", {"policies/zepp-privacy.md": "---\ntitle: Z\n---\nchanged\n"})
    old = policy_repo.git("rev-parse", "HEAD~1")
    clone = tmp_path / "shallow"
    policy_repo.git("clone", "-q", "--depth", "1", f"file://{policy_repo.root}", str(clone))
    repo = history.open_repo(clone)
    assert history.is_shallow(repo)
    assert len(history.file_revisions(repo, "policies/zepp-privacy.md")) == 1
    with pytest.raises(HistoryError, match="shallow clone"):
        history.read_at(repo, old, "policies/zepp-privacy.md")


def test_release_tags_are_found_and_ordered_by_version(policy_repo):
    for version in ("1.0", "1.9", "1.10", "2.0"):
        policy_repo.tag(f"zepp-privacy/v{version}", message=f"release {version}")
    policy_repo.tag("fitbit-store-privacy/v1.0", message="other policy")
    policy_repo.tag("zepp-privacy/v3.0")  # lightweight tags count too
    repo = history.open_repo(policy_repo.root)
    found = history.release_tags(repo, "{slug}/v{version}", "zepp-privacy")
    assert [v for v, _ in found] == ["1.0", "1.9", "1.10", "2.0", "3.0"]
    assert found[0][1].annotated and found[0][1].message == "release 1.0"
    assert not found[-1][1].annotated
    assert all(tag.commit == policy_repo.head() for _, tag in found)


def test_a_custom_tag_format_is_honoured(policy_repo):
    policy_repo.tag("policies-zepp-privacy-2.1", message="x")
    repo = history.open_repo(policy_repo.root)
    assert [v for v, _ in history.release_tags(repo, "policies-{slug}-{version}", "zepp-privacy")] == ["2.1"]


def test_a_folder_outside_git_is_not_a_repository(tmp_path):
    with pytest.raises(NotARepository, match="not a git repository"):
        history.open_repo(tmp_path)


def test_revisions_of_a_file_that_never_existed_are_empty(tmp_path):
    project = new_git_project(tmp_path / "r")
    project.commit("init", {"a.txt": "a"})
    assert history.file_revisions(history.open_repo(project.root), "policies/x.md") == []
