"""Policy Markdown on the site: safe HTML, anchors, a valid heading outline, a table of contents."""

from policywatch.site.markup import render_markdown, slugify


def test_raw_html_in_a_policy_is_shown_as_text_not_run():
    html = render_markdown("Hello <script>alert(1)</script> <b onclick=x>bold</b>\n").html
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_javascript_link_is_not_made_into_a_link():
    html = render_markdown("[click](javascript:alert(1)) and [ok](https://example.com)\n").html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", "")
    assert '<a href="https://example.com">ok</a>' in html


def test_the_leading_title_heading_is_left_to_the_page():
    rendered = render_markdown("# Privacy Policy\n\nIntro.\n\n## What we collect\n")
    assert "<h1" not in rendered.html
    assert '<h2 id="what-we-collect">What we collect</h2>' in rendered.html


def test_headings_are_renumbered_from_h2_without_skipping_levels():
    rendered = render_markdown("# Title\n\n### Deep first\n\n##### Deeper\n\n### Sibling\n")
    assert [h.level for h in rendered.headings] == [2, 3, 2]


def test_headings_get_unique_anchors_and_page_ids_are_never_reused():
    rendered = render_markdown("## Contents\n\n## Your rights\n\n## Your rights\n")
    assert [h.id for h in rendered.headings] == ["contents-2", "your-rights", "your-rights-2"]


def test_the_table_of_contents_nests_subsections_under_their_section():
    rendered = render_markdown("## A\n\n### A.1\n\n#### A.1.a\n\n## B\n")
    toc = rendered.toc
    assert [e.heading.text for e in toc] == ["A", "B"]
    assert [c.heading.text for c in toc[0].children] == ["A.1"]


def test_anchor_text_drops_markup_and_keeps_letters_of_any_script():
    assert slugify("Données **personnelles** & vous") == "données-personnelles-vous"
    assert slugify("!!!") == "section"


def test_markdown_tables_are_rendered():
    assert "<table>" in render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n").html
