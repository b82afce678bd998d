"""Result checks shared by the catalogues: each returns None when right, else what is wrong."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from .harness import Check, Result, Sandbox

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_rows(sb: Sandbox) -> list[dict[str, Any]] | str:
    r = sb.pw("status", "--format", "json")
    if r.code != 0:
        return f"status --format json exit {r.code}: {r.first_line()}"
    try:
        return json.loads(r.stdout)
    except ValueError:
        return "status --format json is not JSON"


def status_field(slug: str, key: str, want: Any) -> Check:
    """`status --format json` shows ``want`` in ``key`` for ``slug``."""

    def check(sb: Sandbox, r: Result) -> str | None:
        rows = status_rows(sb)
        if isinstance(rows, str):
            return rows
        row = next((row for row in rows if row.get("slug") == slug), None)
        if row is None:
            return f"status does not list {slug!r}"
        if row.get(key) != want:
            return f"status {slug}.{key} = {row.get(key)!r}, wanted {want!r}"
        return None

    return check


def new_tag(name: str, *in_message: str) -> Check:
    """A tag ``name`` was made, and its message holds each of ``in_message``."""

    def check(sb: Sandbox, r: Result) -> str | None:
        if name not in sb.tags():
            return f"no tag {name} (tags: {', '.join(sb.tags()) or 'none'})"
        message = sb.tag_message(name)
        for text in in_message:
            if text not in message:
                return f"{name}'s record does not hold {text!r}"
        return None

    return check


def output_has(*texts: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        for text in texts:
            if text.casefold() not in r.output.casefold():
                return f"output does not say {text!r}: {r.first_line()}"
        return None

    return check


def output_lacks(*texts: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        for text in texts:
            if text.casefold() in r.output.casefold():
                return f"output says {text!r}"
        return None

    return check


def all_of(*checks: Check) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        for one in checks:
            problem = one(sb, r)
            if problem:
                return problem
        return None

    return check


def unchanged_tags(sb_tags: list[str]) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        return None if sb.tags() == sb_tags else f"tags now {sb.tags()}, wanted {sb_tags}"

    return check


def db_rows(sb: Sandbox, sql: str, params: tuple = ()) -> list[tuple]:
    path = sb.root / ".policywatch" / "state.db"
    if not path.exists():
        return []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def subscriber_emails(sb: Sandbox) -> list[str]:
    try:
        return [row[0] for row in db_rows(sb, "SELECT email FROM subscribers ORDER BY id")]
    except sqlite3.Error:
        return []


def csv_cells_safe(rel: str | None = None) -> Check:
    """No cell of the CSV (file ``rel``, or stdout) starts like a spreadsheet formula."""

    def check(sb: Sandbox, r: Result) -> str | None:
        text = (sb.root / rel).read_text(encoding="utf-8", errors="replace") if rel else r.stdout
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) < 2:
            return "the CSV has no data row"
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_START):
                    return f"formula cell written as is: {cell[:40]!r}"
        return None

    return check


def mode_at_most(rel: str, mode: int) -> Callable[[Sandbox], str | None]:
    def check(sb: Sandbox) -> str | None:
        path = sb.root / rel
        if not path.exists():
            return f"{rel} does not exist"
        actual = path.stat().st_mode & 0o777
        if actual & ~mode:
            return f"{rel} is {actual:04o}, wanted at most {mode:04o}"
        return None

    return check
