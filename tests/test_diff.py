"""The engine's Markdown reading agrees with the site's on which lines are headings.

The engine (``policywatch.engine.diff.normalise``) parses Markdown with its own
fast line parser; the site renders it with markdown-it. Every heading-like line
carries a unique word (``w1``, ``w2``...), and both readings must put the same
words in headings, in the same order. Lists whose items hold indented blocks
(``- a`` then ``    # b``) and list markers CommonMark does not know (``a.``,
``(i)``) and lazy continuation lines of a block quote are outside what the
engine's parser follows, so the generated documents keep indentation and list
items apart and end a block quote with a blank line.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policywatch.engine.diff import normalise
from policywatch.site.markup import render_markdown

TITLE = "# w0\n\n"  # the site leaves a leading title to the page; the engine keeps it as a heading
WORD = re.compile(r"w\d+")


def engine_headings(text: str) -> list[list[str]]:
    found = [WORD.findall(b.text) for b in normalise(TITLE + text) if b.kind == "heading"]
    return [words for words in found if words][1:]


def site_headings(text: str) -> list[list[str]]:
    found = [WORD.findall(h.text) for h in render_markdown(TITLE + text).headings]
    return [words for words in found if words]


TRICKY = {
    "fenced code with a hash line": "```\n# w1\n```\n\n## w2\n",
    "fenced code with blank lines": "Intro w1.\n\n```text\n# w2\n\n## w3\n```\n\n## w4\n",
    "tilde fence": "~~~\n# w1\n~~~\n# w2\n",
    "a shorter fence does not close a longer one": "````\n# w1\n```\n# w2\n````\n# w3\n",
    "a backtick fence is not closed by tildes": "```\n# w1\n~~~\n# w2\n```\n# w3\n",
    "an unclosed fence runs to the end": "## w1\n\n```\n# w2\n\n# w3\n",
    "a fence interrupts a paragraph": "w1\n```\n# w2\n```\n",
    "backticks in the info string make no fence": "``` a`b\n# w1\n",
    "a fence in a block quote": "> ```\n> # w1\n> ```\n# w2\n",
    "a fence ends with its block quote": "> ```\n> # w1\n# w2\n",
    "indented code": "w1\n\n    # w2\n\n# w3\n",
    "tab-indented code": "\t# w1\n\n## w2\n",
    "indented text continues a paragraph": "w1\n    # w2\n---\n",
    "setext heading over two lines": "w1\nw2\n---\n\nw3\n===\n",
    "setext under indented code is a rule": "    w1\n---\n",
    "setext under a block quote is a rule": "> w1\n---\n",
    "setext inside a block quote": "> w1\n> ---\n",
    "a block quote interrupts a paragraph": "w1\n> w2\n---\n",
    "setext under a list item is a rule": "- w1\n---\n",
    "lazy list continuation then a rule": "- w1\nw2\n---\n",
    "seven hashes are text": "####### w1\n",
    "no space after the hash is text": "#w1\n",
    "closing hashes": "## w1 ##\n",
    "a block quote after a list item is no part of it": "> w1\n- w2\n> w3\n> ---\n",
    "heading indented by three spaces": "   ### w1\n",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_engine_and_site_find_the_same_headings(text):
    assert engine_headings(text) == site_headings(text)


def test_a_hash_line_in_fenced_code_is_not_a_section():
    blocks = normalise("## Sharing\n\n```\n# not a heading\n\nstill code\n```\n\nWe share nothing.\n")
    assert [(b.kind, b.section) for b in blocks] == [
        ("heading", "Sharing"),
        ("paragraph", "Sharing"),
        ("paragraph", "Sharing"),
    ]
    assert blocks[1].text == "# not a heading still code"


COMMON = [
    "# {w}",
    "## {w} ##",
    "#{w}",
    "{w}",
    "{w} {w}",
    "===",
    "---",
    "***",
    "> {w}",
    "> # {w}",
    "> > {w}",
    ">",
    "> ---",
    "> ```",
    "```",
    "```text",
    "~~~",
    "````",
    "``` a`b",
    "",
    "",
]
INDENTED = ["  ### {w}", "   ```", "    {w}", "    # {w}", "\t# {w}", "\t{w}", "    ---", "    ```", "  {w}"]
LISTS = ["- {w}", "* {w}", "1. {w}"]


def _document(pieces: list[str]) -> str:
    counter = itertools.count(1)
    lines = []
    for piece in pieces:
        # A line after a block quote that is not quoted itself would be a lazy continuation of it,
        # which the engine's parser does not follow (policies do not write them): a blank line ends the quote.
        if lines and lines[-1].lstrip().startswith(">") and piece and not piece.lstrip().startswith(">"):
            lines.append("")
        lines.append(re.sub(r"\{w\}", lambda _: f"w{next(counter)}", piece))
    return "\n".join(lines) + "\n"


documents = st.one_of(
    st.lists(st.sampled_from(COMMON + INDENTED), max_size=14),
    st.lists(st.sampled_from(COMMON + LISTS), max_size=14),
).map(_document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_engine_and_site_agree_on_headings_in_generated_markdown(text):
    assert engine_headings(text) == site_headings(text)


def test_whole_sentences_both_versions_of_a_paragraph_share_are_left_out_of_the_word_diff():
    from policywatch.engine.diff import _shared_sentences

    assert _shared_sentences("A one. B two. C three.", "A one. B too. C three.") == (
        ("B two. ", "B too. "),
        "A one. C three.",
    )


def test_the_shared_end_left_out_stops_where_the_shared_start_stops():
    from policywatch.engine.diff import _shared_sentences

    # After "Intro here." both go on "If you ", and the diff aligns them there: the last sentence stays in.
    assert _shared_sentences(
        "Intro here. If you reside here. If you would like it.", "Intro here. If you would like it."
    ) == (
        ("If you reside here. If you would like it.", "If you would like it."),
        "Intro here. ",
    )
