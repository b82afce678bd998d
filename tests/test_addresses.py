"""One email-address validator (email-validator, syntax only) for subscribers, CSV import and the sender."""

from __future__ import annotations

import pytest

from policywatch.audience.addresses import check_address, valid_address
from policywatch.audience.smtp_settings import sender_settings
from policywatch.audience.subscribers import import_csv, iter_subscribers, normalise_email
from policywatch.errors import EmailSettingsError, InvalidEmail
from tests._store_support import write_csv

ACCEPTED = [
    ("Jane.Doe@Example.COM", "jane.doe@example.com"),
    ("a+tag@sub.example.org", "a+tag@sub.example.org"),
    ("o'brien@example.ie", "o'brien@example.ie"),
    ("x@example.com.", "x@example.com"),
    ("user@bücher.de", "user@xn--bcher-kva.de"),
    ("a@straße.de", "a@xn--strae-oqa.de"),
    ("a@XN--STRAE-OQA.DE", "a@xn--strae-oqa.de"),
    ("a@strasse.de", "a@strasse.de"),
    ("a@ｅｘａｍｐｌｅ.com", "a@example.com"),
    ("a@b.example", "a@b.example"),
]
REFUSED = [
    "",
    "plain",
    "a@@b.com",
    "a@b",
    "a b@c.com",
    "a@-bad.com",
    "a@bad-.com",
    ".a@b.com",
    "a..b@c.com",
    "a@b.123",
    "a@exa_mple.com",
    "ü@example.com",
    '"a b"@example.com',
    "a@[127.0.0.1]",
    "a@mail.localhost",
    "a@host.test",
    "a@b.com\r\nBcc: x@y.z",
    "a\u2028b@example.com",
    "a@example.com, b@example.com",
    ("x" * 65) + "@example.com",
    "a@" + ".".join(["d" * 60] * 5) + ".com",
]


@pytest.mark.parametrize(("raw", "stored"), ACCEPTED)
def test_a_good_address_is_stored_in_its_ascii_form(raw, stored):
    assert normalise_email(raw) == stored


@pytest.mark.parametrize("raw", REFUSED)
def test_a_bad_address_is_refused_in_one_line_naming_it(raw):
    with pytest.raises(InvalidEmail) as caught:
        normalise_email(raw)
    message = str(caught.value)
    assert "invalid email address (" in message and "\n" not in message
    start = raw.strip()[:10]
    assert start in message or repr(start)[1:-1] in message


@pytest.mark.parametrize(("raw", "stored"), ACCEPTED)
def test_the_sender_accepts_what_a_subscriber_may_be_with_the_same_stored_form(raw, stored):
    assert sender_settings({"from": f"Privacy <{raw}>"}, environ={}).address == stored


@pytest.mark.parametrize("raw", [r for r in REFUSED if r.strip() and "\r" not in r and "," not in r])
def test_the_sender_refuses_what_a_subscriber_may_not_be(raw):
    with pytest.raises(EmailSettingsError) as caught:
        sender_settings({"from": raw}, environ={})
    assert "email.from" in str(caught.value) and check_address(raw)[1] in str(caught.value)


@pytest.mark.parametrize("raw", [raw for raw, _ in ACCEPTED] + REFUSED)
def test_the_sender_and_subscriber_checks_agree(raw):
    try:
        subscriber = normalise_email(raw)
    except InvalidEmail:
        subscriber = None
    try:
        sender = sender_settings({"from": raw}, environ={}).address
    except EmailSettingsError:
        sender = None
    assert sender == subscriber


@pytest.mark.parametrize("raw", [raw for raw, _ in ACCEPTED] + REFUSED)
def test_the_send_time_guard_agrees_with_the_validator(raw):
    assert valid_address(raw) is (check_address(raw)[0] is not None)


def test_csv_import_uses_the_same_validator(store, tmp_path):
    rows = [raw for raw, _ in ACCEPTED] + [r for r in REFUSED if '"' not in r and "," not in r and "\r" not in r]
    path = write_csv(tmp_path / "subs.csv", "email\n" + "".join(f"{row}\n" for row in rows if row))
    result = import_csv(store, path)
    stored = {sub.email for sub in iter_subscribers(store)}
    assert stored == {s for _, s in ACCEPTED}
    assert len(result.errors) == len([r for r in rows if r and check_address(r)[0] is None])


def test_a_two_address_sender_with_names_is_refused():
    with pytest.raises(EmailSettingsError, match="one address"):
        sender_settings({"from": "A <a@example.com>, B <b@example.com>"}, environ={})
