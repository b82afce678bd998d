"""Front matter in its common shape, read without importing a YAML parser.

Almost every policy's front matter is a flat list of ``key: value`` lines.
PyYAML costs about 20 ms to import and a few more per file, which the pre-push
check pays on every push. ``simple_front_matter`` reads that flat subset and
returns exactly what the YAML reading in ``policywatch.document`` would return;
for anything else (nesting, block or flow values, escapes, a key given twice,
anything malformed) it returns ``None`` and the caller reads the YAML, with its
refusals and their messages. ``tests/test_frontmatter.py`` checks the two
readings agree on generated front matter.
"""

from __future__ import annotations

import re

# The scalars YAML 1.1 resolves to null and to booleans (PyYAML's SafeLoader spelling).
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_FALSE = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:( +)(.*))?")
_QUOTED = re.compile(r"""(?:"([^"\\]*)"|'([^']*)') *(?: #.*)?""")
# A plain value may not start with a YAML indicator, nor hold ': ' (a nested key) or a lone '#'.
_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s]")


def simple_front_matter(front: str) -> tuple[dict[str, object], dict[str, str | None]] | None:
    """The mapping and the title/version as written, or ``None`` when the front matter needs YAML."""
    if "\t" in front:
        return None
    meta: dict[str, object] = {}
    written: dict[str, str | None] = {}
    for line in _LINE_BREAK.split(front):
        if not line.isprintable():
            return None
        if not line.strip(" ") or line.startswith("#"):
            continue
        m = _KEY_LINE.fullmatch(line)
        if m is None:
            return None
        key, space, rest = m.groups()
        if key in meta or key in _NULLS or key in _TRUE or key in _FALSE:
            return None
        if not space and rest is None:
            rest = ""
        value = _value(rest)
        if value is None:
            return None
        meta[key], written[key] = value
    return meta, written


def _value(rest: str) -> tuple[object, str | None] | None:
    """The constructed value and its text as written; ``None`` outside the subset."""
    if rest.startswith(("'", '"')):
        q = _QUOTED.fullmatch(rest)
        if q is None:
            return None
        text = q.group(1) if q.group(1) is not None else q.group(2)
        return text, text
    if " #" in rest:
        rest = rest[: rest.index(" #")]
    text = rest.rstrip(" ")
    if "#" in text or ": " in text or text.endswith(":"):
        return None
    if text in _NULLS:
        return None, None
    if not _PLAIN_START.match(text):
        return None
    if text in _TRUE:
        return True, text
    if text in _FALSE:
        return False, text
    return text, text
