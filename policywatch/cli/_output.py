"""Printing helpers shared by commands: JSON for machines, aligned tables for people."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import typer


class Format(StrEnum):
    text = "text"
    json = "json"


FORMAT_OPTION = typer.Option(Format.text, "--format", "-f", help="Output format.")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def warn_ignored(tags: Iterable[dict[str, str]]) -> None:
    """One stderr line per release tag that was passed over, naming it and saying why."""
    for tag in tags:
        typer.echo(f"policywatch: warning: ignoring tag {tag['tag']}: {tag['reason']}", err=True)
