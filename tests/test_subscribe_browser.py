"""Subscribing in a real browser (Debian's chromium driven by playwright), scripts off.

The built site is served on one loopback port and the service on another, as a
static host and the service are in production; the confirmation email arrives at
a real SMTP server. Only a browser shows that the plain form posts across origins,
and that the confirmation page's button still works under its Content-Security-Policy
and its no-referrer policy (which makes the browser send ``Origin: null``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from policywatch.audience.service.app import make_app
from policywatch.audience.subscribers import get_subscriber
from policywatch.project import open_project
from policywatch.site.build import build_project_site
from policywatch.store import project_store
from tests._browser_support import requires_browser
from tests._subscribe_support import company_repo, mailbox, token_of, write_config
from tests._unsubscribe_support import serving

pytestmark = requires_browser


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def company(tmp_path, in_repo, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    return company_repo(tmp_path / "company", in_repo)


@pytest.fixture
def inbox(company, monkeypatch):
    with mailbox(monkeypatch) as box:
        yield box


@pytest.fixture
def site_and_service(company, inbox, tmp_path) -> Iterator[tuple[str, str]]:
    """(the built site's base URL, the service's), the site's form posting to the service."""
    folder = tmp_path / "site"
    folder.mkdir()
    files = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(folder)))
    site = f"http://127.0.0.1:{files.server_address[1]}"
    threading.Thread(target=files.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    write_config(company, f'subscribe = true\nallowed_origins = ["{site}"]\n')
    app = make_app(open_project(company.root))
    try:
        with serving(app) as service:
            config = company.read("policywatch.toml")
            company.write(
                "policywatch.toml",
                config.replace("[site]\nbase_url", f'[site]\nsubscribe_url = "{service}/subscribe"\nbase_url'),
            )
            build_project_site(open_project(company.root), folder)
            yield site, service
    finally:
        app.signups.mailer.close()
        files.shutdown()
        files.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 600})
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


def test_the_site_form_and_the_emailed_link_subscribe_without_javascript(page, site_and_service, company, inbox):
    site, service = site_and_service
    page.goto(f"{site}/privacy/")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    page.goto(f"{service}/confirm?token={token_of(inbox.confirmation_link('ana@example.com'))}")
    page.get_by_role("button", name="Confirm subscription").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    with project_store(open_project(company.root)) as store:
        found = get_subscriber(store, "ana@example.com")
    assert (found.status, found.policies) == ("active", ("privacy",))


def test_the_honeypot_is_off_screen_and_out_of_the_tab_order(page, site_and_service):
    site, _ = site_and_service
    page.goto(f"{site}/privacy/")
    box = page.locator(".subscribe-trap").bounding_box()
    page.get_by_label("Email address").focus()
    page.keyboard.press("Tab")
    assert box["x"] + box["width"] <= 0
    assert page.evaluate("document.activeElement.textContent") == "Subscribe"
