"""Registers (kind: register) are judged entry by entry: added material, removed minor, re-ordering nothing."""

from __future__ import annotations

from policywatch import compare
from policywatch.engine.register import RegisterSettings, compare_register, parse_register
from policywatch.engine.render import Report, render_markdown

FRONT = "---\ntitle: Sub-processors\nkind: register\n---\n\n# Sub-processors\n\nWe use these sub-processors.\n\n"
HEADER = "| Name | Purpose | Data categories | Location | Transfer mechanism |\n|---|---|---|---|---|\n"
AWS = "| Amazon Web Services | Cloud hosting | All customer data | United States | SCCs |\n"
STRIPE = "| Stripe | Payment processing | Billing details | Ireland | Adequacy |\n"
ACME = "| Acme AI | Model hosting | Support tickets | United States | SCCs |\n"


def table(*rows: str, front: str = FRONT) -> str:
    return front + HEADER + "".join(rows)


def test_an_added_entry_is_material_and_named_with_its_location_and_purpose():
    result = compare(table(AWS, STRIPE), table(AWS, STRIPE, ACME))
    assert result.classification == "material"
    assert result.changes[0].reasons == ["new sub-processor: Acme AI (United States; Model hosting)"]


def test_a_removed_entry_is_minor():
    result = compare(table(AWS, STRIPE), table(AWS))
    assert result.classification == "minor"
    assert result.changes[0].reasons == ["sub-processor removed: Stripe (Ireland; Payment processing)"]


def test_a_changed_location_is_material_and_names_the_entity_and_the_field():
    moved = STRIPE.replace("Ireland", "United States")
    result = compare(table(AWS, STRIPE), table(AWS, moved))
    assert result.classification == "material"
    assert result.changes[0].reasons == ["sub-processor Stripe: location changed from 'Ireland' to 'United States'"]


def test_a_changed_data_category_is_material():
    wider = STRIPE.replace("Billing details", "Billing details, usage data")
    result = compare(table(AWS, STRIPE), table(AWS, wider))
    assert result.classification == "material"
    assert result.register.of("changed")[0].changed == ["data categories"]


def test_a_changed_transfer_mechanism_alone_is_minor():
    result = compare(table(AWS, STRIPE), table(AWS, STRIPE.replace("Adequacy", "SCCs")))
    assert result.classification == "minor"
    assert "transfer mechanism changed" in result.changes[0].reasons[0]


def test_reordering_and_reformatting_the_table_changes_nothing():
    reformatted = "|Name|Purpose|Data categories|Location|Transfer mechanism|\n|:--|:--|:--|:--|:--|\n"
    rows = "| **Stripe** | Payment processing. | Billing details | ireland | Adequacy |\n" + AWS.replace(" | ", "|")
    result = compare(table(AWS, STRIPE), FRONT + reformatted + rows)
    assert result.classification == "none"
    assert result.changes == []


def test_columns_are_matched_by_their_heading_not_their_position():
    swapped = "| Location | Name | Purpose |\n|---|---|---|\n| Ireland | Stripe | Payment processing |\n"
    entries, _ = parse_register(FRONT + swapped)
    assert [(e.name, e.fields) for e in entries] == [
        ("Stripe", {"location": "Ireland", "purpose": "Payment processing"})
    ]


def test_the_key_column_is_configurable_in_front_matter():
    front = FRONT.replace("kind: register\n", "kind: register\nregister_key: Entity\n")
    head = "| Entity | Country |\n|---|---|\n"
    result = compare(
        front + head + "| Stripe | Ireland |\n", front + head + "| Stripe | Ireland |\n| Acme AI | Canada |\n"
    )
    assert result.changes[0].reasons == ["new sub-processor: Acme AI (Canada)"]


def test_prose_around_the_entries_is_still_judged_as_prose():
    old = table(AWS)
    new = old.replace("We use these sub-processors.", "We use these sub-processors and sell personal data.")
    result = compare(old, new)
    assert result.register.entries == []
    assert result.classification == "material"


def test_a_list_register_reads_names_purposes_and_a_shared_location_from_the_paragraph_above():
    text = (
        FRONT + "These subprocessors are all located in the United States:\n\n"
        "* [Cloudflare](https://cloudflare.com/gdpr). Cloud services provider.\n\n"
        "These subprocessors are located in the EU:\n\n"
        "* [AppSignal](https://appsignal.com). Infrastructure monitoring.\n"
    )
    entries, _ = parse_register(text)
    assert [(e.name, e.get("location"), e.get("purpose")) for e in entries] == [
        ("Cloudflare", "United States", "Cloud services provider"),
        ("AppSignal", "EU", "Infrastructure monitoring"),
    ]


def test_moving_a_list_entry_to_another_location_group_is_a_material_location_change():
    us = FRONT + "Located in the United States:\n\n* [Acme](https://a). Hosting.\n* [Beta](https://b). Email.\n"
    eu = us.replace("* [Beta](https://b). Email.\n", "") + "\nLocated in the EU:\n\n* [Beta](https://b). Email.\n"
    result = compare(us, eu)
    assert result.register.of("changed")[0].changed == ["location"]
    assert result.classification == "material"


def test_a_text_without_kind_register_is_compared_as_prose():
    plain = FRONT.replace("kind: register\n", "")
    result = compare(table(AWS, front=plain), table(AWS, ACME, front=plain))
    assert result.register is None
    assert "register" not in result.to_json()


def test_the_register_table_is_in_the_json_view():
    data = compare(table(AWS), table(AWS, ACME)).to_json()
    assert data["register"]["entries"][0]["status"] == "added"
    assert data["register"]["entries"][0]["name"] == "Acme AI"


def test_the_same_registers_always_give_the_same_result():
    old, new = table(AWS, STRIPE), table(ACME, STRIPE.replace("Ireland", "France"))
    first = compare_register(old, new, RegisterSettings()).to_json()
    assert all(compare_register(old, new, RegisterSettings()).to_json() == first for _ in range(5))


def test_a_list_item_indented_under_another_names_it_as_its_parent_processor():
    text = FRONT + "* [Acme](https://a). Hosting.\n  * [Beta](https://b). Storage.\n* [Gamma](https://c). Email.\n"
    entries, _ = parse_register(text)
    assert [(e.name, e.get("parent")) for e in entries] == [("Acme", ""), ("Beta", "Acme"), ("Gamma", "")]


def test_a_list_item_that_says_where_it_is_located_overrides_the_shared_location():
    text = FRONT + "Located in the United States:\n\n* [Acme](https://a). Hosting, located in Germany.\n"
    entries, _ = parse_register(text)
    assert entries[0].get("location") == "Germany"


def test_a_table_without_a_location_column_takes_the_location_its_heading_gives():
    text = FRONT + "## Sub-processors hosted in the EU\n\n| Name | Purpose |\n|---|---|\n| Acme | Hosting |\n"
    entries, _ = parse_register(text)
    assert entries[0].get("location") == "EU"


def test_a_markdown_comment_counts_the_entries_past_its_limit_instead_of_listing_them():
    many = "".join(f"| Vendor {n} | Hosting | Logs | Canada | SCCs |\n" for n in range(400))
    out = render_markdown([Report("subprocessors", "v1", "v2", compare(table(AWS), table(AWS, many)))], limit=4000)
    assert "| Added | Vendor 0 | Canada | Hosting |   |" in out
    assert "more entries: run `policywatch diff --format html`." in out
    assert len(out) < 8000


def test_a_register_with_little_text_around_its_entries_is_still_judged_when_that_text_changes():
    head = "| Name | Location |\n|---|---|\n| Stripe | Ireland |\n"
    front = "---\nkind: register\n---\n"
    result = compare(front + "# Subs\n\n" + head, front + "# Sub-processors\n\n" + head + "| Acme AI | Canada |\n")
    assert result.classification == "material"
    assert result.changes[0].reasons == ["new sub-processor: Acme AI (Canada)"]
    assert len(result.changes) == 2  # and the heading's change


def test_a_changed_entry_strikes_out_only_the_values_that_changed():
    result = compare(table(AWS, STRIPE), table(AWS, STRIPE.replace("Ireland", "France")))
    segments = result.changes[0].segments
    assert ["delete", "Ireland"] in segments and ["insert", "France"] in segments
    assert ["equal", "Payment processing"] in segments
