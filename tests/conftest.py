"""Fixtures shared by the whole suite: real git repositories, a browser, and real databases.

Git: ``empty_repo``, ``policy_repo`` and ``in_repo`` build on ``tests._git_support``.
Databases: ``sqlite_url``, ``pg_url``, ``pg_store``, and ``any_url`` / ``store``, which run a
test once on SQLite and once on PostgreSQL. PostgreSQL tests run in a schema of their own,
made for the test and dropped after it, so runs never see each other's rows; they skip
only when no server answers.
"""

from __future__ import annotations

import ast
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from policywatch.store import Store, open_store
from policywatch.store.chain import GENESIS
from tests._git_support import SEEDS, GitProject, new_git_project
from tests._publish_support import MATERIAL_EDIT, edit, released_repo
from tests._store_support import PG_BASE, postgres_unreachable, schema_url


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


@pytest.fixture
def changed(tmp_path: Path, in_repo) -> GitProject:
    """A released repository (1.0, run from inside it), then a committed material edit of privacy."""
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    return repo


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through playwright; modules using it mark themselves ``requires_browser``."""
    from playwright.sync_api import sync_playwright

    from tests._browser_support import CHROMIUM

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@contextmanager
def _fresh_schema() -> Iterator[str]:
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"pw_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema_url(schema)
    finally:
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections all work in a fresh, empty schema; the schema is dropped afterwards."""
    with _fresh_schema() as url:
        yield url


@pytest.fixture(scope="session")
def _pg_shared_url() -> Iterator[str]:
    with _fresh_schema() as url:
        open_store(url).close()
        yield url


@pytest.fixture
def pg_store(_pg_shared_url: str) -> Iterator[Store]:
    """A migrated PostgreSQL store with empty tables (one schema per test session, emptied per test)."""
    opened = open_store(_pg_shared_url)
    tables = "deliveries, releases, subscribers, acceptances, idempotency_keys, ledger_chain"
    opened.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    opened.execute("UPDATE chain_head SET seq = 0, hash = ?", (GENESIS,))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'state.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs on both databases."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each test that takes this runs on both databases."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_store")
        return
    opened = open_store(request.getfixturevalue("sqlite_url"))
    try:
        yield opened
    finally:
        opened.close()
