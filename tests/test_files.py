"""atomic_write: all of the new content or none of it, with the permissions asked for."""

import os
import stat

import pytest

from policywatch.files import atomic_write


def test_atomic_write_replaces_the_content_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "journal.json"
    target.write_text("old")
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.json"]


def test_atomic_write_keeps_an_existing_files_mode_and_applies_a_given_one(tmp_path):
    kept = tmp_path / "policy.md"
    kept.write_text("x")
    os.chmod(kept, 0o640)
    atomic_write(kept, "y")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    private = tmp_path / "secret"
    atomic_write(private, b"z", mode=0o600)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_atomic_write_gives_undecodable_text_back_as_the_original_bytes(tmp_path):
    target = tmp_path / "latin1.md"
    raw = "caf\xe9\r\n".encode("latin-1")
    atomic_write(target, raw.decode("utf-8", errors="surrogateescape"))
    assert target.read_bytes() == raw


def test_a_failed_atomic_write_leaves_the_old_content_and_no_temporary_file(tmp_path):
    target = tmp_path / "site.html"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]
    with pytest.raises(OSError):
        atomic_write(tmp_path / "missing" / "x", "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.html"]
