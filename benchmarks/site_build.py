"""How long building the archive takes on a real policy history.

Makes a temporary repository holding every version of the Basecamp policies
(privacy 44 versions, terms 35, sub-processors 13, from
github.com/basecamp/policies, CC BY 4.0), tags each version as a release with a
record (verdict from ``policywatch.compare``), then times ``site build`` and the
feed. Run by hand:

    python benchmarks/site_build.py [CORPUS_DIR]

Prints the number of versions, pages, comparisons, bytes written and seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policywatch import compare
from policywatch.feed import build_feed
from policywatch.project import open_project
from policywatch.release import Release, tag_message
from policywatch.site.archive import load_archive
from policywatch.site.build import build_project_site
from policywatch.site.settings import SiteSettings

CORPUS = Path("/work/shared/corpus/basecamp-policies")
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
        started = time.perf_counter()
        result = build_project_site(project, out, base_url="https://example.com/")
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(
            f"site build: {result.pages} pages ({result.comparisons} comparison pages) for {result.versions} versions, "
            f"{size / 1e6:.1f} MB, {elapsed:.1f} s"
        )


if __name__ == "__main__":
    main()
