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


def test_file_modes_list_the_folder_as_git_ls_tree_does(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    files = {"policies/a b.md": "a\n", "policies/datenschutz-ü.md": "ü\n", "policies/sub/c.md": "c\n", "x.md": "x\n"}
    repo.commit("Add", files)
    (repo.root / "policies" / "link.md").symlink_to("a b.md")
    (repo.root / "policies" / "run.sh").write_text("#!/bin/sh\n")
    (repo.root / "policies" / "run.sh").chmod(0o755)
    repo.git("add", "-A")
    head = repo.commit("Link and script")
    listed = repo.git("-c", "core.quotePath=false", "ls-tree", head, "--", "policies/").splitlines()
    expected = {line.split("\t")[1]: line.split(" ")[0] for line in listed}
    modes = Git(repo.root).file_modes(head, "policies/")
    assert modes == expected
    assert modes["policies/link.md"] == "120000" and modes["policies/sub"] == "040000"


def test_file_modes_of_a_missing_folder_or_a_file_are_empty(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    head = repo.commit("Add", {"policies/a.md": "a\n"})
    git = Git(repo.root)
    assert git.file_modes(head, "nowhere") == {}
    assert git.file_modes(head, "policies/a.md") == {}


def test_one_git_reads_many_objects_through_one_session_and_closes_it(tmp_path):
    repo = new_git_project(tmp_path / "repo")
    head = repo.commit("Add", {"policies/a.md": "alpha\n"})
    git = Git(repo.root)
    assert git.read_blobs([f"{head}:policies/a.md"]) == {f"{head}:policies/a.md": b"alpha\n"}
    session = git._batch
    assert git.file_modes(head, "policies") == {"policies/a.md": "100644"}
    assert git._batch is session and session.poll() is None
    git.close()
    assert session.returncode == 0


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
