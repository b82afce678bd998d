"""Real git repositories with real policy files, for any test that needs one.

``GitProject`` drives git through its command line, as a user would, with a
fixed identity and clock so commits are reproducible. The fixtures that hand
these out are in conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
