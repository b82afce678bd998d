"""The register workflow in a real browser (Debian's chromium driven by playwright), scripts off.

The built site on one loopback port, the service (as `policywatch serve` runs it)
on another, a real SMTP server, a real git repository: a customer subscribes from
the register's page, confirms from the emailed link, receives the notice of a new
sub-processor that `publish` and `notify` send, follows its objection link and
objects; `policywatch objections` then lists the objection.
"""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from policywatch.audience.service.app import make_app
from policywatch.project import open_project
from policywatch.site.build import build_project_site
from tests._browser_support import requires_browser
from tests._email_support import free_port
from tests._objection_support import ACME, OBJECT_LINK, PATH, REGISTER, TAG
from tests._publish_support import run
from tests._subscribe_support import LINK, mailbox, write_config
from tests._unsubscribe_support import serving
from tests.conftest import new_git_project

pytestmark = requires_browser


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def inbox(monkeypatch):
    with mailbox(monkeypatch) as box:
        yield box


@pytest.fixture
def workflow(tmp_path, in_repo, monkeypatch, inbox) -> Iterator[tuple]:
    """(the repository, the built site's base URL): the register released in 2024, nobody subscribed yet."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    repo = in_repo(new_git_project(tmp_path / "company"))
    assert run("init").exit_code == 0
    repo.write(PATH, REGISTER)
    folder = tmp_path / "site"
    folder.mkdir()
    files = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(folder)))
    site = f"http://127.0.0.1:{files.server_address[1]}"
    threading.Thread(target=files.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    service = f"http://127.0.0.1:{free_port()}"
    write_config(repo, f'url = "{service}/"\nsubscribe = true\nobjections = true\nallowed_origins = ["{site}"]\n')
    config = repo.read("policywatch.toml")
    repo.write("policywatch.toml", config.replace("\n[site]\n", f'\n[site]\nsubscribe_url = "{service}/subscribe"\n'))
    repo.commit("Add the register")
    assert run("publish", "--yes", "--date", "2024-03-01", "--no-notify").exit_code == 0
    build_project_site(open_project(repo.root), folder)
    app = make_app(open_project(repo.root))
    try:
        with serving(app, port=int(service.rsplit(":", 1)[1])):
            yield repo, site
    finally:
        app.signups.mailer.close()
        files.shutdown()
        files.server_close()


def cli(repo, *args: str) -> subprocess.CompletedProcess:
    """``policywatch ARGS`` run as a user runs it, in the repository."""
    return subprocess.run(
        [sys.executable, "-m", "policywatch", *args], cwd=repo.root, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 600})
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


def test_a_customer_subscribes_is_told_of_a_new_sub_processor_and_objects(page, workflow, inbox):
    repo, site = workflow
    page.goto(f"{site}/subprocessors/")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()

    [confirmation] = inbox.wait_for("ana@example.com")
    page.goto(LINK.search(confirmation.get_body(("plain",)).get_content()).group(0))
    page.get_by_role("button", name="Confirm subscription").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()

    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert run("publish", "--yes", "--date", today, "--no-notify").exit_code == 0
    notified = cli(repo, "notify")  # a process of its own: playwright's event loop holds this thread
    assert notified.returncode == 0, notified.stderr
    notices = [m for m in inbox.wait_for("ana@example.com", count=3) if m["X-Policywatch-Release"] == TAG]
    [notice] = notices
    text = notice.get_body(("plain",)).get_content()
    assert "Added: Acme AI (United States; Model hosting)" in text

    page.goto(OBJECT_LINK.search(text).group(0))
    assert page.get_by_role("heading", name="Object to the changes to the Sub-processors").is_visible()
    assert page.get_by_role("cell", name="Acme AI").is_visible()
    page.get_by_label("Your reason").fill("Our contract forbids transfers to the United States.")
    page.get_by_role("button", name="Send objection").click()
    assert page.get_by_role("heading", name="Your objection is recorded").is_visible()

    listed = cli(repo, "objections", TAG)
    assert listed.returncode == 0, listed.stderr
    [row] = listed.stdout.splitlines()[1:]
    assert row.split()[:5] == ["1", TAG, "open", "-", "ana@example.com"]
    assert "Our contract forbids transfers" in row
    [receipt] = [m for m in inbox.wait_for("ana@example.com", count=4) if "objection" in m["Subject"]]
    assert "Reference: objection 1." in receipt.get_body(("plain",)).get_content()
