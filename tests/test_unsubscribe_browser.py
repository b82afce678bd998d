"""The unsubscribe pages in a real browser (Debian's chromium driven by playwright), scripts off.

The Content-Security-Policy is enforced by the browser, so only a browser can
show that the page's own style still applies and its form still posts.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest

from policywatch.audience.service.app import make_app
from policywatch.audience.service.server import make_server_for
from policywatch.audience.subscribers import add_subscriber, get_subscriber
from policywatch.store import open_store
from tests._browser_support import requires_browser

pytestmark = requires_browser


@pytest.fixture
def endpoint(tmp_path) -> Iterator[tuple[str, str, str]]:
    """(server base URL, database URL, token of jane@example.com)."""
    db_url = f"sqlite:///{tmp_path / 'state.db'}"
    store = open_store(db_url)
    try:
        sub, _ = add_subscriber(store, "jane@example.com")
    finally:
        store.close()
    server = make_server_for(make_app(db_url), "127.0.0.1", 0, access_log=io.StringIO())
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", db_url, sub.token
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 600})
    context.set_default_timeout(5000)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    yield page
    context.close()


def status(db_url: str) -> str:
    store = open_store(db_url)
    try:
        return get_subscriber(store, "jane@example.com").status
    finally:
        store.close()


def test_pressing_the_button_unsubscribes_under_the_content_security_policy(page, endpoint):
    base, db_url, token = endpoint
    page.goto(f"{base}/unsubscribe?token={token}")
    assert status(db_url) == "active"
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert status(db_url) == "unsubscribed"
    assert not [text for text in page.console_messages if "Content Security Policy" in text]


def test_the_pages_own_style_applies_despite_the_policy(page, endpoint):
    base, _, token = endpoint
    page.goto(f"{base}/unsubscribe?token={token}")
    colour = page.get_by_role("button", name="Unsubscribe").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(31, 78, 153)"


def test_the_button_is_reachable_by_keyboard_and_labelled(page, endpoint):
    base, db_url, token = endpoint
    page.goto(f"{base}/unsubscribe?token={token}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    assert (focused, status(db_url)) == ("Unsubscribe", "unsubscribed")
