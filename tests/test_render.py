"""Views of a comparison: terminal text, JSON, HTML redline page and fragment, Markdown."""

from __future__ import annotations

import json
import re

import pytest

from policywatch import compare
from policywatch.engine.render import Report, html_fragment, render_json, render_markdown, render_text
from policywatch.site.redline_page import render_html
from tests._diff_support import policy

OLD = policy(
    "## Sharing\n\nWe do not sell your data.\n\n## Contact\n\nWrite to us at the address below.\n\n"
    "## Children\n\nWe do not knowingly collect data from children under 16.\n"
)
NEW = (
    OLD.replace("We do not sell", "We may sell")
    .replace("the address below.", "the address below (A & B < C).")
    .replace("under 16", "under 13")
)


@pytest.fixture(scope="module")
def report() -> Report:
    return Report("privacy", "privacy/v1.0", "policies/privacy.md", compare(OLD, NEW))


def test_fragment_keeps_the_markup_classes_embedders_rely_on(report):
    html = html_fragment(report.comparison)
    assert html.startswith('<div class="redline">')
    assert html.count('<section class="change material"') == 2
    assert '<section class="change minor"' in html
    assert '<h3 class="section">Sharing</h3>' in html
    assert "<del>do not</del>" in html and "<ins>may</ins>" in html
    assert '<ul class="reasons"><li>negation removed' in html


def test_fragment_escapes_policy_text(report):
    html = html_fragment(report.comparison)
    assert "A &amp; B &lt; C" in html


def test_fragment_can_leave_out_minor_changes(report):
    assert 'class="change minor"' not in html_fragment(report.comparison, material_only=True)


def test_html_page_is_standalone_and_printable(report):
    page = render_html([report])
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page
    assert "<link" not in page and "<script" not in page
    assert [m for m in re.findall(r'<h2 class="section-title">([^<]*)</h2>', page)] == [
        "Sharing",
        "Contact",
        "Children",
    ]
    assert "age threshold changed: 16 → 13" in page


def test_markdown_puts_the_verdict_first_and_marks_words(report):
    md = render_markdown([report])
    first = md.splitlines()[0]
    assert first == "### privacy: **Material change**"
    assert "We ~~do not~~ **may** sell your data." in md
    assert "  - negation removed: 'do not sell' → 'may sell'" in md
    assert "#### Sharing" in md


def test_markdown_escapes_markup_in_policy_text(report):
    md = render_markdown([report])
    assert "A & B \\< C" in md


def test_plain_text_marks_deletions_and_insertions_like_git_word_diff(report):
    out = render_text([report], color=False)
    assert "We [-do not-]{+may+} sell your data." in out
    assert "MATERIAL replace" in out
    assert "→ negation removed" in out
    assert "\x1b[" not in out


def test_colour_text_uses_terminal_styles(report):
    assert "\x1b[" in render_text([report], color=True)


def test_text_groups_changes_under_their_section(report):
    out = render_text([report], color=False)
    assert out.index("§ Sharing") < out.index("sell") < out.index("§ Contact") < out.index("§ Children")


def test_json_of_one_comparison_is_the_comparison_itself(report):
    assert json.loads(render_json([report])) == report.comparison.to_json()


def test_json_material_only_drops_minor_changes(report):
    data = json.loads(render_json([report], material_only=True))
    assert {c["classification"] for c in data["changes"]} == {"material"}


def test_several_reports_are_listed_by_policy(report):
    never = Report("terms", "", "policies/terms.md", None)
    data = json.loads(render_json([report, never]))
    assert [(d["policy"], d["comparison"] is None) for d in data] == [("privacy", False), ("terms", True)]
    assert "never released" in render_text([report, never], color=False)


def test_html_page_says_material_in_words_for_black_and_white_printing(report):
    page = render_html([report])
    assert page.count('<span class="label">Material</span>') == 2
    assert page.count('<span class="label">Minor</span>') == 1


def test_markdown_stays_within_a_comment_limit_and_says_what_it_left_out(report):
    md = render_markdown([report], limit=200)
    assert md.splitlines()[0] == "### privacy: **Material change**"
    assert "more change" in md.splitlines()[-1]
    assert len(md) < 600
