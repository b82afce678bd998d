"""A policy file: YAML front matter, a Markdown body, and the dates written in it.

Parsing is lossless: ``Policy.text`` gives back exactly the bytes that were read,
and the rewrites a release needs (version, effective and updated dates) touch
only the lines that hold them, in the style they were written in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from policywatch.dates import (
    DATE_PATTERN,
    DateFormat,
    InvalidDate,
    parse_human_date,
    parse_iso_date,
)
from policywatch.errors import PolicyFormatError
from policywatch.frontmatter import simple_front_matter

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import yaml

MAX_POLICY_BYTES = 10 * 1024 * 1024
# A notice period longer than ten years is a typo, not a promise to customers.
MAX_NOTICE_DAYS = 3650
KINDS = ("policy", "register")

# Lines end in LF, CRLF or a lone CR (old Mac files): every pattern accepts all three.
_BOL = r"(?:(?<=[\r\n])|\A)"
_EOL = r"(?=[\r\n]|\Z)"
_OPEN_FENCE = re.compile(r"\A(\ufeff?)---[ \t]*(\r\n|\n|\r)")
_CLOSE_FENCE = re.compile(rf"{_BOL}(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r|\Z)")
_H1 = re.compile(rf"{_BOL}#[ \t]+([^\r\n]+?)[ \t#]*{_EOL}")

_EFFECTIVE_LABELS = (
    r"effective\s+date|effective\s+as\s+of|effective\s+from|effective\s+on|effective"
    r"|date\s+of\s+effect|in\s+effect\s+(?:from|as\s+of)"
)
_UPDATED_LABELS = (
    r"last\s+updated(?:\s+on)?|last\s+modified(?:\s+on)?|last\s+revised(?:\s+on)?|last\s+changed"
    r"|date\s+of\s+last\s+revision|updated(?:\s+on)?|revised(?:\s+on)?"
)
# Each match starts on the line break before its line (the body is read with one put in front):
# a pattern that starts with a character set lets the regex engine skip to the next line break,
# several times faster than testing every position for a line start.
_DATE_LINE = re.compile(
    rf"[\r\n](?P<pre>[ \t>*_#\-]*)(?P<label>(?P<eff>{_EFFECTIVE_LABELS})|(?P<upd>{_UPDATED_LABELS}))"
    rf"(?P<sep>[ \t]*[*_]*[ \t]*[:：]?[ \t]*[*_]*[ \t]*)(?P<date>{DATE_PATTERN})(?P<post>[ \t*_.)]*){_EOL}",
    re.I,
)
# Deeper than this, a front matter is an attack, not metadata.
MAX_NESTING = 20
_TEXT_KEYS = ("title", "version")
_NULL_TAG = "tag:yaml.org,2002:null"
# Scalars a title or version keeps exactly as written (YAML 1.1 would read "No" as false, 1.10 as 1.1).
_AS_WRITTEN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "int", "float", "timestamp")}


@cache
def _string_loader() -> type[yaml.SafeLoader]:
    """Safe YAML that keeps scalars as written: '1.0' stays a version, dates stay text.

    Built on first use: most front matter never needs PyYAML (``policywatch.frontmatter``).
    """
    import yaml

    class StringLoader(yaml.SafeLoader):
        pass

    StringLoader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return StringLoader


@dataclass(frozen=True)
class DateLine:
    """A line of the body that states the effective or last-updated date."""

    kind: str  # "effective" | "updated"
    line: int  # 1-based line number in the file
    start: int  # offset of the date in the file text
    end: int
    date: dt.date
    format: DateFormat
    label: str


@dataclass(frozen=True)
class Policy:
    """One policy file, parsed. ``text`` reproduces the file byte for byte."""

    path: str
    slug: str
    prefix: str  # BOM and opening fence, or "" without front matter
    front_matter: str | None  # raw YAML between the fences
    closing: str  # closing fence line, or ""
    body: str
    meta: dict[str, Any] = field(default_factory=dict)
    date_lines: tuple[DateLine, ...] = ()
    date_order: str | None = None  # "dmy" | "mdy": how numeric body dates were read

    @property
    def text(self) -> str:
        return self.prefix + (self.front_matter or "") + self.closing + self.body

    @property
    def title(self) -> str:
        if isinstance(self.meta.get("title"), str) and self.meta["title"].strip():
            return self.meta["title"].strip()
        if m := _H1.search(self.body):
            return m.group(1).strip()
        return self.slug

    @property
    def version(self) -> str | None:
        value = self.meta.get("version")
        return str(value) if value is not None else None

    @property
    def effective(self) -> dt.date | None:
        return self._date("effective")

    @property
    def kind(self) -> str:
        """ "register" for a list of sub-processors judged entry by entry; "policy" otherwise."""
        return self.meta.get("kind") or "policy"

    @property
    def notice_days(self) -> int | None:
        """The policy's own notice period (front matter ``notice_days``); None: the project's default."""
        return self.meta.get("notice_days")

    @property
    def updated(self) -> dt.date | None:
        return self._date("updated")

    def date_line(self, kind: str) -> DateLine | None:
        return next((d for d in self.date_lines if d.kind == kind), None)

    def _date(self, key: str) -> dt.date | None:
        if isinstance(self.meta.get(key), dt.date):
            return self.meta[key]
        line = self.date_line(key)
        return line.date if line else None

    @property
    def newline(self) -> str:
        """The file's line ending (the first one in it), for lines a release adds."""
        m = re.search(r"\r\n|\n|\r", self.text)
        return m.group() if m else "\n"


def slug_for(path: str | Path) -> str:
    return Path(path).stem


def read_policy(path: str | Path, *, display: str | None = None, date_order: str | None = None) -> Policy:
    """Read and parse a policy file; every failure names the file."""
    path = Path(path)
    name = display or str(path)
    if path.is_symlink():
        raise symlink_error(name)
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyFormatError(name, f"file is {size:,} bytes; policies are limited to {MAX_POLICY_BYTES:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyFormatError(name, "no such file") from None
    except IsADirectoryError:
        raise PolicyFormatError(name, "is a folder, not a policy file") from None
    except PermissionError:
        raise PolicyFormatError(name, "permission denied") from None
    return parse_policy(decode_policy(data, name), path=name, slug=slug_for(path), date_order=date_order)


def symlink_error(name: str) -> PolicyFormatError:
    """A link could point anywhere (outside the repository too); a policy must be its own file."""
    if name.endswith("/"):
        return PolicyFormatError(name, "is a symbolic link; the policies folder must be a folder in the repository")
    return PolicyFormatError(name, "is a symbolic link; a policy must be a regular file in the repository")


def decode_policy(data: bytes, name: str) -> str:
    """Policies are UTF-8 text; say so plainly when a file is not."""
    if b"\x00" in data:
        raise PolicyFormatError(name, "is a binary file (contains NUL bytes), not a Markdown policy")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyFormatError(
            name, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from None


def parse_policy(text: str, *, path: str = "<text>", slug: str | None = None, date_order: str | None = None) -> Policy:
    """Split front matter from body and read the metadata and body dates.

    ``date_order`` ("dmy" or "mdy") reads numeric body dates such as 03/04/2024;
    without it, a date that could be read both ways is refused.
    """
    slug = slug or slug_for(path)
    prefix, front, closing, body = "", None, "", text
    if m := _OPEN_FENCE.match(text):
        end = _CLOSE_FENCE.search(text, m.end())
        if end is None:
            raise PolicyFormatError(path, "front matter starts with '---' but is never closed", 1)
        prefix = text[: m.end()]
        front = text[m.end() : end.start()]
        closing = text[end.start() : end.end()]
        body = text[end.end() :]
    meta = _parse_front_matter(front, path) if front is not None else {}
    body_start = len(prefix) + len(front or "") + len(closing)
    first_body_line = _line_breaks(text, 0, body_start) + 1
    date_lines = _find_date_lines(body, body_start, first_body_line, path, date_order)
    return Policy(path, slug, prefix, front, closing, body, meta, date_lines, date_order)


def _line_breaks(text: str, start: int, end: int) -> int:
    """How many line ends (LF, CRLF or CR) lie between two offsets."""
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


def _parse_front_matter(front: str, path: str) -> dict[str, Any]:
    simple = simple_front_matter(front)
    if simple is None:
        meta = _read_yaml(front, path)
    else:
        meta, written = simple
        meta.update({key: value for key, value in written.items() if key in _TEXT_KEYS})
    for key in ("version", "effective", "updated"):
        if isinstance(meta.get(key), str) and not meta[key].strip():
            # An empty value is a mistake to name, not a missing key: it would pass every check unseen.
            raise PolicyFormatError(
                path, f"front matter '{key}' is empty; give a value or remove the line", _key_line(front, key)
            )
    for key in ("effective", "updated"):
        if meta.get(key) is None:
            meta.pop(key, None)
            continue
        if not isinstance(meta[key], str):
            raise PolicyFormatError(path, f"front matter '{key}' must be a date (YYYY-MM-DD)", _key_line(front, key))
        try:
            meta[key] = parse_iso_date(meta[key])
        except InvalidDate as exc:
            raise PolicyFormatError(path, f"front matter '{key}': {exc}", _key_line(front, key)) from None
    _check_register_keys(meta, front, path)
    return meta


def _read_yaml(front: str, path: str) -> dict[str, Any]:
    """The front matter read as YAML, with every refusal: the path for all that is not flat ``key: value``."""
    import yaml

    loader = _string_loader()(front)
    try:
        _check_nesting(front, path)
        node = loader.get_single_node() if front.strip() else None
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else None
        problem = exc.problem or exc.context or "cannot be read"
        if "'\\t'" in problem:
            problem += " (indent with spaces, not tabs)"
        raise PolicyFormatError(path, f"malformed front matter: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise PolicyFormatError(path, f"malformed front matter: {exc}", 2) from None
    except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
        # An explicit tag the value does not fit (``!!int abc``, ``!!timestamp 2024-02-30``).
        raise PolicyFormatError(path, "malformed front matter: a value does not fit its explicit !!tag", 2) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        raise PolicyFormatError(path, f"front matter must be a mapping of keys to values (key: value), not a {kind}", 2)
    meta = dict(data)
    meta.update(_text_values(node, path))
    return meta


def _check_register_keys(meta: dict[str, Any], front: str, path: str) -> None:
    """``kind`` and ``notice_days`` change how a policy is judged and released: refuse a value that cannot be meant."""
    kind = meta.get("kind")
    if kind is not None and kind not in KINDS:
        raise PolicyFormatError(
            path, f"front matter 'kind' must be one of {', '.join(KINDS)}, got {kind!r}", _key_line(front, "kind")
        )
    key = meta.get("register_key")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise PolicyFormatError(
            path,
            f"front matter 'register_key' must name the table column of the entries (e.g. Name), got {key!r}",
            _key_line(front, "register_key"),
        )
    if "notice_days" not in meta:
        return
    value = meta["notice_days"]
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,5}", value) or int(value) > MAX_NOTICE_DAYS:
        raise PolicyFormatError(
            path,
            f"front matter 'notice_days' must be a whole number of days from 0 to {MAX_NOTICE_DAYS}, got {value!r}",
            _key_line(front, "notice_days"),
        )
    meta["notice_days"] = int(value)


def _check_nesting(front: str, path: str) -> None:
    """Refuse deep nesting from the flat event stream, before the recursive composer sees it.

    ``[[[[...`` thousands deep would otherwise exhaust the stack.
    """
    import yaml

    depth = 0
    for event in yaml.parse(front, Loader=_string_loader()):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                line = event.start_mark.line + 2
                raise PolicyFormatError(path, f"front matter is nested more than {MAX_NESTING} levels deep", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _text_values(node: yaml.Node | None, path: str) -> dict[str, str | None]:
    """Title and version exactly as written; and no key given twice (YAML would keep the last, a release the first)."""
    import yaml

    values: dict[str, str | None] = {}
    if not isinstance(node, yaml.MappingNode):
        return values
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key, line = key_node.value, key_node.start_mark.line + 2
        if key in seen:
            raise PolicyFormatError(path, f"front matter key '{key}' is given twice; keep one", line)
        seen.add(key)
        if key not in _TEXT_KEYS:
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag in _AS_WRITTEN_TAGS:
            values[key] = value_node.value
        elif isinstance(value_node, yaml.ScalarNode) and value_node.tag == _NULL_TAG:
            values[key] = None
        else:
            raise PolicyFormatError(path, f"front matter '{key}' must be a single line of text", line)
    return values


def _key_line(front: str, key: str) -> int | None:
    m = re.search(rf"{_BOL}{re.escape(key)}[ \t]*:", front)
    return _line_breaks(front, 0, m.start()) + 2 if m else None


def _find_date_lines(
    body: str, offset: int, first_line: int, path: str, date_order: str | None
) -> tuple[DateLine, ...]:
    found: dict[str, DateLine] = {}
    # Offsets in ``text`` are one more than in ``body``; a match's start is the break ending the line before.
    text = "\n" + body
    offset -= 1
    for m in _DATE_LINE.finditer(text):
        kind = "effective" if m.group("eff") else "updated"
        if kind in found:
            continue
        line = first_line + _line_breaks(body, 0, m.start())
        try:
            day, fmt = parse_human_date(m.group("date"), date_order)
        except InvalidDate as exc:
            raise PolicyFormatError(path, f"{m.group('label')} line: {exc}", line) from None
        found[kind] = DateLine(kind, line, offset + m.start("date"), offset + m.end("date"), day, fmt, m.group("label"))
        if len(found) == 2:
            break
    return tuple(sorted(found.values(), key=lambda d: d.start))


def with_metadata(
    policy: Policy,
    *,
    version: str | None = None,
    effective: dt.date | None = None,
    updated: dt.date | None = None,
) -> Policy:
    """Return the policy with new release metadata, rewriting only the lines that hold it.

    Front-matter values keep their quoting; body date lines keep their date format.
    A file without front matter gets one, since the version has to live somewhere.
    """
    values = {"version": version, "effective": effective, "updated": updated}
    text = policy.text
    for line in sorted(policy.date_lines, key=lambda d: d.start, reverse=True):
        new = values.get(line.kind)
        if new is not None:
            text = text[: line.start] + line.format.format(new) + text[line.end :]
    reparsed = parse_policy(text, path=policy.path, slug=policy.slug, date_order=policy.date_order)
    front = reparsed.front_matter
    nl = policy.newline
    if front is None:
        front = f"title: {_yaml_scalar(policy.title)}{nl}"
        prefix, closing = f"---{nl}", f"---{nl}"
    else:
        prefix, closing = reparsed.prefix, reparsed.closing
    for key, value in values.items():
        if value is not None:
            rendered = value.isoformat() if isinstance(value, dt.date) else str(value)
            front = _set_key(front, key, rendered, policy.path, nl)
    return parse_policy(
        prefix + front + closing + reparsed.body, path=policy.path, slug=policy.slug, date_order=policy.date_order
    )


def _yaml_scalar(value: str) -> str:
    import yaml

    return yaml.safe_dump(value, default_style='"', width=10_000).strip()


def _set_key(front: str, key: str, value: str, path: str, nl: str) -> str:
    line_rx = re.compile(rf"{_BOL}({re.escape(key)}[ \t]*:[ \t]*)([^\r\n]*?)([ \t]*(?:#[^\r\n]*)?){_EOL}")
    m = line_rx.search(front)
    if m is None:
        if front and not front.endswith(("\n", "\r")):
            front += nl
        return front + f"{key}: {_quote_like('', value)}{nl}"
    old = m.group(2)
    if old in ("|", ">", "|-", ">-") or old.startswith(("[", "{")):
        raise PolicyFormatError(
            path, f"front matter '{key}' is not a plain value; cannot rewrite it", _key_line(front, key)
        )
    return front[: m.start(2)] + _quote_like(old, value) + front[m.end(2) :]


def _quote_like(old: str, value: str) -> str:
    """Quote a new value the way the old one was, so diffs stay one word wide."""
    if old.startswith('"'):
        return f'"{value}"'
    if old.startswith("'"):
        return f"'{value}'"
    if re.fullmatch(r"\d+(\.\d+)*", value) and "." in value and not old:
        return f'"{value}"'
    return value


def replace_body(policy: Policy, body: str) -> Policy:
    """The same policy with another body (used by tests and tools that edit text)."""
    return parse_policy(
        replace(policy, body=body).text, path=policy.path, slug=policy.slug, date_order=policy.date_order
    )
