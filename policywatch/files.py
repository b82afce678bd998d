"""Writing a file so that a crash leaves either the old content or the new, never half of either.

The publish journal that crash recovery reads, the policy files publish rewrites,
the site and feed, the redline cache, the subscriber export, the git hook and
dry-run emails all go through this module:
a temporary file (in the same folder unless told otherwise), flushed to disk,
renamed over the target, and the folder's entry flushed too, so that the rename
itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def atomic_write(
    path: str | Path,
    data: bytes | str,
    *,
    mode: int | None = None,
    encoding: str = "utf-8",
    temp_dir: str | Path | None = None,
) -> Path:
    """Replace ``path`` with ``data`` in one step.

    ``mode`` is the new file's permission bits; by default an existing file keeps
    its own and a new one gets 0644. Text is written as given (no newline
    translation); undecodable characters kept by ``surrogateescape`` go back out
    as the bytes they came from. ``temp_dir`` (on the same file system) keeps the
    temporary file out of a folder others read. Raises ``OSError``; the target is
    untouched then.
    """
    if isinstance(data, str):
        data = data.encode(encoding, errors="surrogateescape")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"atomic_write needs bytes or text, got {type(data).__name__}")
    with atomic_writer(path, mode=mode, temp_dir=temp_dir) as handle:
        handle.write(data)
    return Path(path)


@contextmanager
def atomic_writer(
    path: str | Path, *, mode: int | None = None, temp_dir: str | Path | None = None
) -> Iterator[BinaryIO]:
    """``atomic_write`` for content written piece by piece: the binary handle of the temporary file.

    The target is replaced when the block ends without an exception, and left
    as it was (with no temporary file) when it raises.
    """
    path = Path(path)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=temp_dir or folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def fsync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic there
    finally:
        os.close(fd)
