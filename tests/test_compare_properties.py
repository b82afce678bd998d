"""Properties of compare() over random edits of a real policy (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policywatch import compare
from tests._diff_support import paragraphs, seed

PARAS = paragraphs(seed("zepp-privacy"))
BASE = "\n\n".join(PARAS) + "\n"

edit = st.tuples(
    st.sampled_from(["replace", "delete", "insert", "swap"]),
    st.integers(min_value=0, max_value=len(PARAS) - 1),
    st.integers(min_value=0, max_value=10_000),
)


def apply(edits: list[tuple[str, int, int]]) -> tuple[str, list[str]]:
    """The base policy with the edits applied, and the marker words they inserted."""
    paras = list(PARAS)
    markers = []
    for n, (kind, i, r) in enumerate(edits):
        i %= len(paras)
        marker = f"zyxmark{n}"
        if kind == "replace" and not paras[i].startswith(("#", "|")):
            words = paras[i].split(" ")
            words[r % len(words)] = marker
            paras[i] = " ".join(words)
            markers.append(marker)
        elif kind == "delete" and len(paras) > 5:
            paras.pop(i)
        elif kind == "insert":
            paras.insert(i, f"We may share your {marker} data with partners for {r} days.")
            markers.append(marker)
        elif kind == "swap":
            j = r % len(paras)
            paras[i], paras[j] = paras[j], paras[i]
    text = "\n\n".join(paras) + "\n"
    return text, [m for m in markers if m in text]


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=6))
def test_segments_spell_out_both_sides_of_every_change(edits):
    new, _ = apply(edits)
    for change in compare(BASE, new).changes:
        old_side = "".join(t for op, t in change.segments if op != "insert").strip()
        new_side = "".join(t for op, t in change.segments if op != "delete").strip()
        assert (old_side, new_side) == (change.old_text, change.new_text)


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=6))
def test_every_inserted_word_is_reported(edits):
    new, markers = apply(edits)
    reported = " ".join(c.new_text for c in compare(BASE, new).changes)
    assert all(m in reported for m in markers)


@SETTINGS
@given(st.lists(edit, min_size=1, max_size=6))
def test_an_edit_is_seen_in_both_directions(edits):
    new, markers = apply(edits)
    if markers:
        forward, backward = compare(BASE, new), compare(new, BASE)
        assert "none" not in (forward.classification, backward.classification)


@SETTINGS
@given(st.text(min_size=0, max_size=400))
def test_any_text_compared_with_itself_has_no_change(text):
    assert compare(text, text).classification == "none"


@SETTINGS
@given(st.text(min_size=0, max_size=300), st.text(min_size=0, max_size=300))
def test_any_two_texts_compare_without_error_and_serialise(a, b):
    import json

    result = compare(a, b)
    assert result.classification in ("material", "minor", "none")
    json.dumps(result.to_json())


sentence_edit = st.tuples(
    st.integers(min_value=0, max_value=len(PARAS) - 1),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(["We may share it.", "", "x.", "data;", "Again!", "  ", ".", "<repeat>"]),
)


@SETTINGS
@given(st.lists(sentence_edit, min_size=1, max_size=6))
def test_leaving_shared_sentences_out_of_the_word_diff_changes_no_edit(edits):
    from unittest import mock

    from policywatch.engine import diff

    paras = list(PARAS)
    for i, at, text in edits:
        sentences = paras[i].split(". ")
        at %= len(sentences) + 1
        if text == "<repeat>":  # the words the next sentence starts with, then others
            text = " ".join(sentences[at % len(sentences)].split()[:2] + ["said", "again"])
        sentences.insert(at, text)
        paras[i] = ". ".join(sentences)
    new = "\n\n".join(paras) + "\n"

    def edits_of(old: str, new: str) -> list[tuple]:
        memo: dict = {}
        found = diff.diff_blocks(diff.normalise(old, memo), diff.normalise(new, memo))
        return [(e.section, e.kind, e.old_text, e.new_text, e.segments, e.deleted_words) for e in found]

    trimmed = edits_of(BASE, new)
    with mock.patch.object(diff, "_shared_sentences", lambda a, b: None):
        assert edits_of(BASE, new) == trimmed
