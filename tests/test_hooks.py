"""The pre-push hook on real repositories with a bare remote: a material edit blocks the push."""

import os
import stat
import subprocess

import pytest

from policywatch.release.hooks import MARKER
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run


@pytest.fixture
def pushing(tmp_path, in_repo):
    """Two released policies, a bare remote that has them, and the hook installed."""
    repo = in_repo(released_repo(tmp_path))
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "remote.git")], check=True)
    repo.git("remote", "add", "origin", str(tmp_path / "remote.git"))
    repo.git("push", "-q", "--follow-tags", "origin", "main")
    result = run("hook", "install")
    assert result.exit_code == 0, result.output
    return repo


def push(repo, *args):
    env = {**os.environ, "HOME": str(repo.root.parent)}
    cmd = ["git", "push", *args, "origin", "main"]
    return subprocess.run(cmd, cwd=repo.root, env=env, capture_output=True, text=True)


def remote_head(repo):
    return repo.git("--git-dir", str(repo.root.parent / "remote.git"), "rev-parse", "main")


def test_install_writes_an_executable_pre_push_hook(pushing):
    hook = pushing.root / ".git" / "hooks" / "pre-push"
    assert MARKER in hook.read_text()
    assert hook.stat().st_mode & stat.S_IXUSR


def test_an_unpublished_material_change_stops_the_push_with_the_reasons(pushing):
    edit(pushing, "privacy", *MATERIAL_EDIT)
    pushing.commit("Allow selling data")
    result = push(pushing)
    assert result.returncode != 0
    assert "material change since privacy/v1.0 is not published" in result.stdout + result.stderr
    assert remote_head(pushing) != pushing.head()


def test_publishing_unblocks_the_push(pushing):
    edit(pushing, "privacy", *MATERIAL_EDIT)
    pushing.commit("Allow selling data")
    assert run("publish", "--yes", "--date", "2024-03-15").exit_code == 0
    result = push(pushing, "--follow-tags")
    assert result.returncode == 0, result.stderr
    assert remote_head(pushing) == pushing.head()
    assert "privacy/v2.0" in pushing.git("--git-dir", str(pushing.root.parent / "remote.git"), "tag")


def test_a_minor_change_is_pushed(pushing):
    edit(pushing, "privacy", *MINOR_EDIT)
    pushing.commit("Punctuation")
    assert push(pushing).returncode == 0


def test_no_verify_bypasses_the_hook(pushing):
    edit(pushing, "privacy", *MATERIAL_EDIT)
    pushing.commit("Allow selling data")
    assert push(pushing, "--no-verify").returncode == 0


def test_installing_twice_updates_the_hook(pushing):
    result = run("hook", "install")
    assert result.exit_code == 0
    assert result.output.startswith("updated ")


def test_an_existing_hook_is_not_overwritten_without_chain(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    hook = repo.write(".git/hooks/pre-push", "#!/bin/sh\nexit 0\n")
    result = run("hook", "install")
    assert result.exit_code == 2
    assert "policywatch hook install --chain" in result.stderr
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


def test_a_chained_hook_still_runs_first_and_can_stop_the_push(pushing):
    hooks = pushing.root / ".git" / "hooks"
    (hooks / "pre-push").unlink()
    own = pushing.write(".git/hooks/pre-push", '#!/bin/sh\ncat > "$(dirname "$0")/seen"\nexit 3\n')
    own.chmod(0o755)
    result = run("hook", "install", "--chain")
    assert result.exit_code == 0, result.output
    assert "the previous hook runs first" in result.output
    pushing.commit("Unrelated", {"README.md": "hello\n"})
    assert push(pushing).returncode != 0
    assert "refs/heads/main" in (hooks / "seen").read_text()
    (hooks / "pre-push.local").write_text("#!/bin/sh\nexit 0\n")
    assert push(pushing).returncode == 0


def test_the_hook_goes_where_core_hookspath_points(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.git("config", "core.hooksPath", "githooks")
    run("hook", "install")
    assert MARKER in (repo.root / "githooks" / "pre-push").read_text()


def test_uninstall_removes_the_hook_and_pushes_flow_again(pushing):
    edit(pushing, "privacy", *MATERIAL_EDIT)
    pushing.commit("Allow selling data")
    assert run("hook", "uninstall").exit_code == 0
    assert not (pushing.root / ".git" / "hooks" / "pre-push").exists()
    assert push(pushing).returncode == 0


def test_uninstall_puts_a_chained_hook_back(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    own = "#!/bin/sh\nexit 0\n"
    repo.write(".git/hooks/pre-push", own)
    run("hook", "install", "--chain")
    result = run("hook", "uninstall")
    assert result.output.startswith("restored the previous hook")
    assert (repo.root / ".git" / "hooks" / "pre-push").read_text() == own


def test_uninstall_leaves_a_hook_it_did_not_write(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.write(".git/hooks/pre-push", "#!/bin/sh\nexit 0\n")
    result = run("hook", "uninstall")
    assert result.exit_code == 2
    assert (repo.root / ".git" / "hooks" / "pre-push").exists()
