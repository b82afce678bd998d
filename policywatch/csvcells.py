"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP CSV injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by Excel, LibreOffice and Google Sheets. Such a cell is
written with a single quote in front, which spreadsheets show as text and hide,
and every cell is quoted so that a ``;`` or ``,`` inside it cannot start a new
cell in a spreadsheet that splits on another separator.

The quote is reversible: ``restore`` removes exactly the one that ``neutralise``
added, so a file written by ``subscribers export`` imports back to the same
values. A value that already starts with quotes before a formula character
gets one more, and loses one on the way back; any other value is left alone
both ways (``'Tis`` stays ``'Tis``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_escaped_form(text: str) -> bool:
    """Quotes, if any, then a formula character: the values that ``neutralise`` changes."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet must read it: text, not a formula."""
    return "'" + cell if _is_escaped_form(cell) else cell


def restore(cell: str) -> str:
    """The value ``neutralise`` was given: one leading quote removed before a formula character."""
    return cell[1:] if cell.startswith("'") and _is_escaped_form(cell[1:]) else cell


class SafeWriter:
    """``csv.writer`` whose text cells are neutralised and every cell quoted."""

    def __init__(self, out: TextIO):
        self._writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow(neutralise(c) if isinstance(c, str) else c for c in cells)
