"""Private files for the state under ``.policywatch/``: readable by their owner only, whatever the umask.

The state database holds subscribers' addresses and their unsubscribe tokens,
which work as credentials: anyone who can read one can unsubscribe that person.
So the state folder is created 0700 and its files 0600, and an existing folder
or database that others can read is made private when it is opened, with a
warning, since what it held may already have been read.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

STATE_DIR = ".policywatch"
JOURNAL_FILE = "publish-journal.json"  # in STATE_DIR while a publish is under way (release.journal)
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create ``path`` 0700 (parents as ``mkdir -p``); with ``tighten``, make an existing one 0700."""
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if tighten:
            make_private(path, DIR_MODE)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return private_dir(path, tighten=tighten)
    else:
        os.chmod(path, DIR_MODE)  # mkdir's mode passes through the umask
    return path


def state_dir(root: Path) -> Path:
    """``.policywatch/``, private (0700), with its own ``.gitignore`` so its files never reach a commit."""
    folder = private_dir(root / STATE_DIR)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


def make_private(path: Path, mode: int, *, warn: bool = True) -> None:
    """Give ``path`` ``mode`` when others can read or write it (and it is ours to change).

    With ``warn``, say so on stderr: whatever it held may already have been read.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if not info.st_mode & 0o077 or info.st_uid != os.getuid():
        return
    was = f"{path} was open to other users (mode {stat.S_IMODE(info.st_mode):04o})"
    try:
        os.chmod(path, mode)
    except OSError as exc:  # a read-only file system: say so, and carry on reading
        print(f"policywatch: warning: {was}; cannot make it private: {exc.strerror}", file=sys.stderr)
        return
    if warn:
        print(f"policywatch: warning: {was}; made it private ({mode:04o})", file=sys.stderr)


def _create(path: Path, flags: int) -> int | None:
    """A new file 0600 whatever the umask, or None when it exists already."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return None
    os.fchmod(fd, FILE_MODE)
    return fd


def open_private(path: Path, flags: int, *, warn: bool = False) -> int:
    """``os.open`` that creates the file 0600; an existing file open to others is made 0600."""
    fd = _create(path, flags)
    if fd is not None:
        return fd
    make_private(path, FILE_MODE, warn=warn)
    return os.open(path, flags)


def create_private(path: Path) -> None:
    """Make sure ``path`` exists and is 0600 before another library (SQLite) opens it."""
    fd = _create(path, os.O_WRONLY)
    if fd is None:
        make_private(path, FILE_MODE)
    else:
        os.close(fd)
