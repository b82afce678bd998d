"""Redlines computed once: shared between pages, kept between builds, optionally in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.errors import SiteTemplateError
from policywatch.project import open_project
from policywatch.site.build import build_project_site
from policywatch.site.redlines import CACHE_FOLDER, RedlineCache, compute_redlines
from tests._git_support import new_git_project
from tests._site_support import TODAY, V1, release, tag_release, two_release_repo

BASE = "https://policies.example.com/"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def five_release_repo(root: Path):
    """``privacy`` 1.0 to 5.0, each adding one sentence: ten pairs to compare."""
    project = new_git_project(root)
    text = V1
    for n in range(1, 6):
        if n > 1:
            text = text.replace(f'"{n - 1}.0"', f'"{n}.0"') + f"\nWe keep record {n} for {n} years.\n"
        project.commit(f"v{n}", {"policies/privacy.md": text}, date=f"2024-01-0{n}T09:00:00+00:00")
        previous = f"{n - 1}.0" if n > 1 else None
        tag_release(project, release("privacy", "Example", f"{n}.0", previous, "minor", f"2024-01-0{n}"))
    return project


def test_a_rebuild_reuses_every_redline_and_writes_the_same_site(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    first = build_project_site(open_project(project.root), tmp_path / "a", base_url=BASE, today=TODAY)
    second = build_project_site(open_project(project.root), tmp_path / "b", base_url=BASE, today=TODAY)
    assert (first.redlines.computed, second.redlines.computed, second.redlines.reused) == (1, 0, 1)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_the_cache_lives_in_the_git_folder_not_in_the_work_tree(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    build_project_site(open_project(project.root), tmp_path / "out", base_url=BASE, today=TODAY)
    entries = list((project.root / ".git" / CACHE_FOLDER).rglob("*.json"))
    assert len(entries) == 1
    assert project.git("status", "--porcelain") == ""


def test_an_unreadable_cache_entry_is_computed_again(tmp_path):
    cache = RedlineCache(tmp_path / "cache")
    pair = (V1, V1 + "\nWe sell your data.\n")
    views, _ = compute_redlines([pair], cache, workers=1)
    next((tmp_path / "cache").rglob("*.json")).write_text("{not json", encoding="utf-8")
    again, stats = compute_redlines([pair], cache, workers=1)
    assert (stats.computed, again) == (1, views)


def test_entries_of_another_engine_version_are_pruned(tmp_path):
    stale = tmp_path / "cache" / "0123456789abcdef0123"
    stale.mkdir(parents=True)
    (stale / "x.json").write_text("{}", encoding="utf-8")
    compute_redlines([(V1, V1 + "\nMore.\n")], RedlineCache(tmp_path / "cache"), workers=1)
    assert not stale.exists()


def test_the_same_pair_of_texts_is_compared_once(tmp_path):
    pair = (V1, V1 + "\nWe sell your data.\n")
    _, stats = compute_redlines([pair, pair, pair], None, workers=1)
    assert (stats.pairs, stats.computed) == (1, 1)


def test_worker_processes_build_the_same_site_as_one_process(tmp_path):
    project = five_release_repo(tmp_path / "repo")
    pooled = build_project_site(open_project(project.root), tmp_path / "a", base_url=BASE, use_cache=False, workers=2)
    single = build_project_site(open_project(project.root), tmp_path / "b", base_url=BASE, use_cache=False, workers=1)
    assert (pooled.redlines.computed, pooled.redlines.workers, single.redlines.workers) == (10, 2, 1)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_site_build_command_with_no_cache_neither_reads_nor_writes_the_cache(tmp_path, in_repo):
    project = in_repo(two_release_repo(tmp_path / "repo"))
    result = CliRunner().invoke(app, ["site", "build", "public", "--base-url", BASE, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (project.root / ".git" / CACHE_FOLDER).exists()


def test_a_broken_template_fails_the_build_before_any_pair_is_compared(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    project.write("templates/site/changes.html", "{% if %}\n")
    with pytest.raises(SiteTemplateError, match="changes.html:1:"):
        build_project_site(open_project(project.root), tmp_path / "out", base_url=BASE, today=TODAY)
    assert not (project.root / ".git" / CACHE_FOLDER).exists()


def test_entries_of_pairs_no_page_shows_any_more_are_removed(tmp_path):
    cache = RedlineCache(tmp_path / "cache")
    shown, gone = (V1, V1 + "\nMore.\n"), (V1, V1 + "\nLess.\n")
    compute_redlines([shown, gone], cache, workers=1)
    compute_redlines([shown], cache, workers=1)
    assert (cache.get(*shown) is not None, cache.get(*gone)) == (True, None)


def test_site_build_command_says_how_many_redlines_it_reused(tmp_path, in_repo):
    in_repo(two_release_repo(tmp_path / "repo"))
    CliRunner().invoke(app, ["site", "build", "public", "--base-url", BASE])
    result = CliRunner().invoke(app, ["site", "build", "public", "--base-url", BASE])
    assert "redlines: 0 compared, 1 reused from an earlier build" in result.output
