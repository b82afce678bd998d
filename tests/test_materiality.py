"""Materiality rules: which changes are material, and the reasons given."""

from __future__ import annotations

import pytest

from policywatch.config import parse_config
from policywatch.engine.materiality import load_rules
from policywatch.errors import ConfigError
from tests._diff_support import judged


def reasons(old: str, new: str, **kw) -> list[str]:
    return judged(old, new, **kw).reasons


def test_removed_negation_is_material_with_the_phrase_quoted():
    change = judged("We do not sell your personal information.", "We may sell your personal information.")
    assert change.classification == "material"
    assert "negation removed: 'do not sell' → 'may sell'" in change.reasons


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        pytest.param(
            "We will delete your data on request.",
            "We may delete your data on request.",
            "obligation turned into permission: 'will delete' → 'may delete'",
            id="obligation_turned_into_permission",
        ),
        pytest.param(
            "We retain logs for 30 days.",
            "We retain logs for 2 years.",
            "retention period changed: 30 days → 2 years",
            id="retention_period_change_names_both_periods",
        ),
        pytest.param(
            "Children under 13 may not use the service.",
            "Children under 16 may not use the service.",
            "age threshold changed: 13 → 16",
            id="age_threshold_change",
        ),
        pytest.param(
            "We collect your email address.",
            "We collect your email address and precise geolocation.",
            "new data category: precise geolocation",
            id="new_data_category_is_named",
        ),
        pytest.param(
            "We share data with service providers.",
            "We share data with service providers and data brokers.",
            "new recipient: data brokers",
            id="new_recipient_is_named",
        ),
        pytest.param(
            "We use your posts to run the service.",
            "We use your posts to run the service and for model training.",
            "new purpose: model training",
            id="new_purpose_is_named",
        ),
        pytest.param(
            "We send marketing only with your explicit consent.",
            "We send marketing with your implied consent.",
            "new consent standard: implied consent",
            id="consent_standard_change",
        ),
    ],
)
def test_a_material_change_gives_its_reason(old, new, reason):
    found = reasons(old, new)
    assert reason in found


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        pytest.param(
            "We delete your data on request.",
            "We never delete your data on request.",
            "negation added",
            id="added_negation",
        ),
        pytest.param(
            "You may close your account.",
            "You must close your account.",
            "permission turned into obligation",
            id="permission_turned_into_obligation",
        ),
        pytest.param(
            "We use your email only to send receipts.",
            "We use your email to send receipts.",
            "limitation removed",
            id="removed_limitation",
        ),
        pytest.param(
            "We share your data with partners.",
            "We sell your data to partners.",
            "activity changed: 'share' → 'sell'",
            id="changed_activity",
        ),
    ],
)
def test_a_material_change_gives_a_reason_of_its_kind(old, new, reason):
    found = reasons(old, new)
    assert any(r.startswith(reason) for r in found)


def test_removed_right_is_material():
    change = judged(
        "You have the right to data portability and to lodge a complaint.",
        "You have the right to lodge a complaint.",
    )
    assert change.classification == "material"
    assert "user right removed: data portability" in change.reasons


def test_a_new_substantive_sentence_is_material():
    change = judged("We value you.", "We value you. Your uploads train our recommendation engines nightly.")
    assert change.classification == "material"


def test_a_removed_commitment_is_material():
    change = judged("We keep your data safe. We never read your messages.", "We keep your data safe.")
    assert change.classification == "material"
    assert any(r.startswith("commitment removed") for r in change.reasons)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("We recieve your request.", "We receive your request.", "spelling corrected: 'recieve' → 'receive'"),
        ("Our organisation is small.", "Our organization is small.", "spelling variant"),
        ("We use cookies, pixels and tags.", "We use cookies, pixels, and tags.", "punctuation only"),
        ("Contact the Data Protection Officer.", "Contact the data protection officer.", "capitalisation only"),
        ("We obtain your request by post.", "We receive your request by post.", "synonym: 'obtain' → 'receive'"),
        ("Effective Date: August 9, 2024", "Effective Date: May 1, 2025", "date line updated"),
    ],
    ids=["typo", "variant", "punctuation", "case", "synonym", "date-line"],
)
def test_editorial_changes_are_minor_with_their_reason(old, new, reason):
    change = judged(old, new)
    assert change.classification == "minor"
    assert any(r.startswith(reason) for r in change.reasons), change.reasons


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("## Your rights\n\nText here.", "## Your choices\n\nText here.", id="reworded_heading"),
        pytest.param(
            "Export data from Basecamp 3 at any time.",
            "Export data from Basecamp 4 at any time.",
            id="a_product_version_number_is_not_a_changed_quantity",
        ),
        pytest.param(
            "Our addendum is at https://example.com/dpa/current.pdf today.",
            "Our addendum is at https://example.com/legal/dpa-2024.pdf today.",
            id="a_changed_link_address",
        ),
        pytest.param(
            "To learn how to see which cookies have been set and how to delete them, visit the help page.",
            "To learn how to view which cookies have been set and how to delete them, visit the help page.",
            id="one_reworded_word_in_a_sensitive_sentence",
        ),
    ],
)
def test_a_change_that_alters_no_duty_is_minor(old, new):
    assert judged(old, new).classification == "minor"


def test_extra_terms_from_config_make_a_change_material():
    old, new = "We collect your steps.", "We collect your steps and wellness score."
    assert judged(old, new).classification == "minor"
    rules = load_rules({"terms": {"data_categories": ["wellness score"]}})
    assert "new data category: wellness score" in judged(old, new, rules=rules).reasons


def test_new_category_from_config_names_its_label():
    rules = load_rules({"categories": {"loyalty": {"label": "loyalty scheme", "terms": ["points club"]}}})
    found = reasons("Shop with us.", "Shop with us and join the points club.", rules=rules)
    assert "new loyalty scheme: points club" in found


def test_always_material_section_makes_a_minor_change_material():
    body = "## Children\n\nWe recieve no data from kids.\n"
    rules = load_rules({"always_material": ["children"]})
    change = judged(body, body.replace("recieve", "receive"), rules=rules)
    assert change.classification == "material"
    assert change.reasons[0] == "section 'children' is always material"


def test_never_material_section_makes_a_material_change_minor():
    body = "## Contact us\n\nWrite to us within 30 days.\n"
    rules = load_rules({"never_material": ["Contact*"]})
    assert judged(body, body.replace("30 days", "60 days"), rules=rules).classification == "minor"


def test_rules_load_from_a_project_config():
    config = parse_config({"materiality": {"terms": {"recipients": ["Zyx Analytics"]}}}, "policywatch.toml")
    found = reasons(
        "We share with nobody else.", "We share with nobody else but Zyx Analytics.", rules=load_rules(config)
    )
    assert "new recipient: zyx analytics" in found


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": "red"}, "materiality.colour: unknown key"),
        ({"terms": {"data_categories": "gps"}}, "materiality.terms.data_categories: must be a list"),
        ({"terms": {"flavours": ["x"]}}, "materiality.terms.flavours: unknown word list"),
        ({"always_material": [1]}, "materiality.always_material: must be a list"),
        ({"categories": {"x": {"terms": ["a"], "weight": 2}}}, "materiality.categories.x.weight: unknown key"),
    ],
)
def test_bad_materiality_settings_name_the_key(table, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_rules(table)


def test_bad_settings_name_the_config_file():
    config = parse_config({"materiality": {"terms": {"recipients": "x"}}}, "policywatch.toml")
    with pytest.raises(ConfigError, match=r"^policywatch\.toml: materiality\.terms\.recipients"):
        load_rules(config)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        pytest.param(
            "The addendum was signed on October 5, 2020.",
            "The addendum was signed on March 1, 2021.",
            "date changed: October 5, 2020 → March 1, 2021",
            id="a_changed_date_inside_a_clause",
        ),
        pytest.param(
            "The addendum is effective as of October 5, 2020.",
            "The addendum is effective as of May 1, 2021.",
            "date something takes effect changed: October 5, 2020 → May 1, 2021",
            id="a_changed_date_on_which_something_takes_effect",
        ),
    ],
)
def test_a_changed_date_is_material_with_both_dates(old, new, reason):
    change = judged(old, new)
    assert change.classification == "material"
    assert change.reasons == [reason]


def test_an_activity_word_inside_a_name_is_not_an_activity():
    change = judged(
        "We respond to a valid court order.",
        "We respond to a valid court order under the Stored Communications Act.",
    )
    assert not any(r.startswith(("new activity", "activity")) for r in change.reasons)


def test_a_new_postal_address_is_minor():
    old = "Write to Acme, LLC, 30 North Racine Avenue, Suite 200, Chicago, IL 60607 USA."
    new = "Write to Acme, LLC, 2045 W Grand Ave Ste B, PMB 53289, Chicago, IL 60612 USA."
    change = judged(old, new)
    assert change.classification == "minor"
    assert change.reasons[0].startswith("postal address changed: '30 North Racine Avenue")


def test_a_number_changed_next_to_an_address_is_still_material():
    old = "We answer within 30 days. Write to 5 Main Street, Springfield, IL 62701."
    new = "We answer within 90 days. Write to 5 Main Street, Springfield, IL 62701."
    assert judged(old, new).classification == "material"


def test_a_negation_inside_a_name_is_not_a_negation():
    change = judged(
        "Other analytics are described in the Do Not Track section.",
        "Other analytics are described in the Cookies section.",
    )
    assert not any(r.startswith("negation") for r in change.reasons)
