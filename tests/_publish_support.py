"""Shared helpers for the publish, check, hook and pending tests: small policies and release tags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.release.record import Release, tag_message
from tests._git_support import GitProject, new_git_project

PRIVACY = """\
---
title: Example Privacy Policy
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
---
# Example Privacy Policy

Effective Date: March 1, 2024

## What we collect

We collect your email address to send receipts.

## Sharing

We will not sell your personal information.
"""

TERMS = """\
---
title: Terms of Service
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
---
# Terms of Service

Last updated: 1 March 2024

You may cancel at any time.
"""

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_one_line_error(result, *fragments: str) -> None:
    """Exit 2 and one line on stderr, the tool's error line, holding every fragment; no traceback."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("policywatch: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def small_repo(tmp_path: Path, date: str = "2024-03-01T09:00:00+00:00") -> GitProject:
    """A repository with two short policies in one commit, never released."""
    project = new_git_project(tmp_path / "repo")
    project.commit("Add policies", {"policies/privacy.md": PRIVACY, "policies/terms.md": TERMS}, date=date)
    return project


def tag_release(project: GitProject, slug: str, version: str = "1.0", effective: str = "2024-03-01") -> str:
    """An annotated release tag at HEAD with a record, as a publish would leave it."""
    day = dt.date.fromisoformat(effective)
    release = Release(
        policy=slug,
        title=slug.title(),
        path=f"policies/{slug}.md",
        version=version,
        previous_version=None,
        classification="initial",
        effective=day,
        updated=day,
        published=day,
        tag=f"{slug}/v{version}",
    )
    project.tag(release.tag, tag_message(release))
    return release.tag


def released_repo(tmp_path: Path) -> GitProject:
    """Two policies, both released at 1.0."""
    project = small_repo(tmp_path)
    tag_release(project, "privacy")
    tag_release(project, "terms")
    return project


def edit(project: GitProject, slug: str, old: str, new: str) -> None:
    path = f"policies/{slug}.md"
    text = (project.root / path).read_bytes().decode("utf-8")
    assert old in text, old
    project.write(path, text.replace(old, new))


MATERIAL_EDIT = ("We will not sell your personal information.", "We may sell your personal information.")
MINOR_EDIT = ("We collect your email address to send receipts.", "We collect your email address, to send receipts!")


def snapshot(repo: GitProject) -> tuple[str, str, str, str]:
    """Everything a refused or failed publish must leave as it was: HEAD, tags, working tree, the privacy text."""
    return repo.head(), repo.git("tag"), repo.git("status", "--porcelain"), repo.read("policies/privacy.md")


ANNOUNCE_CONFIG = (
    '[site]\nbase_url = "https://policies.example.com"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
)


def published_to_announce(tmp_path: Path, in_repo, *subscriber: str) -> GitProject:
    """A material release of privacy, published with site and email settings and one subscriber (the
    ``subscribers add`` arguments), not yet announced; the working directory is the repository."""
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", {"policywatch.toml": ANNOUNCE_CONFIG})
    assert run("subscribers", "add", *subscriber).exit_code == 0
    result = run("publish", "--yes", "--date", "2024-03-15", "--no-notify")
    assert result.exit_code == 0, result.output
    return repo
