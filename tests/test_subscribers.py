"""Subscribers: validated, normalised addresses; CSV import and export that keep good rows."""

from __future__ import annotations

import csv

import pytest

from policywatch.audience.subscribers import (
    add_subscriber,
    clean_name,
    count_subscribers,
    export_csv,
    get_subscriber,
    import_csv,
    iter_subscribers,
    normalise_email,
    remove_subscriber,
    set_status,
    unsubscribe_token,
)
from policywatch.errors import (
    InvalidEmail,
    InvalidSubscriber,
    SubscriberExists,
    SubscriberFileError,
    SubscriberNotFound,
)
from tests._store_support import write_csv


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("a+tag@sub.example.org", "a+tag@sub.example.org"),
        ("user@bücher.de", "user@xn--bcher-kva.de"),
        ("x@example.com.", "x@example.com"),
    ],
)
def test_email_is_normalised(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plain",
        "a@@b.com",
        "a@b",
        "a b@c.com",
        "a@-b.com",
        ".a@b.com",
        "a..b@c.com",
        "a@b.123",
        "a@b.com\r\nBcc: x@y.z",
    ],
)
def test_invalid_email_is_refused_naming_the_address(raw):
    with pytest.raises(InvalidEmail) as caught:
        normalise_email(raw)
    assert "invalid email address" in str(caught.value)
    if raw.strip():
        assert raw.split("\r")[0].strip()[:10] in str(caught.value)


def test_name_with_a_line_break_is_refused():
    with pytest.raises(InvalidSubscriber):
        clean_name("Mallory\r\nBcc: victim@example.com")


def test_name_whitespace_is_collapsed():
    assert clean_name("  Jane \t Doe ") == "Jane Doe"


def test_added_subscriber_is_active_with_an_unguessable_token(store):
    sub, outcome = add_subscriber(store, "Jane@Example.com", "Jane", ["privacy"])
    other, _ = add_subscriber(store, "bob@example.com")
    assert outcome == "added"
    assert (sub.email, sub.name, sub.policies, sub.status) == ("jane@example.com", "Jane", ("privacy",), "active")
    assert len(sub.token) >= 32 and sub.token != other.token
    assert other.follows_all and other.follows("anything")


def test_adding_an_active_address_twice_is_an_error(store):
    add_subscriber(store, "jane@example.com")
    with pytest.raises(SubscriberExists, match="jane@example.com"):
        add_subscriber(store, "JANE@example.com")


def test_adding_an_unsubscribed_address_resubscribes_it(store):
    add_subscriber(store, "jane@example.com")
    remove_subscriber(store, "jane@example.com")
    sub, outcome = add_subscriber(store, "jane@example.com", "Jane")
    assert (outcome, sub.status, sub.name) == ("resubscribed", "active", "Jane")


def test_unknown_policy_slug_is_refused(store):
    with pytest.raises(InvalidSubscriber, match="unknown policy 'nope'"):
        add_subscriber(store, "jane@example.com", policies=["nope"], known=["privacy"])


def test_remove_keeps_the_row_as_unsubscribed(store):
    add_subscriber(store, "jane@example.com")
    remove_subscriber(store, "jane@example.com")
    assert get_subscriber(store, "jane@example.com").status == "unsubscribed"
    assert count_subscribers(store) == 0


def test_removing_an_unknown_address_is_an_error(store):
    with pytest.raises(SubscriberNotFound, match="nobody@example.com"):
        remove_subscriber(store, "nobody@example.com")


def test_unsubscribe_token_unsubscribes_its_owner_only(store):
    jane, _ = add_subscriber(store, "jane@example.com")
    add_subscriber(store, "bob@example.com")
    assert unsubscribe_token(store, jane.token).email == "jane@example.com"
    assert unsubscribe_token(store, "not-a-token") is None
    assert [s.email for s in iter_subscribers(store, "active")] == ["bob@example.com"]


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(store, tmp_path):
    path = write_csv(
        tmp_path / "in.csv",
        "email,name,policies\n"
        "a@example.com,Ann,\n"
        "not-an-address,Bad,\n"
        'b@example.com,"Doe, Bob",privacy;terms\n'
        "c@example.com,Cy,nope\n",
    )
    result = import_csv(store, path, known=["privacy", "terms"])
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    assert [(e.line, "not-an-address" in e.message or "nope" in e.message) for e in result.errors] == [
        (3, True),
        (5, True),
    ]
    bob = get_subscriber(store, "b@example.com")
    assert (bob.name, bob.policies) == ("Doe, Bob", ("privacy", "terms"))


def test_importing_the_same_file_twice_changes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "in.csv", "email,name,policies\na@example.com,Ann,\nb@example.com,Bob,privacy\n")
    import_csv(store, path)
    before = [(s.email, s.name, s.policies, s.token, s.updated_at) for s in iter_subscribers(store)]
    again = import_csv(store, path)
    after = [(s.email, s.name, s.policies, s.token, s.updated_at) for s in iter_subscribers(store)]
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert after == before


def test_import_updates_name_and_policies_of_existing_subscribers(store, tmp_path):
    add_subscriber(store, "a@example.com", "Old")
    result = import_csv(store, write_csv(tmp_path / "in.csv", "email,name,policies\na@example.com,New,privacy\n"))
    assert (result.added, result.updated) == (0, 1)
    assert get_subscriber(store, "a@example.com").name == "New"


def test_import_never_resubscribes_an_unsubscribed_address(store, tmp_path):
    add_subscriber(store, "a@example.com")
    remove_subscriber(store, "a@example.com")
    import_csv(store, write_csv(tmp_path / "in.csv", "email,name,policies\na@example.com,A,\n"))
    assert get_subscriber(store, "a@example.com").status == "unsubscribed"


def test_import_with_a_wrong_header_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "in.csv", "mail,name,polices\na@example.com,A,\n")
    with pytest.raises(SubscriberFileError, match="bad header"):
        import_csv(store, path)
    assert count_subscribers(store, None) == 0


def test_import_of_a_missing_file_names_it(store, tmp_path):
    with pytest.raises(SubscriberFileError, match="missing.csv"):
        import_csv(store, tmp_path / "missing.csv")


def test_import_reports_a_row_that_is_not_utf8(store, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"email,name,policies\na@example.com,\xff\xfe,\nb@example.com,B,\n")
    result = import_csv(store, path)
    assert [e.line for e in result.errors] == [2]
    assert result.added == 1


def test_export_writes_active_subscribers_as_csv(store, tmp_path):
    add_subscriber(store, "a@example.com", "Ann, Jr.", ["privacy"])
    add_subscriber(store, "b@example.com", 'Bob "B"')
    add_subscriber(store, "gone@example.com")
    remove_subscriber(store, "gone@example.com")
    out = tmp_path / "out.csv"
    assert export_csv(store, out) == 2
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows == [
        ["email", "name", "policies", "language"],
        ["a@example.com", "Ann, Jr.", "privacy", ""],
        ["b@example.com", 'Bob "B"', "", ""],
    ]


def test_address_repeated_in_one_file_keeps_its_last_row(store, tmp_path):
    path = write_csv(
        tmp_path / "in.csv", "email,name,policies\na@example.com,First,\nA@Example.com,Last,privacy\nb@example.com,B,\n"
    )
    result = import_csv(store, path)
    assert (result.added, len(result.errors)) == (2, 0)
    sub = get_subscriber(store, "a@example.com")
    assert (sub.name, sub.policies) == ("Last", ("privacy",))


def test_import_larger_than_one_batch_adds_every_row(store, tmp_path):
    lines = "".join(f"user{i}@example.com,User {i},\n" for i in range(2500))
    result = import_csv(store, write_csv(tmp_path / "in.csv", "email,name,policies\n" + lines))
    assert (result.added, count_subscribers(store)) == (2500, 2500)


def test_resubscribing_issues_a_new_token(store):
    first, _ = add_subscriber(store, "jane@example.com")
    remove_subscriber(store, "jane@example.com")
    again, outcome = add_subscriber(store, "jane@example.com")
    assert outcome == "resubscribed" and again.token != first.token


def test_an_old_token_no_longer_unsubscribes_after_a_resubscribe(store):
    first, _ = add_subscriber(store, "jane@example.com")
    unsubscribe_token(store, first.token)
    add_subscriber(store, "jane@example.com")
    assert unsubscribe_token(store, first.token) is None
    assert get_subscriber(store, "jane@example.com").status == "active"


def test_setting_a_bounced_subscriber_active_issues_a_new_token(store):
    first, _ = add_subscriber(store, "jane@example.com")
    set_status(store, "jane@example.com", "bounced")
    assert set_status(store, "jane@example.com", "active").token != first.token


def test_setting_an_active_subscriber_active_keeps_the_token(store):
    first, _ = add_subscriber(store, "jane@example.com")
    assert set_status(store, "jane@example.com", "active").token == first.token


def test_unsubscribing_keeps_the_token_so_the_link_still_answers(store):
    first, _ = add_subscriber(store, "jane@example.com")
    assert remove_subscriber(store, "jane@example.com").token == first.token
