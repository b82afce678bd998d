"""Objections to register releases: the deadline and link in notices, the object endpoint, the store.

A real repository with a register policy, the service on a real loopback HTTP
server, a real SMTP server (aiosmtpd) for the receipts, and both databases.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from policywatch.audience.channels import Notice, Recipient
from policywatch.audience.message import NoticeMessage
from policywatch.audience.objections import (
    link_expiry,
    list_objections,
    objection_deadline,
    record_objection,
    resolve_objection,
)
from policywatch.audience.service.app import make_app
from policywatch.audience.service.tokens import object_token, subscriber_of_object_token
from policywatch.audience.webhook import payload
from policywatch.errors import ObjectionNotFound
from policywatch.project import open_project
from policywatch.store import project_store
from policywatch.templates import template_environment
from tests._email_support import SENDER, make_release
from tests._objection_support import (
    NOTICE_DAYS,
    OBJECT_LINK,
    TAG,
    days_ago,
    link_query,
    register_repo,
)
from tests._publish_support import run
from tests._subscribe_support import FORM, mailbox, write_config
from tests._unsubscribe_support import serving

TODAY = dt.datetime.now(dt.UTC).date()
DEADLINE = dt.date(2026, 12, 25)
ENTRY = {
    "status": "added",
    "name": "Acme AI",
    "fields": {"location": "United States", "purpose": "Model hosting"},
    "old_fields": {},
    "changed": [],
    "classification": "material",
}


def register_release(**overrides):
    return make_release(
        policy="subprocessors", title="Sub-processors", tag=TAG, effective=DEADLINE, register=[ENTRY], **overrides
    )


def add_person(store, email_address: str = "ana@example.com", token: str = "t" * 32) -> int:
    return store.query(
        "INSERT INTO subscribers (email, name, policies, status, token, created_at, updated_at)"
        " VALUES (?, '', '', 'active', ?, 'x', 'x') RETURNING id",
        (email_address, token),
    )[0][0]


# -- the store -----------------------------------------------------------------------------


def test_an_objection_is_recorded_once_per_person_and_release(store):
    person = add_person(store)
    first = record_objection(store, TAG, person, "ana@example.com", "No US transfers", DEADLINE)
    second = record_objection(store, TAG, person, "ana@example.com", "Again", DEADLINE)
    assert (first.created, second.created) == (True, False)
    assert second.objection.id == first.objection.id
    assert [(o.reason, o.status) for o in list_objections(store)] == [("No US transfers", "open")]


def test_an_objection_after_the_deadline_is_recorded_late(store):
    person = add_person(store)
    after = dt.datetime.combine(DEADLINE + dt.timedelta(days=1), dt.time(9), dt.UTC)
    on_the_day = dt.datetime.combine(DEADLINE, dt.time(23, 59), dt.UTC)
    late = record_objection(store, TAG, person, "ana@example.com", "", DEADLINE, now=after).objection
    in_time = record_objection(store, "other/v2.0", person, "ana@example.com", "", DEADLINE, now=on_the_day).objection
    assert (late.late, in_time.late) == (True, False)
    assert late.events[0].note == "objected after the deadline"


def test_resolving_keeps_every_step_in_the_history(store):
    person = add_person(store)
    objection = record_objection(store, TAG, person, "ana@example.com", "", DEADLINE).objection
    resolve_objection(store, objection.id, "resolved", "EU hosting offered")
    after = resolve_objection(store, objection.id, "terminated", "customer ended the contract")
    assert after.status == "terminated"
    assert [(e.status, e.note) for e in after.events] == [
        ("open", "objected"),
        ("resolved", "EU hosting offered"),
        ("terminated", "customer ended the contract"),
    ]


def test_resolving_an_unknown_objection_names_its_id(store):
    with pytest.raises(ObjectionNotFound, match="objection 99: no objection has this id"):
        resolve_objection(store, 99, "resolved")


def test_objections_are_listed_for_one_release(store):
    person = add_person(store)
    record_objection(store, TAG, person, "ana@example.com", "", DEADLINE)
    record_objection(store, "other/v2.0", person, "ana@example.com", "", DEADLINE)
    assert [o.release_tag for o in list_objections(store, "other/v2.0")] == ["other/v2.0"]


# -- the tokens ----------------------------------------------------------------------------


def test_an_object_token_names_its_subscriber(store):
    person = add_person(store)
    token = object_token(person, "t" * 32, TAG, link_expiry(DEADLINE))
    assert subscriber_of_object_token(store, token, TAG) == (person, "ana@example.com")


def test_an_altered_object_token_is_refused(store):
    person = add_person(store)
    token = object_token(person, "t" * 32, TAG, link_expiry(DEADLINE))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert subscriber_of_object_token(store, altered, TAG) is None


def test_an_expired_object_token_is_refused(store):
    person = add_person(store)
    token = object_token(person, "t" * 32, TAG, link_expiry(DEADLINE))
    assert subscriber_of_object_token(store, token, TAG, now=link_expiry(DEADLINE)) is None


def test_an_object_token_for_another_release_is_refused(store):
    person = add_person(store)
    token = object_token(person, "t" * 32, TAG, link_expiry(DEADLINE))
    assert subscriber_of_object_token(store, token, "subprocessors/v3.0") is None


def test_an_object_token_signed_with_another_key_is_forged(store):
    person = add_person(store)
    forged = object_token(person, "guessed-key-guessed-key-guessed", TAG, link_expiry(DEADLINE))
    assert subscriber_of_object_token(store, forged, TAG) is None


# -- the notices ---------------------------------------------------------------------------


def notice_text(notice: Notice, recipient: Recipient) -> tuple[email.message.EmailMessage, str, str]:
    data = NoticeMessage(notice, SENDER, template_environment()).build(recipient)
    message = email.message_from_bytes(data, policy=email.policy.default)
    return message, *(message.get_body((k,)).get_content() for k in ("plain", "html"))


ANA = Recipient(f"{TAG}:email:ana@example.com", "ana@example.com", "", "t" * 32, 7)


def test_a_register_notice_states_the_deadline_and_carries_a_personal_objection_link():
    notice = Notice(register_release(), base_url="https://policies.example.com/", objections=True)
    _, text, html = notice_text(notice, ANA)
    link = OBJECT_LINK.search(text).group(0)
    query = parse_qs(urlsplit(link).query)
    assert "You may object to this change until 25 December 2026." in text
    assert link.startswith("https://policies.example.com/object?token=7.")
    assert query["release"] == [TAG]
    assert query["token"] == [object_token(7, "t" * 32, TAG, link_expiry(DEADLINE))]
    assert f'<a href="{link.replace("&", "&amp;")}">object to this change</a>' in html


@pytest.mark.parametrize(
    ("language", "sentence", "link"),
    [
        ("de", "Sie können dieser Änderung bis zum 25. Dezember 2026 widersprechen", "dieser Änderung widersprechen"),
        ("fr", "vous opposer à cette modification jusqu’au 25 décembre 2026", "s’opposer à cette modification"),
        ("es", "Puede oponerse a este cambio hasta el 25 de diciembre de 2026", "oponerse a este cambio"),
    ],
)
def test_a_register_notice_in_the_readers_language_states_the_deadline_and_links_the_objection(
    language, sentence, link
):
    from dataclasses import replace

    notice = Notice(register_release(), base_url="https://policies.example.com/", objections=True)
    _, text, html = notice_text(replace(notice, language=language), ANA)
    url = OBJECT_LINK.search(text).group(0)
    assert sentence in text and sentence in html.replace("<strong>", "").replace("</strong>", "")
    assert f'<a href="{url.replace("&", "&amp;")}">{link}</a>' in html


def test_two_recipients_get_two_different_objection_links():
    notice = Notice(register_release(), base_url="https://policies.example.com/", objections=True)
    other = Recipient(f"{TAG}:email:bo@example.com", "bo@example.com", "", "u" * 32, 8)
    links = [OBJECT_LINK.search(notice_text(notice, r)[1]).group(0) for r in (ANA, other)]
    assert links[0] != links[1]
    assert links[1].startswith("https://policies.example.com/object?token=8.")


def test_without_objections_taken_the_notice_states_the_deadline_without_a_link():
    _, text, _ = notice_text(Notice(register_release(), base_url="https://policies.example.com/"), ANA)
    assert "You may object to this change until 25 December 2026." in text
    assert "/object?" not in text


def test_a_notice_that_is_not_a_register_release_states_no_deadline():
    notice = Notice(make_release(), base_url="https://policies.example.com/", objections=True)
    _, text, _ = notice_text(notice, ANA)
    assert objection_deadline(make_release()) is None
    assert "object" not in text.lower()


def test_notice_links_are_built_on_the_service_url_when_one_is_set():
    notice = Notice(
        register_release(),
        base_url="https://policies.example.com/",
        service_url="https://service.example.com/pw/",
        objections=True,
    )
    message, text, _ = notice_text(notice, ANA)
    assert message["List-Unsubscribe"] == f"<https://service.example.com/pw/unsubscribe?token={'t' * 32}>"
    assert OBJECT_LINK.search(text).group(0).startswith("https://service.example.com/pw/object?token=")


def test_a_webhook_payload_states_the_objection_deadline():
    assert payload(Notice(register_release()), "x")["objection_deadline"] == "2026-12-25"
    assert "objection_deadline" not in payload(Notice(make_release()), "x")


# -- the endpoint --------------------------------------------------------------------------


@pytest.fixture
def inbox(monkeypatch):
    with mailbox(monkeypatch) as box:
        yield box


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch, any_url, inbox):
    """The release of Acme AI published today: objections are due in 45 days."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    return register_repo(tmp_path / "company", in_repo, published=TODAY)


@pytest.fixture
def service(company):
    app = make_app(open_project(company.root))
    with serving(app) as base:
        yield base
    app.objecting.mailer.close()


def deadline_of(company) -> dt.date:
    return TODAY + dt.timedelta(days=NOTICE_DAYS)


def objections_of(company) -> list:
    with project_store(open_project(company.root)) as store:
        return list_objections(store)


def test_opening_the_link_shows_the_release_and_a_form_and_records_nothing(service, company):
    page = httpx.get(f"{service}/object?{link_query(company, deadline=deadline_of(company))}")
    assert page.status_code == 200
    assert "Object to the changes to the Sub-processors" in page.text
    assert f'Objections are due by <strong><time datetime="{deadline_of(company)}">' in page.text
    assert "<td>Added</td><td>Acme AI</td><td>United States</td><td>Model hosting</td>" in page.text
    assert '<form method="post" action="object?token=' in page.text
    assert objections_of(company) == []


def test_posting_the_form_records_the_objection_and_emails_a_receipt(service, company, inbox):
    query = link_query(company, deadline=deadline_of(company))
    page = httpx.post(f"{service}/object?{query}", content=urlencode({"reason": "No US transfers"}), headers=FORM)
    [objection] = objections_of(company)
    assert page.status_code == 200
    assert "Your objection is recorded" in page.text
    assert (objection.email, objection.reason, objection.late, objection.status) == (
        "ana@example.com",
        "No US transfers",
        False,
        "open",
    )
    [receipt] = inbox.wait_for("ana@example.com")
    assert receipt["Subject"] == "Your objection to the changes to the Sub-processors is recorded"
    assert "No US transfers" in receipt.get_body(("plain",)).get_content()


def test_a_second_objection_says_it_was_already_recorded_and_records_nothing_more(service, company, inbox):
    url = f"{service}/object?{link_query(company, deadline=deadline_of(company))}"
    httpx.post(url, content=urlencode({"reason": "first"}), headers=FORM)
    again = httpx.post(url, content=urlencode({"reason": "second"}), headers=FORM)
    opened = httpx.get(url)
    assert "Your objection was already recorded" in again.text
    assert "Your objection was already recorded" in opened.text
    assert [o.reason for o in objections_of(company)] == ["first"]
    assert len(inbox.wait_for("ana@example.com", count=2, timeout=1.0)) == 1


def test_an_objection_after_the_deadline_is_recorded_late_and_the_page_says_so(
    tmp_path, in_repo, monkeypatch, sqlite_url, inbox
):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", sqlite_url)
    published = days_ago(NOTICE_DAYS + 10)  # in effect for ten days
    company = register_repo(tmp_path / "late", in_repo, published=published)
    url_query = link_query(company, deadline=published + dt.timedelta(days=NOTICE_DAYS))
    app = make_app(open_project(company.root))
    with serving(app) as service:
        form = httpx.get(f"{service}/object?{url_query}")
        done = httpx.post(f"{service}/object?{url_query}", content="reason=late", headers=FORM)
    app.objecting.mailer.close()
    assert "The deadline has passed" in form.text
    assert "recorded as late" in done.text
    assert [o.late for o in objections_of(company)] == [True]


def bad_queries(company) -> dict[str, str]:
    deadline = deadline_of(company)
    good = parse_qs(link_query(company, deadline=deadline))
    token, tag = good["token"][0], good["release"][0]
    subscriber_id = token.split(".")[0]
    past = int(dt.datetime.now(dt.UTC).timestamp()) - 60
    return {
        "malformed": urlencode({"token": "not-a-token", "release": tag}),
        "altered": urlencode({"token": token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "release": tag}),
        "expired": urlencode({"token": object_token(int(subscriber_id), "x", tag, past), "release": tag}),
        "forged": urlencode({"token": object_token(int(subscriber_id), "x" * 32, tag, link_expiry(deadline))}),
        "other release": urlencode({"token": token, "release": "subprocessors/v1.0"}),
        "no release": urlencode({"token": token}),
    }


@pytest.mark.parametrize("kind", ["malformed", "altered", "expired", "forged", "other release", "no release"])
def test_a_bad_link_is_not_recognised_and_records_nothing(service, company, kind):
    query = bad_queries(company)[kind]
    opened = httpx.get(f"{service}/object?{query}")
    posted = httpx.post(f"{service}/object?{query}", content="reason=x", headers=FORM)
    assert (opened.status_code, posted.status_code) == (404, 404)
    assert "This objection link is not valid or has expired" in posted.text
    assert objections_of(company) == []


def test_a_post_from_a_foreign_origin_is_refused(service, company):
    query = link_query(company, deadline=deadline_of(company))
    page = httpx.post(f"{service}/object?{query}", content="", headers={**FORM, "Origin": "https://evil.example"})
    assert page.status_code == 403
    assert objections_of(company) == []


def test_an_overlong_reason_is_refused_and_records_nothing(service, company):
    query = link_query(company, deadline=deadline_of(company))
    page = httpx.post(f"{service}/object?{query}", content=urlencode({"reason": "x" * 1001}), headers=FORM)
    assert page.status_code == 400
    assert "at most 1000 characters" in page.text
    assert objections_of(company) == []


def test_the_objection_token_never_reaches_the_logs(company, inbox, capfd):
    query = link_query(company, deadline=deadline_of(company))
    access = io.StringIO()
    app = make_app(open_project(company.root))
    with serving(app, access_log=access) as base:
        httpx.get(f"{base}/object?{query}")
        response = httpx.post(f"{base}/object?{query}", content="", headers=FORM)
        inbox.wait_for("ana@example.com")
    app.objecting.mailer.close()
    logs = access.getvalue() + "".join(capfd.readouterr())
    assert response.status_code == 200
    assert "objection 1 to subprocessors/v2.0 recorded" in logs
    assert parse_qs(query)["token"][0] not in logs and "ana@example.com" not in logs


def test_without_objections_taken_there_is_no_object_endpoint(company):
    write_config(company, "")
    app = make_app(open_project(company.root))
    with serving(app) as base:
        page = httpx.get(f"{base}/object?{link_query(company, deadline=deadline_of(company))}")
    assert page.status_code == 404
    assert app.objecting is None


def test_the_notice_sent_by_notify_links_to_the_form_that_records_the_objection(service, company, inbox):
    result = run("notify")
    assert result.exit_code == 0, result.output
    [notice] = inbox.wait_for("ana@example.com")
    text = notice.get_body(("plain",)).get_content()
    link = OBJECT_LINK.search(text).group(0)
    path = urlsplit(link)
    response = httpx.post(f"{service}{path.path.removeprefix('/legal')}?{path.query}", content="", headers=FORM)
    assert response.status_code == 200
    assert [o.release_tag for o in objections_of(company)] == [TAG]


# -- the command ---------------------------------------------------------------------------


@pytest.fixture
def objected(tmp_path, in_repo, monkeypatch, any_url):
    """One objection, recorded through the library, in the repository's store."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    repo = register_repo(tmp_path / "cli", in_repo, published=TODAY)
    with project_store(open_project(repo.root)) as store:
        person = store.query("SELECT id FROM subscribers WHERE email = 'ana@example.com'")[0][0]
        record_objection(store, TAG, person, "ana@example.com", "=HYPERLINK(no)", deadline_of(repo))
    return repo


def test_objections_lists_each_with_its_status_late_flag_and_address(objected):
    result = run("objections")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split()[:5] == ["ID", "RELEASE", "STATUS", "LATE", "EMAIL"]
    assert row.split()[:5] == ["1", TAG, "open", "-", "ana@example.com"]


def test_objections_for_another_release_lists_none(objected):
    result = run("objections", "privacy/v2.0")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no objections to privacy/v2.0" in result.stderr


def test_objections_as_json_carry_their_history(objected):
    import json

    run("objections", "resolve", "1", "--status", "withdrawn", "--note", "customer changed their mind")
    [item] = json.loads(run("objections", TAG, "--format", "json").stdout)
    assert (item["status"], item["late"], item["reason"]) == ("withdrawn", False, "=HYPERLINK(no)")
    assert [(e["status"], e["note"]) for e in item["events"]] == [
        ("open", "objected"),
        ("withdrawn", "customer changed their mind"),
    ]


def test_objections_as_csv_neutralise_formulas(objected):
    lines = run("objections", "--format", "csv").stdout.splitlines()
    assert lines[0] == '"id","release","status","late","email","reason","deadline","objected_at","updated_at"'
    assert lines[1].startswith(f'"1","{TAG}","open","no","ana@example.com","\'=HYPERLINK(no)"')


def test_resolve_records_the_outcome_and_show_prints_the_history(objected):
    resolved = run("objections", "resolve", "1", "--status", "resolved", "--note", "EU hosting offered")
    shown = run("objections", "show", "1")
    assert resolved.exit_code == 0
    assert resolved.stdout.strip() == f"objection 1 to {TAG}: resolved"
    assert "resolved: EU hosting offered" in shown.stdout
    assert shown.stdout.index("open: objected") < shown.stdout.index("resolved: EU hosting offered")


@pytest.mark.parametrize("command", [("resolve", "42", "--status", "resolved"), ("show", "42")])
def test_an_unknown_id_is_one_line_and_exit_2(objected, command):
    result = run("objections", *command)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "policywatch: error: objection 42: no objection has this id (see 'policywatch objections')"
    ]


def test_resolve_refuses_an_unknown_outcome(objected):
    result = run("objections", "resolve", "1", "--status", "ignored")
    assert result.exit_code == 2
    assert "--status" in result.stderr
    assert [o.status for o in objections_of(objected)] == ["open"]
