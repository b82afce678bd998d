"""The publish journal that crash recovery reads: saved whole and private, or not at all."""

from __future__ import annotations

import os
import stat

from policywatch.release.journal import JOURNAL_FILE, Journal, JournalTag


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
