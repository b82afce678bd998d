"""Each change says in one plain sentence what it does; the structured reasons stay as the detail."""

from __future__ import annotations

import json

from policywatch import compare
from policywatch.engine.plain import sentence
from policywatch.engine.render import Report, html_fragment, render_markdown, render_text
from tests._diff_support import policy

OLD = """\
## Location

To improve our maps we use your approximate location.

## Contact

Write to our office.
"""
NEW = OLD.replace(
    "To improve our maps we use your approximate location.",
    "To improve our maps we use your approximate location. We collect your precise location from GPS in the "
    "background and share it with advertising partners such as Pinpoint Metrics.",
)


def test_data_and_recipients_of_one_change_are_said_in_one_sentence_naming_the_company():
    change = compare(policy(OLD), policy(NEW)).material_changes[0]
    assert change.summary.startswith("Collects precise location")
    assert "shares it with advertising partner" in change.summary
    assert "Pinpoint Metrics" in change.summary


def test_the_sentence_names_each_practice_once_and_leaves_out_the_text_that_carries_it():
    reasons = [
        "new data category: precise location (gps)",
        "new recipient: advertising partners, including Foursquare",
        "text added: 'We collect your precise location …'",
    ]
    said = sentence("material", reasons)
    assert said == "Collects precise location (gps) and shares it with advertising partners, including Foursquare."


def test_a_promise_weakened_is_said_as_the_words_now_and_before():
    said = sentence("material", ["negation removed: 'do not sell' → 'may sell'"])
    assert said == "Now says 'may sell' where it said 'do not sell'."


def test_a_widened_definition_is_said_with_the_clauses_it_reaches():
    said = sentence(
        "material",
        ["definition of 'Customer Data' widened: now also 'voice recordings'; 1 clause uses the term, e.g. 'We train'"],
    )
    assert said.startswith("Widens what 'Customer Data' means to include 'voice recordings' (1 clause uses")


def test_a_change_in_the_users_favour_says_so():
    said = sentence("minor", ["contact added: data protection officer (in the user's favour)"])
    assert said == "Adds a contact: data protection officer, in your favour."


def test_a_rule_on_the_user_struck_out_or_lifted_says_so_in_the_users_favour():
    struck = sentence("minor", ["duty on the user removed: 'You must not resell access.' (in the user's favour)"])
    lifted = sentence("minor", ["ban on the user lifted: 'not allowed' → 'allowed' (in the user's favour)"])
    assert struck == "Drops a rule you had to follow: You must not resell access, in your favour."
    assert lifted == "Lifts a ban on you ('not allowed' → 'allowed'), in your favour."


def test_a_word_turned_into_its_opposite_is_said_as_the_words_now_and_before():
    said = sentence("material", ["meaning reversed: 'revocable' → 'irrevocable'"])
    assert said == "Now says 'irrevocable' where it said 'revocable'."


def test_an_editorial_change_is_said_as_the_kinds_of_edit_it_makes():
    said = sentence("minor", ["spelling variant: 'colour' → 'color'", "synonym: 'help' → 'assist'"])
    assert said == "Editorial: spelling variant, synonym."


def test_the_json_keeps_the_reasons_and_adds_the_sentence():
    data = json.loads(json.dumps(compare(policy(OLD), policy(NEW)).to_json()))
    change = data["changes"][0]
    assert change["reasons"] and isinstance(change["reasons"], list)
    assert change["summary"].startswith("Collects")


def test_text_markdown_and_html_views_show_the_sentence_before_the_reasons():
    comparison = compare(policy(OLD), policy(NEW))
    said = comparison.changes[0].summary
    report = [Report("privacy", "old", "new", comparison)]
    for view in (render_text(report, color=False, width=400), render_markdown(report), html_fragment(comparison)):
        assert said in view.replace("&#x27;", "'")
        assert view.replace("&#x27;", "'").index(said) < view.index("new data category")


def test_a_power_widened_is_said_as_what_the_company_may_now_do():
    said = sentence("material", ["power widened: may now also deny ('terminate or deny')"])
    assert said == "Widens what it may do: may now also deny ('terminate or deny')."
