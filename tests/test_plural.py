"""Counts in messages read as English: one helper says "1 policy" and "2 policies"."""

import pytest

from policywatch.plural import plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "policy", "1 policy"),
        (2, "policy", "2 policies"),
        (0, "policy", "0 policies"),
        (1, "entry", "1 entry"),
        (3, "entry", "3 entries"),
        (2, "day", "2 days"),
        (1, "attempt", "1 attempt"),
        (4, "attempt", "4 attempts"),
        (0, "bad row", "0 bad rows"),
    ],
)
def test_a_count_takes_the_noun_in_its_number(count, noun, expected):
    assert plural(count, noun) == expected
