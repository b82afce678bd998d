"""The state under .policywatch/ is private: folder 0700, files 0600, whatever the umask.

state.db holds addresses and unsubscribe tokens, which work as credentials.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from policywatch.filemodes import FILE_MODE, make_private, state_dir
from policywatch.project import open_project
from policywatch.release.journal import Journal
from policywatch.release.lock import publish_lock
from policywatch.store import open_project_store, open_store
from tests._publish_support import run


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The most permissive umask: modes must not depend on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def repo(policy_repo, in_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    return in_repo(policy_repo)


def test_a_new_state_folder_and_database_are_private(repo, open_umask):
    assert run("subscribers", "add", "ann@example.com").exit_code == 0
    assert mode(repo.root / ".policywatch") == 0o700
    assert mode(repo.root / ".policywatch" / "state.db") == 0o600


def test_sqlite_side_files_are_private_while_the_database_is_open(repo, open_umask):
    store = open_project_store(open_project(repo.root))
    try:
        store.execute("INSERT INTO schema_version VALUES (999, 'x')")
        side = [repo.root / ".policywatch" / f"state.db{suffix}" for suffix in ("-wal", "-shm")]
        assert [mode(path) for path in side] == [0o600, 0o600]
    finally:
        store.close()


def test_a_database_elsewhere_is_created_private_in_a_private_new_folder(tmp_path, open_umask):
    open_store(f"sqlite:///{tmp_path / 'new' / 'state.db'}").close()
    assert (mode(tmp_path / "new"), mode(tmp_path / "new" / "state.db")) == (0o700, 0o600)


def test_an_existing_folder_holding_a_database_elsewhere_is_left_as_it_is(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    open_store(f"sqlite:///{folder / 'state.db'}").close()
    assert (mode(folder), mode(folder / "state.db")) == (0o755, 0o600)


def test_an_existing_open_state_folder_and_database_are_made_private_with_a_warning(repo):
    assert run("subscribers", "add", "ann@example.com").exit_code == 0
    os.chmod(repo.root / ".policywatch", 0o755)
    os.chmod(repo.root / ".policywatch" / "state.db", 0o644)
    result = run("subscribers", "list")
    assert result.exit_code == 0
    assert mode(repo.root / ".policywatch") == 0o700
    assert mode(repo.root / ".policywatch" / "state.db") == 0o600
    assert result.stderr.splitlines() == [
        f"policywatch: warning: {repo.root / '.policywatch'} was open to other users (mode 0755); "
        "made it private (0700)",
        f"policywatch: warning: {repo.root / '.policywatch' / 'state.db'} was open to other users (mode 0644); "
        "made it private (0600)",
    ]


def test_a_private_state_folder_opens_without_a_warning(repo):
    run("subscribers", "add", "ann@example.com")
    result = run("subscribers", "list")
    assert result.stderr == ""


def test_the_publish_lock_is_private(repo, open_umask):
    with publish_lock(repo.root):
        assert mode(repo.root / ".policywatch" / "publish.lock") == 0o600
    assert mode(repo.root / ".policywatch") == 0o700


def test_the_publish_journal_is_private(repo, open_umask):
    Journal(id="x", base="HEAD").save(repo.root)
    assert mode(repo.root / ".policywatch" / "publish-journal.json") == 0o600


def test_an_open_publish_lock_is_made_private(repo):
    lock = state_dir(repo.root) / "publish.lock"
    lock.write_text("")
    os.chmod(lock, 0o666)
    with publish_lock(repo.root):
        pass
    assert mode(lock) == 0o600


def test_a_file_that_cannot_be_made_private_is_named_in_a_warning_and_reading_goes_on(capsys):
    make_private(Path("/proc/self/status"), FILE_MODE)  # procfs refuses chmod, as a read-only file system does
    assert capsys.readouterr().err == (
        "policywatch: warning: /proc/self/status was open to other users (mode 0444); "
        "cannot make it private: Operation not permitted\n"
    )


def test_a_subscriber_export_is_private(repo, open_umask):
    run("subscribers", "add", "ann@example.com")
    assert run("subscribers", "export", "out.csv").exit_code == 0
    assert mode(repo.root / "out.csv") == 0o600
