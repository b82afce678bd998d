"""Fixtures that build real git repositories with real policy files.

``GitProject`` drives git through its command line, as a user would, with a
fixed identity and clock so commits are reproducible.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "policies"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Policy Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Policy Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitProject:
    """A temporary policy repository; every method is one git action."""

    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str, check: bool = True) -> str:
        env = {**os.environ, **GIT_ENV, "HOME": str(self.root.parent)}
        out = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True)
        if check and out.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {out.stderr}")
        return out.stdout.strip()

    def write(self, relpath: str, content: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    def read(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def commit(self, message: str, files: dict[str, str | bytes] | None = None, date: str | None = None) -> str:
        for relpath, content in (files or {}).items():
            self.write(relpath, content)
        self.git("add", "-A")
        env_date = date or "2024-01-01T12:00:00+00:00"
        os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = env_date
        try:
            self.git("commit", "-q", "--allow-empty", "-m", message)
        finally:
            del os.environ["GIT_AUTHOR_DATE"], os.environ["GIT_COMMITTER_DATE"]
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, message: str | None = None, rev: str = "HEAD") -> None:
        if message is None:
            self.git("tag", name, rev)
        else:
            self.git("tag", "-a", name, "-m", message, rev)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


def new_git_project(root: Path) -> GitProject:
    root.mkdir(parents=True, exist_ok=True)
    project = GitProject(root)
    project.git("init", "-q", "-b", "main")
    project.git("config", "user.name", GIT_ENV["GIT_AUTHOR_NAME"])
    project.git("config", "user.email", GIT_ENV["GIT_AUTHOR_EMAIL"])
    project.git("config", "commit.gpgsign", "false")
    project.git("config", "tag.gpgsign", "false")
    return project


@pytest.fixture
def imports_of():
    """Run Python code in a fresh interpreter: its completed process, and which of ``names`` it had imported at exit.

    The list is written to stderr at exit, after anything the code printed.
    """

    def run(
        code: str, names: tuple[str, ...], cwd: Path | None = None
    ) -> tuple[subprocess.CompletedProcess, list[str]]:
        report = (
            "import atexit, sys\n"
            f"atexit.register(lambda: print([m for m in {names!r} if m in sys.modules], file=sys.stderr))\n"
        )
        out = subprocess.run([sys.executable, "-c", report + code], cwd=cwd, capture_output=True, text=True)
        return out, ast.literal_eval(out.stderr.strip().splitlines()[-1])

    return run


@pytest.fixture
def empty_repo(tmp_path: Path) -> GitProject:
    """A git repository with no commits."""
    return new_git_project(tmp_path / "repo")


@pytest.fixture
def policy_repo(tmp_path: Path) -> GitProject:
    """A repository holding the two bundled example policies in one commit."""
    project = new_git_project(tmp_path / "repo")
    (project.root / "policies").mkdir()
    for seed in sorted(SEEDS.glob("*.md")):
        shutil.copy(seed, project.root / "policies" / seed.name)
    project.commit("Add privacy policies", date="2024-08-09T09:00:00+00:00")
    return project


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch):
    """Run a CLI call from inside a repository, as a user would."""

    def enter(project: GitProject) -> GitProject:
        monkeypatch.chdir(project.root)
        return project

    return enter


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through playwright; modules using it mark themselves ``requires_browser``."""
    from playwright.sync_api import sync_playwright

    from tests._browser_support import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()
