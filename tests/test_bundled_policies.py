"""The example policies shipped in policies/: clean text, correct metadata."""

import datetime as dt
from pathlib import Path

import pytest

from policywatch.document import read_policy

POLICIES = Path(__file__).resolve().parent.parent / "policies"
ALL = sorted(POLICIES.glob("*.md"))


def test_both_seed_policies_are_bundled():
    assert [p.stem for p in ALL] == ["fitbit-store-privacy", "zepp-privacy"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_each_has_complete_front_matter(path):
    policy = read_policy(path)
    assert policy.title and policy.version == "1.0"
    assert policy.meta["effective"] and policy.meta["updated"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_no_web_page_chrome_or_mojibake_is_left(path):
    text = path.read_text(encoding="utf-8")
    for junk in ("Are you at the right place", "Cart cart", "successfully subscribed", "\u00c2", "\ufffd"):
        assert junk not in text


def test_zepp_keeps_its_effective_date_line_in_the_body():
    policy = read_policy(POLICIES / "zepp-privacy.md")
    assert policy.effective == dt.date(2024, 8, 9)
    line = policy.date_line("effective")
    assert line is not None and line.date == dt.date(2024, 8, 9)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_section_titles_are_markdown_headings(path):
    headings = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert len(headings) >= 8
