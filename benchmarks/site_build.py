"""How long building the archive takes on a real policy history.

Makes a temporary repository holding every version of the Basecamp policies
(privacy 44 versions, terms 35, sub-processors 13, from
github.com/basecamp/policies, CC BY 4.0), tags each version as a release with a
record (verdict from ``policywatch.compare``), then times the feed and these
site builds:

- cold, in one process (no redline cache, no worker processes);
- cold, with worker processes;
- the daily rebuild: nothing released since the last build (every redline from the cache);
- ``site build --if-due`` deciding that nothing is due;
- the rebuild after one new release of the longest policy.

Run by hand:

    python benchmarks/site_build.py [CORPUS_DIR]

Prints the number of versions, pages, comparisons, bytes written, seconds
(wall clock, and CPU time including worker processes), and the slowest pairs to compare.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policywatch import compare
from policywatch.project import open_project
from policywatch.release.record import Release, tag_message
from policywatch.site.archive import load_archive
from policywatch.site.build import BuildResult, build_project_site
from policywatch.site.due import site_due
from policywatch.site.feed import build_feed
from policywatch.site.redlines import text_key
from policywatch.site.settings import SiteSettings

CORPUS = Path(
    os.environ.get("BASECAMP_POLICIES")
    or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "basecamp-policies"
)
DOCUMENTS = {"privacy": "privacy", "terms": "terms", "privacy-basecamp-subprocessors": "subprocessors"}


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    env |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def make_repo(root: Path, corpus: Path) -> int:
    git(root, "init", "-q", "-b", "main")
    (root / "policies").mkdir()
    timeline = []
    for folder, slug in DOCUMENTS.items():
        for path in sorted((corpus / folder).glob("*.md")):
            seq, day = path.name.split("-", 1)[0], path.name.split("-", 1)[1][:10]
            timeline.append((day, slug, int(seq), path))
    timeline.sort()
    previous: dict[str, tuple[str, str]] = {}
    for day, slug, seq, path in timeline:
        text = path.read_text(encoding="utf-8")
        (root / "policies" / f"{slug}.md").write_text(text, encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", f"{slug} {seq}", date=f"{day}T12:00:00+00:00")
        version = f"1.{seq - 1}"
        old = previous.get(slug)
        verdict = compare(old[1], text).classification if old else "initial"
        record = Release(
            policy=slug,
            title=slug.capitalize(),
            path=f"policies/{slug}.md",
            version=version,
            previous_version=old[0] if old else None,
            classification="minor" if verdict == "none" else verdict,
            effective=dt.date.fromisoformat(day) + dt.timedelta(days=30 if verdict == "material" else 0),
            updated=dt.date.fromisoformat(day),
            published=dt.date.fromisoformat(day),
            tag=f"{slug}/v{version}",
        )
        git(root, "tag", "-a", record.tag, "-m", tag_message(record), date=f"{day}T12:00:00+00:00")
        previous[slug] = (version, text)
    return len(timeline)


def _cpu() -> float:
    """CPU seconds of this process and of the worker processes it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_build(project, out: Path, label: str, **options) -> BuildResult:
    started, cpu = time.perf_counter(), _cpu()
    result = build_project_site(project, out, base_url="https://example.com/", **options)
    elapsed, cpu = time.perf_counter() - started, _cpu() - cpu
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    stats = result.redlines
    print(
        f"{label}: {result.pages} pages ({result.comparisons} comparison pages), {size / 1e6:.1f} MB, "
        f"{elapsed:.1f} s (CPU {cpu:.1f} s); {stats.pairs} distinct redlines, "
        f"{stats.reused} from the cache, {stats.computed} compared by {stats.workers} process(es)"
    )
    return result


def release_one_more(root: Path) -> None:
    """A new privacy version: the newest text with one added sentence."""
    path = root / "policies" / "privacy.md"
    text = path.read_text(encoding="utf-8") + "\nWe will keep server logs for 90 days.\n"
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "privacy 45")
    record = Release(
        policy="privacy",
        title="Privacy",
        path="policies/privacy.md",
        version="1.44",
        previous_version="1.43",
        classification="minor",
        effective=dt.date.today(),
        updated=dt.date.today(),
        published=dt.date.today(),
        tag="privacy/v1.44",
    )
    git(root, "tag", "-a", record.tag, "-m", tag_message(record))


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        started = time.perf_counter()
        versions = make_repo(root, corpus)
        print(f"repository: {versions} tagged versions in {time.perf_counter() - started:.1f} s")
        project = open_project(root)

        started = time.perf_counter()
        archives = load_archive(project)
        print(f"read releases from git: {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        feed = build_feed(archives, SiteSettings("https://example.com/"), generated=dt.datetime.now(dt.UTC))
        print(f"feed: {len(feed):,} bytes in {time.perf_counter() - started:.3f} s")

        out = Path(tmp) / "public"
        timed_build(project, out, "cold build, one process", use_cache=False, workers=1)
        result = timed_build(project, out, "cold build, worker processes")
        names = {text_key(v.body): f"{a.slug} {v.version}" for a in archives for v in a.versions}
        for seconds, old, new in result.redlines.slowest[:3]:
            print(f"  slowest pair: {names.get(old, old)} -> {names.get(new, new)}: {seconds:.2f} s")
        timed_build(project, out, "daily rebuild, nothing released")
        started = time.perf_counter()
        due = site_due(project, out, today=dt.datetime.now(dt.UTC).date(), base_url="https://example.com/")
        print(f"site build --if-due, {due.reason}: {time.perf_counter() - started:.2f} s")
        release_one_more(root)
        timed_build(open_project(root), out, "rebuild after one new privacy release")


if __name__ == "__main__":
    main()
