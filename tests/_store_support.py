"""Helpers for the store, ledger and notify tests: PostgreSQL reachability, releases and tags."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from policywatch.release import ChangeSummary, Release, tag_message

PG_BASE = os.environ.get("POLICYWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_unreachable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    try:
        import psycopg

        with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to reach the server is a reason to skip
        return f"PostgreSQL not reachable at {PG_BASE}: {str(exc).strip().splitlines()[0] if str(exc) else exc!r}"
    return None


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_BASE else "?"
    return f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def make_release(
    slug: str = "privacy",
    version: str = "2.0",
    classification: str = "material",
    *,
    effective: dt.date | None = None,
    published: dt.date | None = None,
    tag_format: str = "{slug}/v{version}",
) -> Release:
    today = dt.date.today()
    return Release(
        policy=slug,
        title=f"{slug.title()} Policy",
        path=f"policies/{slug}.md",
        version=version,
        previous_version="1.0",
        classification=classification,
        effective=effective or today + dt.timedelta(days=30),
        updated=today,
        published=published or today,
        tag=tag_format.replace("{slug}", slug).replace("{version}", version),
        reasons=["a new recipient of personal data"] if classification == "material" else [],
        changes=[
            ChangeSummary("Sharing", "insert", classification, ["new recipient"], "", "We share data with advertisers.")
        ],
    )


def tag_release(project, release: Release) -> Release:
    """Tag HEAD with the release record, as publish does."""
    project.tag(release.tag, tag_message(release))
    return release


def repo_with_policy(root: Path, slugs: tuple[str, ...] = ("privacy",), config: str = ""):
    """A policy repository with one commit holding a short policy per slug."""
    from tests.conftest import new_git_project

    project = new_git_project(root)
    files = {f"policies/{slug}.md": f"---\ntitle: {slug}\nversion: '1.0'\n---\n# {slug}\n\nText.\n" for slug in slugs}
    files[".gitignore"] = "/.policywatch/\n"
    if config:
        files["policywatch.toml"] = config
    project.commit("Add policies", files)
    return project
