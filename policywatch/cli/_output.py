"""Printing helpers shared by commands: JSON for machines, aligned tables for people.

Everything printed goes through ``policywatch.termsafe``: text from policy files,
git, subscribers and servers never sends a control sequence to the terminal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TextIO

import typer

from policywatch.termsafe import printable, printable_json


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


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo`` for text that may hold anything: control characters shown as escapes."""
    typer.echo(printable(text), err=err, nl=nl)


def echo_content(text: str) -> None:
    """A file's content (a policy text, a CSV): byte for byte into a pipe or file, escaped only on a terminal."""
    typer.echo(printable(text) if sys.stdout.isatty() else text, nl=False, color=True)  # color: keep every byte


class _Escaping:
    """A text stream that writes through ``printable``."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))


def content_stream() -> TextIO:
    """Standard output for a file's content: as it is into a pipe or file, escaped on a terminal."""
    return _Escaping(sys.stdout) if sys.stdout.isatty() else sys.stdout  # type: ignore[return-value]


def print_json(value: Any) -> None:
    typer.echo(printable_json(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)))


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def warn_ignored(tags: Iterable[dict[str, str]]) -> None:
    """One stderr line per release tag that was passed over, naming it and saying why."""
    for tag in tags:
        echo(f"policywatch: warning: ignoring tag {tag['tag']}: {tag['reason']}", err=True)
