"""Any text in a title or a changed paragraph survives publish -> notify -> feed.

The release record lives in an annotated tag's message. Line separators
(U+2028, U+2029, U+0085), other control characters and NUL once broke or cut
it, and the release was then silently never announced. Each example here makes
a real repository, publishes through the command line to a real SMTP server on
loopback, and reads the feed back with a feed reader.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policywatch.engine.diff import normalise
from policywatch.release.git import Git, Tag
from policywatch.release.record import TRAILER, one_line_title, read_record, tag_message
from tests._email_support import smtp_server
from tests._publish_support import released_repo, run
from tests._site_support import release

CONFIG = '[site]\nbase_url = "https://policies.example.com"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
BREAKERS = "\u2028\u2029\u0085\x00\x0b\x0c\x1c\x1d\x1e\x1f\x7f\x1b"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Any text, with the characters that once broke records made common.
anything = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from(BREAKERS)), min_size=1, max_size=30)
# A policy file is UTF-8 text without NUL (a NUL makes it a binary file, refused on reading) and a
# paragraph is one line the engine finds text in (not only a soft hyphen or markup);
# a title is escaped in the front matter, so it may hold anything.
paragraph = anything.map(lambda t: re.sub("[\x00\r\n]", "", t)).filter(lambda t: normalise(t))
title = anything.filter(lambda t: any(c.isalnum() for c in t))


def front_matter_string(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` exactly: printable ASCII as it is, the rest as ``\\UXXXXXXXX``."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


def test_records_written_before_records_were_ascii_still_parse():
    record = release("privacy", "Privacy\u2028Policy\u0085", "2.0", "1.0", "material", "2024-04-15")
    data = {"record": 1, **record.to_json()}
    data.pop("commit")
    old = f"Privacy\u2028Policy 2.0\n\n{TRAILER}{json.dumps(data, ensure_ascii=False, sort_keys=True)}\n"
    parsed = read_record(Tag("privacy/v2.0", "abc", old, None, True))
    assert parsed.title == "Privacy\u2028Policy\u0085"


def test_a_record_is_one_ascii_line_and_its_summary_holds_no_line_breaker():
    record = release("privacy", "Privacy\u2028Policy\x00", "2.0", "1.0", "material", "2024-04-15")
    record = type(record)(**{**record.__dict__, "reasons": ["new\u2029reason\x00here"]})
    message = tag_message(record)
    *summary, trailer = message.rstrip("\n").split("\n")
    assert trailer.startswith(TRAILER) and trailer.isascii() and trailer.isprintable()
    assert not re.search(f"[{re.escape(BREAKERS)}]", "\n".join(summary))
    assert read_record(Tag("privacy/v2.0", "abc", message, None, True)).reasons == ["new\u2029reason\x00here"]


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=title, text=paragraph)
@example(title="\xc2\xa1", text="0")
@example(title="Privacy\u2028Policy\x00 \U00010000", text="We share\u2029data\u0085 with\x1e\x1f partners\u2028.")
def test_any_title_and_changed_text_round_trip_through_publish_notify_and_feed(
    title, text, tmp_path_factory, monkeypatch
):
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    repo = released_repo(tmp_path_factory.mktemp("roundtrip"))
    monkeypatch.chdir(repo.root)
    policy = repo.read("policies/privacy.md")
    policy = policy.replace("title: Example Privacy Policy", f"title: {front_matter_string(title)}")
    repo.commit("Change", {"policywatch.toml": CONFIG, "policies/privacy.md": policy + f"\n{text}\n"})
    assert run("subscribers", "add", "alice@example.com").exit_code == 0
    engine = json.loads(run("diff", "privacy@1.0", "privacy", "--format", "json").stdout)
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("publish", "--yes", "--date", "2024-03-15", "--as", "material")
    assert result.exit_code == 0, result.output
    # The record, as every reader gets it back from the tag.
    [tag] = [t for t in Git(repo.root).tags() if t.name == "privacy/v2.0"]
    record = read_record(tag)
    shown = one_line_title(title.strip())
    assert record.title == shown
    assert [c.new_text for c in record.changes] == [c["new_text"] for c in engine["changes"]]
    # The notice, as the SMTP server received it.
    [received] = handler.messages
    msg = email.message_from_bytes(received.data, policy=email.policy.default)
    assert shown in " ".join(msg["Subject"].split())
    # The feed, as a feed reader parses it.
    assert run("feed", "feed.xml").exit_code == 0
    feed = feedparser.parse((repo.root / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e for e in feed.entries if "/privacy/v2.0/" in e.link]
    # The title as the XML holds it: feedparser "repairs" text that looks double-encoded ('Â¡' -> '¡').
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.parse(repo.root / "feed.xml").getroot().iter(f"{atom}entry")
    [entry] = [e for e in entries if "/privacy/v2.0/" in e.find(f"{atom}link").get("href")]
    assert entry.findtext(f"{atom}title").startswith(_NOT_XML.sub("", shown) + " 2.0:")
