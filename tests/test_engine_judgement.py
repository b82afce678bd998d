"""Judgement on real text: concepts, document structure, direction, definitions and refusal.

Every text here is made up, in the shapes that scraped policy histories take.
"""

from __future__ import annotations

import pytest

from policywatch import compare
from policywatch.errors import EXIT_NOT_A_POLICY, NotAPolicy
from tests._diff_support import policy

BODY = """\
## Contents

1. Information we collect
2. How we share information
3. Your rights

## Information we collect

We collect your name, e-mail address and the files you upload. We use behavioral advertising cookies on our site.

## How we share information

We share personal information with our subsidiaries and with service providers who help us run the service.
See Sections 4.2-4.5 for how long we keep data.

"Customer Data" means files and comments that you upload to the service.

We may use Customer Data to train models that improve the service.

We keep account data for 90 days after you close your account.

In 2023 we received 1,234 requests to delete data and complied with 1,100 of them.

Our registered office is at 9 Example Street, 75003 Paris.

## Your rights

You may ask us for a copy of your data. You can opt out of marketing by writing to our office.

You agree not to upload:

- material that is unlawful, violent or hateful;
- material that infringes the rights of others.

Theme by Acme Themes.
"""


def verdict(*edits: tuple[str, str], body: str = BODY):
    new = body
    for old, replacement in edits:
        assert body.count(old) == 1, old
        new = new.replace(old, replacement)
    return compare(policy(body), policy(new))


def with_sentence(sentence: str) -> str:
    """BODY with ``sentence`` put before the first right it states."""
    return BODY.replace("You may ask us", f"{sentence} You may ask us")


def with_paragraph(paragraph: str) -> str:
    """BODY with ``paragraph`` added at the end of its sharing section."""
    return BODY.replace("## Your rights", f"{paragraph}\n\n## Your rights")


def with_paragraph_added(paragraph: str):
    """The verdict on BODY once ``paragraph`` is added at the end of its sharing section."""
    return compare(policy(BODY), policy(with_paragraph(paragraph)))


def with_paragraph_changed(old: str, new: str):
    """The verdict on ``old`` put for ``new`` at the end of BODY's sharing section."""
    return compare(policy(with_paragraph(old)), policy(with_paragraph(new)))


def with_opening_removed(opening: str):
    """The verdict on BODY once ``opening`` (a banner, a note, a list above the policy) is taken off its top."""
    return compare(policy(opening + BODY), policy(BODY))


def with_ending_removed(ending: str):
    """The verdict on BODY once ``ending`` (a footer, a call to action, an icon) is taken off its end."""
    return compare(policy(BODY + ending), policy(BODY))


def reasons(result) -> list[str]:
    return [r for change in result.changes for r in change.reasons]


# --- Concepts, not surface words ------------------------------------------------------------


def test_british_and_american_spellings_of_a_category_term_are_one_concept():
    result = verdict(("behavioral advertising", "behavioural advertising"))
    assert result.classification == "minor"
    assert "spelling variant: 'behavioral' → 'behavioural'" in reasons(result)


def test_a_hyphen_dropped_from_e_mail_changes_nothing():
    result = verdict(("e-mail address", "email address"))
    assert result.classification == "minor"


def test_a_data_category_written_in_the_singular_or_the_plural_is_one_concept():
    result = with_paragraph_changed(
        "Profile photo cannot show offensive content.", "Profile photos cannot show offensive content."
    )
    assert result.classification == "minor"
    assert not any(r.startswith("new data category") for r in reasons(result))


def test_free_said_as_at_no_cost_adds_no_negation():
    result = with_paragraph_changed("We provide storage for free.", "We provide storage at no cost.")
    assert result.classification == "minor"


def test_a_rule_that_applied_in_part_of_its_reach_and_now_applies_to_all_of_it_is_material():
    result = with_paragraph_changed(
        "We apply a monthly data cap to accounts in most of our service areas.",
        "We apply a monthly data cap to accounts.",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("limitation removed")


def test_a_name_written_short_by_the_abbreviation_it_introduced_changes_nothing():
    result = with_paragraph_changed(
        "In some places (the European Economic Area (EEA) and the United Kingdom (UK)) we need a lawful basis.",
        "In some places (the EEA and the UK) we need a lawful basis.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("abbreviation written in full or short")


def test_an_abbreviation_spelled_out_is_no_new_place_data_goes_to():
    result = with_paragraph_changed(
        "If you are a consumer located in the EEA or the UK, you may ask for more information.",
        "If you are a consumer located in the European Economic Area (EEA) or the United Kingdom (UK), you may ask for"
        " more information.",
    )
    assert result.classification == "minor"


def test_the_uk_is_the_united_kingdom():
    result = with_paragraph_changed(
        "We store your data on servers located in the UK.",
        "We store your data on servers located in the United Kingdom.",
    )
    assert result.classification == "minor"


def test_a_place_said_of_where_the_user_is_is_no_transfer():
    result = with_paragraph_added("If you're outside the United Kingdom, please write to our Data Protection Officer.")
    assert not any("international transfer" in r for r in reasons(result))


def test_a_place_said_of_where_data_is_stored_is_still_a_transfer():
    result = with_paragraph_added("The data of users in Canada is stored on servers located in the United Kingdom.")
    assert result.classification == "material"
    assert any(r.startswith("new international transfer") and "united kingdom" in r for r in reasons(result))


def test_a_synonym_of_a_recipient_is_no_new_recipient():
    result = verdict(("our subsidiaries", "our subsidiary companies"))
    assert result.classification == "minor"
    assert "synonym: 'subsidiaries' → 'subsidiary companies'" in reasons(result)


def test_subcontractors_called_data_processors_are_no_new_recipient():
    result = with_paragraph_changed(
        "Acme ensures that its subcontractors have security measures that protect personal data.",
        "Acme ensures that its data processors have security measures that protect personal data.",
    )
    assert result.classification == "minor"
    assert not any(r.startswith("new recipient") for r in reasons(result))


def test_a_new_concept_of_the_same_category_is_still_material():
    result = verdict(("our subsidiaries", "our subsidiaries and data brokers"))
    assert result.classification == "material"
    assert "new recipient: data brokers" in reasons(result)


def test_terms_of_one_concept_are_named_in_one_reason():
    result = verdict(("We collect your name,", "We collect your precise location and GPS position, your name,"))
    assert "new data category: precise location (gps)" in reasons(result)


def test_a_recipient_the_text_names_is_named_in_the_reason():
    result = verdict(("and with service providers", "and with advertising partners, including Foursquare, and"))
    assert "new recipient: advertising partners, including Foursquare" in reasons(result)


def test_a_country_named_for_who_may_sign_up_is_no_international_transfer():
    body = "Acme Ltd provides the service if you are a resident of a country in the EEA or Switzerland.\n"
    result = verdict(("EEA or", "EEA, United Kingdom or"), body=body)
    assert result.classification == "minor"


def test_a_country_named_as_where_data_is_stored_is_an_international_transfer():
    body = "Your data is stored on servers in the EEA.\n"
    result = verdict(("in the EEA.", "in the EEA and China."), body=body)
    assert "new international transfer: china" in reasons(result)


# --- Document structure -------------------------------------------------------------------------


def test_an_update_banner_is_page_furniture():
    result = verdict(
        ("## Contents", "We have updated our privacy policy. Takes effect on 1 March 2024.\n\n## Contents")
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture added")


def test_a_banner_that_announces_a_practice_is_judged_as_text():
    banner = "We have updated our policy: we may now share your location with advertisers.\n\n## Contents"
    result = verdict(("## Contents", banner))
    assert result.classification == "material"


@pytest.mark.parametrize(
    "banner",
    [
        "The Acme Data Protection Terms will be updated on January 1, 2027 to include the U.S. State Privacy Laws "
        "Addendum below. For more information on this update see [acme.example/update](https://acme.example/u). "
        "You can find the terms which apply prior to January 1, 2027 [here](https://acme.example/old).",
        "We are making changes to the Acme Data Protection Terms. These updates will apply from September 1 2027. "
        "You can find the terms that apply prior to September 1, 2027 [here](https://acme.example/old).",
        "From July 31, 2027 Acme is expanding the scope of our User Consent Policy to apply to users in Norway. "
        "You can preview the updated policy [here](https://acme.example/new). Publishers and advertisers can find "
        "more information in the [Help with the user consent policy](https://acme.example/help) page.",
    ],
)
def test_a_notice_that_the_document_is_about_to_change_is_page_furniture(banner):
    result = with_opening_removed(banner + "\n\n")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture removed")


def test_a_notice_of_a_coming_change_that_states_a_practice_is_judged_as_text():
    banner = "We are making changes to our Privacy Policy. These updates will apply from September 1 2027. "
    result = with_opening_removed(banner + "We will share your location with advertisers.\n\n")
    assert result.classification == "material"


def test_a_changes_clause_in_the_future_tense_is_no_banner():
    clause = "This policy will be updated from time to time and we will notify you by email of material changes."
    result = with_paragraph_added(clause)
    assert result.classification == "material"


def test_an_invitation_to_a_help_tool_is_navigation():
    widget = (
        "Use our guided support experience to understand, identify and fix your Merchant Center issues:\n\n"
        "[Diagnose your policy issues](https://acme.example/diagnose)"
    )
    result = with_paragraph_added(widget)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


def test_a_help_tool_that_sends_data_somewhere_is_judged_as_text():
    result = with_paragraph_added("Use our support tools to upload your data to our partners at the Merchant Center.")
    assert result.classification == "material"


def test_a_wiki_pages_translation_notice_is_page_furniture():
    result = verdict(
        (
            "Theme by Acme Themes.",
            "Translate this page; This page contains changes which are not marked for translation.",
        )
    )
    assert result.classification == "minor"


def test_a_feedback_widget_under_its_own_heading_is_page_furniture():
    widget = "## Was this article helpful?\n\nYes\n\nNo\n\nTell us more about what we could improve.\n\nSubmit\n"
    result = verdict(("Theme by Acme Themes.\n", "Theme by Acme Themes.\n\n" + widget))
    assert result.classification == "minor"


def test_shop_chrome_and_credit_lines_are_page_furniture():
    result = verdict(("Theme by Acme Themes.", "Theme by Other Themes.\n\nBasket (0)"))
    assert result.classification == "minor"


def test_a_table_of_contents_entry_is_navigation_not_a_recipient():
    result = verdict(("3. Your rights\n", "3. Your rights\n4. Service providers\n"))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


def test_a_line_naming_a_new_schedule_of_the_document_is_navigation():
    result = verdict(("3. Your rights\n", "3. Your rights\n\nSchedule 5: fibre broadband plans\n"))
    assert result.classification == "minor"


def test_a_cross_reference_renumbered_is_no_retention_change():
    result = verdict(("4.2-4.5", "4.2-4.8"))
    assert result.classification == "minor"
    assert reasons(result) == ["cross-reference or version updated: Sections 4.2-4.5 → Sections 4.2-4.8"]


def test_a_clause_number_that_opens_a_list_item_relettered_is_no_age_or_quantity():
    old = "You grant us:\n\n- 2.2 all rights under licences, consents or statutes in relation to the rights above;"
    result = with_paragraph_changed(old, old.replace("2.2", "(b)"))
    assert result.classification == "minor"


def test_a_decimal_quantity_that_opens_a_sentence_is_still_a_quantity():
    result = with_paragraph_changed(
        "2.5 days after a request we delete the data.", "9.5 days after a request we delete the data."
    )
    assert result.classification == "material"


def test_refreshed_statistics_are_no_retention_change():
    result = verdict(("1,234", "1,502"), ("1,100", "1,311"))
    assert result.classification == "minor"
    assert reasons(result) == ["statistics updated: 1,234, 1,100 → 1,502, 1,311"]


def test_a_postcode_is_no_age_threshold():
    result = verdict(("9 Example Street, 75003 Paris", "26 Sample Road, 75011 Paris"))
    assert result.classification == "minor"


def test_a_scraped_mail_placeholder_replaced_by_the_address_is_a_link_change():
    body = "Write to [email protected] with any question about your rights.\n"
    result = verdict(("[email protected]", "privacy@example.com"), body=body)
    assert result.classification == "minor"


def test_one_way_to_reach_the_company_swapped_for_another_is_minor():
    result = verdict(("by writing to our office", "through the help centre"))
    assert result.classification == "minor"
    assert "contact channel changed: 'by writing to our office' → 'through the help centre'" in reasons(result)


def test_one_of_two_ways_to_use_a_right_dropped_while_the_other_stays_is_a_channel_change():
    result = with_paragraph_changed(
        "You may withdraw consent by contacting us at privacy@acme.example or by visiting https://acme.example/p.",
        "You may withdraw consent by visiting https://acme.example/p.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact channel changed")


def test_a_help_centre_and_a_mail_address_swapped_for_a_web_form_is_a_channel_change():
    result = with_paragraph_changed(
        "Report a violation through our Help Center or at legal@acme.example.",
        "Report a violation via the form available at https://acme.example/report.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact channel changed")


def test_the_users_leave_to_contact_put_as_an_invitation_is_the_same():
    result = with_paragraph_changed(
        "You can contact our privacy team with any questions.", "Please contact our privacy team with any questions."
    )
    assert result.classification == "minor"


# --- Direction ------------------------------------------------------------------------------------


def test_a_right_to_complain_added_is_in_the_users_favour():
    edit = ("You can opt out", "You have the right to lodge a complaint with a supervisory authority. You can opt out")
    result = verdict(edit)
    assert result.classification == "minor"
    assert any("in the user's favour" in r for r in reasons(result))


def test_a_data_protection_officer_contact_added_is_in_the_users_favour():
    result = verdict(
        ("## Your rights\n", "## Your rights\n\nYou can contact our Data Protection Officer at dpo@example.com.\n")
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact added: data protection officer")


def test_shorter_retention_is_in_the_users_favour():
    result = verdict(("90 days", "30 days"))
    assert result.classification == "minor"
    assert reasons(result) == ["retention period shortened: 90 days → 30 days (in the user's favour)"]


def test_longer_retention_is_material():
    result = verdict(("90 days", "180 days"))
    assert reasons(result) == ["retention period changed: 90 days → 180 days"]
    assert result.classification == "material"


def test_will_not_turned_into_may_is_material():
    result = compare(policy("We will not use your files."), policy("We may use your files."))
    assert result.classification == "material"


def test_may_turned_into_will_not_is_tightening_said_in_the_notes():
    result = verdict(("We may use Customer Data", "We will not use Customer Data"))
    assert result.classification == "minor"
    assert any(r.startswith("practice narrowed") and r.endswith("(in the user's favour)") for r in reasons(result))


def test_a_right_added_together_with_a_new_recipient_is_material():
    edit = (
        "for 90 days",
        "for 90 days and share it with advertisers; you may lodge a complaint with a supervisory authority",
    )
    result = verdict(edit)
    assert result.classification == "material"
    assert "new recipient: advertisers" in reasons(result)


def test_an_item_added_to_a_list_of_what_the_user_may_not_upload_is_material():
    result = verdict(("unlawful, violent or hateful", "unlawful, violent, hateful or obscene"))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("list extended in a clause that binds")


def test_what_may_befall_the_user_is_no_leave_given_to_the_user():
    old = "We bill your card each month."
    result = compare(policy(old), policy("We bill your card each month and you may be charged a late fee."))
    assert result.classification == "material"


def test_an_activity_added_to_what_the_company_promises_not_to_do_is_in_the_users_favour():
    old = "Acme does not collect, access, or store any message you send."
    result = compare(policy(old), policy(old.replace("access, or", "access, retain, or")))
    assert result.classification == "minor"
    assert reasons(result)[0] == "more the company promises not to do: retain (in the user's favour)"


def test_a_practice_added_after_a_promise_not_to_is_material():
    old = "We do not sell your data."
    result = compare(policy(old), policy("We do not sell your data but share it with advertisers."))
    assert result.classification == "material"
    assert "new recipient: advertisers" in reasons(result)


def test_a_limit_put_on_what_the_company_does_with_data_is_in_the_users_favour():
    result = with_paragraph_changed(
        "We share your data with our partners.", "We share your data with our partners only when you ask us to."
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("practice narrowed")


@pytest.mark.parametrize(
    "old, new",
    [
        ("We may share your data with advertisers.", "We will never share your data with advertisers."),
        (
            "Your calendar data is stored on your device.",
            "Your calendar data is stored on your device and never sent to us.",
        ),
    ],
)
def test_a_practice_turned_into_a_promise_not_to_is_in_the_users_favour(old, new):
    result = with_paragraph_changed(old, new)
    assert result.classification == "minor"
    assert any(r.startswith("practice narrowed") for r in reasons(result))


def test_a_promise_to_delete_turned_into_none_is_still_material():
    result = with_paragraph_changed("We will delete your data on request.", "We will not delete your data on request.")
    assert result.classification == "material"


def test_a_limit_put_on_the_users_own_right_is_material():
    result = with_paragraph_changed(
        "You may download your data at any time.", "You may only download your data once a year."
    )
    assert result.classification == "material"


def test_a_long_promise_not_to_use_data_reaches_the_purpose_at_its_end():
    result = with_paragraph_added(
        "We do not use personal information of users in the US who are identified as children under the law that"
        " protects them for model training."
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("more the company promises not to do: model training")


def test_a_ban_on_the_user_extended_is_no_promise_of_the_company():
    result = with_paragraph_changed(
        "You may not decompile, reverse engineer or disassemble the software.",
        "You may not decompile, reverse engineer, disassemble or apply any other process or procedure to derive"
        " the source code of the software.",
    )
    assert not any(r.startswith("more the company promises not to do") for r in reasons(result))


def test_a_verb_added_to_what_the_company_may_do_widens_its_power():
    result = with_paragraph_changed(
        "Acme may terminate your participation with immediate effect.",
        "Acme may terminate or deny your participation with immediate effect.",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("power widened: may now also deny")


def test_a_verb_added_to_what_the_user_may_do_is_no_power_of_the_company():
    result = with_paragraph_changed(
        "You may cancel your subscription at any time.", "You may cancel or pause your subscription at any time."
    )
    assert result.classification == "minor"


def test_a_word_stretching_where_the_company_may_act_widens_its_power():
    result = with_paragraph_changed(
        "We may review the content and take action, including removing the content and closing the account.",
        "We may review the content and take action, including removing the content globally and closing the account.",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("power widened: now 'globally'")


def test_a_licence_the_user_grants_made_worldwide_reaches_further():
    result = with_paragraph_changed(
        "You grant us a non-exclusive licence to host and display your content.",
        "You grant us a worldwide, non-exclusive licence to host and display your content.",
    )
    assert result.classification == "material"
    assert any(r.startswith("power widened: now 'worldwide'") for r in reasons(result))


def test_a_word_stretching_when_the_user_may_act_is_no_power_of_the_company():
    result = with_paragraph_changed(
        "You may withdraw your consent by writing to us.", "You may withdraw your consent at any time by writing to us."
    )
    assert result.classification == "minor"


def test_one_of_the_users_duties_struck_out_is_in_the_users_favour():
    old = "Your app must comply with our Content Rules and follow our Review Guidelines."
    result = compare(policy(old), policy("Your app must comply with our Content Rules."))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("duty on the user dropped")


def test_an_alternative_struck_out_of_a_users_duty_is_material():
    old = "You must be 18 or older, or have the consent of a parent, and you agree not to share your account."
    result = compare(policy(old), policy(old.replace(", or have the consent of a parent,", "")))
    assert result.classification == "material"


# --- Definitions ------------------------------------------------------------------------------


def test_a_widened_definition_is_judged_by_the_clauses_that_use_the_term():
    result = verdict(("files and comments", "files, comments and call transcripts"))
    assert result.classification == "material"
    first = reasons(result)[0]
    assert first.startswith("definition of 'Customer Data' widened: now also 'call transcripts'")
    assert "We may use Customer Data to train models" in first


def test_a_definition_reworded_in_other_words_of_the_same_meaning_stays_minor():
    result = verdict(("files and comments that you upload", "files and comments that you upload"))
    assert result.classification == "none"
    result = verdict(("files and comments that you upload to", "files and comments that you upload onto"))
    assert result.classification == "minor"


# --- Refusal ----------------------------------------------------------------------------------

POLICY_TEXT = policy(BODY * 3)


@pytest.mark.parametrize(
    ("new", "said"),
    [
        ("Something went wrong. Refresh", "new text is an error page ('Something went wrong')"),
        ("Diese Seite ist nicht verfügbar. Bitte lade sie neu.", "new text is an error page ('nicht verfügbar')"),
        ("Une erreur est survenue. Réessayez plus tard.", "new text is an error page ('Une erreur est survenue')"),
        ("", "new text is empty"),
        ("<div class='x'>" * 2000 + "Loading", "new text lost its policy to markup"),
    ],
)
def test_a_new_side_that_is_no_policy_is_refused_naming_the_side(new, said):
    with pytest.raises(NotAPolicy) as refused:
        compare(POLICY_TEXT, new)
    assert said in str(refused.value)
    assert "\n" not in str(refused.value)
    assert refused.value.exit_code == EXIT_NOT_A_POLICY


HOMEPAGE = (
    "Welcome to Acme, the home of handmade furniture since 1952. Browse our new spring collection of "
    "oak tables, walnut chairs and linen sofas, each made to order in our workshop by the river. Visit our "
    "showroom on weekdays between nine and five, meet the makers, and see how every piece is finished by hand. "
    "Read the stories of the families who have furnished their homes with us for three generations.\n"
)


def test_another_page_captured_in_place_of_the_policy_is_refused():
    with pytest.raises(NotAPolicy, match=r"^new text is not the document \(another page, or a capture cut short\)"):
        compare(POLICY_TEXT, HOMEPAGE)


def test_a_policy_rewritten_short_in_its_own_terms_is_judged_not_refused():
    rewritten = (
        "# Privacy\n\nAcme keeps your e-mail address and phone number to run your account, shares them with "
        "service providers and subsidiaries, and deletes them when you leave. You may ask for a copy, ask us to "
        "correct them or object to their use for behavioral advertising. We sell nothing to third parties, and "
        "we keep logs of your visits for thirty days so that we can find faults and keep the service safe.\n"
    )
    assert compare(POLICY_TEXT, rewritten).classification == "material"


def test_an_old_side_that_was_an_error_page_is_refused_naming_the_old_side():
    with pytest.raises(NotAPolicy, match="^old text is an error page"):
        compare("Page not found", POLICY_TEXT)


def test_refusal_names_the_sides_by_their_labels():
    with pytest.raises(NotAPolicy, match=r"^HEAD:privacy.md \(new side\) is an error page"):
        compare(POLICY_TEXT, "Access denied", labels=("v1.0", "HEAD:privacy.md"))


def test_another_page_captured_in_place_of_the_policy_is_refused_as_a_different_document():
    faq = "# Acme FAQ\n\n" + "How do I reset my password? Open the app and tap the link we send you by email. " * 40
    with pytest.raises(NotAPolicy, match="are different documents \\('Acme FAQ' and 'Privacy Policy'\\)"):
        compare(faq, POLICY_TEXT)


FRENCH = (
    "## Les informations que nous collectons\n\nNous collectons votre nom, votre adresse e-mail et les fichiers que "
    "vous envoyez. Nous utilisons des cookies de publicité comportementale sur notre site.\n\n"
    "## Comment nous partageons les informations\n\nNous partageons les données personnelles avec nos filiales et "
    "avec les prestataires qui nous aident à faire fonctionner le service. Nous conservons les données du compte "
    "pendant 90 jours après la fermeture de votre compte. Vous pouvez nous demander une copie de vos données, "
    "les faire corriger ou vous opposer à leur utilisation pour la publicité.\n\n"
)


def test_a_new_side_written_in_another_language_is_refused_naming_both():
    with pytest.raises(NotAPolicy, match=r"^new text is written in 'fr' and old text in 'en': a translation is"):
        compare(POLICY_TEXT, policy(FRENCH * 3))


def test_a_policy_rewritten_in_its_own_language_is_judged_not_refused_for_its_language():
    rewritten = FRENCH.replace("Nous collectons", "Nous recueillons").replace("filiales", "partenaires publicitaires")
    old = policy("Tout est différent ici, et nous ne vendons rien à personne. " * 30)
    assert compare(old, policy(rewritten * 3)).classification == "material"


def test_a_policy_rewritten_under_a_title_that_shares_a_word_is_judged():
    old = policy("Everything is different here. " * 80, title="Privacy Notice")
    assert compare(old, POLICY_TEXT).classification == "material"


def test_a_first_version_and_a_short_policy_are_not_refused():
    assert compare("", POLICY_TEXT).classification == "material"
    assert compare(policy("We keep logs."), policy("We keep logs for 7 days.")).classification == "material"


def test_a_brief_first_version_that_grew_into_a_full_policy_is_judged_not_refused():
    assert compare(policy("We do not collect personal data."), POLICY_TEXT).classification == "material"


def test_a_full_policy_cut_to_a_few_words_is_refused_naming_the_new_side():
    with pytest.raises(NotAPolicy, match="^new text is no policy"):
        compare(POLICY_TEXT, policy("Privacy Policy. Coming soon."))


def test_a_policy_cut_to_a_third_is_judged_not_refused():
    shorter = policy(BODY)
    assert compare(POLICY_TEXT, shorter).classification in ("material", "minor")


def test_a_capture_that_stops_inside_a_paragraph_of_the_old_text_is_refused():
    cut = POLICY_TEXT[: POLICY_TEXT.index("to train models") + len("to tra")]
    with pytest.raises(NotAPolicy, match="^new text stops short"):
        compare(POLICY_TEXT, cut)


def test_a_policy_cut_at_a_paragraphs_end_is_judged_not_refused():
    cut = POLICY_TEXT[: POLICY_TEXT.index("to train models that improve the service.") + 41]
    assert compare(POLICY_TEXT, cut).classification == "material"


# --- Determinism ------------------------------------------------------------------------------


def test_the_same_texts_give_the_same_json_whatever_was_compared_before():
    edits = (("files and comments", "files, comments and call transcripts"), ("90 days", "30 days"))
    first = verdict(*edits).to_json()
    verdict(("our subsidiaries", "our subsidiary companies"))
    assert verdict(*edits).to_json() == first


def test_cookie_names_changed_in_a_table_row_are_identifiers_not_a_statement():
    body = "| Provider | Cookies | Lifetime |\n|---|---|---|\n| Acme | _ac_ID1 ^_acx$ | 2 years |\n"
    result = verdict(("_ac_ID1 ^_acx$", "_ac_ID2 ^_acy$ _acz_9"), body=body)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("identifiers in a table changed")


def test_a_tick_added_in_a_table_is_still_a_statement():
    body = "| Category | Collected | Sold |\n|---|---|---|\n| Biometric information | | |\n"
    result = verdict(("| Biometric information | | |", "| Biometric information | ✓ | |"), body=body)
    assert result.classification == "material"


# --- Scraping artefacts in tables, pronouns, names, restatements ---------------------------------


def test_a_lifetime_the_scraper_rendered_as_undefined_is_a_lost_value_not_a_change():
    body = "| Provider | Cookies | Lifetime |\n|---|---|---|\n| Acme | _ac_ID1 ^_acx$ | 2 years |\n"
    result = verdict(("_ac_ID1 ^_acx$ | 2 years", "_ac_ID1 | undefined"), body=body)
    assert result.classification == "minor"
    assert "value lost in the page's capture: '2 years' → 'undefined'" in reasons(result)


def test_a_lifetime_changed_to_another_value_in_a_table_is_still_material():
    body = "| Provider | Cookies | Lifetime |\n|---|---|---|\n| Acme | _ac_ID1 ^_acx$ | 2 years |\n"
    result = verdict(("| 2 years |", "| 5 years |"), body=body)
    assert result.classification == "material"


PHOTOS = "You can delete your photos at any time, however many of them are still stored by us.\n\n" + BODY


def test_a_pronoun_spelled_out_as_the_noun_the_sentence_names_is_editorial():
    result = verdict(("however many of them are still stored", "regardless of how many photos are stored"), body=PHOTOS)
    assert result.classification == "minor"
    assert "pronoun spelled out: 'them' → 'photos'" in reasons(result)


def test_a_pronoun_swapped_for_a_noun_the_sentence_never_named_is_not_spelled_out():
    result = verdict(("many of them are still", "many voice recordings are"), body=PHOTOS)
    assert not any(r.startswith("pronoun spelled out") for r in reasons(result))


def test_a_product_name_extended_around_the_name_the_sentence_kept_is_a_name_change():
    body = "Thank you for choosing the Acme application programming interface services.\n\n" + BODY
    result = verdict(("the Acme application", "the Nova by Acme and/or Deep Search application"), body=body)
    assert result.classification == "minor"
    assert any(r.startswith("name changed") for r in reasons(result))


def test_a_product_put_beside_the_products_a_list_kept_is_no_name_change():
    result = with_paragraph_changed(
        "Acme Premium products are paid services. They include Acme VPN and Acme Talk.",
        "Acme Premium products are paid services. They include Acme Leo, Acme VPN and Acme Talk.",
    )
    assert not any(r.startswith("name changed") for r in reasons(result))


def test_a_case_added_to_the_exceptions_to_a_promise_not_to_do_something_is_material():
    result = with_paragraph_changed(
        "We will not use Customer Data to train models except data from Acme Free or Acme Pro accounts.",
        "We will not use Customer Data to train models except data from Acme Free, Acme Pro or Acme Teams accounts.",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("exception to a promise widened: now also")


def test_a_case_added_to_the_exceptions_to_a_rule_on_the_user_is_no_promise_widened():
    result = with_paragraph_changed(
        "Except as set out in these Terms, payments are non-refundable.",
        "Except as set out in these Terms or in our local billing pages, payments are non-refundable.",
    )
    assert not any(r.startswith("exception to a promise widened") for r in reasons(result))


def test_the_company_one_contracts_with_is_no_recipient():
    result = with_paragraph_added("These terms are an agreement between you and Acme (or one of its affiliates).")
    assert not any(r.startswith("new recipient") for r in reasons(result))


def test_affiliates_said_to_receive_data_beside_the_contracting_party_are_still_a_recipient():
    result = with_paragraph_added(
        "These terms are an agreement between you and Acme (or one of its affiliates). We send your usage data to"
        " our affiliates."
    )
    assert any(r.startswith("new recipient: affiliates") for r in reasons(result))


def test_a_company_named_on_its_own_in_a_sentence_about_sharing_is_still_a_new_recipient():
    result = verdict(("with service providers who", "with service providers such as Datavault Partners who"))
    assert result.classification == "material"
    assert any("Datavault" in r for r in reasons(result))


AGREEMENTS = """\
## Developer Policy

The Free and Pro plans are designed for hobbyists, prototypes and applications with limited end-users.
If you use the platform beyond this scope, then you must apply for an Enterprise plan.

## Paid Agreement

A. Fees. You will pay the fees shown at checkout.
"""


def test_a_clause_copied_into_a_second_agreement_of_the_page_restates_it():
    copied = (
        "A. Fees. You will pay the fees shown at checkout.\n\nB. Self-Serve Use. The Starter and Pro plans are "
        "designed for hobbyists, prototypes and applications with a limited number of end-users. If you use the "
        "platform beyond this scope, then you must apply for an Enterprise plan."
    )
    result = verdict(("A. Fees. You will pay the fees shown at checkout.", copied), body=AGREEMENTS)
    assert result.classification == "minor"
    assert any(r.startswith("restates what the document already says") for r in reasons(result))


def test_a_clause_copied_for_a_service_the_page_never_named_is_no_restatement():
    vendors = (
        "## Vendor Terms\n\nTo the extent you engage a vendor for creative quality services, you acknowledge that Acme"
        " does not receive or process any data the vendor collects to perform the creative quality services.\n"
    )
    copied = vendors.replace("creative quality", "creative formats")
    result = compare(policy(vendors), policy(vendors + "\n" + copied.split("\n\n", 1)[1]))
    assert not any(r.startswith("restates what the document already says") for r in reasons(result))


def test_a_copied_clause_whose_negation_was_dropped_is_no_restatement():
    body = AGREEMENTS.replace("then you must apply", "then you may not use it and must apply")
    copied = (
        "A. Fees. You will pay the fees shown at checkout.\n\nB. Beyond scope. If you use the platform beyond "
        "this scope, then you may use it and must apply for an Enterprise plan."
    )
    result = verdict(("A. Fees. You will pay the fees shown at checkout.", copied), body=body)
    assert result.classification == "material"


def test_a_copied_clause_that_names_a_new_kind_of_data_is_no_restatement():
    copied = (
        "A. Fees. You will pay the fees shown at checkout.\n\nB. Scope. If you use the platform beyond this "
        "scope or upload biometric data, then you must apply for an Enterprise plan."
    )
    result = verdict(("A. Fees. You will pay the fees shown at checkout.", copied), body=AGREEMENTS)
    assert result.classification == "material"


# --- Page furniture by its shape and role ------------------------------------------------------


def test_icon_names_run_together_by_the_scraper_are_page_furniture():
    debris = "Sprite 4caret-downcaret-upSprite 12menu-openmenu-closedSprite 7search-iconSprite 9play-filledSprite 3"
    result = verdict(("Theme by Acme Themes.", f"{debris}\n\nTheme by Acme Themes."))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture added")


def test_a_cookie_consent_banner_with_its_buttons_is_page_furniture():
    banner = (
        "We would like to use cookies to remember your choices and show you content you may like. "
        "You can accept all cookies or keep only the necessary ones.\n\nAccept all cookiesReject all"
    )
    result = verdict(("Theme by Acme Themes.", f"{banner}\n\nTheme by Acme Themes."))
    assert result.classification == "minor"


def test_cookie_text_without_a_row_of_buttons_is_judged_as_policy_text():
    text = "We use cookies to show you advertising from our partners based on what you read."
    result = verdict(("Theme by Acme Themes.", f"{text}\n\nTheme by Acme Themes."))
    assert result.classification == "material"


def test_a_widget_of_short_questions_is_page_furniture():
    widget = "How is Acme paid for?\n\nWhat do I agree to?\n\nHow do I report a post?\n\nI have another question"
    result = verdict(("Theme by Acme Themes.", f"Theme by Acme Themes.\n\n{widget}"))
    assert result.classification == "minor"


def test_a_question_followed_by_its_answer_is_judged_as_policy_text():
    faq = "Do you sell my data?\n\nYes, we sell your browsing history to data brokers."
    result = verdict(("Theme by Acme Themes.", f"{faq}\n\nTheme by Acme Themes."))
    assert result.classification == "material"


def test_a_site_menu_with_a_shop_offer_and_no_policy_vocabulary_is_page_furniture():
    old = "Store Finder Gift Cards Sign In My Account Lamps Rugs Sofas Garden Outdoor Lighting Kitchen"
    new = (
        "Store Finder Gift Cards Sign In My Account Free delivery on orders over $75. "
        "Not valid on earlier orders. Lamps Rugs Sofas Garden Outdoor Lighting Kitchen"
    )
    body = f"{old}\n\n{BODY}"
    result = compare(policy(body), policy(body.replace(old, new)))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture changed")


def test_a_menu_followed_by_a_clause_about_data_is_judged_as_policy_text():
    old = "Store Finder Gift Cards Sign In My Account Lamps Rugs Sofas"
    new = "Store Finder Gift Cards Sign In My Account We sell your purchase history to data brokers."
    body = f"{old}\n\n{BODY}"
    result = compare(policy(body), policy(body.replace(old, new)))
    assert result.classification == "material"


def test_a_pointer_to_another_notice_removed_is_navigation():
    pointer = "Read the Regional Privacy Notice for more details about how we handle your information."
    body = BODY.replace("## Your rights\n", f"## Your rights\n\n{pointer}\n")
    result = compare(policy(body), policy(BODY))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation removed")


@pytest.mark.parametrize(
    "pointer",
    [
        "If your request relates to Acme Shop data, please refer to: https://acme.example/legal/shop-guidelines",
        "If your request relates to Acme Shop data, please refer to the Acme Shop Guidelines.",
        "If you are a user under the age of 18, you can find additional resources in the Acme Teen Privacy Guide.",
    ],
)
def test_a_pointer_for_a_case_said_first_is_navigation(pointer):
    result = with_paragraph_added(pointer)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


@pytest.mark.parametrize(
    "case", ["want us to share your data", "want us to stop sharing your data", "ask whether your data was sold"]
)
def test_a_case_that_says_what_is_done_with_data_is_no_pointer(case):
    result = with_paragraph_added(f"If you {case} with advertisers, please refer to: https://acme.example/ads")
    assert result.classification == "material"


def test_an_image_link_a_capture_split_over_lines_is_navigation():
    split = '[Privacy Seal\n\n](https://seal.example/validation?rid=f535d01d-afd3 "Privacy Certification")\n\n'
    result = with_opening_removed(split)
    assert result.classification == "minor"
    assert all(r.startswith("navigation removed") for r in reasons(result))


def test_a_sentence_saying_what_another_notice_describes_is_navigation():
    result = with_paragraph_added(
        "The Privacy Notice for Acme Accounts describes our practices when your child uses Kids with their account."
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


def test_a_sentence_saying_what_this_policy_describes_is_no_pointer():
    result = with_paragraph_added("This Privacy Policy describes how we sell your location to advertisers.")
    assert result.classification == "material"


def test_a_sentence_that_binds_the_user_is_no_mere_pointer():
    clause = "Read the Community Guidelines: you must follow them or we may close your account."
    body = BODY.replace("## Your rights\n", f"## Your rights\n\n{clause}\n")
    assert compare(policy(BODY), policy(body)).classification == "material"


def test_words_of_furniture_do_not_count_towards_a_rewritten_section():
    debris = " ".join(f"Sprite {n}caret-down{n}menu-open" for n in range(30))
    body = f"{debris}\n\nCopyright 2020 Acme Ltd. All rights reserved.\n\n{BODY}"
    result = compare(policy(body), policy(BODY))
    assert result.classification == "minor"
    assert not any(r.startswith("section rewritten") for r in reasons(result))


# --- Error pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "This page isn't available right now. Please try reloading the page.",
        "This page isn’t available\n\nAn unexpected error has occurred. Come back later.",
        "Oops! The page you are looking for could not be found.",
        "Please enable JavaScript to view this page.",
        "Access denied. You don't have permission to view this page.",
        "Redirecting to legal.example.com",
    ],
)
def test_an_error_page_is_refused_against_a_short_page_too(page):
    short = "Legal Home · Terms · Privacy · Cookies · Developer Terms · Community Standards · Help"
    with pytest.raises(NotAPolicy, match="^new text is an error page"):
        compare(short, page)


def test_a_redirect_stub_on_the_old_side_is_refused_against_the_whole_policy():
    with pytest.raises(NotAPolicy, match="^old text is an error page"):
        compare("Redirecting to legal.example.com", policy(BODY))


def test_a_short_policy_that_mentions_a_forbidden_practice_is_no_error_page():
    old = "We collect your email address to send receipts."
    new = "We collect your email address to send receipts. Selling personal data to advertisers is forbidden."
    assert compare(old, new).classification in ("minor", "material")


def test_a_page_titled_with_an_error_above_other_text_is_refused():
    old = "This page isn't available\n==========================\n\n" + BODY.split("## Your rights")[1]
    with pytest.raises(NotAPolicy, match="^old text opens with an error \\('isn't available'\\)"):
        compare(old, POLICY_TEXT)


def test_a_policy_that_says_a_feature_is_not_available_is_judged():
    new = with_sentence("Export is not available in every country.")
    assert compare(policy(BODY), policy(new)).classification in ("minor", "material")


# --- Renames, typography, spelling, links -------------------------------------------------------


def test_an_empty_link_given_the_words_its_target_spelled_is_a_link_written_out():
    result = with_paragraph_changed(
        "If you use a work account, see the [](#mainnoticetoworkusersmodule) section of this policy.",
        "If you use a work account, see the Notice to work users section of this policy.",
    )
    assert result.classification == "minor"
    assert "link written out: 'notice work users'" in reasons(result)


def test_words_a_removed_link_did_not_spell_are_still_judged():
    result = with_paragraph_changed(
        "We share data as described in the [](#service-providers) section.",
        "We share data with advertising partners as described in the section.",
    )
    assert result.classification == "material"


def test_the_companys_own_name_changed_throughout_is_a_name_change():
    text = "\n\n".join(
        [
            "# Terms of Nimbus",
            '"Nimbus" means Nimbus Ltd and its services.',
            "Nimbus may share account data with service providers that host the Nimbus service.",
            "Nimbus will tell you before these terms change.",
            "You agree that Nimbus may suspend accounts that break these terms.",
        ]
    )
    result = compare(text, text.replace("Nimbus", "Cirrus"))
    assert result.classification == "minor"
    assert any(r.startswith("name changed throughout the document: 'Nimbus' → 'Cirrus'") for r in reasons(result))


PAYMENTS = "\n\n".join(
    [
        "# {company} Payments Terms",
        "These Payments Terms are between you and {company}. {company} runs the {company} Marketplace, where"
        " {company} Sellers offer goods to {company} Buyers under the {company} Marketplace Rules.",
        "{company} Buyers pay {company} Sellers through the {company} Marketplace; {company} Sellers ship to"
        " {company} Buyers; {company} Buyers may rate {company} Sellers.",
        'You appoint {entity} ("{short}") as your limited payment collection agent on the {company} Marketplace.',
        "{short} is responsible for remitting to you the payments received on your behalf, less any amounts payable"
        " to {short} or any of its affiliates.",
        "If {short} does not remit the amounts due to you, you will only have recourse against it.",
    ]
)


def test_the_short_form_of_the_companys_own_entity_renamed_throughout_is_a_name_change():
    old = PAYMENTS.format(company="Nimbus", entity="Nimbus Payments Inc.", short="NPY")
    result = compare(old, PAYMENTS.format(company="Cirrus", entity="Cirrus Payments Inc.", short="CPY"))
    assert result.classification == "minor"
    assert any(r.startswith("name changed throughout the document: 'NPY' → 'CPY'") for r in reasons(result))


def test_the_short_form_of_another_company_swapped_throughout_is_a_new_recipient():
    old = PAYMENTS.format(company="Nimbus", entity="Paylink Ltd.", short="PLK")
    result = compare(old, PAYMENTS.format(company="Nimbus", entity="Moneta Ltd.", short="MNT"))
    assert result.classification == "material"
    assert any("new recipient: MNT" in r for r in reasons(result))


def test_a_vendor_swapped_in_one_clause_is_still_a_new_recipient():
    text = "\n\n".join(
        [
            "# Acme privacy",
            "Acme collects your name. Acme stores it. Acme keeps it safe.",
            "Acme shares your email address with service providers such as Mailjet to send newsletters.",
        ]
    )
    result = compare(text, text.replace("Mailjet", "Sendora"))
    assert result.classification == "material"


def test_a_number_written_out_in_words_is_the_same_quantity():
    assert verdict(("for 90 days after", "for ninety days after")).classification == "minor"


def test_a_date_written_day_first_is_the_same_date():
    result = verdict(("Our registered office", "Since May 3, 2023 our registered office"))
    again = compare(
        policy(BODY.replace("Our registered office", "Since May 3, 2023 our registered office")),
        policy(BODY.replace("Our registered office", "Since 3 May 2023 our registered office")),
    )
    assert result.classification == "material"  # a date added to a clause is judged
    assert again.classification == "minor"


def test_a_table_row_with_straightened_quotes_and_a_british_spelling_states_nothing_new():
    old = "| Name | Purpose |\n|---|---|\n| pref | Keeps your “language” choice among visits |\n"
    new = '| Name | Purpose |\n|---|---|\n| pref | Keeps your "language" choice amongst visits |\n'
    assert compare(policy(BODY + old), policy(BODY + new)).classification == "minor"


def test_a_table_row_with_a_new_purpose_is_still_material():
    old = "| Name | Purpose |\n|---|---|\n| pref | Keeps your language choice |\n"
    new = "| Name | Purpose |\n|---|---|\n| pref | Keeps your language choice and targets advertising |\n"
    assert compare(policy(BODY + old), policy(BODY + new)).classification == "material"


def test_a_typo_fixed_inside_a_category_term_is_no_new_term():
    body = BODY.replace("to train models", "to train out models")
    result = compare(policy(body), policy(body.replace("train out models", "to train our models")))
    assert result.classification == "minor"


def test_a_link_cell_that_lost_its_text_is_a_value_lost_in_the_capture():
    old = "| Region | Notice |\n|---|---|\n| Canada | Notice for Canada |\n"
    new = "| Region | Notice |\n|---|---|\n| Canada | [](https://example.com/ca) |\n"
    result = compare(policy(BODY + old), policy(BODY + new))
    assert result.classification == "minor"
    assert any(r.startswith("value lost in the page's capture") for r in reasons(result))


# --- Parties ---------------------------------------------------------------------------------

PARTY = """\
# Privacy notice

**Nimbus Technology Ltd** (hereinafter "Nimbus") is the controller of your personal data.

Nimbus collects your name and trip history to provide rides. Nimbus keeps trip history for 90 days.
"""


def test_another_registered_company_as_the_controller_is_material():
    result = compare(PARTY, PARTY.replace("Nimbus Technology Ltd", "Nimbus Operations Ltd"))
    assert result.classification == "material"
    assert "party changed: 'Nimbus Technology Ltd' → 'Nimbus Operations Ltd' (a different registered company)" in (
        reasons(result)
    )
    assert result.changes[0].summary.startswith("Changes the company you deal with: 'Nimbus Technology Ltd'")


def test_a_registered_company_whose_name_gained_a_word_is_another_party():
    result = with_paragraph_changed(
        "These terms are an agreement between you and Acme, L.L.C.",
        "These terms are an agreement between you and Acme OpCo, LLC.",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("party changed: 'Acme, L.L.C' → 'Acme OpCo, LLC'")


def test_a_company_that_only_changed_its_legal_form_is_a_name_change():
    result = compare(PARTY, PARTY.replace("Nimbus Technology Ltd", "Nimbus Technology LLC"))
    assert result.classification == "minor"


def test_the_company_that_writes_the_policy_is_no_recipient_of_its_data():
    text = "\n\n".join(
        [
            "# Amazing terms",
            "Amazing runs the Amazing store. Amazing ships orders. Amazing keeps your account safe.",
            "Amazing collects your name and address to ship orders.",
        ]
    )
    new = text.replace("to ship orders.", "to ship orders that Amazing sells.")
    assert not any(r.startswith("new recipient") for r in reasons(compare(text, new)))


# --- Transfer safeguards ------------------------------------------------------------------------

TRANSFERS = BODY.replace(
    "We keep account data for 90 days",
    "We transfer personal information to the United States under standard contractual clauses.\n\n"
    "We keep account data for 90 days",
)


def test_a_transfer_safeguard_stated_is_in_the_users_favour():
    new = TRANSFERS.replace(
        "under standard contractual clauses", "under standard contractual clauses and the Data Privacy Framework"
    )
    result = compare(policy(TRANSFERS), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("new transfer safeguard: data privacy framework") for r in reasons(result))


def test_a_transfer_safeguard_dropped_is_material():
    new = TRANSFERS.replace(" under standard contractual clauses", "")
    result = compare(policy(TRANSFERS), policy(new))
    assert result.classification == "material"
    assert "transfer safeguard removed: standard contractual clauses" in reasons(result)


def test_one_safeguard_put_for_its_successor_changes_nothing():
    old = TRANSFERS.replace("standard contractual clauses", "the Privacy Shield")
    new = TRANSFERS.replace("standard contractual clauses", "the Data Privacy Framework")
    assert compare(policy(old), policy(new)).classification == "minor"


def test_a_new_destination_for_data_is_still_a_transfer():
    new = TRANSFERS.replace("to the United States", "to the United States and China")
    result = compare(policy(TRANSFERS), policy(new))
    assert result.classification == "material"
    assert any(r.startswith("new international transfer: china") for r in reasons(result))


# --- Statements that bind nobody ----------------------------------------------------------------


def test_a_paragraph_added_that_speaks_to_no_party_and_states_no_practice_is_minor():
    new = with_paragraph("One or more patents apply to the service and its features.")
    result = compare(policy(BODY), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("text added that states no practice") for r in reasons(result))


@pytest.mark.parametrize(
    "added",
    [
        "Personal information is shared with advertising partners for marketing.",
        "You may not resell the service or any part of it.",
        "Accounts are closed after 12 months without a sign-in.",
        "No refunds are given for partial months of the subscription plan.",
    ],
)
def test_a_paragraph_added_that_states_a_practice_or_binds_someone_is_material(added):
    new = with_paragraph(added)
    assert compare(policy(BODY), policy(new)).classification == "material"


def test_a_line_naming_a_company_the_text_never_named_is_judged_as_a_new_party():
    old = "# Sub-processors\n\nWe use these vendors.\n\n- Mailwell. Email service.\n"
    new = old + "- Nimbusly. Product analytics software.\n"
    assert compare(old, new).classification == "material"


def test_one_or_more_is_no_count_to_compare():
    result = verdict(("You may ask us for a copy", "You may ask us for one or more copies"))
    assert not any(r.startswith(("age threshold", "number", "amount")) for r in reasons(result))


# --- Contacts -----------------------------------------------------------------------------------


def test_a_persons_mail_address_swapped_for_a_support_list_is_a_contact_change():
    again = compare(
        policy(BODY.replace("by writing to our office", "by writing to Ann Lee ann@example.com today")),
        policy(BODY.replace("by writing to our office", "by writing to privacy-support today")),
    )
    assert again.classification == "minor"
    assert "contact address changed: 'Ann Lee ann@example.com' → 'privacy-support'" in reasons(again)


def test_a_mail_address_swapped_together_with_a_new_duty_is_still_judged():
    old = BODY.replace("by writing to our office", "by writing to ann@example.com")
    new = BODY.replace("by writing to our office", "by paying a fee to billing@example.com")
    assert compare(policy(old), policy(new)).classification == "material"


def test_a_clause_number_relabelled_inside_running_text_is_no_age_or_amount():
    body = BODY.replace("You agree not to upload:", "You agree to these rules. 2.5 Do not upload:")
    result = compare(policy(body), policy(body.replace("2.5 Do not upload", "(e) Do not upload")))
    assert result.classification == "minor"
    assert not any(r.startswith(("age threshold", "amount", "number")) for r in reasons(result))


def test_a_decimal_amount_inside_a_sentence_is_still_an_amount():
    body = BODY.replace("You agree not to upload:", "Storage costs 2.5 dollars a month. You agree not to upload:")
    result = compare(policy(body), policy(body.replace("2.5 dollars", "3.5 dollars")))
    assert result.classification == "material"


@pytest.mark.parametrize("written", ["USD 100", "US$100", "100 USD"])
def test_an_amount_written_with_its_currency_code_is_the_same_amount(written):
    body = BODY.replace("You agree not to upload:", "Our liability is limited to $100. You agree not to upload:")
    result = compare(policy(body), policy(body.replace("$100", written)))
    assert result.classification == "minor"


def test_an_amount_changed_in_another_currency_code_is_still_material():
    body = BODY.replace("You agree not to upload:", "Our liability is limited to $100. You agree not to upload:")
    assert compare(policy(body), policy(body.replace("$100", "USD 50"))).classification == "material"


def test_an_american_word_put_into_british_english_changes_nothing():
    body = BODY.replace(
        "You agree not to upload:", "Files you move to the trash are deleted after 30 days. You agree not to upload:"
    )
    assert compare(policy(body), policy(body.replace("the trash", "the bin"))).classification == "minor"


# --- Site menus ---------------------------------------------------------------------------------

MENU = "\n\n".join(
    [
        "Log in",
        "Search",
        "Get help with",
        "Solutions",
        "By Function",
        "Audit & Risk",
        "Finance",
        "Human Resources",
        "Marketing",
        "Sales",
        "Supply Chain",
        "By Industry",
        "Education",
        "Retail",
        "Manufacturing",
        "About Us",
        "[](#)",
    ]
)


def test_a_site_menu_removed_with_the_cookie_banner_above_it_is_page_furniture():
    banner = (
        "We use cookies to give you the best experience on our website. "
        "By closing this box, you consent to our use of cookies."
    )
    old = f"{banner}\n\n{MENU}\n\n{BODY}"
    result = compare(policy(old), policy(BODY))
    assert result.classification == "minor"
    assert reasons(result) and all("page furniture" in r and "no policy text" in r for r in reasons(result))


def test_a_list_of_data_categories_in_title_case_is_no_menu():
    categories = "\n\n".join(
        [
            "Identifiers",
            "Commercial Information",
            "Biometric Information",
            "Internet Activity",
            "Geolocation Data",
            "Sensory Data",
            "Professional Information",
            "Education Information",
            "Health Data",
            "Precise Location",
            "Financial Information",
            "Inferences",
        ]
    )
    new = BODY.replace("## How we share information", f"{categories}\n\n## How we share information")
    assert compare(policy(BODY), policy(new)).classification == "material"


# --- Date stamps, menu links, promises ----------------------------------------------------------


def test_an_effective_date_stamp_added_before_a_pointer_is_a_date_line():
    old = BODY + "\n[Click here](https://example.com/v2) to see the latest version.\n"
    new = BODY + "\n**Effective January 15, 2025.** [Click here](https://example.com/v2) to see the latest version.\n"
    result = compare(policy(old), policy(new))
    assert result.classification == "minor"
    assert "date line added: 'Effective January 15, 2025.'" in reasons(result)


def test_a_menu_link_whose_bracket_the_scraper_put_on_its_own_line_is_navigation():
    new = BODY + "\n[\n\nStill thinking? Go Private](https://example.com/blog/launches)\n"
    result = compare(policy(BODY), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("navigation added") for r in reasons(result))


def test_a_sentence_added_that_only_promises_not_to_share_is_in_the_users_favour():
    new = BODY.replace(
        "## Your rights", "We will not share your phone number with third parties for marketing.\n\n## Your rights"
    )
    result = compare(policy(BODY), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("more the company promises not to do") for r in reasons(result))


def test_a_sentence_added_that_promises_one_thing_and_shares_another_is_material():
    added = "We will not sell your data, but we share your phone number with advertisers."
    new = with_paragraph(added)
    assert compare(policy(BODY), policy(new)).classification == "material"


def test_another_company_given_the_data_in_one_clause_is_a_recipient_change():
    body = BODY.replace(
        "## Your rights", "We share ID photos with Verifya, who acts as our processor.\n\n## Your rights"
    )
    result = compare(policy(body), policy(body.replace("Verifya", "Checkly")))
    assert result.classification == "material"
    assert "recipient changed: 'Verifya' → 'Checkly'" in reasons(result)


def test_including_but_not_limited_to_is_no_negation():
    result = verdict(("help us run the service", "help us run the service, including but not limited to hosting"))
    assert not any(r.startswith(("negation", "limitation")) for r in reasons(result))


def test_a_sentence_that_reports_what_never_happened_is_no_promise():
    added = "We have never received a national security letter asking us to share data with authorities."
    new = with_paragraph(added)
    result = compare(policy(BODY), policy(new))
    assert not any(r.startswith("more the company promises not to do") for r in reasons(result))


def test_a_shops_delivery_banner_swapped_for_another_is_page_furniture():
    old = "Club members: Free standard delivery when you spend €50 or more\n\n" + BODY
    new = "Click today and collect in-store the same day. Or collect from a pick-up point from €2.95\n\n" + BODY
    result = compare(policy(old), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("page furniture changed") for r in reasons(result))


def test_entries_of_a_table_of_contents_that_link_within_the_page_are_navigation():
    toc = (
        "- [Information we collect](#collect)\n- [Location services and recording](#location)\n"
        "- [Your rights](#rights)\n\n"
    )
    new_toc = "- [Information we collect](#collect)\n- [Location services](#location)\n- [Sharing](#sharing)\n\n"
    result = compare(policy(toc + BODY), policy(new_toc + BODY))
    assert result.classification == "minor"
    assert reasons(result) and all(r.startswith("table of contents") for r in reasons(result))


def test_a_table_of_contents_taken_off_the_end_of_a_short_section_is_no_rewrite_of_it():
    toc = "".join(
        f"- [{title}](#{title.lower().replace(' ', '-')})\n"
        for title in (
            "Which information we collect and why",
            "Who receives your information from us",
            "Whether your information leaves the EU",
            "How you can exercise your rights",
            "How this policy may change over time",
        )
    )
    body = BODY + "\n## Changes to this policy\n\nThis policy may change.\n\n"
    result = compare(policy(body + toc), policy(body))
    assert result.classification == "minor"
    assert not any(r.startswith("section rewritten") for r in reasons(result))


def test_a_line_that_only_links_to_another_document_is_a_link_to_another_page():
    result = with_paragraph_added("[our legitimate interest assessment](https://acme.example/lia)")
    assert result.classification == "minor"
    assert reasons(result) == ["link to another page added: 'our legitimate interest assessment'"]


@pytest.mark.parametrize(
    "line",
    [
        "[How we use your data to train AI models](https://acme.example/ai)",
        "[Datavault consent records](https://datavault.example/consent)",
    ],
)
def test_a_link_line_that_says_a_practice_or_names_a_newcomer_is_still_judged(line):
    assert with_paragraph_added(line).classification == "material"


def test_a_list_item_that_links_to_another_page_is_still_judged():
    old = BODY + "\n- [Our partners](https://example.com/partners)\n"
    new = (
        BODY
        + "\n- [Our partners](https://example.com/partners)\n- [Advertising partners receive your location data](https://example.com/ads)\n"
    )
    assert compare(policy(old), policy(new)).classification == "material"


TITLED = "Privacy policy\n==============\n\n" + BODY + "\n## Records\n\n" + "We keep records as the law requires. " * 20


def test_a_banner_above_the_documents_title_is_page_furniture_whatever_it_says():
    old = "Members: free delivery when you spend €65 or more\n\n" + TITLED
    new = "Book a bedroom appointment by 17 December, online or in store\n\n" + TITLED
    result = compare(old, new)
    assert result.classification == "minor"
    assert any(r.startswith("page furniture above the document's title") for r in reasons(result))


def test_a_banner_above_the_title_that_announces_sharing_is_still_judged():
    old = "Members: free delivery when you spend €65 or more\n\n" + TITLED
    new = "From today we share your purchase history with advertising partners\n\n" + TITLED
    assert compare(old, new).classification == "material"


def test_a_long_text_above_a_lone_title_is_no_page_furniture():
    intro = "We collect your name and address to deliver orders. " * 30
    old = intro + "\n\n" + TITLED
    new = intro.replace("name and address", "name, address and precise location", 1) + "\n\n" + TITLED
    assert compare(old, new).classification == "material"


def test_a_period_written_with_a_hyphen_is_a_time_period():
    body = with_sentence("We may close accounts not used within a 90-day period.")
    result = compare(policy(body), policy(body.replace("90-day", "28-day")))
    assert result.classification == "material"
    assert any(r.startswith("time period changed: 90-day → 28-day") for r in reasons(result))


def test_a_retention_period_written_with_a_hyphen_made_shorter_is_in_the_users_favour():
    body = BODY.replace("for 90 days after", "for a 90-day period after")
    result = compare(policy(body), policy(body.replace("90-day", "30-day")))
    assert result.classification == "minor"


# --- Typography, banners, amounts, date stamps ----------------------------------------------------


def test_can_not_written_as_one_word_changes_nothing():
    body = with_sentence("Deleted files can not be restored.")
    assert compare(policy(body), policy(body.replace("can not", "cannot"))).classification == "minor"


def test_an_update_banner_in_capitals_removed_is_page_furniture():
    banner = "PLEASE NOTE: WE'VE UPDATED THESE TERMS, EFFECTIVE SEPTEMBER 16, 2024. PLEASE READ THEM CAREFULLY.\n\n"
    result = with_opening_removed(banner)
    assert result.classification == "minor"


def test_an_amount_of_money_is_no_age_threshold():
    body = with_sentence("Orders under $30 pay for delivery.")
    result = compare(policy(body), policy(body.replace("$30", "$50")))
    assert any(r.startswith("amount changed: $30 → $50") for r in reasons(result))


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "Effective July 1, 2025 | Archived versions | Download PDF",
            "Effective December 11, 2025 | Archived versions",
        ),
        (
            "This page was last edited on 9 March 2024, at 10:12.",
            "This page was last edited on 9 December 2024, at 14:56.",
        ),
    ],
)
def test_a_date_stamp_among_page_links_or_in_a_wiki_footer_is_a_date_line(old, new):
    result = compare(policy(BODY + "\n" + old + "\n"), policy(BODY + "\n" + new + "\n"))
    assert result.classification == "minor"


def test_a_company_name_put_before_a_product_name_already_written_is_no_recipient():
    body = with_sentence("Permissions must match your Play listing.")
    result = compare(policy(body), policy(body.replace("your Play listing", "your Google Play listing")))
    assert not any(r.startswith("new recipient") for r in reasons(result))


def test_sharing_with_a_company_named_before_a_product_is_still_a_new_recipient():
    body = with_sentence("We send crash reports to our Play team.")
    result = compare(policy(body), policy(body.replace("to our Play team", "to Google Play and our Play team")))
    assert result.classification == "material"


def test_a_note_that_the_policy_below_goes_into_effect_later_is_a_banner():
    banner = "The policy below goes into effect on January 1, 2023. Read our current policy.\n\n"
    result = with_opening_removed(banner)
    assert result.classification == "minor"


def test_a_registered_company_written_with_a_comma_before_its_legal_form_is_a_party():
    old = PARTY.replace("Nimbus Technology Ltd", "Nimbus Tech, Inc.")
    result = compare(old, old.replace("Nimbus Tech, Inc.", "Nimbus Media Group, LLC."))
    assert result.classification == "material"
    assert any(r.startswith("party changed: 'Nimbus Tech, Inc'") for r in reasons(result))


def test_a_cookie_row_that_names_a_provider_the_page_never_named_is_no_restatement():
    table = "| Cookie | Lifetime | Purpose |\n|---|---|---|\n| _ga | 2 years | Analytics used to distinguish users |\n"
    new = table + "| li_fat_id | 12 months | Analytics used to distinguish users for Linkora |\n"
    assert compare(policy(BODY + table), policy(BODY + new)).classification == "material"


def test_a_mail_address_the_page_hid_from_the_scraper_and_restored_changes_nothing():
    hidden = (
        "| Contact | Address |\n|---|---|\n"
        "| Privacy team | email: [[email protected]](https://example.com/cdn-cgi/l/email-protection) |\n"
    )
    shown = "| Contact | Address |\n|---|---|\n| Privacy team | email: privacy@example.com |\n"
    result = compare(policy(BODY + hidden), policy(BODY + shown))
    assert result.classification == "minor"
    assert "mail address hidden or restored in the page's capture" in reasons(result)


def test_a_company_announcing_that_it_has_updated_its_terms_is_a_banner():
    banner = "Nimbus has updated its General Terms of Use as of [date of publication].\n\n"
    assert compare(policy(BODY), policy(banner + BODY)).classification == "minor"


def test_a_line_announcing_the_next_version_beside_the_date_stamp_is_page_furniture():
    stamp = "_This Privacy Policy is effective June 15, 2021. To review the previous policy, please click_ [_here_](https://example.com/2020)_._"
    new = (
        stamp
        + " _A new Privacy Policy becomes effective January 1, 2023. To review it, please click [here](https://example.com/new)._"
    )
    result = compare(policy(BODY + "\n" + stamp + "\n"), policy(BODY + "\n" + new + "\n"))
    assert result.classification == "minor"


def test_a_widgets_markup_left_as_dots_around_a_button_label_is_page_furniture():
    debris = ". . . . Continue . . . . . . . . Continue . . . . . . . . Continue . . . .\n\n"
    result = with_opening_removed(debris)
    assert result.classification == "minor"


def test_another_document_renamed_wherever_the_text_names_it_is_a_name_change():
    body = with_sentence("You must follow the Content Policy.").replace(
        "You agree not to upload:",
        "Moderators enforce the Content Policy. Read the Content Policy. You agree not to upload:",
    )
    result = compare(policy(body), policy(body.replace("Content Policy", "Community Rules")))
    assert result.classification == "minor"
    assert any(
        "name changed throughout the document: 'Content Policy' → 'Community Rules'" in r for r in reasons(result)
    )


def test_another_document_put_for_one_named_once_is_still_judged():
    body = with_sentence("You must follow the Content Policy.")
    new = body.replace("the Content Policy", "the Advertising Data Terms")
    assert compare(policy(body), policy(new)).classification == "material"


def test_a_footer_of_short_links_taken_off_the_page_is_navigation():
    footer = "\n\nSite map\n\nTerms of use\n\nCopyright and trademark information\n\nCookie preferences\n"
    result = with_ending_removed(footer)
    assert result.classification == "minor"


def test_a_list_of_vendor_names_added_is_still_judged():
    vendors = "\n\nMailwell\n\nTrackfast\n\nAdnimbus\n\nCloudora\n"
    assert compare(policy(BODY), policy(BODY + vendors)).classification == "material"


def test_a_name_given_with_what_it_was_called_before_is_a_name_change():
    body = with_sentence("Events are run by Evanta and our partners.")
    new = body.replace("by Evanta and", "by Acme Executive Communities (formerly Evanta) and")
    result = compare(policy(body), policy(new))
    assert result.classification == "minor"
    assert any(r.startswith("name changed, the old one given") for r in reasons(result))


def test_no_written_for_number_is_no_negation():
    body = with_sentence("Accounts need a registration number.")
    result = compare(policy(body), policy(body.replace("a registration number.", "a registration no.")))
    assert not any(r.startswith("negation") for r in reasons(result))


def test_a_product_renamed_throughout_in_words_the_page_already_wrote_is_a_name_change():
    body = with_sentence("The Acme Drive and Prime Photos apps sync files.").replace(
        "You agree not to upload:",
        "Acme Drive and Prime Photos keep copies. Acme Drive and Prime Photos stop syncing on request. "
        "You agree not to upload:",
    )
    result = compare(policy(body), policy(body.replace("Acme Drive and Prime Photos", "Acme Photos")))
    assert result.classification == "minor"


def test_a_vendor_swapped_throughout_for_one_the_page_never_named_is_still_judged():
    products = "Acme makes Nova and Orbit. " * 5 + "\n\n"
    body = products + BODY.replace("with service providers", "with Tracko Analytics").replace(
        "You may ask us", "Tracko Analytics measures visits. Tracko Analytics keeps logs. You may ask us"
    )
    result = compare(policy(body), policy(body.replace("Tracko Analytics", "Nimbus Analytics")))
    assert result.classification == "material"


def test_a_company_the_page_already_named_put_for_its_former_name_is_no_new_party():
    old = (
        PARTY
        + "\nThese terms are between you and Nimbus Media, LLC.\n\nWrite to Nimbus Technology Ltd with questions.\n"
    )
    new = old.replace("Write to Nimbus Technology Ltd", "Write to Nimbus Media, LLC")
    assert not any(r.startswith("party changed") for r in reasons(compare(old, new)))


def test_an_update_banner_after_a_sentence_that_says_nothing_of_data_is_page_furniture():
    banner = "Your privacy matters. As of 3 March, we've updated our privacy notice to make it easier to read.\n\n"
    result = with_opening_removed(banner)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture removed")


def test_an_update_banner_beside_a_sentence_that_states_a_practice_is_judged():
    banner = "We now share your location with partners. As of 3 March, we've updated our privacy notice.\n\n"
    assert with_opening_removed(banner).classification == "material"


def test_a_date_stamp_with_a_link_to_the_previous_version_is_a_date_line():
    stamp = "_Effective:_ May 2, 2024 (View previous version: [3/1/22](https://example.com/v1))\n\n"
    result = compare(policy(stamp + BODY), policy(stamp.replace("May 2", "June 5") + BODY))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("date line updated")


def test_a_table_of_contents_flattened_under_its_label_is_navigation():
    contents = "Table of contents\n\n* Introduction* Sharing with third parties* Your rights* Contact us\n\n"
    result = with_opening_removed(contents)
    assert result.classification == "minor"
    assert not any(r.startswith("recipient") for r in reasons(result))


def test_a_sentence_under_a_contents_label_is_still_judged():
    contents = "Table of contents\n\nWe share your location with advertising partners every day of the year.\n\n"
    assert with_opening_removed(contents).classification == "material"


def test_an_old_name_put_right_throughout_by_the_companys_own_name_is_a_name_change():
    acme = "Acme runs the service. Acme hosts your files. Acme answers support requests. Acme sends receipts. "
    old = policy(
        acme
        + "\n\n"
        + BODY.replace("You may ask us", "Zenlo may assign these terms. Zenlo may change them. You may ask us")
        + "\nWrite to Zenlo, LLC at help@zenlo.com.\n"
    )
    result = compare(old, old.replace("Zenlo may", "Acme may").replace("to Zenlo, LLC", "to Acme, LLC"))
    assert result.classification == "minor"
    assert any(r.startswith("name changed throughout the document: 'Zenlo'") for r in reasons(result))


def test_a_calendar_line_in_a_possessive_is_no_new_name():
    days = "Teachers' Day (Oct 5, 2024)\n\nMothers' Day (May 12, 2024)\n\n"
    result = compare(policy(BODY + days), policy(BODY + days + "Dentists' Day (Mar 6, 2025)\n"))
    assert result.classification == "minor"


def test_a_sales_call_to_action_with_its_buttons_is_page_furniture():
    cta = "## Get started for free, or request a demo to discuss larger projects\n\nContact salesGet started\n"
    result = with_ending_removed(cta)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture removed")


def test_a_link_removed_from_a_list_of_useful_resources_is_page_furniture():
    resources = "## Other useful resources\n\nHow Acme uses pattern recognition to recognise faces in photos\n\n"
    result = compare(
        policy(BODY + resources + "Ad settings\n"), policy(BODY + "## Other useful resources\n\nAd settings\n")
    )
    assert result.classification == "minor"


def test_a_pointer_that_sends_the_reader_here_is_navigation():
    pointer = (
        "To learn more about the choices you have over the cookies and similar technologies that our apps and "
        "websites use in each of the countries where we operate, visit here."
    )
    result = with_paragraph_added(pointer)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


def test_a_paragraph_removed_that_the_document_still_holds_word_for_word_is_no_change():
    repeated = "We keep payment records for seven years to meet our duties under tax law."
    old = with_paragraph(f"{repeated}\n\n{repeated}")
    result = compare(policy(old), policy(with_paragraph(repeated)))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("repeated text removed, still in the document")


def test_a_paragraph_removed_for_good_is_still_judged():
    kept = "We keep payment records for seven years to meet our duties under tax law."
    result = compare(policy(with_paragraph(kept)), policy(BODY))
    assert result.classification == "material"


def test_a_link_without_text_removed_is_a_link_change():
    icon = '[](https://example.com/LangSelection.aspx?KeepThis=true&height=150&width=300 "Languages")\n\n'
    result = with_ending_removed(icon)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("link removed")


def test_a_term_inside_the_name_of_a_body_or_a_law_asserts_nothing():
    body = with_sentence("We follow the codes of the Network Advertising Initiative.")
    new = body.replace("Network Advertising Initiative", "Online Monitoring Act")
    found = reasons(compare(policy(body), policy(new)))
    assert not any(r.startswith(("new purpose", "purpose removed")) for r in found)


def test_a_term_inside_the_name_of_a_scheme_asserts_nothing():
    found = reasons(with_paragraph_added("Acme takes part in the Example Transparency & Consent Framework."))
    assert not any(r.startswith("new consent standard") for r in found)


def test_a_right_named_by_the_body_that_hears_it_is_still_a_right():
    result = compare(policy(BODY), policy(with_sentence("You may write to the Irish Supervisory Authority.")))
    assert "new user right: supervisory authority (in the user's favour)" in reasons(result)


def test_a_note_that_the_policy_applies_from_a_date_and_the_old_one_until_then_is_a_banner():
    note = (
        "This Privacy Policy applies from January 17, 2022. The previous version of this Privacy Policy, "
        "available here, will apply until then.\n\n"
    )
    result = with_opening_removed(note)
    assert result.classification == "minor"


def test_a_greeting_removed_states_no_practice():
    greeting = "Welcome to the Acme website and thanks for visiting!\n\n"
    result = with_opening_removed(greeting)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("text removed that states no practice")


def test_a_line_removed_that_names_a_company_the_new_text_no_longer_names_is_judged():
    vendors = "Twilio. Text messaging service.\n\nPostmark. Email delivery service.\n\n"
    result = compare(policy(BODY + vendors), policy(BODY + vendors.replace("Twilio. Text messaging service.\n\n", "")))
    assert result.classification == "material"


def test_a_paragraph_removed_that_the_document_still_holds_in_other_capitals_and_marks_is_no_change():
    repeated = "Payment records are kept under tax law for as long as the law asks."
    variant = repeated.replace("Payment", "PAYMENT").replace("law for", "law, for").replace(".", "!")
    old = with_paragraph(f"{variant}\n\n{repeated}")
    result = compare(policy(old), policy(with_paragraph(repeated)))
    assert reasons(result)[0].startswith("repeated text removed, still in the document")


def test_lines_added_under_further_reading_are_page_furniture():
    reading = "## Further reading\n\nCommunity\n\n"
    result = compare(policy(BODY + reading), policy(BODY + reading + "Robotics\n\nWhat is ROS\n"))
    assert result.classification == "minor"


def test_a_bracketed_note_on_when_a_page_changed_removed_is_a_date_note():
    links = (
        "Czech (contains changes effective 30 November 2023)\n\nGerman (contains changes effective 30 November 2023)\n"
    )
    result = compare(policy(BODY + links), policy(BODY + "Czech\n\nGerman\n"))
    assert result.classification == "minor"
    assert reasons(result)[0] == "date note removed: '(contains changes effective 30 November 2023)'"


def test_a_date_in_brackets_that_bounds_a_practice_is_still_judged():
    body = with_sentence("We keep chat logs (until 31 December 2025).")
    result = compare(policy(body), policy(body.replace(" (until 31 December 2025)", "")))
    assert result.classification == "material"


def test_an_image_swapped_in_a_table_cell_is_no_change_of_the_row():
    table = "| Appendix | Figure |\n|---|---|\n| 3 | [](https://cdn.example.com/a1.png) |\n"
    result = compare(policy(BODY + table), policy(BODY + table.replace("a1.png", "b7.png")))
    assert result.classification == "minor"
    assert reasons(result) == ["image or link without text changed"]


def test_an_address_in_someones_care_without_a_street_kind_is_a_postal_address():
    body = with_sentence("Write to Acme Ltd, c/o Skadden 40 Bank Street, Canary Wharf, London, E14 5DS.")
    new = body.replace(
        "c/o Skadden 40 Bank Street, Canary Wharf, London, E14 5DS",
        "c/o Meagher & Flom (UK) LLP 22 Bishopsgate London, EC2N 4BQ",
    )
    result = compare(policy(body), policy(new))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("postal address changed")


def test_a_footer_of_phone_numbers_and_an_address_removed_is_contact_details():
    footer = (
        "## Call us\n\nSupport: (800) 675-7430\n\n[](tel:18006757430)\n\n"
        "400 Northridge Rd. | Suite 1200 Atlanta, GA 30350\n"
    )
    result = with_ending_removed(footer)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact details and navigation removed, no policy text")


@pytest.mark.parametrize(
    "way_in",
    [
        "Authorised officials may contact Acme about legal process and urgent inquiries at the following number:"
        "\n\n555-0100.",
        "Copyright Agent\n\nAcme LLC\n\n1 Example Road\n\nMenlo Park, CA 94025\n\nPhone: (650) 555-0100"
        "\n\nEmail: ip@acme.example",
    ],
)
def test_a_way_to_reach_the_company_added_is_minor(way_in):
    result = with_paragraph_added(way_in)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("way to reach the company added")


def test_a_company_new_to_the_page_named_with_its_address_is_still_judged():
    result = with_paragraph_added("Mailwell Inc\n\n5 Main Street, Boston, MA 02110\n\nEmail: privacy@mailwell.example")
    assert result.classification == "material"


def test_the_way_to_reach_the_same_officer_changed_is_minor():
    result = with_paragraph_changed(
        "You can contact our Data Protection Officer: Acme Counsel Ltd, 2 Swan Lane, London EC4R 3TT,"
        " dpo@acmecounsel.example",
        "You can contact our Data Protection Officer at privacy@acme.example",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("way to reach the company changed")


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "You can contact our Data Protection Officer at dpo@acme.example",
            "You can contact our EU representative at rep@acme.example",
        ),
        (
            "You can write to us at 1 Main Street, London EC1A 1AA",
            "You can write to Databridge Services Ltd at 9 High Street, Leeds LS1 1AA",
        ),
    ],
)
def test_a_way_in_to_another_officer_or_to_a_company_new_to_the_page_is_no_mere_way_in_changed(old, new):
    result = with_paragraph_changed(old, new)
    assert not any(r.startswith("way to reach the company changed") for r in reasons(result))


def test_a_way_in_that_also_sets_a_time_limit_is_still_judged():
    result = with_paragraph_added("To cancel, call us at (650) 555-0100 within 14 days of your order.")
    assert not any(r.startswith("way to reach") for r in reasons(result))


def test_announced_changes_put_off_to_a_later_day_give_more_notice():
    result = with_paragraph_changed(
        "These changes will go into effect on August 10, 2026.", "These changes will go into effect on August 21, 2026."
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("announced changes put off, giving more notice")


def test_announced_changes_brought_forward_give_less_notice():
    result = with_paragraph_changed(
        "The updated Terms will apply from 1 May 2026.", "The updated Terms will apply from 1 April 2026."
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("announced changes brought forward, giving less notice")


def test_a_date_written_the_iso_way_is_no_phone_number():
    result = with_paragraph_changed(
        "The discount applies to orders placed from 2025-09-12.",
        "The discount applies to orders placed from 2026-02-20.",
    )
    assert reasons(result) == ["date changed: 2025-09-12 → 2026-02-20"]


def test_a_company_named_beside_a_mail_address_is_no_line_of_contact_details():
    result = with_paragraph_added("Nimbus Analytics Ltd: privacy@nimbus.example")
    assert not reasons(result)[0].startswith("contact details")


def test_the_title_is_the_one_highest_heading_even_below_level_one():
    menu = "".join(
        f"* [{item}](https://example.com/{n})\n" for n, item in enumerate(("Who We Serve", "About", "Login"))
    )
    body = BODY.replace("## ", "### ")
    old = policy(menu + "\n## Example Policy\n\n" + body).replace("# Privacy Policy\n", "")
    new = policy("## Example Policy\n\n" + body).replace("# Privacy Policy\n", "")
    assert reasons(compare(old, new))[0].startswith("page furniture above the document's title removed")


def link_retargeted(sentence: str, old_target: str, new_target: str):
    """The verdict on BODY with ``sentence`` (holding ``old_target``) after its link points to ``new_target``."""
    body = with_sentence(sentence)
    return compare(policy(body), policy(body.replace(old_target, new_target)))


def test_a_link_pointing_elsewhere_under_the_same_words_is_a_minor_change():
    result = link_retargeted(
        "Read [our partner list](https://acme.example/partners) first.", "acme.example/partners", "acme.example/list"
    )
    assert result.classification == "minor"
    assert reasons(result) == ["link target changed: 'https://acme.example/partners' → 'https://acme.example/list'"]
    assert ["delete", "https://acme.example/partners"] in result.changes[0].segments  # the redline shows the target


def test_a_link_moved_to_https_is_no_change():
    result = link_retargeted("Read [our partner list](http://acme.example/partners) first.", "http:", "https:")
    assert result.classification == "none"


def test_a_list_of_recipients_linked_in_a_newer_version_is_material():
    result = link_retargeted(
        "We share device identifiers with our advertising partners (listed"
        " [here](https://acme.example/uploads/Advertising-Partners_October-2023.pdf)).",
        "October-2023",
        "February-2024",
    )
    assert result.classification == "material"
    assert reasons(result)[0].startswith("linked list of recipients replaced by another version")


def test_a_newer_version_linked_where_no_recipient_is_named_is_minor():
    result = link_retargeted(
        "Read [the archived terms](https://acme.example/terms-2023.pdf) here.", "terms-2023", "terms-2024"
    )
    assert result.classification == "minor"


def test_a_note_to_screen_readers_beside_a_link_changes_nothing():
    body = with_sentence("Testers, please see [here](https://example.com/beta) for how beta data is used.")
    new = body.replace("(https://example.com/beta)", "(https://example.com/beta) (opens in new window)")
    assert compare(policy(body), policy(new)).classification == "none"


def test_a_note_to_screen_readers_run_into_a_link_without_brackets_changes_nothing():
    body = with_sentence("Testers, please see [here](https://example.com/beta) for how beta data is used.")
    new = body.replace("(https://example.com/beta)", "(https://example.com/beta)Opens in new tab")
    assert compare(policy(body), policy(new)).classification == "none"


def test_a_banner_announcing_a_later_policy_for_some_users_is_page_furniture():
    banner = (
        "We are changing how we show ads to UK users. Our new Privacy Policy for UK users comes into effect on "
        "11 November 2026.\n\n"
    )
    assert compare(policy(BODY), policy(banner + BODY)).classification == "minor"


def test_a_postcode_is_a_code_not_a_new_name():
    body = BODY.replace("Our registered office is at 9 Example Street, 75003 Paris.", "Acme Ltd\n\nDublin 2, D02 R593")
    result = compare(policy(body), policy(body.replace("Dublin 2, D02 R593", "Dublin 2\n\nDublin\n\nD02 PY28")))
    assert result.classification == "minor"


def test_a_line_that_encourages_the_reader_to_read_another_policy_is_navigation():
    pointer = "We strongly encourage you to read our updated Cookie Policy.\n\n"
    result = with_opening_removed(pointer)
    assert result.classification == "minor"


def test_a_possessive_of_a_recipient_is_the_recipient():
    body = with_sentence("We may show you an ad after you visit our partners site.")
    result = compare(policy(body), policy(body.replace("partners site", "partner's site")))
    assert not any("recipient" in r for r in reasons(result))


def test_a_last_update_line_added_is_a_date_line():
    result = compare(policy(BODY), policy("Last update: August 3, 2021\n\n" + BODY))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("date line")


def test_a_table_flattened_into_a_paragraph_and_set_out_again_is_layout_only():
    flat = "Payment Due Date First Payment 30 Days from the Shipment Date Second Payment 60 Days from the Shipment Date"
    rows = "Payment | Due Date\n\nFirst Payment | 30 Days from the Shipment Date\n\n"
    rows += "Second Payment | 60 Days from the Shipment Date"
    result = with_paragraph_changed(flat, rows)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("layout only")


def test_the_same_words_in_another_order_are_still_judged():
    result = verdict(("You may ask us for a copy of your data.", "Ask us for a copy of your data? You may not."))
    assert result.classification == "material"


def test_a_line_giving_the_date_the_document_takes_effect_is_a_date_line():
    line = "This user agreement will be effective for all users as of October 31, 2022."
    later = line.replace("October 31, 2022", "January 1, 2023")
    result = compare(policy(f"{line}\n\n{BODY}"), policy(f"{later}\n\n{BODY}"))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("date line")


def test_a_date_a_change_takes_effect_in_a_sentence_is_still_judged():
    body = with_sentence("Changes to how we share data will take effect on October 31, 2022.")
    result = compare(policy(body), policy(body.replace("October 31, 2022", "October 1, 2022")))
    assert result.classification == "material"


def test_a_recipient_cut_from_a_plain_statement_of_sharing_is_in_the_users_favour():
    result = verdict(("with our subsidiaries and with service providers", "with service providers"))
    assert result.classification == "minor"
    assert "(in the user's favour)" in reasons(result)[0]


def test_a_recipient_cut_from_a_promise_not_to_share_is_still_material():
    body = with_sentence("We do not share your data with advertisers or data brokers.")
    result = compare(policy(body), policy(body.replace("advertisers or data brokers", "data brokers")))
    assert result.classification == "material"


def test_a_recipient_put_in_the_place_of_another_is_still_material():
    swapped = "with advertisers and with service providers"
    result = verdict(("with our subsidiaries and with service providers", swapped))
    assert result.classification == "material"


def test_words_a_capture_glued_together_or_pulled_apart_are_spacing_only():
    result = verdict(("You may ask us for a copy of your data.", "You mayask usfor a copy of your data."))
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("spacing only")


def test_words_glued_beside_a_real_change_leave_the_change_to_be_judged():
    glued = "We collect yourname, e-mail address, location and the files you upload."
    result = verdict(("We collect your name, e-mail address and the files you upload.", glued))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("new data category")


def test_a_word_glued_to_an_activity_is_no_new_activity():
    body = with_sentence("Cookies are usedin this way to remember your settings.")
    result = compare(
        policy(body), policy(body.replace("usedin this way to remember your", "used in this way to remember your own"))
    )
    assert not any("activity" in r for r in reasons(result))


def test_a_phone_number_dropped_beside_a_moved_address_is_contact_details():
    old = "Attn: Legal Department, Acme Media, 233 Broadway 13th Floor New York, NY 10279 Telephone: 415.580.6400"
    new = "Attn: Legal Department, Acme Media, 125 Park Ave 25th Floor New York, NY 10017"
    result = with_paragraph_changed(old, new)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact details changed")


def test_a_recipient_swapped_beside_its_address_is_still_material():
    old = "We share order data with Parcelo Ltd, 9 Example Street, London, E14 5DS."
    new = "We share order data with Adnimbus Ltd, 40 Bank Street, London, E14 5DS."
    result = with_paragraph_changed(old, new)
    assert result.classification == "material"


def test_a_right_added_over_named_data_is_in_the_users_favour():
    added = "You have the right to request deletion of your phone number."
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("new user right")


def test_a_right_added_beside_data_newly_sent_elsewhere_is_still_material():
    added = "You have the right to request a copy of your data. Location data is sent to advertising partners."
    result = with_paragraph_added(added)
    assert result.classification == "material"


def test_a_right_added_in_a_sentence_that_also_shares_data_is_still_material():
    added = "You may request a copy of the phone numbers we share with advertising partners."
    result = with_paragraph_added(added)
    assert result.classification == "material"


def test_a_right_offered_after_a_practice_stated_in_the_passive_is_still_material():
    added = "Your phone number is sent to advertising partners, and you can request a copy of it at any time."
    result = with_paragraph_added(added)
    assert result.classification == "material"
    assert reasons(result)[0].startswith("new data category: phone number")


def test_a_right_explained_with_how_to_use_it_is_in_the_users_favour():
    added = (
        "How can you request deletion of your data? You can request that we delete your phone number. "
        "By exercising your right to deletion you may lose access to your purchases. If you wish to request "
        "that we no longer use your data, write to privacy@example.com."
    )
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("new user right")


def test_a_right_given_after_a_sentence_on_the_law_followed_is_in_the_users_favour():
    added = "Acme processes personal data under the GDPR. You have the right to access and erase your phone number."
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("new user right")


def test_a_site_that_lets_the_user_request_removal_gives_a_right():
    added = "Acme.com allows you to request removal of your account information, including deletion of the account."
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("new user right")


def test_a_mail_address_spelled_out_beside_its_hidden_form_is_contact_details():
    old = "To appeal, contact us at privacy [at] acme.com."
    new = "To appeal, contact us at privacy [at] acme.com (privacy[at]acme[dot]com)."
    result = with_paragraph_changed(old, new)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("contact details changed")


def test_a_line_saying_where_information_about_a_topic_is_available_is_no_policy_text():
    added = (
        'Information about how we treat "Consumer Health Data" and the requests defined under Oregon\'s '
        "Wellness Records Privacy Act and other similar state laws is available here."
    )
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert "added, no policy text" in reasons(result)[0]


def test_information_about_a_practice_given_in_the_sentence_is_still_judged():
    added = "Information about your location is shared with advertising partners."
    result = with_paragraph_added(added)
    assert result.classification == "material"


def test_a_recipient_word_that_says_which_kind_of_an_existing_recipient_names_no_new_party():
    body = with_sentence("Another example is our link vendors, which we use in our guides.")
    result = compare(policy(body), policy(body.replace("our link vendors", "our affiliate link vendors")))
    assert not any(r.startswith("new recipient") for r in reasons(result))


def test_a_recipient_joined_to_an_existing_one_is_still_a_new_recipient():
    body = with_sentence("Another example is our link vendors, which we use in our guides.")
    result = compare(policy(body), policy(body.replace("our link vendors", "our affiliates and link vendors")))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("new recipient: affiliates")


def test_a_sentence_opening_this_means_defines_nothing():
    clauses = (
        "This means that your devices get updates for five years.\n\n"
        "This is why we keep account data. This covers every device you register."
    )
    result = with_paragraph_changed(clauses, clauses.replace("for five years", "for five years where available"))
    assert result.classification == "minor"
    assert not any(r.startswith("definition of") for r in reasons(result))


def test_a_term_defined_by_what_it_is_is_a_definition_too():
    definition = '"Minor" or "Minors" are users under the age set by applicable data protection laws.'
    body = with_paragraph(f"{definition}\n\nWe do not show ads to a Minor.")
    result = compare(policy(body), policy(body.replace("applicable data protection laws", "applicable laws")))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("definition of 'Minor'")


def test_an_age_written_as_or_older_is_an_age_threshold():
    result = with_paragraph_changed("Users must be 13 or older.", "Users must be 18 or older.")
    assert result.classification == "material"
    assert reasons(result)[0] == "age threshold changed: 13 → 18"


def test_a_ban_on_the_user_struck_out_is_in_the_users_favour():
    rules = "You must not send spam. You must not resell access to the service."
    result = with_paragraph_changed(rules, "You must not send spam.")
    assert result.classification == "minor"
    said = "duty on the user removed: 'You must not resell access to the service.' (in the user's favour)"
    assert reasons(result)[0] == said


def test_a_short_item_added_to_a_list_of_bans_is_a_new_ban():
    bans = "You may not use the service to:\n\n- send spam\n- harass others"
    result = with_paragraph_changed(bans, bans + "\n- impersonate any person")
    assert result.classification == "material"
    assert reasons(result)[0] == "list extended in a clause that binds: 'impersonate any person'"


def test_a_kind_of_content_added_under_an_order_not_to_post_it_is_a_new_ban():
    bans = "Do not post the following content:\n\n- Spam: unwanted messages sent to many.\n- Harassment: threats."
    added = "\n- Election misinformation: content that deceives voters about how to vote."
    result = with_paragraph_changed(bans, bans + added)
    assert result.classification == "material"


def test_examples_cut_from_what_a_ban_names_leave_the_ban_as_wide():
    result = with_paragraph_changed(
        "You must not sell contraband (such as material that exploits a child) on the service.",
        "You must not sell contraband on the service.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("examples removed: child")


def test_an_example_added_to_what_a_ban_already_names_does_not_widen_it():
    ban = "You must not post illegal content, such as threats or fraud."
    result = with_paragraph_changed(ban, ban.replace("threats or fraud", "threats, fraud or scams"))
    assert result.classification == "minor"


def test_an_item_added_to_the_things_a_ban_names_widens_it():
    ban = "You must not post threats or fraud."
    result = with_paragraph_changed(ban, ban.replace("threats or fraud", "threats, fraud or scams"))
    assert result.classification == "material"
    assert reasons(result)[0] == "list extended in a clause that binds: 'scams'"


def test_an_item_added_to_a_list_of_bans_split_by_semicolons_is_a_new_ban():
    bans = "You may not use the service to: send spam; harass others."
    result = with_paragraph_changed(bans, bans.replace("others.", "others; impersonate others."))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("list extended in a clause that binds: 'impersonate")


RULES_AS_PARAGRAPHS = """\
## Content rules

Misleading content: Do not distribute content that deceives or misleads users. This includes:

Misleading content about elections: content that is false and could undermine trust in elections.

Manipulated media: media that has been edited in a way that misleads users.

## Contact

Write to us.
"""
NEW_KIND = "Misleading content about health: content that urges others to take part in practices that cause harm.\n\n"


def test_a_labelled_paragraph_added_under_a_lead_in_that_bans_is_a_new_ban():
    new = RULES_AS_PARAGRAPHS.replace("Manipulated media:", NEW_KIND + "Manipulated media:")
    result = compare(policy(RULES_AS_PARAGRAPHS), policy(new))
    assert result.classification == "material"
    assert reasons(result)[0].startswith("list extended in a clause that binds")


def test_a_labelled_paragraph_added_under_a_lead_in_that_binds_nobody_is_minor():
    old = RULES_AS_PARAGRAPHS.replace(
        "Misleading content: Do not distribute content that deceives or misleads users. This includes:",
        "Some examples of what we mean:",
    )
    new = old.replace("Manipulated media:", NEW_KIND + "Manipulated media:")
    assert compare(policy(old), policy(new)).classification == "minor"


TAKEN_DOWN = """\
## Harmful products

Acme isn't a place for products that may be harmful. We remove or limit such content and accounts, including offers
of:

- Counterfeit documents or currency.
- Weapons.

## Contact

Write to us.
"""


def test_an_item_added_to_what_the_platform_takes_down_is_a_new_ban():
    new = TAKEN_DOWN.replace("Counterfeit documents", "Counterfeit products, documents,")
    result = compare(policy(TAKEN_DOWN), policy(new))
    assert result.classification == "material"
    assert reasons(result)[0] == "list extended in a clause that binds: 'products'"


def test_a_word_opening_a_sentence_before_a_comma_is_no_first_item_of_a_list():
    result = with_paragraph_changed("You may not resell the service.", "For example, you may not resell the service.")
    assert not any(r.startswith("list extended") for r in reasons(result))


def test_a_requirement_copied_with_another_age_is_no_restatement():
    old = "## Gifts\n\n- Be at least 18 years old with a verified payment account.\n\n## Tips\n\n- Be kind.\n"
    new = old.replace("- Be kind.", "- Be kind.\n- Be at least 19 years old with a verified payment account.")
    result = compare(policy(old), policy(new))
    assert result.classification == "material"
    assert not any(r.startswith("restates") for r in reasons(result))


def test_places_added_to_where_something_is_allowed_are_leave_widened():
    result = with_paragraph_changed(
        "Vehicle catalogs are allowed in Canada, Germany, and the US only.",
        "Vehicle catalogs are allowed in Canada, France, Germany, Spain, and the US only.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("the user may now: 'france, spain' too")


@pytest.mark.parametrize(
    "old, new",
    [
        (
            "You may use Gold to buy gifts for other users.",
            "You may use Gold to buy gifts for other users of our apps.",
        ),
        (
            "Plus is only available for users registered in Sweden.",
            "Plus is only available for users registered in Sweden, and for citizens of other EU countries.",
        ),
    ],
)
def test_words_only_added_to_what_the_user_may_do_are_leave_widened(old, new):
    result = with_paragraph_changed(old, new)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("the user may now")


def test_more_data_the_user_may_give_the_company_is_no_leave_widened():
    result = with_paragraph_changed(
        "Customer may provide prompts to the service.",
        "Customer may provide prompts, or access to data and content, to the service.",
    )
    assert not any(r.startswith("the user may now") for r in reasons(result))


def test_places_added_to_where_something_is_not_allowed_are_a_new_ban():
    result = with_paragraph_changed(
        "Vehicle catalogs are not allowed in Canada, Germany, or the US.",
        "Vehicle catalogs are not allowed in Canada, France, Germany, or the US.",
    )
    assert result.classification == "material"


def test_a_short_item_added_to_a_list_that_binds_nobody_is_minor():
    features = "The service lets you:\n\n- share albums\n- print photos"
    result = with_paragraph_changed(features, features + "\n- order prints online")
    assert result.classification == "minor"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("a revocable licence", "an irrevocable licence", "'revocable' → 'irrevocable'"),
        ("a refundable fee", "a non-refundable fee", "'refundable' → 'non-refundable'"),
    ],
)
def test_a_word_turned_into_its_opposite_by_a_prefix_is_no_spelling_correction(old, new, said):
    result = with_paragraph_changed(f"You pay {old} to use the service.", f"You pay {new} to use the service.")
    assert result.classification == "material"
    assert reasons(result)[0] == f"meaning reversed: {said}"


def test_another_governing_law_is_material_though_only_a_name_changed():
    result = with_paragraph_changed(
        "These terms are governed by the laws of England.", "These terms are governed by the laws of Ireland."
    )
    assert result.classification == "material"
    assert reasons(result)[0] == "governing law or courts changed: 'England.' → 'Ireland.'"


def test_a_new_legal_form_of_the_company_in_the_arbitration_clause_is_no_new_forum():
    clause = "Disputes with Acme {} are settled by arbitration in Delaware."
    result = with_paragraph_changed(clause.format("Inc."), clause.format("LLC"))
    assert not any(r.startswith("governing law") for r in reasons(result))


def test_a_percentage_promised_is_a_rate():
    result = with_paragraph_changed("We pay partners a 5% commission.", "We pay partners a 3% commission.")
    assert result.classification == "material"
    assert reasons(result)[0] == "rate changed: 5% → 3%"


def test_a_percentage_in_a_report_of_figures_is_a_statistic():
    report = "In 2023 we received 1,234 requests and complied with {} of them."
    result = with_paragraph_changed(report.format("80%"), report.format("85%"))
    assert result.classification == "minor"


def test_a_newsletter_form_removed_from_the_foot_of_the_page_is_furniture():
    form = (
        "\n\n## Stay in touch\n\nFacebook\n\nInstagram\n\nJoin our email list\n\nZip code\n\nGet Started\n\n"
        'By clicking "Get Started" I agree to receive news and offers from Acme.\n'
    )
    result = with_ending_removed(form)
    assert result.classification == "minor"
    assert all("furniture" in r or "navigation" in r for r in reasons(result))


@pytest.mark.parametrize(("old", "new"), [("will", "shall"), ("must", "shall"), ("shall", "will")])
def test_one_word_of_obligation_for_another_binds_as_before(old, new):
    notice = "We {} notify you of changes by email."
    result = with_paragraph_changed(notice.format(old), notice.format(new))
    assert result.classification == "minor"


def test_improving_the_service_added_to_what_data_is_shared_for_is_a_new_purpose():
    clause = "We share usage data with partners to provide{} the service."
    result = with_paragraph_changed(clause.format(""), clause.format(" and improve"))
    assert result.classification == "material"
    assert reasons(result)[0] == "new purpose: improve"


def test_a_row_of_share_icons_removed_is_navigation():
    result = with_ending_removed('\n\n[](javascript:; "Share")\n\nTwitter\n\nFacebook\n\nGoogle+\n')
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation removed, no policy text")


def test_social_networks_listed_as_recipients_are_judged():
    result = with_paragraph_added("We share your listening history with:\n\nFacebook\n\nTwitter")
    assert result.classification == "material"


def test_a_negation_written_short_says_the_same_as_in_full():
    result = with_paragraph_changed("We do not sell your data.", "We don't sell your data.")
    assert result.classification == "minor"
    assert reasons(result) == ["negation written short or in full"]


def test_the_united_states_abbreviated_is_the_same_place():
    result = with_paragraph_changed("We store data in the United States.", "We store data in the U.S.")
    assert result.classification == "minor"


def test_data_moved_to_the_united_states_abbreviated_is_still_a_transfer():
    result = with_paragraph_changed("We store data in the EEA.", "We store data in the USA.")
    assert result.classification == "material"
    assert reasons(result)[0] == "new international transfer: usa"


def test_an_advertising_banner_with_its_button_is_furniture():
    result = with_opening_removed("You're invited to try Acme Office for free\n\nUnlock now\n\n")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("page furniture removed")


def test_a_line_of_the_dates_a_page_took_effect_and_was_posted_is_a_date_line():
    stamp = "Effective as of {} | Posted: {}"
    result = with_paragraph_changed(
        stamp.format("March 14, 2025", "March 17, 2025"), stamp.format("July 30, 2025", "July 30, 2025")
    )
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("date line updated")


def test_a_contents_list_run_together_by_the_capture_is_navigation():
    glued = "OverviewBest PracticesSteps to Take if Your Account is SuspendedPolicy on Government and Political Use"
    result = with_opening_removed(f"Table of Contents\n\n{glued}\n\n")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith(("navigation removed", "navigation and page furniture removed"))


def test_names_written_in_camel_case_are_no_run_together_menu():
    result = with_paragraph_added("Share with WhatsApp, YouTube, LinkedIn and PayPal")
    assert not any(r.startswith("navigation") for r in reasons(result))


def test_a_link_written_without_its_scheme_moved_to_another_host_is_a_link():
    body = with_paragraph(
        '"Covered Services" means the services listed at privacy.example.com/business/services.\n\n'
        "We share Covered Services data with service providers."
    )
    new = body.replace("privacy.example.com/business/services", "business.safety.example/services")
    result = compare(policy(body), policy(new))
    assert result.classification == "minor"


def test_an_image_caption_reworded_is_furniture():
    caption = "An illustration representing Acme"
    result = with_paragraph_changed(caption, caption + "'s policy of limiting ads that involve alcohol.")
    assert result.classification == "minor"


def test_an_offer_to_learn_more_about_a_topic_is_a_pointer():
    result = with_paragraph_added("Learn more about our efforts to fight child sexual abuse.")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("navigation added")


def test_a_long_sentence_that_opens_by_offering_to_learn_more_is_judged_as_text():
    sentence = "Learn more about " + " ".join(["advertising partners and measurement vendors"] * 12) + "."
    result = with_paragraph_added(sentence)
    assert not any(r.startswith("navigation") for r in reasons(result))


def test_an_offer_to_learn_more_followed_by_a_practice_is_judged():
    result = with_paragraph_added("Learn more about our partners. We share your location with advertisers.")
    assert result.classification == "material"


def test_a_way_to_report_content_given_to_the_user_is_leave_given():
    added = "You can report abusive content from the app's menu. Alternatively, you can email support@example.com."
    result = with_paragraph_added(added)
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("the user may now: 'You can report abusive content")


def test_leave_to_share_more_data_is_still_judged():
    result = with_paragraph_added("You can choose to share your location with advertising partners.")
    assert result.classification == "material"


def test_a_ban_on_the_user_lifted_is_in_the_users_favour():
    result = with_paragraph_changed("Political ads are not allowed.", "Political ads are allowed with a label.")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("ban on the user lifted: 'are not allowed'")


def test_a_promise_of_the_company_lifted_is_still_material():
    result = with_paragraph_changed("We will not show political ads.", "We will show political ads.")
    assert result.classification == "material"
    assert reasons(result)[0].startswith("negation removed")


def test_a_duty_on_the_user_under_a_condition_struck_out_is_in_the_users_favour():
    rules = "Plans are sold per country. If you travel abroad, you must upgrade your plan."
    result = with_paragraph_changed(rules, "Plans are sold per country.")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith("duty on the user removed: 'If you travel abroad")


def test_a_ban_struck_out_beside_a_promise_of_the_company_is_still_material():
    rules = "You must not send spam. You must not harass other members, and we will never tolerate it."
    result = with_paragraph_changed(rules, "You must not send spam.")
    assert result.classification == "material"
    assert reasons(result)[0].startswith("commitment removed")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Acme GmbH, Example Str. 76/77, 10115 Berlin", "Acme GmbH, Karl-Marx-Strasse 101, 12043 Berlin"),
        ("Acme, 4-23-5 Sendagaya, Shibuya-ku, Tokyo Example Building 6F", "Acme, 4-23-5 Sendagaya, Shibuya-ku, Tokyo"),
    ],
)
def test_a_street_written_the_continental_or_the_japanese_way_is_a_postal_address(old, new):
    result = with_paragraph_changed(f"Write to us at {old}.", f"Write to us at {new}.")
    assert result.classification == "minor"
    assert reasons(result)[0].startswith(("postal address changed", "contact details changed"))


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (
            "Acme UK Ltd, Acme House, 1000 Hillside Drive, Chertsey, Surrey KT16 0PS",
            "Acme UK Ltd, Acme House, 2000 Hillside Drive, Chertsey, Surrey KT16 0RS, UK",
            "'1000 Hillside Drive, Chertsey, Surrey KT16 0PS' → '2000 Hillside Drive, Chertsey, Surrey KT16 0RS, UK'",
        ),
        (
            "Acme Ltd WeWork Example House 2nd floor 125 Kingway London WC2b 6NH United Kingdom",
            "Acme Ltd c/o Example LLP 22 Bishopsgate London, EC2N 4BQ United Kingdom",
            "'WeWork Example House 2nd floor' → 'c/o Example LLP 22 Bishopsgate London",
        ),
        (
            "Acme, Attn: Privacy Manager 140 Example St., 9th Floor Springfield, California 94105",
            "Acme, Attn: Privacy Manager 350 Sample Street, 10th Floor Springfield, California 94105, U.S.A.",
            "'140 Example St., 9th Floor Springfield, California 94105' → '350 Sample Street",
        ),
        (
            "Acme SAS, 9 rue Exemple, Paris 75003",
            "Acme SAS, 26, rue Modèle, Paris 75009",
            "'9 rue Exemple, Paris 75003' → '26, rue Modèle, Paris 75009'",
        ),
        (
            "Acme SAS - 44 rue de Exemple- 93585 Saint-Ouen",
            "Acme SAS - 118 rue de Modèle- 75015 Paris",
            "'44 rue de Exemple- 93585 Saint-Ouen' → '118 rue de Modèle- 75015 Paris'",
        ),
    ],
)
def test_an_address_that_gains_its_country_or_follows_a_building_is_a_postal_address(old, new, shown):
    result = with_paragraph_changed(f"Write to us at {old}.", f"Write to us at {new}.")
    assert result.classification == "minor"
    assert len(reasons(result)) == 1
    assert reasons(result)[0].startswith(f"postal address changed: {shown}")


@pytest.mark.parametrize(
    "reason, kind",
    [
        ("text removed that states no practice, duty or right: 'Welcome!'", "statement"),
        ("repeated text removed, still in the document: 'We keep logs.'", "repeat"),
        ("contact details removed, no policy text: 'Support: (800) 675-7430'", "address"),
        ("date note removed: '(contains changes effective 30 November 2023)'", "dateline"),
        ("image or link without text changed", "link"),
        ("layout only, the same words: 'Payment | Due Date'", "layout"),
        ("spacing only: 'usedin' → 'used in'", "layout"),
        ("negation written short or in full", "typo"),
        ("duty on the user removed: 'You must not spam.' (in the user's favour)", "favour"),
        ("ban on the user lifted: 'not allowed' → 'allowed' (in the user's favour)", "favour"),
        ("meaning reversed: 'revocable' → 'irrevocable'", "negation"),
        ("governing law or courts changed: 'England' → 'Ireland'", "law"),
        ("rate changed: 5% → 3%", "amount"),
    ],
)
def test_the_reasons_of_page_text_have_a_kind_of_their_own(reason, kind):
    from policywatch.engine.materiality import reason_kind

    assert reason_kind(reason) == kind


def test_words_cut_from_a_sentence_that_stays_binding_no_one_are_minor():
    old = (
        "Please also read our Returns policy and our appliance collection terms "
        "(collection of your old appliances on a like-for-like basis)."
    )
    result = with_paragraph_changed(old, "Please also read our Returns policy and our appliance collection terms.")
    assert result.classification == "minor"
    assert reasons(result) == [
        "words cut, binding no one: '(collection of your old appliances on a like-for-like basis)'"
    ]


def test_a_promise_cut_from_a_sentence_that_stays_is_a_commitment_removed():
    old = (
        "Your renewal discount applies for 12 months and will begin on either your next bill "
        "or the one after, depending on your billing cycle."
    )
    result = with_paragraph_changed(old, "Your renewal discount applies for 12 months.")
    assert result.classification == "material"
    assert reasons(result)[0].startswith("commitment removed: 'and will begin on either your next bill")


# --- What the terms cover, what a rule bans, icons ------------------------------------------------------------

COVERED = (
    "The following products and services are covered by this Agreement:\n\n"
    "- Acme Mail\n- Acme Talk (Consumer)\n- Acme VPN"
)


def test_a_service_added_to_the_list_the_terms_cover_is_material():
    result = with_paragraph_changed(COVERED, COVERED.replace("- Acme Talk", "- Acme Maps\n- Acme Talk"))
    assert result.classification == "material"
    assert reasons(result) == ["service brought under the terms: 'Acme Maps'"]


def test_a_service_taken_off_the_list_the_terms_cover_is_not_brought_under_them():
    result = with_paragraph_changed(COVERED, COVERED.replace("- Acme VPN", ""))
    assert not any(r.startswith("service brought under the terms") for r in reasons(result))


def test_a_product_put_beside_the_paid_products_a_list_kept_is_brought_under_the_terms():
    result = with_paragraph_changed(
        "Acme Premium products are paid services. They include Acme VPN and Acme Talk.",
        "Acme Premium products are paid services. They include Acme Leo, Acme VPN and Acme Talk.",
    )
    assert result.classification == "material"
    assert reasons(result) == ["service brought under the terms: Acme Leo"]


def test_a_name_put_beside_others_in_a_list_the_terms_do_not_cover_is_no_service_brought_under_them():
    result = with_paragraph_changed(
        "Our blog tells stories from Acme VPN and Acme Talk.",
        "Our blog tells stories from Acme Leo, Acme VPN and Acme Talk.",
    )
    assert not any(r.startswith("service brought under the terms") for r in reasons(result))


BANS = "If your ad is shown in Ruritania, we don't allow:\n\n- Alcohol\n- Brick-and-mortar pharmacies\n- Infant formula"


def test_an_item_of_a_list_of_bans_swapped_for_another_is_material():
    result = with_paragraph_changed(BANS, BANS.replace("pharmacies", "casinos"))
    assert result.classification == "material"
    assert reasons(result) == ["what a rule bans changed: 'pharmacies' → 'casinos'"]


def test_an_item_added_to_what_the_company_does_not_allow_in_ads_extends_the_ban():
    result = with_paragraph_changed(BANS, BANS + "\n- Tobacco products")
    assert result.classification == "material"
    assert reasons(result)[0].startswith("list extended in a clause that binds")


def test_a_line_after_a_rule_that_ends_is_no_item_of_its_bans():
    old = "You may not open more than one free account.\n\n- Email verification requirements"
    result = with_paragraph_changed(old, old.replace("verification", "validation"))
    assert not any(r.startswith("what a rule bans changed") for r in reasons(result))


def test_a_link_that_loses_its_icon_glyph_is_no_change():
    old = BODY.replace("## Your rights", "[\ue904](#your-rights)\n\n## Your rights")
    new = BODY.replace("## Your rights", "[](#your-rights)\n\n## Your rights")
    result = compare(policy(old), policy(new))
    assert result.classification == "none"


def test_a_numbered_title_put_above_a_clause_the_policy_kept_is_navigation():
    result = verdict(("We keep account data", "4.2 Keeping Your Data\n\nWe keep account data"))
    assert result.classification == "minor"
    assert reasons(result) == ["navigation added, no policy text: '4.2 Keeping Your Data'"]


def test_an_address_that_opens_with_its_number_is_no_numbered_title():
    result = with_paragraph_changed("42 Example Street Springfield", "1 Sample Street Upper Springfield")
    assert not any(r.startswith("navigation") for r in reasons(result))


def test_a_case_added_to_the_exceptions_of_a_rule_against_the_user_is_in_the_users_favour():
    result = with_paragraph_changed(
        "Except as set forth in these Terms, payments are non-refundable and there are no credits for partial months.",
        "Except as set forth in these Terms or in our local billing pages, payments are non-refundable and there are "
        "no credits for partial months.",
    )
    assert result.classification == "minor"
    assert reasons(result)[0] == (
        "exception to a rule against the user widened: 'local billing pages' (in the user's favour)"
    )


def test_a_case_added_to_the_exceptions_of_what_the_user_may_do_is_material():
    result = with_paragraph_changed(
        "You can cancel your plan at any time, except during a promotion.",
        "You can cancel your plan at any time, except during a promotion or a yearly plan.",
    )
    assert result.classification == "material"
    assert reasons(result) == ["exception to what the user may do widened: 'yearly plan'"]


def test_a_clause_added_to_the_list_the_terms_cover_is_judged_as_a_clause_not_named_as_a_service():
    clause = "- Virtual goods. Your purchase of virtual goods is final and we may change their prices at any time."
    result = with_paragraph_changed(COVERED, COVERED + "\n" + clause)
    assert result.classification == "material"
    assert not any(r.startswith("service brought under the terms") for r in reasons(result))


def test_a_table_of_contents_whose_entries_say_what_the_company_does_is_navigation():
    body = (
        "This policy applies to all users.\n\n## Information We Collect\n\nWe collect your name.\n\n"
        "## How We Share Your Information\n\nWe share personal information with service providers who host the app."
        "\n\n## Your Rights\n\nYou may ask us for a copy of your data.\n"
    )
    contents = "- Information We Collect\n- How We Share Your Information\n- Your Rights\n\n"
    result = compare(policy(body), policy(contents + body))
    assert result.classification == "minor"
    assert reasons(result) == [
        "navigation added, no policy text: 'Information We Collect How We Share Your Information Your Rights'"
    ]


def test_a_pointer_that_says_how_the_company_shares_data_is_still_judged():
    result = with_paragraph_added("Our Data Policy explains how we share your data with advertisers.")
    assert result.classification == "material"


def test_the_companys_own_name_taken_out_of_a_definition_narrows_nothing():
    body = (
        "Acme runs the Acme Platform. Acme keeps it safe.\n\n"
        '"Resources" means the files the Client hosts on the Acme Platform, including databases.\n\n'
        "Acme may delete Resources 30 days after the Client leaves.\n"
    )
    result = compare(policy(body), policy(body.replace("hosts on the Acme Platform", "hosts on the Platform")))
    assert result.classification == "minor"
    assert not any(r.startswith("definition of") for r in reasons(result))


def test_a_country_added_to_where_data_is_processed_is_a_new_transfer():
    result = with_paragraph_changed(
        "We may process information in several locations, including the United States, India and Japan.",
        "We may process information in several locations, including the United States, India, Japan and Tunisia.",
    )
    assert result.classification == "material"
    assert "new international transfer: tunisia" in reasons(result)


def test_a_country_named_where_nothing_says_data_goes_there_is_no_transfer():
    result = with_paragraph_changed(
        "Residents of India and Japan may ask us for a copy of their data.",
        "Residents of India, Japan and Tunisia may ask us for a copy of their data.",
    )
    assert not any("international transfer" in r for r in reasons(result))
