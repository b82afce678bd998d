"""Dates in the styles policies write them, read and written back the same way."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policywatch.dates import DateFormat, InvalidDate, parse_human_date, parse_iso_date

FORMS = [
    ("August 9, 2024", "January 15, 2025"),
    ("Aug 9, 2024", "Jan 15, 2025"),
    ("Aug. 9, 2024", "Jan. 15, 2025"),
    ("August 09, 2024", "January 15, 2025"),
    ("August 9th, 2024", "January 15th, 2025"),
    ("August 9 2024", "January 15 2025"),
    ("9 August 2024", "15 January 2025"),
    ("9th of August 2024", "15th of January 2025"),
    ("09 Aug 2024", "15 Jan 2025"),
    ("2024-08-09", "2025-01-15"),
    ("2024/08/09", "2025/01/15"),
]
# Numeric day and month: read in the configured date order.
NUMERIC_FORMS = [
    ("08/09/2024", "01/15/2025", "mdy"),
    ("09/08/2024", "15/01/2025", "dmy"),
    ("09.08.2024", "15.01.2025", "dmy"),
    ("08.09.2024", "01.15.2025", "mdy"),
]


@pytest.mark.parametrize(("written", "rewritten"), FORMS)
def test_a_date_is_rewritten_in_the_style_it_was_written(written, rewritten):
    day, fmt = parse_human_date(written)
    assert day == dt.date(2024, 8, 9)
    assert fmt.format(dt.date(2025, 1, 15)) == rewritten


@pytest.mark.parametrize(("written", "rewritten", "order"), NUMERIC_FORMS)
def test_a_numeric_date_is_read_and_rewritten_in_the_configured_order(written, rewritten, order):
    day, fmt = parse_human_date(written, order)
    assert day == dt.date(2024, 8, 9)
    assert fmt.format(dt.date(2025, 1, 15)) == rewritten


def test_ordinal_suffixes_follow_english_rules():
    _, fmt = parse_human_date("August 1st, 2024")
    assert [fmt.format(dt.date(2024, 8, d)) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == [
        "August 1st, 2024", "August 2nd, 2024", "August 3rd, 2024", "August 4th, 2024", "August 11th, 2024",
        "August 12th, 2024", "August 13th, 2024", "August 21st, 2024", "August 22nd, 2024", "August 23rd, 2024",
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["03/04/2024", "03.04.2024", "1/12/2024"])
def test_a_numeric_date_that_reads_both_ways_is_refused_without_a_date_order(text):
    with pytest.raises(InvalidDate, match="ambiguous.*date_order"):
        parse_human_date(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("25/12/2024", dt.date(2024, 12, 25)),
        ("12/25/2024", dt.date(2024, 12, 25)),
        ("25.12.2024", dt.date(2024, 12, 25)),
        ("04/04/2024", dt.date(2024, 4, 4)),
    ],
)
def test_a_numeric_date_with_only_one_reading_needs_no_date_order(text, day):
    assert parse_human_date(text)[0] == day


@pytest.mark.parametrize(("order", "day"), [("dmy", dt.date(2024, 4, 3)), ("mdy", dt.date(2024, 3, 4))])
def test_the_date_order_decides_an_ambiguous_date(order, day):
    assert parse_human_date("03/04/2024", order)[0] == day


def test_a_date_that_contradicts_the_date_order_is_refused():
    with pytest.raises(InvalidDate, match="month must be in 1..12.*mdy"):
        parse_human_date("25/12/2024", "mdy")


@pytest.mark.parametrize(
    "text", ["2024-02-30", "February 30, 2024", "31 April 2024", "13/45/2024", "0000-01-01", "31/02/2024"]
)
def test_an_impossible_date_is_refused(text):
    with pytest.raises(InvalidDate):
        parse_human_date(text)


@pytest.mark.parametrize("text", ["2024-8-9", "09/08/24", "yesterday", "2024-02-30"])
def test_front_matter_dates_must_be_real_iso_dates(text):
    with pytest.raises(InvalidDate):
        parse_iso_date(text)


STYLES = st.builds(
    DateFormat,
    style=st.sampled_from(["iso", "ymd-slash", "mdy-slash", "dmy-slash", "dmy-dot", "mdy-dot", "mdy", "dmy"]),
    month=st.sampled_from(["full", "abbr", "abbr-dot"]),
    pad=st.booleans(),
    ordinal=st.booleans(),
    comma=st.booleans(),
    of=st.booleans(),
)


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)), fmt=STYLES)
def test_every_written_date_reads_back_as_the_same_day(day, fmt):
    order = fmt.style[:3] if fmt.style[:3] in ("dmy", "mdy") else None
    parsed, _ = parse_human_date(fmt.format(day), order)
    assert parsed == day
