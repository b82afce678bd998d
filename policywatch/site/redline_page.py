"""The printable redline page of ``policywatch diff --format html``.

The engine writes each comparison's changes as an escaped HTML fragment
(``policywatch.engine.render.html_changes``); this module lays the fragments out
in a page from the ``redline/page.html`` template, autoescaped like every other
page policywatch writes, so the engine needs no template system of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policywatch.engine.comparison import Comparison
from policywatch.engine.register_view import html_table
from policywatch.engine.render import PREAMBLE, Report, by_section, html_changes, summary, visible

if TYPE_CHECKING:
    from markupsafe import Markup


@dataclass(frozen=True)
class PageSection:
    title: str
    html: Markup  # escaped by the engine


def render_html(reports: list[Report], material_only: bool = False, title: str | None = None) -> str:
    """A standalone, printable redline page: sections in order, reasons beside each change."""
    from markupsafe import Markup

    from policywatch.templates import template_environment

    def sections(comparison: Comparison) -> list[PageSection]:
        return [
            PageSection(section or PREAMBLE, Markup(html_changes(changes, labels=True)))
            for section, changes in by_section(visible(comparison, material_only))
        ]

    title = title or ("Policy changes" if len(reports) != 1 else f"Changes to {reports[0].name}")

    def register_table(comparison: Comparison) -> Markup:
        return Markup(html_table(comparison.register))

    template = template_environment().get_template("redline/page.html")
    return template.render(
        title=title, reports=reports, summary=summary, sections=sections, register_table=register_table
    )
