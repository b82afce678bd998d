"""Notices in the reader's language: a source and its German translation released together,
subscribers in German, French and the source's language, a real SMTP server, both databases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from policywatch.audience.languages import accepted_language, check_language, notice_language
from policywatch.audience.message import NoticeMessage, local_date, local_number
from policywatch.audience.subscribers import add_subscriber, get_subscriber, import_csv
from policywatch.errors import InvalidSubscriber
from policywatch.project import open_project
from policywatch.release.record import ChangeSummary, Release, tag_message
from policywatch.store import open_store, project_store
from policywatch.templates import template_environment
from tests._email_support import SENDER, make_notice, smtp_server
from tests._git_support import GitProject, new_git_project
from tests._publish_support import ANNOUNCE_CONFIG, PRIVACY, run

PRIVACY_DE = """\
---
title: Datenschutzerklärung
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
translation_of: "1.0"
---
# Datenschutzerklärung

Stand: 1. März 2024

## Was wir erheben

Wir erheben Ihre E-Mail-Adresse, um Ihnen Quittungen zu senden.

## Weitergabe

Wir verkaufen Ihre personenbezogenen Daten nicht.
"""

EFFECTIVE = dt.date(2031, 1, 15)
PUBLISHED = dt.date(2030, 12, 10)


def _tag(repo: GitProject, slug: str, title: str, version: str, **record) -> None:
    """A release tag with its record at HEAD, as publish leaves one."""
    day = record.pop("day", dt.date(2024, 3, 1))
    release = Release(
        policy=slug,
        title=title,
        path=f"policies/{slug}.md",
        version=version,
        effective=record.pop("effective", day),
        updated=day,
        published=day,
        tag=f"{slug}/v{version}",
        **record,
    )
    repo.tag(release.tag, tag_message(release))


def _material(repo: GitProject, slug: str, title: str, section: str, old: str, new: str, reason: str) -> None:
    change = ChangeSummary(section, "modified", "material", [reason], old, new)
    _tag(
        repo,
        slug,
        title,
        "2.0",
        previous_version="1.0",
        classification="material",
        effective=EFFECTIVE,
        day=PUBLISHED,
        reasons=[reason],
        changes=[change],
    )


@pytest.fixture
def bilingual(tmp_path, in_repo, monkeypatch, any_url) -> GitProject:
    """privacy and privacy.de released together at 1.0 and, after a material change, at 2.0."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    repo = in_repo(new_git_project(tmp_path / "repo"))
    repo.commit(
        "Add the privacy policy and its German translation",
        {"policies/privacy.md": PRIVACY, "policies/privacy.de.md": PRIVACY_DE, "policywatch.toml": ANNOUNCE_CONFIG},
        date="2024-03-01T09:00:00+00:00",
    )
    _tag(repo, "privacy", "Example Privacy Policy", "1.0", previous_version=None, classification="initial")
    _tag(repo, "privacy.de", "Datenschutzerklärung", "1.0", previous_version=None, classification="initial")
    old, new = "We will not sell your personal information.", "We may sell your personal information."
    alt, neu = "Wir verkaufen Ihre personenbezogenen Daten nicht.", "Wir dürfen Ihre personenbezogenen Daten verkaufen."
    repo.commit(
        "Allow selling data",
        {
            "policies/privacy.md": PRIVACY.replace(old, new).replace('version: "1.0"', 'version: "2.0"'),
            "policies/privacy.de.md": PRIVACY_DE.replace(alt, neu).replace('"1.0"', '"2.0"'),
        },
        date="2030-12-10T09:00:00+00:00",
    )
    _material(repo, "privacy", "Example Privacy Policy", "Sharing", old, new, "data may now be sold")
    _material(repo, "privacy.de", "Datenschutzerklärung", "Weitergabe", alt, neu, "Daten dürfen verkauft werden")
    return repo


@pytest.fixture
def mail(monkeypatch):
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        yield handler


def _readers(*people: tuple[str, ...]) -> None:
    for address, *options in people:
        assert run("subscribers", "add", address, *options).exit_code == 0


def _inbox(handler, address: str) -> list:
    return [m.message() for m in handler.messages if m.rcpt_tos == [address]]


def _notify() -> None:
    result = run("notify")
    assert result.exit_code == 0, result.output


def test_german_subscriber_gets_the_german_notice_with_a_german_date(bilingual, mail):
    _readers(("de@example.org", "--language", "de"))
    _notify()
    [message] = _inbox(mail, "de@example.org")
    assert message["Subject"] == "Änderungen an Datenschutzerklärung: Version 2.0 gilt ab 15. Januar 2031"
    assert message["X-Policywatch-Release"] == "privacy.de/v2.0"
    text = message.get_body(("plain",)).get_content()
    assert "Version 2.0 ersetzt Version 1.0 und gilt ab dem 15. Januar 2031." in text
    assert "Wir dürfen Ihre personenbezogenen Daten verkaufen." in text
    assert "https://policies.example.com/privacy.de/" in text
    page = message.get_body(("html",)).get_content()
    assert '<html lang="de">' in page and "<strong>15. Januar 2031</strong>" in page


def test_subscriber_in_a_regional_variant_gets_the_translation_of_their_language(bilingual, mail):
    _readers(("at@example.org", "--language", "de-AT"))
    _notify()
    [message] = _inbox(mail, "at@example.org")
    assert message["X-Policywatch-Release"] == "privacy.de/v2.0"


def test_french_subscriber_without_a_french_translation_gets_the_source(bilingual, mail):
    _readers(("fr@example.org", "--language", "fr"))
    _notify()
    [message] = _inbox(mail, "fr@example.org")
    assert message["X-Policywatch-Release"] == "privacy/v2.0"
    assert message["Subject"] == "Changes to Example Privacy Policy: version 2.0 takes effect on 15 January 2031"


def test_each_subscriber_is_sent_one_notice_and_a_rerun_sends_none(bilingual, mail):
    _readers(("de@example.org", "--language", "de"), ("fr@example.org", "--language", "fr"), ("en@example.org",))
    _notify()
    _notify()
    assert sorted(m.rcpt_tos[0] for m in mail.messages) == ["de@example.org", "en@example.org", "fr@example.org"]
    with project_store(open_project(bilingual.root)) as store:
        rows = store.query("SELECT release_tag, target, state FROM deliveries ORDER BY target")
    assert rows == [
        ("privacy/v2.0", "de@example.org", "sent"),
        ("privacy/v2.0", "en@example.org", "sent"),
        ("privacy/v2.0", "fr@example.org", "sent"),
    ]


def test_a_subscription_to_a_translation_follows_its_source_in_that_language(bilingual, mail):
    _readers(("leser@example.org", "--policy", "privacy.de"))
    with project_store(open_project(bilingual.root)) as store:
        reader = get_subscriber(store, "leser@example.org")
    assert (reader.policies, reader.language) == (("privacy",), "de")
    _notify()
    [message] = _inbox(mail, "leser@example.org")
    assert message["X-Policywatch-Release"] == "privacy.de/v2.0"


def test_a_subscriber_of_a_translation_slug_stored_as_such_is_told_once(bilingual, mail):
    with project_store(open_project(bilingual.root)) as store:
        store.execute(
            "INSERT INTO subscribers (email, policies, language, token, created_at, updated_at)"
            " VALUES ('old@example.org', 'privacy;privacy.de', 'de', 'tok-old', 'x', 'x')"
        )
    _notify()
    assert [m["X-Policywatch-Release"] for m in _inbox(mail, "old@example.org")] == ["privacy.de/v2.0"]


def test_naming_a_translation_release_to_notify_is_refused(bilingual, mail):
    result = run("notify", "privacy.de@2.0")
    assert result.exit_code != 0
    assert "privacy.de/v2.0 is the de translation of privacy" in result.stderr
    assert not mail.messages


def test_audit_records_the_language_each_notice_was_sent_in(bilingual, mail):
    _readers(("de@example.org", "--language", "de"), ("fr@example.org", "--language", "fr"))
    _notify()
    rows = json.loads(run("audit", "privacy@2.0", "--format", "json").stdout)
    assert {r["recipient"]: r["language"] for r in rows} == {"de@example.org": "de", "fr@example.org": "en"}
    table = list(csv.DictReader(io.StringIO(run("audit", "privacy@2.0", "--format", "csv").stdout)))
    assert {r["recipient"]: r["language"] for r in table} == {"de@example.org": "de", "fr@example.org": "en"}


def test_dry_run_writes_each_reader_the_notice_of_their_language(bilingual, tmp_path):
    import email
    import email.policy

    _readers(("de@example.org", "--language", "de"), ("en@example.org",))
    out = tmp_path / "eml"
    assert run("notify", "--dry-run", "--eml-dir", str(out)).exit_code == 0
    parsed = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in out.iterdir()]
    assert sorted((m["To"], m["X-Policywatch-Release"]) for m in parsed) == [
        ("de@example.org", "privacy.de/v2.0"),
        ("en@example.org", "privacy/v2.0"),
    ]


# -- the subscriber's language ------------------------------------------------------------------


def test_import_reads_the_language_column(store, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("email,language\nde@example.org,de\nbr@example.org,pt_br\nnone@example.org,\n", encoding="utf-8")
    result = import_csv(store, path)
    assert (result.added, result.errors) == (3, [])
    assert [get_subscriber(store, a).language for a in ("de@example.org", "br@example.org", "none@example.org")] == [
        "de",
        "pt-BR",
        "",
    ]


def test_import_names_the_file_line_and_value_of_a_bad_language(tmp_path, in_repo):
    repo = in_repo(new_git_project(tmp_path / "repo"))
    repo.commit("Add the privacy policy", {"policies/privacy.md": PRIVACY})
    (repo.root / "in.csv").write_text("email,language\nde@example.org,de\nx@example.org,klingon\n", encoding="utf-8")
    result = run("subscribers", "import", "in.csv")
    assert result.exit_code == 2
    [line] = [line for line in result.stderr.splitlines() if line.startswith("in.csv:")]
    assert line.startswith("in.csv:3: language 'klingon': not a language tag")


def test_adding_a_subscriber_refuses_a_language_that_is_no_tag(store):
    with pytest.raises(InvalidSubscriber, match="language 'deutsch'"):
        add_subscriber(store, "a@example.org", language="deutsch")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de-DE"),
        ("en;q=0.4, fr-CH;q=0.5, de;q=0.9, *;q=0.1", "de"),
        ("fr;q=0, es", "es"),
        ("*", ""),
        ("x-klingon, tlh;q=0.9, it;q=0.2", "it"),
        ("zh-Hant-TW", "zh"),
        ("de;q=abc, fr;q=0.3", "fr"),
        ("de;q=2, fr;q=0.3", "fr"),
        ("", ""),
    ],
)
def test_accept_language_is_read_by_its_quality_values(header, expected):
    assert accepted_language(header) == expected


def test_a_language_picks_its_translation_then_its_primary_language_then_the_source():
    available = {"de": object(), "pt-BR": object()}
    assert [notice_language(tag, available) for tag in ("de", "de-CH", "pt-BR", "pt", "fr", "")] == [
        "de",
        "de",
        "pt-BR",
        "",
        "",
        "",
    ]


def test_a_language_tag_is_written_canonically():
    assert (check_language(" PT_br "), check_language("DE"), check_language("")) == ("pt-BR", "de", "")


# -- templates and formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [
        ("de", "9. August 2024", "12.345"),
        ("fr", "9 août 2024", "12\u202f345"),
        ("es", "9 de agosto de 2024", "12.345"),
        ("", "9 August 2024", "12,345"),
    ],
)
def test_dates_and_numbers_are_written_for_the_locale(language, date, number):
    assert (local_date(dt.date(2024, 8, 9), language), local_number(12345, language)) == (date, number)


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("de", "Änderungen an Example Privacy Policy: Version 2.0 gilt ab 25. Dezember 2026"),
        ("fr", "Modifications de « Example Privacy Policy » : la version 2.0 entre en vigueur le 25 décembre 2026"),
        ("es", "Cambios en «Example Privacy Policy»: la versión 2.0 entra en vigor el 25 de diciembre de 2026"),
        ("it", "Changes to Example Privacy Policy: version 2.0 takes effect on 25 December 2026"),
    ],
)
def test_each_language_has_its_subject_and_falls_back_to_the_default(language, subject):
    from dataclasses import replace

    notice = replace(make_notice(), language=language)
    message = NoticeMessage(notice, SENDER, template_environment())
    assert message.subject == subject


def test_a_non_ascii_subject_is_sent_as_encoded_words_and_decodes_whole():
    from dataclasses import replace

    from policywatch.audience.channels import Recipient

    notice = replace(make_notice(title="Datenschutzerklärung"), language="de")
    data = NoticeMessage(notice, SENDER, template_environment()).build(Recipient("d1", "a@example.org", "Jörg", "t"))
    head = data.split(b"\r\n\r\n", 1)[0]
    assert data.isascii() and b"=?utf-8?" in head
    import email
    import email.policy

    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed["Subject"] == "Änderungen an Datenschutzerklärung: Version 2.0 gilt ab 25. Dezember 2026"


def test_the_translated_html_is_autoescaped():
    from dataclasses import replace

    from policywatch.audience.channels import Recipient

    notice = replace(make_notice(summary="<script>alert(1)</script>"), language="fr")
    data = NoticeMessage(notice, SENDER, template_environment()).build(Recipient("d1", "a@example.org", "", "t"))
    import email
    import email.policy

    page = email.message_from_bytes(data, policy=email.policy.default).get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_a_repository_template_for_a_language_comes_first(tmp_path):
    from dataclasses import replace

    (tmp_path / "templates/email/de").mkdir(parents=True)
    (tmp_path / "templates/email/de/subject.txt").write_text("Neu: {{ title }} ab {{ effective_text }}\n")
    notice = replace(make_notice(), language="de")
    message = NoticeMessage(notice, SENDER, template_environment(tmp_path))
    assert message.subject == "Neu: Example Privacy Policy ab 25. Dezember 2026"


# -- the schema ---------------------------------------------------------------------------------


def test_an_older_store_gains_the_language_columns_and_keeps_its_subscribers(any_url, monkeypatch):
    from policywatch.store import migrations

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
    monkeypatch.setattr(migrations, "LATEST", 4)
    old = open_store(any_url)
    old.execute(
        "INSERT INTO subscribers (email, token, created_at, updated_at) VALUES ('a@example.org', 't', 'x', 'x')"
    )
    old.close()
    monkeypatch.undo()
    store = open_store(any_url)
    try:
        assert get_subscriber(store, "a@example.org").language == ""
        versions = [row[0] for row in store.query("SELECT version FROM schema_version ORDER BY version")]
        assert versions == [m.version for m in migrations.MIGRATIONS]
        assert store.query("SELECT language FROM subscribe_requests") == []
        assert store.query("SELECT language FROM deliveries") == []
    finally:
        store.close()


# -- the subscribe form and the confirmation ----------------------------------------------------


@pytest.fixture
def service(tmp_path, in_repo, monkeypatch, any_url):
    """The subscribe service of a company repository on a loopback HTTP server, and its mailbox."""
    from policywatch.audience.service.app import make_app
    from tests._subscribe_support import company_repo, mailbox
    from tests._unsubscribe_support import serving

    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    repo = company_repo(tmp_path / "company", in_repo)
    with mailbox(monkeypatch) as box:
        app = make_app(open_project(repo.root))
        with serving(app) as base:
            yield repo, base, box
        app.signups.mailer.close()


def _subscribe_and_confirm(service, address: str, accept: str, **fields: str):
    import httpx

    from tests._subscribe_support import FORM, token_of

    repo, base, box = service
    form = {"email": address, "policy": "privacy", **fields}
    assert httpx.post(f"{base}/subscribe", data=form, headers=FORM).status_code == 200
    token = token_of(box.confirmation_link(address))
    confirmed = httpx.post(f"{base}/confirm?token={token}", headers={"Accept-Language": accept})
    assert confirmed.status_code == 200
    with project_store(open_project(repo.root)) as store:
        return get_subscriber(store, address)


def test_confirming_sets_the_language_the_browser_prefers(service):
    reader = _subscribe_and_confirm(service, "ana@example.com", "en;q=0.4, fr-CH;q=0.5, de;q=0.9")
    assert reader.language == "de"


def test_the_language_chosen_on_the_form_wins_over_the_browser(service):
    reader = _subscribe_and_confirm(service, "ana@example.com", "de", language="es")
    assert reader.language == "es"


def test_the_form_refuses_a_language_that_is_no_tag(service):
    import httpx

    from tests._subscribe_support import FORM

    repo, base, box = service
    form = {"email": "ana@example.com", "policy": "privacy", "language": "<klingon>"}
    response = httpx.post(f"{base}/subscribe", data=form, headers=FORM)
    assert response.status_code == 400 and "Unknown language" in response.text
    with project_store(open_project(repo.root)) as store:
        assert store.query("SELECT COUNT(*) FROM subscribe_requests")[0][0] == 0
