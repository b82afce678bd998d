"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP CSV injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by Excel, LibreOffice and Google Sheets. Such a cell is
written with a single quote in front, which spreadsheets show as text and hide,
and every cell is quoted.

A spreadsheet set to another separator (``;`` in much of Europe, or tab) splits
the line at characters that are inside a cell here, so the same is done at each
such point in a cell: after a ``,``, ``;``, tab or line break, a formula
character gets a quote before it too (``Smith;=1+2`` becomes ``Smith;'=1+2``).

The quotes are reversible: ``restore`` removes exactly the ones ``neutralise``
added, so a file written by ``subscribers export`` imports back to the same
values. Where quotes already stand before a formula character, one more is
added and one is removed on the way back; everything else is left alone both
ways (``'Tis`` stays ``'Tis``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = (",", ";", "\t", "\r", "\n")  # where some spreadsheet may start a new cell

# The start of the cell or a separator, then any quotes, then a formula character.
_ADD = re.compile(r"(^|[,;\t\r\n])('*)(?=[=+\-@\t\r])")
_REMOVE = re.compile(r"(^|[,;\t\r\n])'('*)(?=[=+\-@\t\r])")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet must read it: text, not a formula, however it splits the line."""
    return _ADD.sub(r"\1'\2", cell)


def restore(cell: str) -> str:
    """The value ``neutralise`` was given: the quote it added before each formula character removed."""
    return _REMOVE.sub(r"\1\2", cell)


class SafeWriter:
    """``csv.writer`` whose text cells are neutralised and every cell quoted."""

    def __init__(self, out: TextIO):
        self._writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow(neutralise(c) if isinstance(c, str) else c for c in cells)
