"""The notice email: content, headers, personalisation and header-injection guards."""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.audience.addresses import clean_name
from policywatch.audience.channels import Notice, Recipient
from policywatch.audience.message import InvalidRecipient, NoticeMessage
from policywatch.errors import NoticeTemplateError, UnsafeHeaderText
from policywatch.templates import template_environment
from tests._email_support import SENDER, make_notice, make_release

ADA = Recipient("privacy/v2.0:ada:email", "ada@example.org", "Ada Lovelace", "tok-ada")


def build(recipient: Recipient = ADA, notice: Notice | None = None, root: Path | None = None) -> bytes:
    return NoticeMessage(notice or make_notice(), SENDER, template_environment(root)).build(recipient)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def bodies(data: bytes) -> tuple[str, str]:
    msg = parse(data)
    text, html = (msg.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))
    return text, html


def test_message_is_multipart_alternative_with_text_then_html():
    msg = parse(build())
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_both_bodies_greet_the_recipient_by_name():
    text, html = bodies(build())
    assert "Dear Ada Lovelace," in text
    assert "Dear Ada Lovelace," in html


def test_a_recipient_without_a_name_gets_a_plain_greeting():
    text, _ = bodies(build(Recipient("d1", "x@example.org", "", "tok")))
    assert text.startswith("Hello,")


def test_text_says_policy_versions_effective_date_changes_and_links():
    text, _ = bodies(build())
    assert "Example Privacy Policy" in text
    assert "Version 2.0 replaces version 1.0 and takes effect on 25 December 2026" in text
    assert "- Sharing: new recipient: advertising partners" in text
    assert "- We do not share your data." in text
    assert "+ We share your data with advertising partners." in text
    assert "https://policies.example.com/privacy/v2.0/" in text
    assert "https://policies.example.com/privacy/v2.0/changes/" in text
    assert "https://policies.example.com/unsubscribe?token=tok-ada" in text


def test_html_shows_the_redline_excerpt_and_links():
    _, html = bodies(build())
    assert "<del>We do not share your data.</del>" in html
    assert "<ins>We share your data with advertising partners.</ins>" in html
    assert 'href="https://policies.example.com/privacy/v2.0/changes/"' in html
    assert 'href="https://policies.example.com/unsubscribe?token=tok-ada"' in html


def test_html_escapes_the_name_and_the_title():
    notice = make_notice(title="Terms <b>& more</b>")
    _, html = bodies(build(Recipient("d1", "x@example.org", "<script>alert(1)</script>", "t"), notice))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Terms &lt;b&gt;&amp; more&lt;/b&gt;" in html


def test_only_minor_changes_are_not_listed_when_material_ones_exist():
    text, _ = bodies(build())
    assert "Contact" not in text


def test_headers_carry_list_and_auto_submitted_fields():
    msg = parse(build())
    assert msg["List-Id"] == "<policies.example.com>"
    assert msg["List-Unsubscribe"] == "<https://policies.example.com/unsubscribe?token=tok-ada>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"].datetime is not None
    assert msg["From"] == "Example Privacy <privacy@example.com>"
    assert msg["To"] == "Ada Lovelace <ada@example.org>"
    assert msg["Subject"] == "Changes to Example Privacy Policy: version 2.0 takes effect on 25 December 2026"


def test_message_id_is_the_same_for_the_same_delivery_in_another_run():
    first = parse(build())["Message-ID"]
    second = parse(build())["Message-ID"]
    assert first == second
    assert first.endswith("@example.com>")


def test_message_id_differs_between_deliveries():
    other = Recipient("privacy/v2.0:bob:email", "bob@example.org", "Bob", "tok-bob")
    assert parse(build())["Message-ID"] != parse(build(other))["Message-ID"]


def test_each_recipient_gets_their_own_address_name_and_token():
    message = NoticeMessage(make_notice(), SENDER, template_environment())
    bob = parse(message.build(Recipient("d2", "bob@example.org", "Bob", "tok-bob")))
    ada = parse(message.build(ADA))
    assert (bob["To"], ada["To"]) == ("Bob <bob@example.org>", "Ada Lovelace <ada@example.org>")
    assert "tok-bob" in bob.get_body(("plain",)).get_content()
    assert "tok-bob" not in ada.get_body(("plain",)).get_content()


def test_non_ascii_names_and_titles_survive_the_round_trip():
    notice = make_notice(title="Politique de confidentialité")
    msg = parse(build(Recipient("d1", "z@example.org", "Zoë Łukasz 日本", "t"), notice))
    assert msg["To"].addresses[0].display_name == "Zoë Łukasz 日本"
    assert "Politique de confidentialité" in msg["Subject"]
    assert "Dear Zoë Łukasz 日本," in msg.get_body(("plain",)).get_content()
    assert "Dear Zoë Łukasz 日本," in msg.get_body(("html",)).get_content()


def test_message_is_seven_bit_with_short_lines_and_no_markers_left():
    data = build(Recipient("d1", "z@example.org", "Zoë " * 40, "t"))
    assert data.isascii()
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert b"PWSLOT" not in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_name_with_crlf_cannot_add_a_header():
    msg = parse(build(Recipient("d1", "x@example.org", "Eve\r\nBcc: victim@example.net", "t")))
    assert msg["Bcc"] is None
    assert len(msg.get_all("To")) == 1
    assert msg["To"].addresses[0].display_name == "Eve Bcc: victim@example.net"
    assert msg["To"].addresses[0].addr_spec == "x@example.org"


def test_a_name_with_an_encoded_newline_cannot_add_a_header():
    sneaky = "=?utf-8?q?Eve=0D=0ABcc:_victim@example.net?="
    data = build(Recipient("d1", "x@example.org", sneaky, "t"))
    msg = parse(data)
    assert msg["Bcc"] is None
    name = msg["To"].addresses[0].display_name
    assert "\n" not in name and "\r" not in name
    assert b"=0D=0A" not in data.split(b"\r\n\r\n")[0]


def test_a_title_with_a_line_break_is_refused():
    with pytest.raises(UnsafeHeaderText, match="title"):
        build(notice=make_notice(title="Privacy\r\nBcc: victim@example.net"))


def test_a_title_with_an_encoded_line_break_is_refused():
    with pytest.raises(UnsafeHeaderText, match="title"):
        build(notice=make_notice(title="=?utf-8?b?UHJpdmFjeQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5uZXQ=?="))


@pytest.mark.parametrize("address", ["x@example.org\r\nRCPT TO:<y@example.org>", "a b@example.org", "nobody", ""])
def test_an_address_that_could_split_an_envelope_or_header_is_refused(address):
    with pytest.raises(InvalidRecipient):
        build(Recipient("d1", address, "X", "t"))


def test_a_repository_template_overrides_the_shipped_one(tmp_path: Path):
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "subject.txt").write_text("[Acme] {{ title }} {{ new_version }}\n")
    assert parse(build(root=tmp_path))["Subject"] == "[Acme] Example Privacy Policy 2.0"


def test_without_a_base_url_there_are_no_links_and_no_unsubscribe_header():
    data = build(notice=Notice(make_release(), base_url=""))
    assert parse(data)["List-Unsubscribe"] is None
    assert "http" not in bodies(data)[0]


def test_a_given_redline_excerpt_is_shown_in_both_bodies_escaped_in_html():
    notice = Notice(make_release(changes=[]), base_url="", redline_excerpt="- <old> terms\n+ new terms")
    text, html = bodies(build(notice=notice))
    assert "- <old> terms\n+ new terms" in text
    assert "- &lt;old&gt; terms\n+ new terms" in html


def to_header(data: bytes) -> tuple[str, str]:
    """Name and address as RFC 2047 reads them: adjacent encoded words join without a space.

    (Python's newer header parser puts a space between them, so it is not used here.)
    """
    raw = email.message_from_bytes(data, policy=email.policy.compat32)["To"]
    name, address = parseaddr(raw)
    return str(make_header(decode_header(name))), address


_SHARED_MESSAGE = NoticeMessage(make_notice(), SENDER, template_environment())
_PLAIN_HEADERS = set(parse(_SHARED_MESSAGE.build(Recipient("d0", "y@example.org", "", ""))).keys())


@settings(max_examples=100, deadline=None)
@given(name=st.text(max_size=80), token=st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_any_name_and_token_round_trip_without_adding_headers(name, token):
    data = _SHARED_MESSAGE.build(Recipient("d1", "x@example.org", name, token))
    msg = parse(data)
    shown = clean_name(name, repair=True)
    expected = _PLAIN_HEADERS | ({"List-Unsubscribe", "List-Unsubscribe-Post"} if token else set())
    assert set(msg.keys()) == expected
    assert len(msg.keys()) == len(expected)
    assert to_header(data) == (shown, "x@example.org")
    text, _ = bodies(data)
    assert text.startswith(f"Dear {shown}," if shown else "Hello,")
    if token:
        assert _SHARED_MESSAGE.unsubscribe_url(token) in text
    assert data.isascii()


def test_a_subject_that_fits_one_line_is_not_folded_after_the_colon():
    notice = make_notice(effective=make_release().effective.replace(month=4, day=14))
    data = build(notice=notice)
    assert b"Subject: Changes to Example Privacy Policy: version 2.0 takes effect on 14 April 2026\r\n" in data


@pytest.mark.parametrize(
    "title",
    ["Datenschutz \xb8 Erkl\xe4rung", "00000\u080000000\xa1\xa1\xa1\xa1\U00010151\U00052d14\U0009ee52 \xb8 \U000bf0ae"],
)
def test_a_non_ascii_subject_arrives_with_every_space_it_was_given(title):
    data = build(notice=make_notice(title=title))
    assert f"Changes to {title}: version 2.0" in parse(data)["Subject"]
    assert all(len(line) <= 78 for line in data.split(b"\r\n\r\n")[0].split(b"\r\n"))


@pytest.mark.parametrize("use", ["{{ name | upper }}", "{{ name | title }}", "{{ unsubscribe_url | lower }}"])
def test_a_template_that_alters_a_personal_value_is_refused_naming_the_template(tmp_path: Path, use):
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "body.txt").write_text(f"Hello {use}\n")
    with pytest.raises(NoticeTemplateError, match="templates/email/body.txt"):
        build(root=tmp_path)


def test_a_broken_template_is_reported_with_its_name_and_line(tmp_path: Path):
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "body.html").write_text("<p>\n{% if name %}\n")
    with pytest.raises(NoticeTemplateError, match=r"templates/email/body.html:\d"):
        build(root=tmp_path)


def test_a_template_using_an_unknown_variable_is_reported_with_its_name(tmp_path: Path):
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "subject.txt").write_text("{{ titel }}\n")
    with pytest.raises(NoticeTemplateError, match="templates/email/subject.txt: 'titel' is undefined"):
        build(root=tmp_path)


def test_a_base_url_with_non_ascii_characters_gives_an_ascii_unsubscribe_header():
    msg = parse(build(notice=Notice(make_release(), base_url="https://politiques.exemple.fr/données")))
    assert msg["List-Unsubscribe"] == "<https://politiques.exemple.fr/donn%C3%A9es/unsubscribe?token=tok-ada>"
