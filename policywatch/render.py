"""Views of a Comparison for people: HTML redline (more views to come)."""

from __future__ import annotations

from html import escape

from policywatch.comparison import Comparison


def html_fragment(comparison: Comparison) -> str:
    """A redline as an HTML fragment (no <html>), safe to embed in a page or an email.

    Every change sits in an element with class ``change material`` or
    ``change minor``; removed text in ``<del>``, added text in ``<ins>``, and the
    reasons in a ``<ul class="reasons">`` beside it.
    """
    parts = ['<div class="redline">']
    for change in comparison.changes:
        parts.append(f'<section class="change {escape(change.classification)}">')
        if change.section:
            parts.append(f'<h3 class="section">{escape(change.section)}</h3>')
        parts.append("<p>")
        if change.old_text:
            parts.append(f"<del>{escape(change.old_text)}</del> ")
        if change.new_text:
            parts.append(f"<ins>{escape(change.new_text)}</ins>")
        parts.append("</p>")
        if change.reasons:
            parts.append('<ul class="reasons">' + "".join(f"<li>{escape(r)}</li>" for r in change.reasons) + "</ul>")
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)
