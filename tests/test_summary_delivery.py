"""A person's summary reaches every reader first, with the engine's reasons beneath it.

One material release with a summary is published through the command line from
a real repository, then read where readers meet it: a real SMTP server, a real
HTTP receiver for the webhook, the Atom feed through a feed reader, and the pages
of the built site. The summary holds markup and a line break followed by a header,
as user text may.
"""

from __future__ import annotations

import datetime as dt
import json

import feedparser
import pytest

from policywatch.project import open_project
from policywatch.site.build import build_project_site
from tests._email_support import smtp_server
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run
from tests._site_support import Page
from tests._store_support import webhook_receiver

CONFIG = (
    '[site]\nbase_url = "https://policies.example.com"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
    '\n[[webhooks]]\nname = "ops"\nurl = "{url}"\nformat = "json"\nsecret_env = "HOOK_SECRET"\n'
)
SUMMARY = 'We may now sell your data to <b>partners</b> & "friends".\r\nBcc: evil@example.com'
SHOWN = 'We may now sell your data to <b>partners</b> & "friends". Bcc: evil@example.com'
REASON = "negation removed"


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """The release published with SUMMARY and announced; what the SMTP server and the webhook received."""
    tmp_path = tmp_path_factory.mktemp("delivered")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICYWATCH_FROM", raising=False)
        mp.setenv("HOOK_SECRET", "s3cret")
        repo = released_repo(tmp_path)
        mp.chdir(repo.root)
        with webhook_receiver() as (url, posts), smtp_server() as (controller, handler):
            mp.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
            edit(repo, "privacy", *MATERIAL_EDIT)
            repo.commit("Allow selling data", {"policywatch.toml": CONFIG.format(url=url)})
            assert run("subscribers", "add", "alice@example.com").exit_code == 0
            result = run("publish", "--yes", "--date", "2024-03-15", "--summary", SUMMARY)
            assert result.exit_code == 0, result.output
        assert run("feed", str(tmp_path / "feed.xml")).exit_code == 0
        # Built on a day before the release takes effect, so the policy page announces it as upcoming.
        build_project_site(open_project(repo.root), tmp_path / "public", today=dt.date(2024, 3, 20))
    return {"mail": handler.messages, "posts": posts, "feed": tmp_path / "feed.xml", "site": tmp_path / "public"}


def test_the_email_text_gives_the_summary_first_and_the_reasons_beneath_as_detail(delivered):
    [received] = delivered["mail"]
    text = received.message().get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"In short:\n\n{SHOWN}\n" in text
    assert "\nIn detail:\n- Sharing: " in text
    assert text.index("In short:") < text.index("In detail:") < text.index(REASON)


def test_the_email_html_escapes_the_summary_and_shows_it_before_the_reasons(delivered):
    [received] = delivered["mail"]
    body = received.message().get_body(("html",)).get_content()
    escaped = "We may now sell your data to &lt;b&gt;partners&lt;/b&gt; &amp; &#34;friends&#34;. Bcc: evil@example.com"
    assert f'<p class="summary">{escaped}</p>' in body
    assert "<b>partners</b>" not in body
    assert body.index("In short") < body.index("In detail") < body.index(REASON)


def test_a_summary_cannot_add_a_header_or_a_recipient_to_the_email(delivered):
    [received] = delivered["mail"]
    msg = received.message()
    assert received.rcpt_tos == ["alice@example.com"]
    assert msg["Bcc"] is None
    assert "sell" not in msg["Subject"]


def test_the_webhook_json_carries_the_summary_before_the_reasons(delivered):
    [(_, body)] = delivered["posts"]
    data = json.loads(body)
    assert data["summary"] == SHOWN
    keys = list(data)
    assert keys.index("summary") < keys.index("reasons")
    assert any(REASON in reason for reason in data["reasons"])


def test_the_feed_entry_summary_starts_with_the_person_s_summary(delivered):
    feed = feedparser.parse(delivered["feed"].read_bytes())
    assert not feed.bozo, feed.bozo_exception
    [entry] = [e for e in feed.entries if "/privacy/v2.0/" in e.link]
    assert entry.summary.startswith(SHOWN + "\n\n")
    assert entry.summary.index(SHOWN) < entry.summary.index(REASON)


@pytest.mark.parametrize("page", ["privacy/v2.0/index.html", "privacy/v2.0/changes/index.html"])
def test_the_release_pages_show_the_summary_escaped_before_the_reasons(delivered, page):
    html = (delivered["site"] / page).read_text(encoding="utf-8")
    text = Page(html).text
    assert "<b>partners</b>" not in html
    assert SHOWN in text
    assert text.index(SHOWN) < text.index(REASON)


def test_the_list_of_versions_shows_each_release_s_summary(delivered):
    text = Page((delivered["site"] / "privacy/versions/index.html").read_text(encoding="utf-8")).text
    assert SHOWN in text


def test_the_policy_page_s_upcoming_notice_says_what_the_change_means(delivered):
    text = Page((delivered["site"] / "privacy/index.html").read_text(encoding="utf-8")).text
    assert "Upcoming change" in text
    assert text.index("Upcoming change") < text.index(SHOWN)


def test_a_notice_that_replaces_an_earlier_release_gives_the_summaries_of_both_oldest_first(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    repo = released_repo(tmp_path)
    monkeypatch.chdir(repo.root)
    repo.commit("Configure notices", {"policywatch.toml": CONFIG.split("\n[[webhooks]]")[0]})
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data\n\nPolicy-Summary: We may now sell your personal information.")
    assert run("publish", "--yes", "--no-notify").exit_code == 0
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation\n\nPolicy-Summary: Receipts are still the only use of your email address.")
    # 3.0 takes effect with 2.0, so 2.0 never applies and the one notice tells both against 1.0.
    assert run("publish", "--yes", "--no-notify", "--as", "material").exit_code == 0
    assert run("subscribers", "add", "new@example.com").exit_code == 0
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("notify")
        assert result.exit_code == 0, result.output
    [message] = handler.messages
    text = message.message().get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "takes the place of version 2.0" in text
    assert (
        "In short:\n\nWe may now sell your personal information.\n\n"
        "Receipts are still the only use of your email address.\n"
    ) in text
