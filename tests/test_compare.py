"""compare(): the diff engine seen through its public API."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import policywatch
from policywatch import compare
from policywatch.engine.comparison import Change, Comparison
from policywatch.errors import InputTooLarge
from tests._diff_support import large_policy, policy, scatter_edits, seed

BODY = """## What we collect

We collect your name and email address when you sign up.

We do not sell your personal information to anyone.

## How long we keep it

We keep your data for 30 days after you close your account.

## Contact us

Write to privacy@example.com with any question.
"""


def test_identical_texts_have_no_changes():
    result = compare(policy(BODY), policy(BODY))
    assert (result.classification, result.changes) == ("none", [])


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace("We collect your name and", "We collect your name\nand"),
        lambda t: t.replace("We do not sell", "We  do not   sell"),
        lambda t: t.replace("## What we collect", "### What we collect ###"),
        lambda t: t.replace("your personal information", "your **personal information**"),
        lambda t: t.replace("your personal information", "your _personal_ information"),
        lambda t: t.replace("privacy@example.com", "[privacy@example.com](mailto:privacy@example.com)"),
        lambda t: t.replace("your data for", "your data\u00a0for"),
        lambda t: t.replace("Write to", "> Write to"),
        lambda t: t.replace('version: "1.0"', 'version: "2.0"\nupdated: 2025-01-01'),
    ],
    ids=["crlf", "rewrap", "spaces", "heading-markers", "strong", "emphasis", "link", "nbsp", "quote", "front-matter"],
)
def test_markup_and_white_space_changes_are_no_change(edit):
    assert compare(policy(BODY), edit(policy(BODY))).classification == "none"


def test_curly_quotes_and_dashes_are_no_change():
    old = policy('Our "Sites" - all of them - and the user\'s data.')
    new = policy("Our \u201cSites\u201d \u2014 all of them \u2013 and the user\u2019s data.")
    assert compare(old, new).classification == "none"


def test_renumbering_a_list_is_no_change():
    old = policy("1. First item here.\n2. Second item here.\n")
    new = policy("3. First item here.\n4. Second item here.\n")
    assert compare(old, new).classification == "none"


def test_a_changed_word_is_one_replace_under_its_section_path():
    result = compare(policy(BODY), policy(BODY.replace("30 days", "2 years")))
    assert len(result.changes) == 1
    change = result.changes[0]
    assert (change.kind, change.section) == ("replace", "How long we keep it")
    assert change.old_text == "We keep your data for 30 days after you close your account."
    assert change.new_text == "We keep your data for 2 years after you close your account."


def test_nested_headings_give_a_path():
    body = "## Rights\n\n### Access\n\nYou may ask for a copy of your data.\n"
    result = compare(policy(body), policy(body.replace("a copy", "one copy")))
    assert result.changes[0].section == "Rights > Access"


def test_word_diff_reads_as_whole_words():
    result = compare(policy(BODY), policy(BODY.replace("do not sell", "do not share")))
    changed = [s for s in result.changes[0].segments if s[0] != "equal"]
    assert changed == [["delete", "sell"], ["insert", "share"]]


def test_an_added_paragraph_is_an_insert():
    new = BODY.replace("## Contact us", "We may share your data with advertisers.\n\n## Contact us")
    result = compare(policy(BODY), policy(new))
    assert [(c.kind, c.new_text, c.old_text) for c in result.changes] == [
        ("insert", "We may share your data with advertisers.", "")
    ]


def test_a_removed_sentence_is_a_delete():
    new = BODY.replace("We do not sell your personal information to anyone.\n\n", "")
    result = compare(policy(BODY), policy(new))
    assert [(c.kind, c.old_text) for c in result.changes] == [
        ("delete", "We do not sell your personal information to anyone.")
    ]


def test_a_sentence_added_inside_a_paragraph_is_an_insert_of_that_sentence():
    new = BODY.replace("when you sign up.", "when you sign up. We also read your contacts.")
    change = compare(policy(BODY), policy(new)).changes[0]
    assert (change.kind, change.new_text) == ("insert", "We also read your contacts.")


def test_a_paragraph_moved_unchanged_is_a_minor_move():
    para = "We do not sell your personal information to anyone.\n\n"
    new = BODY.replace(para, "").replace("Write to", para + "Write to")
    result = compare(policy(BODY), policy(new))
    assert result.classification == "minor"
    assert [(c.kind, c.classification) for c in result.changes] == [("move", "minor")]


def test_a_section_moved_unchanged_is_one_move():
    keep = "## How long we keep it\n\nWe keep your data for 30 days after you close your account.\n\n"
    new = BODY.replace(keep, "") + "\n" + keep
    result = compare(policy(BODY), policy(new))
    assert [c.kind for c in result.changes] == ["move"]
    assert result.changes[0].old_text.split("\n\n")[0] in ("How long we keep it", "Contact us")


def test_verdict_is_material_when_any_change_is():
    new = BODY.replace("Write to", "Please write to").replace("do not sell", "may sell")
    result = compare(policy(BODY), policy(new))
    assert {c.classification for c in result.changes} == {"material", "minor"}
    assert result.classification == "material"


def test_comparison_serialises_to_json_as_it_is():
    result = compare(policy(BODY), policy(BODY.replace("30 days", "2 years")))
    data = json.loads(json.dumps(result.to_json()))
    assert data["classification"] == "material"
    assert set(data["changes"][0]) >= {"section", "kind", "old_text", "new_text", "classification", "reasons"}


def test_change_and_comparison_keep_their_positional_constructors():
    change = Change("s", "insert", "", "new", "minor", ["why"])
    assert Comparison("minor", [change]).to_json()["changes"][0]["reasons"] == ["why"]


def test_empty_old_text_makes_everything_an_addition():
    result = compare("", policy(BODY))
    assert result.classification == "material"
    assert {c.kind for c in result.changes} == {"insert"}


def test_two_empty_texts_are_no_change():
    assert compare("", "").classification == "none"


def test_text_over_the_limit_is_refused():
    from policywatch.engine.diff import MAX_CHARS

    with pytest.raises(InputTooLarge, match="accepts up to"):
        compare("x" * (MAX_CHARS + 1), "")


def test_scattered_edits_in_a_300kb_policy_stay_local():
    old = large_policy(300_000)
    new, edited = scatter_edits(old, 60)
    result = compare(old, new)
    replaced = [c for c in result.changes if c.kind == "replace"]
    assert len(replaced) == 60
    assert all(len(c.old_text) < 2_000 for c in result.changes)
    assert all("zyxcorp" in c.new_text for c in replaced)


def test_a_policy_rewritten_from_scratch_is_material_with_its_sections_named():
    result = compare(seed("zepp-privacy"), seed("fitbit-store-privacy"))
    assert result.classification == "material"
    rewritten = [r for c in result.changes for r in c.reasons if r.startswith("section rewritten: ")]
    assert any("What Type of Information Do We Collect?" in r for r in rewritten)


def test_importing_policywatch_does_not_load_the_diff_library():
    code = "import sys, policywatch, policywatch.engine.comparison; print('diff_match_patch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_compare_is_exported_from_the_package():
    assert policywatch.compare is compare


def test_a_paragraph_moved_and_edited_is_diffed_where_it_landed():
    para = "We do not sell your personal information to anyone.\n\n"
    moved = "We do not sell your personal information to anyone at all.\n\n"
    new = BODY.replace(para, "").replace("Write to", moved + "Write to")
    result = compare(policy(BODY), policy(new))
    assert len(result.changes) == 1
    change = result.changes[0]
    assert (change.kind, change.section) == ("replace", "What we collect")
    assert change.reasons[0] == "moved from 'What we collect' to 'Contact us' and edited"
    assert [s for s in change.segments if s[0] != "equal"] == [["insert", " at all"]]


def test_once_the_judging_budget_is_spent_changes_err_towards_material(monkeypatch):
    from policywatch.engine import comparison

    monkeypatch.setattr(comparison, "JUDGE_CHARS", -1)
    result = compare(policy(BODY), policy(BODY.replace("Write to", "Please write to")))
    assert result.classification == "material"
    assert "size limit for analysis was reached" in result.changes[0].reasons[0]
