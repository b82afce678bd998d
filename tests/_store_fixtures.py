"""Fixtures for the state store, the ledger and notify: real SQLite files, a real PostgreSQL.

PostgreSQL tests run in a schema of their own, made for the test and dropped after
it, so runs never see each other's rows. They skip only when no server answers.
Test modules load this with ``pytest_plugins = ["tests._store_fixtures"]``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from policywatch.store import Store, open_store
from tests._store_support import PG_BASE, postgres_unreachable, schema_url


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
    opened.execute("TRUNCATE deliveries, releases, subscribers RESTART IDENTITY CASCADE")
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
