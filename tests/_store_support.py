"""Fixtures for the state store, the ledger and notify: real SQLite files, a real PostgreSQL.

PostgreSQL tests run in a schema of their own, made for the test and dropped after
it, so runs never see each other's rows. They skip only when no server answers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from policywatch.store import Store, open_store

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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections all work in a fresh schema; the schema is dropped afterwards."""
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
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'state.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs on both databases."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(any_url: str) -> Iterator[Store]:
    opened = open_store(any_url)
    try:
        yield opened
    finally:
        opened.close()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path
