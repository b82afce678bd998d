"""The built archive in a real browser (Debian's chromium driven by playwright), with scripts turned off.

A reader's path: the index, the policy, the archive of versions, a version page
and its redline. Screenshots of each page go to test-artifacts/.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from policywatch.project import open_project
from policywatch.site.build import build_project_site
from tests._browser_support import requires_browser
from tests._site_support import REASON, TODAY, two_release_repo

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "site"

pytestmark = requires_browser


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    repo = two_release_repo(tmp / "repo")
    out = tmp / "public"
    build_project_site(open_project(repo.root), out, base_url="https://policies.example.com/", today=TODAY)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reader_follows_the_index_to_a_version_and_its_redline(page, site_url):
    page.goto(site_url)
    shot(page, "1-index")
    assert page.locator("h1").inner_text() == "Policy archive"
    notice = page.locator(".notice.upcoming")
    assert "version 2.0 of Example Privacy Policy takes effect on 31 March 2024" in notice.inner_text()

    page.get_by_role("link", name="Example Privacy Policy", exact=True).click()
    shot(page, "2-policy")
    assert page.url == site_url + "privacy/"
    assert page.locator("h1").inner_text() == "Example Privacy Policy"
    assert page.get_by_text("We will not sell your personal data.").is_visible()

    page.get_by_role("link", name="All versions").first.click()
    page.get_by_role("link", name="2.0", exact=True).click()
    shot(page, "3-version-2.0")
    assert page.url == site_url + "privacy/v2.0/"
    assert page.locator("h1").inner_text() == "Example Privacy Policy, version 2.0"
    assert "Upcoming. This version takes effect on 31 March 2024" in page.locator(".notice.status").inner_text()

    page.get_by_role("link", name="Changes in version 2.0").click()
    shot(page, "4-redline-2.0")
    assert page.url == site_url + "privacy/v2.0/changes/"
    change = page.locator(".redline .change.material", has=page.locator("del", has_text="not sell"))
    assert change.locator("del", has_text="not sell").is_visible()
    assert change.locator("ins", has_text="advertising partners").is_visible()
    assert page.locator(".release-summary .reasons").inner_text() == REASON


def test_a_reader_compares_two_versions_from_the_list_without_scripts(page, site_url):
    page.goto(site_url + "privacy/")
    page.get_by_role("link", name="Compare versions").click()
    page.get_by_role("link", name="Compare 1.0 with 2.0").click()
    shot(page, "7-compare-1.0-2.0")
    assert page.url == site_url + "privacy/compare/v1.0...v2.0/"
    assert page.locator("h1").inner_text() == "Example Privacy Policy: version 1.0 compared with version 2.0"
    assert page.locator(".redline ins", has_text="advertising partners").is_visible()


def test_the_table_of_contents_jumps_to_its_section(page, site_url):
    page.set_viewport_size({"width": 1000, "height": 300})
    page.goto(site_url + "privacy/")
    assert page.evaluate("window.scrollY") == 0
    page.locator(".toc").get_by_role("link", name="Service providers").click()
    assert page.url.endswith("#service-providers")
    assert page.evaluate("window.scrollY") > 0
    top = page.locator("#service-providers").evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 300


def test_on_screen_the_print_only_address_is_hidden(page, site_url):
    page.goto(site_url + "privacy/v2.0/")
    assert not page.get_by_text("Printed from").is_visible()


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches(page, site_url):
    page.goto(site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").is_visible()


def test_on_a_phone_nothing_is_wider_than_the_screen(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    phone = context.new_page()
    try:
        for path in ("", "privacy/", "privacy/versions/", "privacy/v2.0/changes/"):
            phone.goto(site_url + path)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        shot(phone, "5-phone-versions")
    finally:
        context.close()


def test_printing_hides_the_navigation_and_keeps_the_text(page, site_url):
    page.goto(site_url + "privacy/v2.0/")
    page.emulate_media(media="print")
    assert not page.locator("nav.breadcrumbs").is_visible()
    assert not page.locator(".skip-link").is_visible()
    assert page.get_by_text("advertising partners").first.is_visible()
    assert page.get_by_text("Printed from https://policies.example.com/privacy/v2.0/").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "6-print-version-2.0.pdf"))


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: list[float], bg: list[float]) -> float:
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


COLOURS = """e => {
  const parse = s => s.match(/[\\d.]+/g).map(Number);
  let bg = e, colour = getComputedStyle(e).backgroundColor;
  while (parse(colour)[3] === 0 && bg.parentElement) {
    bg = bg.parentElement;
    colour = getComputedStyle(bg).backgroundColor;
  }
  return [parse(getComputedStyle(e).color), parse(colour)];
}"""


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("privacy/v2.0/changes/", "main p"),
        ("privacy/v2.0/changes/", "main a"),
        ("privacy/v2.0/changes/", ".meta"),
        ("privacy/v2.0/changes/", ".redline del"),
        ("privacy/v2.0/changes/", ".redline ins"),
        ("privacy/v2.0/changes/", ".redline .reasons li"),
        ("privacy/v2.0/changes/", ".verdict.material"),
        ("privacy/v2.0/changes/", ".site-footer p"),
        ("", ".notice.upcoming"),
        ("", ".notice.upcoming a"),
        ("privacy/v1.0/", ".notice.in-effect"),
        ("privacy/versions/", "th"),
    ],
)
def test_text_has_enough_contrast_to_read(page, site_url, path, selector):
    page.goto(site_url + path)
    element = page.locator(selector).first
    fg, bg = element.evaluate(COLOURS)
    assert _contrast(fg, bg) >= 4.5, (selector, fg, bg)
