"""The table of sub-processors added, changed and removed: what a register's customers read first.

Every view of a register comparison (terminal text, Markdown, HTML, the email)
puts this table above the redline. Text is shown as escapes where it holds control
characters (``termsafe``), and escaped in HTML.
"""

from __future__ import annotations

from html import escape

from policywatch.engine.register import LOCATION, PURPOSE, EntryChange, RegisterDiff, _ordered
from policywatch.termsafe import printable

STATUS = {"added": "Added", "changed": "Changed", "removed": "Removed"}
COLUMNS = ("Change", "Sub-processor", "Location", "Purpose", "What changed")


def rows(table: RegisterDiff | None) -> list[tuple[str, str, str, str, str]]:
    """One row per entry: status, name, location, purpose, and for a change each field's old and new value."""
    out = []
    for entry in table.entries if table else []:
        fields = entry.fields or entry.old_fields
        out.append((STATUS[entry.status], entry.name, fields.get(LOCATION, ""), fields.get(PURPOSE, ""), _what(entry)))
    return out


def _what(entry: EntryChange) -> str:
    if entry.status != "changed":
        return ""
    parts = []
    for name in _ordered(set(entry.changed)):
        old, new = entry.old_fields.get(name, "") or "(none)", entry.fields.get(name, "") or "(none)"
        parts.append(f"{name}: {old} → {new}")
    return "; ".join(parts)


def text_lines(table: RegisterDiff | None) -> list[str]:
    """Plain lines for a terminal or a text email: "+ Acme AI (United States; Model hosting)"."""
    marks = {"Added": "+", "Changed": "~", "Removed": "-"}
    out = []
    for status, name, location, purpose, what in rows(table):
        detail = "; ".join(v for v in (location, purpose) if v)
        line = f"{marks[status]} {status.lower()}: {name}" + (f" ({detail})" if detail else "")
        out.append(printable(line + (f" [{what}]" if what else "")))
    return out


def markdown_table(table: RegisterDiff | None, limit: int | None = None) -> list[str]:
    """A GitHub-flavoured Markdown table, cells escaped; empty when nothing was added, changed or removed.

    With ``limit`` (characters), rows past it are counted instead of shown, as the redline's changes are.
    """
    found = rows(table)
    if not found:
        return []

    def cell(text: str) -> str:
        return printable(" ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")) or " "

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    size = sum(len(line) + 1 for line in lines)
    for n, row in enumerate(found):
        line = "| " + " | ".join(cell(c) for c in row) + " |"
        size += len(line) + 1
        if limit is not None and size > limit:
            lines += ["", f"… and {len(found) - n} more entries: run `policywatch diff --format html`."]
            break
        lines.append(line)
    return lines + [""]


def html_table(table: RegisterDiff | None) -> str:
    """An escaped ``<table class="register-changes">``; "" when nothing was added, changed or removed."""
    found = rows(table)
    if not found:
        return ""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in COLUMNS)
    body = "".join(
        f'<tr class="{escape(row[0].lower())}">' + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
        for row in found
    )
    return f'<table class="register-changes"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
