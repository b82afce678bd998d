"""History on real repositories: revisions, renames, text at a revision, tags, odd states."""

import datetime as dt

import pytest

from policywatch.errors import HistoryError, NotARepository
from policywatch.project import open_project
from policywatch.release import history
from policywatch.release.record import Release, tag_message
from tests._git_support import new_git_project


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


def _record_tag(project, slug: str, version: str, tag_format: str = "{slug}/v{version}") -> str:
    name = tag_format.replace("{slug}", slug).replace("{version}", version)
    day = dt.date(2024, 3, 1)
    record = Release(slug, slug.title(), f"policies/{slug}.md", version, None, "initial", day, day, day, name)
    project.tag(name, tag_message(record))
    return name


def test_releases_reachable_are_ordered_by_version_with_their_records(policy_repo):
    for version in ("1.0", "1.9", "1.10", "2.0"):
        _record_tag(policy_repo, "zepp-privacy", version)
    _record_tag(policy_repo, "fitbit-store-privacy", "1.0")
    found = history.releases_reachable(open_project(policy_repo.root))
    assert [r.version for r in found.of("zepp-privacy")] == ["1.0", "1.9", "1.10", "2.0"]
    assert found.last("zepp-privacy").record.tag == "zepp-privacy/v2.0"
    assert all(r.commit == policy_repo.head() for r in found.of("zepp-privacy"))
    assert [r.tag for r in found.of("fitbit-store-privacy")] == ["fitbit-store-privacy/v1.0"]
    assert found.rejected == ()


def test_a_custom_tag_format_is_honoured(policy_repo):
    policy_repo.write("policywatch.toml", 'tag_format = "policies-{slug}-{version}"\n')
    _record_tag(policy_repo, "zepp-privacy", "2.1", "policies-{slug}-{version}")
    found = history.releases_reachable(open_project(policy_repo.root))
    assert [r.tag for r in found.of("zepp-privacy")] == ["policies-zepp-privacy-2.1"]


def test_a_release_tagged_only_on_another_branch_is_not_reachable_from_main(policy_repo):
    _record_tag(policy_repo, "zepp-privacy", "1.0")
    policy_repo.git("checkout", "-q", "-b", "draft")
    policy_repo.commit("Draft", {"README.md": "draft\n"})
    _record_tag(policy_repo, "zepp-privacy", "2.0")
    policy_repo.git("checkout", "-q", "main")
    project = open_project(policy_repo.root)
    assert history.releases_reachable(project).last("zepp-privacy").version == "1.0"
    assert history.releases_reachable(project, "draft").last("zepp-privacy").version == "2.0"


def test_a_lightweight_release_tag_is_rejected_with_its_reason(policy_repo):
    _record_tag(policy_repo, "zepp-privacy", "1.0")
    policy_repo.tag("zepp-privacy/v3.0")
    found = history.releases_reachable(open_project(policy_repo.root))
    assert found.last("zepp-privacy").version == "1.0"
    assert found.warnings == ["ignoring tag zepp-privacy/v3.0: it is a lightweight tag, with no release record"]


def test_a_tag_whose_record_names_another_policy_is_rejected_under_the_policy_its_name_gives(policy_repo):
    day = dt.date(2024, 3, 1)
    record = Release("terms", "T", "policies/terms.md", "4.0", None, "initial", day, day, day, "terms/v4.0")
    policy_repo.tag("zepp-privacy/v4.0", tag_message(record))
    found = history.releases_reachable(open_project(policy_repo.root))
    [rejected] = found.rejected_of("zepp-privacy")
    assert rejected.reason == 'its release record is for policy "terms", not zepp-privacy'
    assert found.of("zepp-privacy") == () and found.of("terms") == ()


def test_tags_are_read_whole_whatever_separators_their_messages_hold(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    repo.commit("One", {"a.md": "1\n"})
    repo.tag("first", "one\x1e\x1ftwo\u2028three")
    repo.tag("second", "plain")
    tags = history.list_tags(history.open_repo(repo.root))
    assert [(t.name, t.message) for t in tags] == [("first", "one\x1e\x1ftwo\u2028three"), ("second", "plain")]


def test_a_folder_outside_git_is_not_a_repository(tmp_path):
    with pytest.raises(NotARepository, match="not a git repository"):
        history.open_repo(tmp_path)


def test_revisions_of_a_file_that_never_existed_are_empty(tmp_path):
    project = new_git_project(tmp_path / "r")
    project.commit("init", {"a.txt": "a"})
    assert history.file_revisions(history.open_repo(project.root), "policies/x.md") == []
