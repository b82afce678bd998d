"""The subscribe form on the site's policy pages: plain HTML that posts to the service, no script.

The site is built from a real repository; the form is read from the built page and
sent as a browser would send it, to the service on a real loopback server, and the
confirmation link is read from a real SMTP server.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest

from policywatch.audience.service.app import make_app
from policywatch.audience.subscribers import get_subscriber
from policywatch.errors import SiteConfigError
from policywatch.project import open_project
from policywatch.site.build import build_project_site
from policywatch.store import project_store
from tests._subscribe_support import FORM, SITE_URL, company_repo, mailbox, token_of
from tests._unsubscribe_support import serving


class Forms(HTMLParser):
    """Each form's action and its named inputs (name, type, value)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "form":
            self.forms.append({"action": values.get("action"), "method": values.get("method"), "inputs": []})
        if tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["inputs"].append((values["name"], values.get("type", "text"), values.get("value") or ""))


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    return company_repo(tmp_path / "company", in_repo)


def set_subscribe_url(repo, url: str) -> None:
    config = repo.read("policywatch.toml").replace("[site]\nbase_url", f'[site]\nsubscribe_url = "{url}"\nbase_url')
    repo.write("policywatch.toml", config)


def policy_page(repo, out) -> str:
    build_project_site(open_project(repo.root), out)
    return (out / "privacy" / "index.html").read_text(encoding="utf-8")


def test_a_policy_page_carries_no_form_when_no_subscribe_url_is_set(company, tmp_path):
    assert Forms(policy_page(company, tmp_path / "site")).forms == []


def test_a_policy_page_carries_a_plain_form_posting_to_the_subscribe_url(company, tmp_path):
    set_subscribe_url(company, "https://service.example.net/subscribe")
    parsed = Forms(policy_page(company, tmp_path / "site"))
    [form] = parsed.forms
    assert (form["action"], form["method"], parsed.scripts) == ("https://service.example.net/subscribe", "post", 0)
    assert ("policy", "hidden", "privacy") in form["inputs"] and ("email", "email", "") in form["inputs"]


def test_a_subscribe_url_that_is_not_an_http_url_is_refused(company, tmp_path):
    set_subscribe_url(company, "javascript:alert(1)")
    with pytest.raises(SiteConfigError, match="subscribe_url"):
        policy_page(company, tmp_path / "site")


def test_the_form_as_a_browser_sends_it_leads_to_a_confirmed_subscription(company, tmp_path, monkeypatch):
    with mailbox(monkeypatch) as inbox:
        app = make_app(open_project(company.root))
        with serving(app) as base:
            set_subscribe_url(company, base + "/subscribe")
            [form] = Forms(policy_page(company, tmp_path / "site")).forms
            fields = [(name, "ana@example.com" if name == "email" else value) for name, _, value in form["inputs"]]
            origin = SITE_URL.split("/legal/")[0]
            answer = httpx.post(form["action"], content=urlencode(fields), headers={**FORM, "Origin": origin})
            assert answer.status_code == 200 and "Check your inbox" in answer.text
            token = token_of(inbox.confirmation_link("ana@example.com"))
            assert httpx.post(f"{base}/confirm?token={token}").status_code == 200
        app.signups.mailer.close()
    with project_store(open_project(company.root)) as store:
        found = get_subscriber(store, "ana@example.com")
    assert (found.status, found.policies) == ("active", ("privacy",))
