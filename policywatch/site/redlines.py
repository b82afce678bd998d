"""The redlines a site shows, each computed once.

``policywatch.compare`` is nearly all of a build's time, so:

- each distinct pair of texts is compared once, however many pages show it
  (a version's ``changes/`` page and the comparison page of the same pair, or
  two releases whose texts are the same);
- results are kept between builds in a cache inside the repository's git
  folder, keyed by both texts and a fingerprint of the installed policywatch
  code and rules: released texts never change, so a daily rebuild compares only
  what a new release added, and a new diff engine or rule set starts afresh;
- what is left is compared in a process pool when there is enough of it to be
  worth starting one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import policywatch
from policywatch.files import atomic_write

CACHE_FOLDER = "policywatch/site-redlines"  # inside the git folder: never published, never committed
POOL_MIN_PAIRS = 8  # fewer than this are compared in-process: starting workers would cost more


@dataclass(frozen=True)
class RedlineView:
    """What a page shows of one comparison: the redline fragment and its counts."""

    html: str
    material: int
    minor: int

    @property
    def changed(self) -> bool:
        return bool(self.material or self.minor)


@dataclass(frozen=True)
class RedlineStats:
    """How the redlines of one build were obtained; ``slowest`` is (seconds, old text key, new text key)."""

    pairs: int = 0
    reused: int = 0
    computed: int = 0
    workers: int = 0
    seconds: float = 0.0
    slowest: tuple[tuple[float, str, str], ...] = ()


def compute_redline(pair: tuple[str, str]) -> tuple[RedlineView, float]:
    """Compare and render one pair; top-level so that a worker process can run it."""
    from policywatch.engine.comparison import compare
    from policywatch.engine.render import html_fragment

    started = time.perf_counter()
    comparison = compare(*pair)
    material = sum(c.classification == "material" for c in comparison.changes)
    view = RedlineView(html_fragment(comparison), material, len(comparison.changes) - material)
    return view, time.perf_counter() - started


# Code that never runs inside compare() or html_fragment(): changing it keeps the cache.
_OUTSIDE_THE_ENGINE = ("site/", "cli/", "feed.py")


@cache
def engine_fingerprint() -> str:
    """A digest of the source and rules files of the installed policywatch.

    Coarser than the diff engine alone on purpose: any change to code that
    could alter a redline recomputes it; only the site, feed and command-line
    code are left out.
    """
    package = Path(policywatch.__file__).parent
    digest = hashlib.sha256(policywatch.__version__.encode())
    for path in sorted(package.rglob("*")):
        name = path.relative_to(package).as_posix()
        if path.suffix not in (".py", ".toml") or "__pycache__" in path.parts or name.startswith(_OUTSIDE_THE_ENGINE):
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class RedlineCache:
    """Redlines by pair of texts, one small JSON file each; unreadable entries are recomputed."""

    def __init__(self, folder: Path) -> None:
        self.root = folder
        self.folder = folder / engine_fingerprint()

    def _path(self, old: str, new: str) -> Path:
        return self.folder / f"{text_key(old)}-{text_key(new)}.json"

    def get(self, old: str, new: str) -> RedlineView | None:
        try:
            data = json.loads(self._path(old, new).read_text(encoding="utf-8"))
            return RedlineView(str(data["html"]), int(data["material"]), int(data["minor"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, old: str, new: str, view: RedlineView) -> None:
        """Store one entry atomically; a cache that cannot be written only costs time."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self._path(old, new), json.dumps(asdict(view)), mode=0o600)
        except OSError:
            return

    def prune(self, keep: Iterable[tuple[str, str]]) -> None:
        """Drop entries made by other versions of the code, and those of pairs no page shows any more.

        A new release moves the "compare with the newest" pages on, so without
        this the cache would grow by a policy's length at every release.
        """
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.is_dir() and entry.name != self.folder.name:
                shutil.rmtree(entry, ignore_errors=True)
        wanted = {self._path(*pair).name for pair in keep}
        for entry in self.folder.glob("*.json") if self.folder.is_dir() else ():
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)


def project_cache(root: Path) -> RedlineCache | None:
    """The cache of the git repository at ``root``; None outside a repository."""
    from policywatch.release import history

    try:
        repo = history.open_repo(root)
    except Exception:
        return None
    return RedlineCache(Path(repo.common_dir) / CACHE_FOLDER)


def compute_redlines(
    pairs: Iterable[tuple[str, str]], cache: RedlineCache | None = None, workers: int | None = None
) -> tuple[dict[tuple[str, str], RedlineView], RedlineStats]:
    """A view for every distinct ``(old, new)`` pair of texts; ``cache`` ends up holding exactly these.

    ``workers`` sizes the process pool (default: the CPUs this process may
    use); 1 compares everything in this process.
    """
    started = time.perf_counter()
    wanted = list(dict.fromkeys(pairs))
    views: dict[tuple[str, str], RedlineView] = {}
    missing = []
    for pair in wanted:
        view = cache.get(*pair) if cache else None
        if view is None:
            missing.append(pair)
        else:
            views[pair] = view
    missing.sort(key=lambda p: len(p[0]) + len(p[1]), reverse=True)  # longest first keeps the pool busy to the end
    workers = _workers(len(missing), workers)
    timings = []
    for pair, (view, seconds) in zip(missing, _run(missing, workers), strict=True):
        views[pair] = view
        timings.append((round(seconds, 3), text_key(pair[0]), text_key(pair[1])))
        if cache:
            cache.put(*pair, view)
    if cache:
        cache.prune(wanted)
    stats = RedlineStats(
        pairs=len(wanted),
        reused=len(wanted) - len(missing),
        computed=len(missing),
        workers=workers,
        seconds=time.perf_counter() - started,
        slowest=tuple(sorted(timings, reverse=True)[:5]),
    )
    return views, stats


def _workers(count: int, requested: int | None) -> int:
    if count < POOL_MIN_PAIRS:
        return 1
    if requested is None:
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested, count))


def _run(pairs: list[tuple[str, str]], workers: int) -> list[tuple[RedlineView, float]]:
    if workers <= 1:
        return [compute_redline(pair) for pair in pairs]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(compute_redline, pairs))
    except (BrokenProcessPool, OSError):
        return [compute_redline(pair) for pair in pairs]
