"""The flat front-matter reading agrees with the YAML reading, and spares the check PyYAML."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from policywatch.document import _read_yaml
from policywatch.errors import PolicyFormatError
from policywatch.frontmatter import simple_front_matter

KEYS = st.sampled_from(
    ["title", "version", "effective", "updated", "owner", "_x", "a-b", "yes", "On", "null", "~", "a b", "-k", "1"]
)
TRICKY = "#:'\"-?[]{},&*!|>%@`~ \t\\.\u00e9\u00a0\u2028\x85\ufeff"
WORDS = st.sampled_from(["", "~", "null", "No", "yes", "TRUE", "off", "1.10", "2024-01-01", "0x1", "a: b", "C#", "..."])
TEXT = st.text(alphabet=st.sampled_from("abc 19" + TRICKY), max_size=12)
VALUES = st.one_of(
    WORDS,
    TEXT,
    TEXT.map(lambda t: f'"{t}"'),
    TEXT.map(lambda t: f"'{t}'"),
    st.tuples(WORDS | TEXT, TEXT).map(lambda p: f"{p[0]} #{p[1]}"),
)
SEPARATORS = st.sampled_from([":", ": ", ":  ", " : ", ":\t"])
LINES = st.one_of(
    st.tuples(KEYS, SEPARATORS, VALUES).map("".join),
    st.sampled_from(["", "   ", "# a comment", "  indented: x", "- item", "key: [a, b]", "k: |", "  more"]),
)
FRONT = st.tuples(st.lists(LINES, max_size=6), st.sampled_from(["\n", "\r\n", "\r"])).map(
    lambda p: p[1].join(p[0]) + (p[1] if p[0] else "")
)


def _typed(mapping):
    return {key: (type(value), value) for key, value in mapping.items()}


@settings(max_examples=1500, deadline=None)
@given(FRONT)
@example('title: Policy x\nversion: "1.2"\neffective: 2024-01-01\nupdated: 2024-06-30\n')
@example("title: No\nversion: 1.10\nowner:\n")
@example("version: 1\nversion: 2\n")
def test_the_flat_reading_equals_the_yaml_reading_wherever_it_answers(front):
    simple = simple_front_matter(front)
    if simple is None:
        return
    meta, written = simple
    try:
        by_yaml = _read_yaml(front, "p.md")
    except PolicyFormatError as exc:
        raise AssertionError(f"the flat reading accepted what YAML refuses: {exc}") from None
    expected = {**meta, **{k: v for k, v in written.items() if k in ("title", "version")}}
    assert _typed(expected) == _typed(by_yaml)


def test_a_usual_front_matter_is_read_flat():
    front = 'title: Zepp Health Privacy Policy\nversion: "1.0"\neffective: 2024-08-09\nowner: Zepp Health\n'
    assert simple_front_matter(front) is not None


def test_a_duplicate_key_is_left_to_the_yaml_reading_that_refuses_it():
    assert simple_front_matter("version: 1\nversion: 2\n") is None


def test_reading_a_usual_policy_does_not_import_yaml(imports_of):
    code = (
        "from policywatch.document import parse_policy; "
        "p = parse_policy('---\\ntitle: T\\nversion: \"1.0\"\\neffective: 2024-01-01\\n---\\n# T\\n'); "
        "assert p.version == '1.0'"
    )
    out, imported = imports_of(code, ("yaml",))
    assert (out.returncode, imported) == (0, [])
