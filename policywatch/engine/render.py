"""Views of comparisons for people and machines: terminal text, JSON, Markdown, HTML fragments.

Every view groups changes by section, shows the word diff inline (removed text
struck through, added text marked) and puts the reasons beside each change, so
that a reader sees at once what changed and why it does or does not matter.
The terminal, Markdown and JSON views show control characters from the texts
as escapes (``termsafe``), so a policy cannot send sequences to a terminal.
The HTML views are fragments; a whole page around them comes from a template
outside the engine (``policywatch.site.redline_page``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from policywatch.engine.comparison import Change, Comparison
from policywatch.engine.register_view import html_table, markdown_table, text_lines
from policywatch.termsafe import printable, printable_json

PREAMBLE = "(opening)"


@dataclass(frozen=True)
class Report:
    """One comparison with the names of what was compared."""

    name: str
    old_label: str
    new_label: str
    comparison: Comparison | None  # None: nothing to compare with (never released)


def visible(comparison: Comparison, material_only: bool = False) -> list[Change]:
    """The changes a view shows: all of them, or only the material ones."""
    return [c for c in comparison.changes if c.classification == "material" or not material_only]


def _segments(change: Change) -> list[list[str]]:
    if change.segments:
        return change.segments
    out = []
    if change.old_text:
        out.append(["equal" if change.kind == "move" else "delete", change.old_text])
    if change.new_text and change.kind != "move":
        out.append(["insert", change.new_text])
    return out


def by_section(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped under their section, sections in order of first appearance."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.section, []).append(change)
    return list(groups.items())


def summary(comparison: Comparison) -> str:
    material = len(comparison.material_changes)
    minor = len(comparison.changes) - material
    if comparison.classification == "none":
        return "no change"
    return f"{comparison.classification}: {material} material, {minor} minor change{'s' if minor != 1 else ''}"


# --- JSON ---------------------------------------------------------------------------------------


def to_json(reports: list[Report], material_only: bool = False) -> Any:
    """One comparison as ``Comparison.to_json()``; several as a list naming each."""

    def one(report: Report) -> dict[str, Any] | None:
        if report.comparison is None:
            return None
        data = report.comparison.to_json()
        if material_only:
            data["changes"] = [c for c in data["changes"] if c["classification"] == "material"]
        return data

    if len(reports) == 1 and reports[0].comparison is not None:
        return one(reports[0])
    return [{"policy": r.name, "old": r.old_label or None, "new": r.new_label, "comparison": one(r)} for r in reports]


def render_json(reports: list[Report], material_only: bool = False) -> str:
    return printable_json(json.dumps(to_json(reports, material_only), indent=2, ensure_ascii=False))


# --- terminal text ------------------------------------------------------------------------------


def render_text(reports: list[Report], material_only: bool = False, *, color: bool | None = None, width: int = 100):
    """The word diff for a terminal (rich), or plain text when ``color`` is False."""
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    out = StringIO()
    console = Console(
        file=out, force_terminal=color, no_color=color is False, width=width, highlight=False, soft_wrap=True
    )
    for n, report in enumerate(reports):
        if n:
            console.print()
        head = Text(printable(report.name), style="bold")
        if report.comparison is None:
            head.append(": never released, nothing to compare with", style="dim")
            console.print(head)
            continue
        head.append(printable(f"  {report.old_label} → {report.new_label}"), style="dim")
        console.print(head)
        comparison = report.comparison
        verdict_style = {"material": "bold red", "minor": "yellow", "none": "green"}[comparison.classification]
        console.print(Text(summary(comparison), style=verdict_style))
        for line in text_lines(comparison.register):
            console.print(Text(f"  {line}", style="bold" if line.startswith("+") else ""))
        for section, changes in by_section(visible(comparison, material_only)):
            console.print(Text(f"\n§ {printable(section or PREAMBLE)}", style="bold cyan"))
            for change in changes:
                label = Text("  MATERIAL " if change.classification == "material" else "  minor    ")
                label.stylize("bold red" if change.classification == "material" else "dim")
                label.append(f"{change.kind}", style="dim")
                console.print(label)
                body = Text("    ")
                for op, text in _segments(change):
                    text = printable(text).replace("\n\n", "\n    ")
                    style = {"delete": "red strike", "insert": "green underline"}.get(op, "")
                    if color is False and op != "equal":
                        text = f"[-{text}-]" if op == "delete" else f"{{+{text}+}}"
                    body.append(text, style=style)
                console.print(body)
                if change.summary:
                    console.print(Text(f"    ⇒ {printable(change.summary)}", style="bold"))
                for reason in change.reasons:
                    style = "italic" if change.classification == "material" else "dim"
                    console.print(Text(f"      → {printable(reason)}", style=style))
    return out.getvalue()


# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def _md(text: str) -> str:
    """Markdown-escaped text on one line, keeping a space at either end; control characters as escapes."""
    inner = printable(" ".join(text.split()).translate(_MD_SPECIAL))
    if not inner:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


# Hosted pull-request comments are limited (GitHub: 65,536 characters); stop listing changes before that.
MARKDOWN_LIMIT = 60_000


def render_markdown(reports: list[Report], material_only: bool = False, limit: int = MARKDOWN_LIMIT) -> str:
    """A pull-request comment: verdict first, then each section's changes with their reasons.

    Every verdict line is kept; when the changes would make the comment longer
    than ``limit`` characters, the rest are counted instead of shown.
    """
    lines: list[str] = []
    size = 0
    left_out = 0
    for report in reports:
        if report.comparison is None:
            lines += [f"### {_md(report.name)}", "", "Never released: nothing to compare with.", ""]
            continue
        comparison = report.comparison
        verdict = {"material": "**Material change**", "minor": "Minor changes only", "none": "No change"}
        entries = markdown_table(comparison.register, limit - size)
        size += sum(len(line) + 1 for line in entries)
        lines += [
            f"### {_md(report.name)}: {verdict[comparison.classification]}",
            "",
            printable(f"`{report.old_label}` → `{report.new_label}` · {summary(comparison)}"),
            "",
            *entries,
        ]
        for section, changes in by_section(visible(comparison, material_only)):
            lines += [f"#### {_md(section or PREAMBLE)}", ""]
            for change in changes:
                parts = []
                for op, text in _segments(change):
                    if not text.strip():
                        parts.append(" ")
                    elif op == "delete":
                        parts.append(f"~~{_md(text)}~~")
                    elif op == "insert":
                        parts.append(f"**{_md(text)}**")
                    else:
                        parts.append(_md(text) if len(text) < 400 else _md(text[:200]) + " … " + _md(text[-150:]))
                tag = "🔴 material" if change.classification == "material" else "minor"
                entry = [f"- {tag} ({change.kind}): " + "".join(_pad(parts))]
                entry += [f"  - **{_md(change.summary)}**"] if change.summary else []
                entry += [f"  - {_md(r)}" for r in change.reasons]
                cost = sum(len(x) + 1 for x in entry)
                if size + cost > limit:
                    left_out += 1
                    continue
                size += cost
                lines += entry
            lines.append("")
    if left_out:
        lines.append(
            f"… and {left_out} more change{'s' if left_out != 1 else ''}: run `policywatch diff --format html`."
        )
    return "\n".join(lines).rstrip() + "\n"


def _pad(parts: list[str]) -> list[str]:
    """Markdown emphasis needs a space between a marker and a neighbouring word."""
    out = []
    for part in parts:
        opens = part.startswith(("~~", "**")) and not out[-1].endswith(" ") if out else False
        closes = out[-1].endswith(("~~", "**")) and part[:1].isalnum() if out else False
        if opens or closes:
            out.append(" ")
        out.append(part)
    return out


# --- HTML ---------------------------------------------------------------------------------------


def _html_change(change: Change, heading: bool) -> list[str]:
    parts = [f'<section class="change {escape(change.classification)}" data-kind="{escape(change.kind)}">']
    if heading and change.section:
        parts.append(f'<h3 class="section">{escape(change.section)}</h3>')
    body = []
    for op, text in _segments(change):
        html = escape(text).replace("\n\n", "<br><br>")
        if op == "delete":
            body.append(f"<del>{html}</del>")
        elif op == "insert":
            body.append(f"<ins>{html}</ins>")
        else:
            body.append(html)
    if change.kind == "move":
        body.insert(0, '<span class="moved">moved</span> ')
    if not heading:  # on the printable page, say it in words too: colour does not survive every printer
        label = "Material" if change.classification == "material" else "Minor"
        body.insert(0, f'<span class="label">{label}</span> ')
    parts.append("<p>" + "".join(body) + "</p>")
    if change.summary:
        parts.append(f'<p class="summary">{escape(change.summary)}</p>')
    if change.reasons:
        parts.append('<ul class="reasons">' + "".join(f"<li>{escape(r)}</li>" for r in change.reasons) + "</ul>")
    parts.append("</section>")
    return parts


def html_changes(changes: list[Change], *, labels: bool = False) -> str:
    """Changes as an escaped ``<div class="redline">``, each with its section above it.

    With ``labels`` (the printable page, which names each section once itself)
    each change says Material or Minor in words instead.
    """
    parts = ['<div class="redline">']
    for change in changes:
        parts.extend(_html_change(change, heading=not labels))
    parts.append("</div>")
    return "\n".join(parts)


def html_fragment(comparison: Comparison, material_only: bool = False) -> str:
    """A redline as an HTML fragment (no <html>), safe to embed in a page or an email.

    Every change sits in an element with class ``change material`` or
    ``change minor``; removed text in ``<del>``, added text in ``<ins>``, and the
    reasons in a ``<ul class="reasons">`` beside it.
    """
    return html_table(comparison.register) + html_changes(visible(comparison, material_only))
