"""Writing built files so that a reader never sees half a site or half a feed.

Everything is written to a temporary sibling first, flushed to disk, and renamed
into place: a failure (a full disk, an error while building, a power cut) leaves
the previous site or feed as it was and no temporary files behind. A folder is only ever replaced
when it is empty or holds a site policywatch built (it carries a marker file),
so a mistyped path cannot wipe someone's documents.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from policywatch.errors import SiteOutputError
from policywatch.files import atomic_write, fsync_folder

MARKER = ".policywatch-site"
_MARKER_TEXT = b"Built by policywatch; 'policywatch site build' replaces this whole folder.\n"


def write_tree(files: Mapping[str, bytes], out: str | Path) -> Path:
    """Replace the folder ``out`` with exactly ``files`` (relative POSIX paths to contents)."""
    out = Path(out)
    _check_replaceable(out)
    parent = out.resolve().parent
    if not parent.is_dir():
        raise SiteOutputError(f"{out}: parent folder {parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise SiteOutputError(f"{out}: cannot write in {parent}: {exc.strerror}") from None
    old = None
    try:
        folders = {staging}
        for relpath, data in {**files, MARKER: _MARKER_TEXT}.items():
            target = staging.joinpath(*_safe_parts(relpath))
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.update(p for p in target.parents if p.is_relative_to(staging))
            _write_flushed(target, data)
        for folder in folders:
            fsync_folder(folder)
        staging.chmod(0o755)
        if out.exists():
            old = parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(staging, out)
        fsync_folder(parent)
    except OSError as exc:
        if old is not None and not out.exists():
            os.replace(old, out)
            old = None
        raise SiteOutputError(f"{out}: cannot write the site: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out


def write_file(data: bytes, out: str | Path) -> Path:
    """Replace the file ``out`` with ``data`` in one rename."""
    out = Path(out)
    if out.is_dir():
        raise SiteOutputError(f"{out}: is a folder; give a file name such as feed.xml")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise SiteOutputError(f"{out}: folder {parent} does not exist")
    try:
        atomic_write(out, data, mode=0o644)
    except OSError as exc:
        raise SiteOutputError(f"{out}: cannot write: {exc.strerror or exc}") from None
    return out


def _write_flushed(path: Path, data: bytes) -> None:
    """A new file in the staging folder, on disk before the folder is renamed into place."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise SiteOutputError(f"{out}: exists and is not a folder")
    if any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteOutputError(
            f"{out}: folder is not empty and was not built by policywatch; "
            "refusing to replace it (choose another folder)"
        )


def _safe_parts(relpath: str) -> tuple[str, ...]:
    parts = PurePosixPath(relpath).parts
    if not parts or relpath.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise ValueError(f"unsafe path in built site: {relpath!r}")
    return parts
