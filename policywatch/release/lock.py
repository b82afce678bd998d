"""One publish at a time: an ``flock`` on ``.policywatch/publish.lock``.

The kernel drops the lock when its holder dies, so a crash never leaves a stale
lock behind. What a publish killed half-way leaves is repaired from its journal
(``policywatch.release.journal``), under this lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from policywatch.errors import PublishLocked
from policywatch.filemodes import open_private, state_dir

LOCK_FILE = "publish.lock"


@contextlib.contextmanager
def publish_lock(root: Path, wait: float = 30.0) -> Iterator[None]:
    """Hold the repository's publish lock; wait up to ``wait`` seconds for another publish to end."""
    import fcntl

    path = state_dir(root) / LOCK_FILE
    with open(open_private(path, os.O_RDWR | os.O_APPEND), "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise PublishLocked(
                        f"{path.relative_to(root)}: another publish is running (process {holder}); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
