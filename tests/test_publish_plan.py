"""The publication plan as a pure function: versions, dates and texts from pending verdicts, no repository."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policywatch.document import parse_policy
from policywatch.errors import EffectiveDateMovedBack, TagExists, UnsupportedVersion
from policywatch.release.check import months_before
from policywatch.release.history import version_key
from policywatch.release.pending import Decision, LastRelease, Pending
from policywatch.release.publish import bump, plan_publication
from tests._publish_support import PRIVACY

DATE = dt.date(2024, 3, 15)


def pending(verdict, text=PRIVACY, released=PRIVACY, decision=None):
    policy = parse_policy(text, path="policies/privacy.md")
    last = LastRelease("1.0", "privacy/v1.0", "abc123", None, parse_policy(released, path="policies/privacy.md"))
    return Pending("privacy", "policies/privacy.md", policy, last, verdict, verdict, ["why"], decision=decision)


def plan(*items, notice_days=30, existing=None):
    return plan_publication(
        list(items), date=DATE, notice_days=notice_days, tag_format="{slug}/v{version}", existing_tags=existing or {}
    )


@pytest.mark.parametrize(
    ("version", "kind", "expected"),
    [
        ("1.0", "material", "2.0"),
        ("1.0", "minor", "1.1"),
        ("1.9", "minor", "1.10"),
        ("2.3.1", "material", "3.0.0"),
        ("2.3.1", "minor", "2.4.0"),
        ("4", "material", "5"),
        ("4", "minor", "4.1"),
    ],
)
def test_bump_follows_major_for_material_and_minor_for_minor(version, kind, expected):
    assert bump(version, kind) == expected


@given(st.lists(st.integers(0, 999), min_size=1, max_size=4), st.sampled_from(["material", "minor"]))
def test_a_bumped_version_is_always_greater(parts, kind):
    version = ".".join(map(str, parts))
    assert version_key(bump(version, kind)) > version_key(version)


def test_a_version_that_is_not_numbers_cannot_be_bumped():
    with pytest.raises(UnsupportedVersion, match="'2024a' cannot be bumped"):
        bump("2024a", "minor", "policies/privacy.md")


def test_a_material_plan_sets_version_dates_and_rewrites_the_text():
    (action,) = plan(pending("material")).actions
    assert (action.version, action.effective, action.updated, action.tag) == (
        "2.0",
        dt.date(2024, 4, 14),
        DATE,
        "privacy/v2.0",
    )
    assert 'version: "2.0"' in action.new_text and "Effective Date: April 14, 2024" in action.new_text
    assert action.old_text == PRIVACY


def test_a_minor_plan_keeps_the_effective_date():
    (action,) = plan(pending("minor")).actions
    assert (action.version, action.effective, action.updated) == ("1.1", dt.date(2024, 3, 1), DATE)
    assert "Effective Date: March 1, 2024" in action.new_text


def test_policies_with_no_change_are_listed_as_unchanged():
    result = plan(pending("none"))
    assert (result.actions, result.unchanged) == ([], ["privacy"])


def test_a_decision_is_carried_into_the_release():
    decision = Decision("minor", "trailer", "f00d", "counsel")
    (action,) = plan(pending("minor", decision=decision)).actions
    release = action.release(DATE, "c0ffee")
    assert (release.decided_by, release.decision_commit, release.decision_note, release.commit) == (
        "trailer",
        "f00d",
        "counsel",
        "c0ffee",
    )


def test_planning_refuses_an_existing_tag():
    with pytest.raises(TagExists, match="privacy/v2.0 already exists"):
        plan(pending("material"), existing={"privacy/v2.0": "0123456789abcdef"})


def test_planning_refuses_an_effective_date_moved_back():
    backdated = PRIVACY.replace("effective: 2024-03-01", "effective: 2024-02-01")
    with pytest.raises(EffectiveDateMovedBack):
        plan(pending("minor", text=backdated))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 3, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 15), 12, dt.date(2024, 1, 15)),
        (dt.date(2025, 1, 15), 13, dt.date(2023, 12, 15)),
    ],
)
def test_months_before_clamps_to_the_end_of_the_month(day, months, expected):
    assert months_before(day, months) == expected
