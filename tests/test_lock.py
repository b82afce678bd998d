"""The publish lock: one publish at a time, and the state folder it lives in."""

import datetime as dt
import threading
import time

import pytest

from policywatch.errors import PublishLocked
from policywatch.project import open_project
from policywatch.release.lock import publish_lock
from policywatch.release.publish import publish
from tests._publish_support import run, snapshot


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


def test_a_dry_run_writes_no_lock_or_journal(changed):
    run("publish", "--dry-run")
    assert not (changed.root / ".policywatch").exists()


def test_the_state_folder_ignores_itself(changed):
    run("publish", "--yes")
    assert (changed.root / ".policywatch").is_dir()
    assert changed.git("status", "--porcelain") == ""
