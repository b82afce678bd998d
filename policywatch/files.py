"""Writing a file so that a crash leaves either the old content or the new, never half of either.

The publish journal that crash recovery reads, the policy files publish rewrites,
the site and the exports all go through ``atomic_write``: a temporary file in
the same folder, flushed to disk, renamed over the target, and the folder's
entry flushed too, so that the rename itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, data: bytes | str, *, mode: int | None = None, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``data`` in one step.

    ``mode`` is the new file's permission bits; by default an existing file keeps
    its own and a new one gets 0644. Text is written as given (no newline
    translation); undecodable characters kept by ``surrogateescape`` go back out
    as the bytes they came from. Raises ``OSError``; the target is untouched then.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode(encoding, errors="surrogateescape")
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    return path


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
