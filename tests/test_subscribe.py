"""Self-service subscribing: the form's POST, the emailed link, the confirmation and the welcome.

A real repository, the service on a real loopback HTTP server, a real SMTP server
(aiosmtpd) to read the emails from, and both databases.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest

from policywatch.audience.service.app import make_app
from policywatch.audience.signups import (
    Limits,
    Origin,
    client_bucket,
    confirm_subscription,
    make_token,
    read_token,
    request_subscription,
)
from policywatch.audience.subscribers import get_subscriber
from policywatch.audience.welcome import WELCOME_DETAIL
from policywatch.errors import PolicywatchError, ServiceSettingsError
from policywatch.project import open_project
from policywatch.store import project_store
from tests._burst_support import waitress_serving
from tests._publish_support import run
from tests._subscribe_support import FORM, SECRET, SITE_URL, company_repo, mailbox, token_of, write_config
from tests._unsubscribe_support import serving, start_serve


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch, any_url):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    return company_repo(tmp_path / "company", in_repo)


@pytest.fixture
def inbox(company, monkeypatch):
    with mailbox(monkeypatch) as box:
        yield box


@pytest.fixture
def service(company, inbox) -> Iterator[str]:
    app = make_app(open_project(company.root))
    with serving(app) as base:
        yield base
    app.signups.mailer.close()


def subscribe(base: str, email: str, *policies: str, headers: dict | None = None, **extra: str) -> httpx.Response:
    """The form's POST as a browser sends it: urlencoded, ``policy`` repeated."""
    fields = [("email", email), *(("policy", p) for p in policies), *extra.items()]
    return httpx.post(f"{base}/subscribe", content=urlencode(fields), headers=headers or FORM)


def on_service(link: str, base: str) -> str:
    return base + "/confirm?token=" + token_of(link)


def subscriber(repo, email: str):
    with project_store(open_project(repo.root)) as store:
        return get_subscriber(store, email)


def requests(repo) -> list[tuple]:
    with project_store(open_project(repo.root)) as store:
        return store.query(
            "SELECT email, policies, request_address, request_agent, confirmed_at, confirm_address, confirm_agent"
            " FROM subscribe_requests ORDER BY id"
        )


def test_a_subscribe_post_answers_check_your_inbox_and_subscribes_nobody(service, company, inbox):
    response = subscribe(service, "ana@example.com")
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert subscriber(company, "ana@example.com") is None


def test_the_confirmation_email_carries_a_link_on_the_site_url(service, inbox):
    subscribe(service, "ana@example.com")
    assert inbox.confirmation_link("ana@example.com").startswith(SITE_URL + "confirm?token=")


def test_opening_the_link_shows_a_button_and_subscribes_nobody(service, company, inbox):
    subscribe(service, "ana@example.com")
    page = httpx.get(on_service(inbox.confirmation_link("ana@example.com"), service))
    assert page.status_code == 200 and "<button" in page.text and "a***@example.com" in page.text
    assert subscriber(company, "ana@example.com") is None


def test_pressing_the_button_subscribes_to_the_policies_asked_for(service, company, inbox):
    subscribe(service, "ana@example.com", "privacy")
    response = httpx.post(on_service(inbox.confirmation_link("ana@example.com"), service))
    assert response.status_code == 200 and "You are subscribed" in response.text
    found = subscriber(company, "ana@example.com")
    assert (found.status, found.policies) == ("active", ("privacy",))


def test_no_policy_field_means_every_policy(service, company, inbox):
    subscribe(service, "ana@example.com")
    httpx.post(on_service(inbox.confirmation_link("ana@example.com"), service))
    assert subscriber(company, "ana@example.com").follows_all


def test_the_confirmation_records_when_and_from_where_as_proof_of_consent(service, company, inbox):
    subscribe(service, "ana@example.com", headers={**FORM, "User-Agent": "Asking Browser/1.0"})
    link = on_service(inbox.confirmation_link("ana@example.com"), service)
    httpx.post(link, headers={"User-Agent": "Confirming Browser/2.0"})
    [(email, _, asked_from, asked_agent, confirmed_at, confirmed_from, confirmed_agent)] = requests(company)
    assert (email, asked_from, asked_agent) == ("ana@example.com", "127.0.0.1", "Asking Browser/1.0")
    assert (confirmed_from, confirmed_agent) == ("127.0.0.1", "Confirming Browser/2.0")
    assert confirmed_at.startswith(dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"))


def test_a_link_works_once(service, company, inbox):
    subscribe(service, "ana@example.com")
    link = on_service(inbox.confirmation_link("ana@example.com"), service)
    httpx.post(link)
    again = httpx.post(link)
    assert again.status_code == 200 and "already confirmed" in again.text
    assert len(inbox.wait_for("ana@example.com", 2)) == 2  # the confirmation and one welcome, no second welcome


def test_an_altered_token_is_not_recognised(service, company, inbox):
    subscribe(service, "ana@example.com")
    token = token_of(inbox.confirmation_link("ana@example.com"))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = httpx.post(f"{service}/confirm?token={forged}")
    assert response.status_code == 404
    assert subscriber(company, "ana@example.com") is None


def test_an_expired_token_is_refused_before_the_database_is_asked():
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert read_token(SECRET.encode(), make_token(SECRET.encode(), "n" * 22, past)) is None


def test_a_token_signed_with_another_secret_is_refused():
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert read_token(SECRET.encode(), make_token(b"another secret entirely, 32 chars+", "n" * 22, future)) is None


def test_an_address_that_is_not_one_gets_a_400_and_no_email(service, inbox):
    response = subscribe(service, "not an address")
    assert response.status_code == 400
    assert inbox.handler.messages == []


def test_an_unknown_policy_gets_a_400(service, inbox):
    assert subscribe(service, "ana@example.com", "nonsense").status_code == 400


def test_the_honeypot_filled_in_answers_the_same_page_and_sends_nothing(service, company, inbox):
    response = subscribe(service, "ana@example.com", website="http://spam.example")
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert inbox.wait_for("ana@example.com", timeout=0.5) == [] and requests(company) == []


def test_an_address_over_its_daily_limit_gets_the_same_page_and_no_more_email(service, company, inbox):
    pages = [subscribe(service, "ana@example.com") for _ in range(4)]
    assert [p.status_code for p in pages] == [200] * 4 and all("Check your inbox" in p.text for p in pages)
    assert len(inbox.wait_for("ana@example.com", 4, timeout=1.0)) == 3


def test_a_client_over_its_hourly_limit_gets_no_more_emails(service, company, inbox):
    for i in range(11):
        assert subscribe(service, f"person{i}@example.com").status_code == 200
    assert len(requests(company)) == 10


def test_a_post_from_a_foreign_origin_is_refused(service, company, inbox):
    response = subscribe(service, "ana@example.com", headers={**FORM, "Origin": "https://evil.example"})
    assert response.status_code == 403 and requests(company) == []


def test_a_post_from_the_site_origin_is_accepted(service, company, inbox):
    response = subscribe(service, "ana@example.com", headers={**FORM, "Origin": "https://policies.example.com"})
    assert response.status_code == 200 and len(requests(company)) == 1


def test_a_referer_from_a_foreign_site_is_refused(service, company, inbox):
    response = subscribe(service, "ana@example.com", headers={**FORM, "Referer": "https://evil.example/form"})
    assert response.status_code == 403


def test_the_token_never_reaches_the_logs(company, inbox, capfd):
    access = io.StringIO()
    app = make_app(open_project(company.root))
    with serving(app, access_log=access) as base:
        subscribe(base, "ana@example.com")
        token = token_of(inbox.confirmation_link("ana@example.com"))
        httpx.get(f"{base}/confirm?token={token}")
        httpx.post(f"{base}/confirm?token={token}")
        inbox.wait_for("ana@example.com", 2)
    app.signups.mailer.close()
    logs = access.getvalue() + "".join(capfd.readouterr())
    assert "confirm" in logs and token not in logs and "ana@example.com" not in logs


def test_pending_confirmations_are_capped(company, inbox):
    write_config(company, "subscribe = true\nmax_pending = 2\n")
    app = make_app(open_project(company.root))
    with serving(app) as base:
        for name in ("a", "b", "c"):
            assert subscribe(base, f"{name}@example.com").status_code == 200
    app.signups.mailer.close()
    assert [row[0] for row in requests(company)] == ["a@example.com", "b@example.com"]


def test_the_service_refuses_to_start_without_a_secret(company, inbox, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SECRET")
    with pytest.raises(ServiceSettingsError, match="POLICYWATCH_SECRET"):
        make_app(open_project(company.root))


def test_serve_without_a_secret_fails_in_one_line(company, inbox, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_SECRET")
    result = run("serve", "--port", "0")
    assert result.exit_code != 0 and "POLICYWATCH_SECRET" in result.output
    assert "Traceback" not in result.output


def test_links_are_built_on_the_service_url_when_one_is_set(company, inbox):
    write_config(company, 'subscribe = true\nurl = "https://service.example.net/pw/"\n')
    app = make_app(open_project(company.root))
    with serving(app) as base:
        subscribe(base, "ana@example.com")
        assert inbox.confirmation_link("ana@example.com").startswith("https://service.example.net/pw/confirm?token=")
    app.signups.mailer.close()


def test_without_subscribe_enabled_there_is_no_subscribe_endpoint(company, inbox):
    write_config(company, "subscribe = false\n")
    with serving(make_app(open_project(company.root))) as base:
        assert subscribe(base, "ana@example.com").status_code == 404


def test_a_person_who_had_unsubscribed_is_active_again_with_a_new_token(service, company, inbox):
    assert run("subscribers", "add", "ana@example.com").exit_code == 0
    old = subscriber(company, "ana@example.com").token
    assert run("subscribers", "remove", "ana@example.com").exit_code == 0
    subscribe(service, "ana@example.com")
    httpx.post(on_service(inbox.confirmation_link("ana@example.com"), service))
    found = subscriber(company, "ana@example.com")
    assert found.status == "active" and found.token != old and found.unsubscribed_at is None


# -- the welcome email ------------------------------------------------------------------------


def publish_material_change_today(repo) -> None:
    repo.write("policies/privacy.md", repo.read("policies/privacy.md").replace("We do not sell", "We may sell", 1))
    repo.commit("Allow selling")
    today = dt.date.today().isoformat()
    result = run("publish", "--yes", "--date", today, "--no-notify")
    assert result.exit_code == 0, result.output


def confirm_by_email(service: str, inbox, address: str, *policies: str):
    subscribe(service, address, *policies)
    httpx.post(on_service(inbox.confirmation_link(address), service))
    return inbox.wait_for(address, 2)[1]


def welcome_deliveries(repo, tag: str = "privacy/v2.0", timeout: float = 10.0) -> list[tuple]:
    """The ledger's rows of ``tag`` once the welcome has been recorded (it is, just after it is sent)."""
    deadline = time.monotonic() + timeout
    while True:
        with project_store(open_project(repo.root)) as store:
            rows = store.query(
                "SELECT target, state, message_id, detail FROM deliveries WHERE release_tag = ? AND detail = ?",
                (tag, WELCOME_DETAIL),
            )
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_the_welcome_lists_a_change_published_and_not_yet_in_effect(service, company, inbox):
    publish_material_change_today(company)
    welcome = confirm_by_email(service, inbox, "ana@example.com")
    body = welcome.get_body(("plain",)).get_content()
    assert "version 2.0" in body and SITE_URL + "privacy/v2.0/changes/" in body
    assert welcome["List-Unsubscribe"].startswith(f"<{SITE_URL}unsubscribe?token=")


def test_the_welcome_leaves_out_changes_to_policies_not_followed(service, company, inbox):
    publish_material_change_today(company)
    body = confirm_by_email(service, inbox, "ana@example.com", "cookies").get_body(("plain",)).get_content()
    assert "version 2.0" not in body and "No announced change" in body


def test_a_change_told_in_the_welcome_is_not_sent_again_by_notify(service, company, inbox):
    publish_material_change_today(company)
    confirm_by_email(service, inbox, "ana@example.com")
    assert welcome_deliveries(company)
    result = run("notify")
    assert result.exit_code == 0, result.output
    assert len(inbox.wait_for("ana@example.com", 3, timeout=0.5)) == 2


def test_the_audit_shows_the_change_as_sent_by_the_welcome(service, company, inbox):
    publish_material_change_today(company)
    welcome = confirm_by_email(service, inbox, "ana@example.com")
    assert welcome_deliveries(company) == [("ana@example.com", "sent", welcome["Message-ID"], WELCOME_DETAIL)]


def test_others_still_get_the_notice_of_a_change_the_welcome_ledgered(service, company, inbox):
    assert run("subscribers", "add", "bo@example.org").exit_code == 0
    publish_material_change_today(company)
    confirm_by_email(service, inbox, "ana@example.com")
    assert welcome_deliveries(company)
    assert run("notify").exit_code == 0
    assert len(inbox.wait_for("bo@example.org")) == 1


# -- production servers and concurrency -------------------------------------------------------


def test_under_waitress_a_subscription_is_requested_and_confirmed(company, inbox):
    with waitress_serving(company.root) as base:
        assert subscribe(base, "ana@example.com").status_code == 200
        token = token_of(inbox.confirmation_link("ana@example.com"))
        assert "<button" in httpx.get(f"{base}/confirm?token={token}").text
        assert httpx.post(f"{base}/confirm?token={token}").status_code == 200
        assert len(inbox.wait_for("ana@example.com", 2)) == 2
    assert subscriber(company, "ana@example.com").status == "active"


def test_simultaneous_confirmations_subscribe_once_and_welcome_once(service, company, inbox):
    subscribe(service, "ana@example.com")
    link = on_service(inbox.confirmation_link("ana@example.com"), service)
    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(lambda _: httpx.post(link).text, range(8)))
    assert sum("already confirmed" not in page for page in pages) == 1
    assert len(inbox.wait_for("ana@example.com", 3, timeout=1.0)) == 2


def test_serve_says_it_takes_subscriptions_and_does(company, inbox):
    process = start_serve(company.root)
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+", process.stderr.readline()).group(0)
        response = subscribe(base, "ana@example.com")
        link = inbox.confirmation_link("ana@example.com")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    announced = process.stderr.read()
    assert "POST /subscribe" in announced and f"{SITE_URL}confirm" in announced
    assert response.status_code == 200 and link.startswith(SITE_URL + "confirm?token=")


# -- settings and the store -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "named"),
    [
        ('subscribe = true\nurl = "ftp://service.example.net/"\n', "[service] url"),
        ('subscribe = true\nallowed_origins = ["https://example.com/path"]\n', "allowed_origins"),
        ("subscribe = true\nconfirm_days = 0\n", "confirm_days"),
        ("subscribe = true\nmax_pendings = 5\n", "max_pendings"),
    ],
)
def test_a_bad_service_setting_is_refused_naming_the_key(company, inbox, service, named):
    write_config(company, service)
    with pytest.raises(PolicywatchError, match=re.escape(named)):
        make_app(open_project(company.root))


def test_a_link_expires_after_the_configured_days(store):
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    origin = Origin("127.0.0.1", "test")
    made = request_subscription(store, SECRET.encode(), "ana@example.com", (), origin, Limits(days=2), now=now)
    assert read_token(SECRET.encode(), made.token, now + dt.timedelta(days=2) - dt.timedelta(seconds=1))
    assert read_token(SECRET.encode(), made.token, now + dt.timedelta(days=2)) is None


def test_confirming_records_the_confirmation_once(store):
    origin = Origin("192.0.2.1", "first")
    made = request_subscription(store, SECRET.encode(), "ana@example.com", ("privacy",), origin)
    nonce = read_token(SECRET.encode(), made.token)
    first = confirm_subscription(store, nonce, origin)
    again = confirm_subscription(store, nonce, Origin("198.51.100.7", "second"))
    assert (first.changed, again.changed, again.confirmed_at) == (True, False, first.confirmed_at)
    assert store.query("SELECT confirm_address, confirm_agent FROM subscribe_requests") == [("192.0.2.1", "first")]


@pytest.mark.parametrize(
    ("one", "other"),
    [("2001:db8::1", "2001:db8::ffff:1"), ("::ffff:192.0.2.1", "192.0.2.1")],
)
def test_one_ipv6_network_or_one_mapped_ipv4_address_is_one_client(one, other):
    assert client_bucket(one) == client_bucket(other)


def test_two_ipv6_networks_are_two_clients():
    assert client_bucket("2001:db8:0:1::1") != client_bucket("2001:db8:0:2::1")


def test_a_confirmation_the_mail_server_refuses_is_one_log_line_without_the_address(company, inbox, capfd):
    inbox.handler.refuse["ana@example.com"] = "550 5.1.1 <ana@example.com>: no such user"
    app = make_app(open_project(company.root))
    with serving(app) as base:
        assert subscribe(base, "ana@example.com").status_code == 200
    app.signups.mailer.close()
    lines = [line for line in capfd.readouterr().err.splitlines() if "not sent" in line]
    assert len(lines) == 1 and "confirmation of request 1" in lines[0] and "a***@example.com" in lines[0]
    assert "ana@example.com" not in lines[0]
