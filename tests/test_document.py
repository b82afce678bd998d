"""Policy files: lossless parsing, metadata, body date lines, and the rewrites a release makes."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policywatch.document import parse_policy, read_policy, with_metadata
from policywatch.errors import PolicyFormatError

ZEPP = """---
title: Zepp Health Privacy Policy
version: "1.0"
effective: 2024-08-09
updated: 2024-08-09
owner: Zepp Health Corporation
---
# Zepp Health Privacy Policy

Effective Date: August 9, 2024

## About This Privacy Policy

We do not sell any personal information to third parties.
"""


def test_front_matter_gives_title_version_and_dates():
    policy = parse_policy(ZEPP, path="policies/zepp.md")
    assert (policy.title, policy.version) == ("Zepp Health Privacy Policy", "1.0")
    assert policy.effective == dt.date(2024, 8, 9)
    assert policy.updated == dt.date(2024, 8, 9)


def test_versions_stay_text_so_1_10_is_not_1_1():
    policy = parse_policy("---\nversion: 1.10\n---\nbody\n")
    assert policy.version == "1.10"


def test_unknown_front_matter_keys_survive():
    policy = parse_policy(ZEPP)
    assert policy.meta["owner"] == "Zepp Health Corporation"
    rewritten = with_metadata(policy, version="2.0")
    assert "owner: Zepp Health Corporation\n" in rewritten.text


def test_a_file_without_front_matter_is_still_a_policy():
    policy = parse_policy("# Cookie Policy\n\nLast updated: 9 August 2024\n\nWe use cookies.\n", slug="cookies")
    assert policy.title == "Cookie Policy"
    assert policy.version is None
    assert policy.updated == dt.date(2024, 8, 9)
    assert policy.effective is None


def test_title_falls_back_to_the_slug_when_there_is_no_heading():
    assert parse_policy("Just text.\n", slug="terms").title == "terms"


@pytest.mark.parametrize(
    ("line", "kind", "day"),
    [
        ("Effective Date: August 9, 2024", "effective", dt.date(2024, 8, 9)),
        ("Effective date: 2024-08-09", "effective", dt.date(2024, 8, 9)),
        ("**Effective Date:** August 9, 2024", "effective", dt.date(2024, 8, 9)),
        ("_Effective as of 9 August 2024._", "effective", dt.date(2024, 8, 9)),
        ("Last updated: 9 August 2024", "updated", dt.date(2024, 8, 9)),
        ("Last Updated: Aug 9, 2024", "updated", dt.date(2024, 8, 9)),
        ("*Last modified on August 9th, 2024*", "updated", dt.date(2024, 8, 9)),
        ("## Last revised: 2024/08/09", "updated", dt.date(2024, 8, 9)),
        ("- Updated: 08/09/2024", "updated", dt.date(2024, 8, 9)),
    ],
)
def test_the_body_date_line_is_found_in_its_common_forms(line, kind, day):
    policy = parse_policy(f"# Policy\n\n{line}\n\nText.\n", date_order="mdy")
    found = policy.date_line(kind)
    assert found is not None and found.date == day
    assert found.line == 3


def test_a_sentence_mentioning_a_date_is_not_a_date_line():
    policy = parse_policy(
        "# Policy\n\nThe rules that were effective before August 9, 2024 still apply to old orders.\n"
    )
    assert policy.date_lines == ()


def test_front_matter_dates_win_over_body_lines():
    policy = parse_policy("---\neffective: 2024-09-01\n---\nEffective Date: August 9, 2024\n")
    assert policy.effective == dt.date(2024, 9, 1)


def test_a_release_rewrites_front_matter_and_body_date_in_their_own_style():
    new = with_metadata(parse_policy(ZEPP), version="2.0", effective=dt.date(2025, 1, 5), updated=dt.date(2024, 12, 6))
    assert 'version: "2.0"\neffective: 2025-01-05\nupdated: 2024-12-06\n' in new.text
    assert "\nEffective Date: January 5, 2025\n" in new.text
    old_lines, new_lines = ZEPP.splitlines(), new.text.splitlines()
    assert sum(a != b for a, b in zip(old_lines, new_lines, strict=True)) == 4


def test_a_release_keeps_windows_line_endings():
    crlf = ZEPP.replace("\n", "\r\n")
    new = with_metadata(parse_policy(crlf), version="1.1", updated=dt.date(2024, 9, 1))
    assert "\n" not in new.text.replace("\r\n", "")
    assert 'version: "1.1"\r\n' in new.text


def test_a_release_adds_front_matter_to_a_file_without_one():
    policy = parse_policy("# Terms\n\nLast updated: 9 August 2024\n\nBe nice.\n", slug="terms")
    new = with_metadata(policy, version="1.0", updated=dt.date(2024, 10, 1))
    assert new.text.startswith('---\ntitle: "Terms"\nversion: "1.0"\nupdated: 2024-10-01\n---\n# Terms\n')
    assert "Last updated: 1 October 2024" in new.text


# -- lossless round trip --------------------------------------------------------------------

FRONT_VALUES = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20).map(
    lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'
)
BODY = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=400)


@given(title=FRONT_VALUES, extra=FRONT_VALUES, body=BODY, newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_file_read_and_written_back_is_identical(title, extra, body, newline):
    text = newline.join(["---", f"title: {title}", f"custom_key: {extra}", "---", ""]) + body
    try:
        policy = parse_policy(text)
    except PolicyFormatError:
        return  # a body with an impossible date line is refused, not mangled
    assert policy.text == text
    assert policy.text.encode("utf-8") == text.encode("utf-8")
    assert policy.front_matter is not None


@given(body=BODY)
def test_a_file_without_front_matter_round_trips(body):
    try:
        policy = parse_policy(body)
    except PolicyFormatError:
        return
    assert policy.text == body


def test_the_bundled_policies_round_trip_byte_for_byte():
    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("policies").glob("*.md")):
        data = path.read_bytes()
        assert read_policy(path).text.encode("utf-8") == data


# -- bad input ------------------------------------------------------------------------------


def _error(text: str) -> PolicyFormatError:
    with pytest.raises(PolicyFormatError) as info:
        parse_policy(text, path="policies/bad.md")
    return info.value


def test_malformed_yaml_names_the_file_and_line():
    err = _error("---\ntitle: Privacy\nversion: [1.0\n---\nbody\n")
    assert str(err).startswith("policies/bad.md:")
    assert "malformed front matter" in str(err)
    assert err.line in (3, 4, 5)


def test_front_matter_that_is_not_a_mapping_is_refused():
    err = _error("---\n- a\n- b\n---\nbody\n")
    assert "must be a mapping" in str(err)


def test_an_impossible_front_matter_date_is_refused_with_its_line():
    err = _error("---\ntitle: T\neffective: 2024-02-30\n---\nbody\n")
    assert err.line == 3
    assert "2024-02-30" in str(err) and "effective" in str(err)


def test_an_impossible_body_date_is_refused_with_its_line():
    err = _error("# T\n\nEffective Date: February 30, 2024\n")
    assert err.line == 3


def test_unclosed_front_matter_is_refused():
    assert "never closed" in str(_error("---\ntitle: T\nbody without a fence\n"))


def test_a_non_utf8_file_is_refused_with_the_byte_named(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Politique de confidentialité\n".encode("latin-1"))
    with pytest.raises(PolicyFormatError, match=r"latin1\.md:1: is not valid UTF-8 \(byte 0xe9"):
        read_policy(path)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "logo.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(PolicyFormatError, match="binary"):
        read_policy(path)


def test_a_front_matter_list_value_for_version_is_refused():
    assert "version" in str(_error("---\nversion: [1, 2]\n---\nbody\n"))


# -- front matter read as written -----------------------------------------------------------


@pytest.mark.parametrize("written", ["No", "no", "on", "Off", "yes", "TRUE", "1.10", "2", "0x1F", "1e3", "1_000"])
def test_title_and_version_keep_yaml_1_1_booleans_and_numbers_as_written(written):
    policy = parse_policy(f"---\ntitle: {written}\nversion: {written}\n---\nbody\n")
    assert (policy.title, policy.version) == (written, written)


def test_a_null_title_falls_back_to_the_heading():
    assert parse_policy("---\ntitle: ~\n---\n# Heading\n").title == "Heading"


def test_a_release_keeps_an_unquoted_version_readable_as_text():
    policy = parse_policy("---\ntitle: No\nversion: 1.9\n---\nbody\n")
    new = with_metadata(policy, version="1.10")
    assert new.version == "1.10" and new.title == "No"


def test_a_duplicate_front_matter_key_is_refused_naming_the_key_and_its_second_line():
    err = _error("---\ntitle: T\nversion: 1.0\nowner: x\nversion: 2.0\n---\nbody\n")
    assert err.line == 5
    assert "'version'" in str(err) and "twice" in str(err)
    assert str(err).startswith("policies/bad.md:5: ")


@pytest.mark.parametrize(
    "front",
    ["title: " + "[" * 5000, "title: " + "[" * 100_000 + "]" * 100_000, "".join(" " * i + "a:\n" for i in range(60))],
    ids=["flow-unclosed", "flow-closed", "block"],
)
def test_a_front_matter_nesting_bomb_is_one_line(front):
    err = _error(f"---\n{front}\n---\nbody\n")
    assert "nested more than" in str(err)
    assert "\n" not in str(err)


def test_moderate_nesting_is_still_read():
    policy = parse_policy("---\ntitle: T\nowner: {a: {b: [1, [2, [3]]]}}\n---\nbody\n")
    assert policy.meta["owner"] == {"a": {"b": ["1", ["2", ["3"]]]}}


def test_tab_indented_front_matter_says_to_use_spaces():
    err = _error("---\ntitle: T\n\tversion: 1.0\n---\nbody\n")
    assert err.line == 3
    assert "spaces, not tabs" in str(err)


@pytest.mark.parametrize(("front", "kind"), [("- a\n- b", "list"), ("just words", "single value"), ("42", "single")])
def test_front_matter_that_is_a_list_or_a_scalar_is_one_line(front, kind):
    err = _error(f"---\n{front}\n---\nbody\n")
    assert "must be a mapping" in str(err) and kind in str(err)


def test_a_front_matter_date_in_year_zero_is_refused_with_its_line():
    err = _error("---\ntitle: T\nupdated: 0000-01-01\n---\nbody\n")
    assert err.line == 3 and "updated" in str(err)


def test_a_byte_order_mark_is_kept_and_the_front_matter_still_read():
    text = "\ufeff---\ntitle: T\nversion: '1.0'\n---\nbody\n"
    policy = parse_policy(text)
    assert (policy.title, policy.version, policy.text) == ("T", "1.0", text)
    assert with_metadata(policy, version="1.1").text.startswith("\ufeff---\n")


# -- line ends ---------------------------------------------------------------------------------

CR_ONLY = ZEPP.replace("\n", "\r")


def test_front_matter_with_cr_only_line_ends_is_read():
    policy = parse_policy(CR_ONLY)
    assert (policy.title, policy.version) == ("Zepp Health Privacy Policy", "1.0")
    assert policy.effective == dt.date(2024, 8, 9)
    assert policy.date_line("effective").line == parse_policy(ZEPP).date_line("effective").line == 10


def test_a_release_keeps_cr_only_line_ends_and_adds_no_second_front_matter():
    new = with_metadata(parse_policy(CR_ONLY), version="2.0", effective=dt.date(2025, 1, 5))
    assert new.text.count("---") == 2
    assert "\n" not in new.text
    expected = with_metadata(parse_policy(ZEPP), version="2.0", effective=dt.date(2025, 1, 5))
    assert new.text == expected.text.replace("\n", "\r")


def test_a_file_without_front_matter_gets_one_in_its_own_cr_line_ends():
    policy = parse_policy("# Terms\r\rBe nice.\r", slug="terms")
    new = with_metadata(policy, version="1.0")
    assert new.text == '---\rtitle: "Terms"\rversion: "1.0"\r---\r# Terms\r\rBe nice.\r'


# -- numeric dates -------------------------------------------------------------------------------


def test_an_ambiguous_body_date_is_refused_naming_the_file_and_line():
    err = _error("# T\n\nSome text.\n\nLast updated: 03/04/2024\n")
    assert str(err).startswith("policies/bad.md:5: ")
    assert "ambiguous" in str(err) and "date_order" in str(err)


@pytest.mark.parametrize(("order", "day"), [("dmy", dt.date(2024, 4, 3)), ("mdy", dt.date(2024, 3, 4))])
def test_the_date_order_reads_an_ambiguous_body_date(order, day):
    assert parse_policy("# T\n\nLast updated: 03/04/2024\n", date_order=order).updated == day


def test_an_unambiguous_numeric_date_is_read_without_a_date_order():
    assert parse_policy("# T\n\nLast updated: 25/12/2024\n").updated == dt.date(2024, 12, 25)


def test_a_rewrite_in_the_configured_order_keeps_the_order():
    policy = parse_policy("# T\n\nLast updated: 03/04/2024\n", date_order="dmy")
    new = with_metadata(policy, updated=dt.date(2025, 1, 5))
    assert "Last updated: 05/01/2025\n" in new.text and new.updated == dt.date(2025, 1, 5)


def test_a_rewrite_that_would_write_an_ambiguous_date_is_refused_without_a_date_order():
    policy = parse_policy("# T\n\nLast updated: 25/12/2024\n", path="policies/bad.md")
    with pytest.raises(PolicyFormatError, match="bad.md:.*ambiguous.*date_order"):
        with_metadata(policy, updated=dt.date(2025, 1, 5))


# -- files -----------------------------------------------------------------------------------


def test_a_symlinked_policy_is_refused_naming_the_link(tmp_path):
    target = tmp_path / "elsewhere.md"
    target.write_text("# Elsewhere\n", encoding="utf-8")
    link = tmp_path / "privacy.md"
    link.symlink_to(target)
    with pytest.raises(PolicyFormatError, match=r"privacy\.md: is a symbolic link"):
        read_policy(link)


@pytest.mark.parametrize(
    "value", ["!!int", "!!int abc", "!!float abc", "!!bool maybe", "!!timestamp nonsense", "!!timestamp 2024-02-30"]
)
@pytest.mark.parametrize("key", ["owner", "title", "effective"])
def test_a_value_that_does_not_fit_its_explicit_tag_is_one_line(key, value):
    err = _error(f"---\n{key}: {value}\n---\nbody\n")
    assert "explicit !!tag" in str(err)


@pytest.mark.parametrize("line", ['version: ""', "effective: ''", 'updated: "  "'])
def test_an_empty_version_or_date_is_named_with_its_line(line):
    key = line.split(":")[0]
    with pytest.raises(PolicyFormatError, match=f"^policies/x.md:3: front matter '{key}' is empty"):
        parse_policy(f"---\ntitle: X\n{line}\n---\n# X\n\nBody.\n", path="policies/x.md")
