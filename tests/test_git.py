"""The plain-git reader behind check: blobs in one batch, tags with their messages, repository states."""

from policywatch.release.git import Git
from tests._git_support import new_git_project


def test_read_blobs_returns_files_and_none_for_missing_paths_and_folders(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    head = repo.commit("Add", {"policies/a.md": "alpha\n", "policies/b.md": "beta\n"})
    blobs = Git(repo.root).read_blobs(
        [f"{head}:policies/a.md", f"{head}:policies", "HEAD:nope.md", "HEAD:policies/b.md"]
    )
    assert blobs == {
        f"{head}:policies/a.md": b"alpha\n",
        f"{head}:policies": None,
        "HEAD:nope.md": None,
        "HEAD:policies/b.md": b"beta\n",
    }


def test_tags_merged_into_a_commit_leave_out_tags_on_other_branches(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    repo.commit("One", {"a.md": "1\n"})
    repo.tag("on-main", "annotated on main")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("Two", {"a.md": "2\n"})
    repo.tag("on-side")
    git = Git(repo.root)
    assert {t.name for t in git.tags()} == {"on-main", "on-side"}
    assert [(t.name, t.message, t.annotated) for t in git.tags(merged="main")] == [
        ("on-main", "annotated on main", True)
    ]


def test_dirty_paths_lists_modified_and_untracked_files_under_the_folders_asked_for(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    repo.commit("Add", {"policies/a.md": "alpha\n", "README.md": "r\n"})
    repo.write("policies/a.md", "changed\n")
    repo.write("policies/new.md", "new\n")
    repo.write("README.md", "changed\n")
    assert sorted(Git(repo.root).dirty_paths(["policies"])) == ["policies/a.md", "policies/new.md"]


def test_a_tag_message_holding_separators_and_nul_cannot_shift_another_tags_fields(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    repo.commit("One", {"a.md": "1\n"})
    repo.git("tag", "-a", "a-first", "-m", "x\x1ey\x1fz\u2028w")
    repo.tag("b-second", "plain")
    tags = Git(repo.root).tags()
    assert [(t.name, t.message, t.annotated) for t in tags] == [
        ("a-first", "x\x1ey\x1fz\u2028w", True),
        ("b-second", "plain", True),
    ]
