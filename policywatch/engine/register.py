"""Registers: policies that list sub-processors, judged entry by entry instead of as prose.

A policy whose front matter says ``kind: register`` keeps one entry per
sub-processor, either as rows of a Markdown table (the entity in the column named
by ``register_key``, ``Name`` by default) or as list items that begin with the
entity's name ("[Cloudflare](…). Cloud services provider."), under paragraphs
that may give a shared location ("These subprocessors are located in the EU:").

Two registers are compared by entity name: an entry added is material, a changed
location, purpose or data category is material, an entry removed or any other
field changed is minor, and re-ordering or re-formatting changes nothing. The
prose around the entries is compared as any policy text is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policywatch.engine import lazyre as re
from policywatch.errors import PolicyFormatError

DEFAULT_KEY = "Name"
PURPOSE, DATA, LOCATION, TRANSFER, PARENT = "purpose", "data categories", "location", "transfer mechanism", "parent"
FIELDS = (PURPOSE, DATA, LOCATION, TRANSFER, PARENT)
# A change to one of these tells a customer that their data goes somewhere new or is used anew.
MATERIAL_FIELDS = (LOCATION, PURPOSE, DATA)

# Column headings (lower case, letters only) and the field each one fills.
_COLUMNS = {
    PURPOSE: ("purpose", "purposes", "service", "services", "function", "description", "activity", "processing"),
    DATA: ("datacategories", "categoriesofdata", "data", "personaldata", "datatypes", "dataprocessed", "category"),
    LOCATION: ("location", "locations", "country", "countries", "region", "processinglocation", "datalocation"),
    TRANSFER: ("transfermechanism", "transfer", "transfers", "safeguards", "mechanism", "transfermechanisms"),
    PARENT: ("parent", "parentprocessor", "processor", "under", "subprocessorof"),
}
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[*+-]|\d+[.)])[ \t]+(?P<text>\S.*)$")
_ROW = re.compile(r"^[ \t]{0,3}\|?.*\|.*$")
_SEPARATOR = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SHARED_LOCATION = re.compile(
    r"\b(?:located|based|hosted|established|processed)\s+(?:in|within)\s+(?:the\s+)?(?P<place>[^.:;,()]+)", re.I
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`|~~)")
_NAME_END = re.compile(r"\s+[-–—:]\s+|(?<=[^\s.])\.\s+|:\s+|\s+\(")


@dataclass(frozen=True)
class RegisterSettings:
    """What a register's front matter says about reading it."""

    key: str = DEFAULT_KEY


@dataclass(frozen=True)
class Entry:
    """One sub-processor: its name, its fields by name, the section it sits in and the line it was read from."""

    name: str
    fields: dict[str, str]
    section: str = ""
    line: str = ""

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


@dataclass
class EntryChange:
    """An entry added, changed or removed; for a change, ``changed`` names the fields that differ."""

    status: str  # added | changed | removed
    name: str
    fields: dict[str, str]
    old_fields: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    classification: str = "material"


@dataclass
class RegisterDiff:
    """The entries added, changed and removed between two registers, in document order."""

    entries: list[EntryChange] = field(default_factory=list)

    def of(self, status: str) -> list[EntryChange]:
        return [e for e in self.entries if e.status == status]


def register_settings(text: str) -> RegisterSettings | None:
    """The settings when the text's front matter declares ``kind: register``, else None.

    Read with two patterns rather than a YAML parser: ``compare`` runs on the
    pre-push path and the two keys are plain scalars.
    """
    front = _FRONT.match(text)
    if not front or not re.search(r"^kind[ \t]*:[ \t]*['\"]?register['\"]?[ \t]*(?:#.*)?$", front.group(1), re.M):
        return None
    key = re.search(r"^register_key[ \t]*:[ \t]*['\"]?(.*?)['\"]?[ \t]*(?:#.*)?$", front.group(1), re.M)
    return RegisterSettings(key.group(1).strip() if key and key.group(1).strip() else DEFAULT_KEY)


def clean(text: str) -> str:
    """A cell or item as plain text: links reduced to their text, emphasis dropped, spaces collapsed."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text.replace("\\|", "|"))
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    """Values equal but for case, spacing and a final full stop: re-formatting is not a change."""
    return a.casefold().rstrip(". ") == b.casefold().rstrip(". ")


def _column_field(heading: str) -> str:
    letters = re.sub(r"[^a-z]", "", heading.casefold())
    for name, spellings in _COLUMNS.items():
        if letters in spellings:
            return name
    return clean(heading).casefold()


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [clean(c) for c in re.split(r"(?<!\\)\|", line)]


def _body(text: str) -> tuple[str, list[str]]:
    """The front matter (kept as written) and the body's lines."""
    front = _FRONT.match(text)
    head = front.group(0) if front else ""
    return head, text[len(head) :].splitlines()


def parse_register(text: str, settings: RegisterSettings | None = None) -> tuple[list[Entry], str]:
    """The register's entries in document order, and the text without them (the prose around the entries).

    Tables whose header has the key column give the entries; without such a
    table, the top-level list items do.
    """
    settings = settings or register_settings(text) or RegisterSettings()
    _, lines = _body(text)
    entries, used = _table_entries(lines, settings.key)
    if not entries:
        entries, used = _list_entries(lines)
    prose = "\n".join(line for n, line in enumerate(lines) if n not in used)
    return entries, prose


def _table_entries(lines: list[str], key: str) -> tuple[list[Entry], set[int]]:
    """Rows of the tables that have the key column; a table without a location column takes
    the one a heading or paragraph above it gives ("Hosted in the EU")."""
    entries: list[Entry] = []
    used: set[int] = set()
    section, location = "", ""
    n = 0
    while n < len(lines):
        if m := _HEADING.match(lines[n]):
            section, location = clean(m.group(2)), ""
        header = _cells(lines[n]) if _ROW.match(lines[n]) else []
        if not (header and n + 1 < len(lines) and "|" in lines[n + 1] and _SEPARATOR.match(lines[n + 1])):
            if lines[n].strip() and (place := _SHARED_LOCATION.search(clean(lines[n]))):
                location = place.group("place").strip()
            n += 1
            continue
        names = [h.casefold() for h in header]
        if key.casefold() not in names:
            n += 1
            continue
        key_at = names.index(key.casefold())
        columns = [_column_field(h) for h in header]
        used.update((n, n + 1))
        n += 2
        while n < len(lines) and lines[n].strip() and _ROW.match(lines[n]):
            cells = _cells(lines[n])
            used.add(n)
            if key_at < len(cells) and cells[key_at]:
                fields = {col: cells[i] for i, col in enumerate(columns) if i != key_at and i < len(cells) and cells[i]}
                if location and LOCATION not in columns:
                    fields[LOCATION] = location
                entries.append(Entry(cells[key_at], fields, section, lines[n].strip()))
            n += 1
    return entries, used


def _list_entries(lines: list[str]) -> tuple[list[Entry], set[int]]:
    """Items with the location the paragraph above gives, or their own ("located in …");
    an item indented under another names it as its parent processor."""
    entries: list[Entry] = []
    used: set[int] = set()
    section, location = "", ""
    parents: list[tuple[int, str]] = []  # (indent, name) of the items that enclose the next one
    for n, line in enumerate(lines):
        if m := _HEADING.match(line):
            section, location, parents = clean(m.group(2)), "", []
            if place := _SHARED_LOCATION.search(section):
                location = place.group("place").strip()
            continue
        item = _ITEM.match(line)
        if item is None:
            if line.strip() and not line[:1].isspace():
                parents = []
                if place := _SHARED_LOCATION.search(clean(line)):
                    location = place.group("place").strip()
            continue
        name, rest = _split_item(item.group("text"))
        if not name:
            continue
        indent = len(item.group("indent").expandtabs(4))
        while parents and parents[-1][0] >= indent:
            parents.pop()
        fields = {}
        if rest:
            fields[PURPOSE] = rest
        own = _SHARED_LOCATION.search(rest)
        if own or location:
            fields[LOCATION] = own.group("place").strip() if own else location
        if parents:
            fields[PARENT] = parents[-1][1]
        parents.append((indent, name))
        entries.append(Entry(name, fields, section, line.strip()))
        used.add(n)
    return entries, used


def _split_item(text: str) -> tuple[str, str]:
    """An item's entity name (a leading link or bold text, else the words before the first separator) and the rest."""
    text = text.strip()
    lead = re.match(r"!?\[([^\]]+)\]\([^)]*\)|\*\*(.+?)\*\*|__(.+?)__", text)
    if lead:
        name, rest = clean(next(g for g in lead.groups() if g)), text[lead.end() :]
    else:
        plain = clean(text)
        cut = _NAME_END.search(plain)
        name, rest = (plain[: cut.start()], plain[cut.start() :]) if cut else (plain.rstrip("."), "")
    return name.strip(), clean(rest).lstrip(".:;,–—- ").rstrip(". ").strip()


def diff_registers(old: list[Entry], new: list[Entry]) -> RegisterDiff:
    """Entries matched by name (case and formatting aside): added and changed in the new order, removed after."""
    old_by, new_by = keyed(old), keyed(new)
    out = RegisterDiff()
    for key, entry in new_by.items():
        before = old_by.get(key)
        if before is None:
            out.entries.append(EntryChange("added", entry.name, dict(entry.fields)))
            continue
        changed = [
            f for f in _ordered(set(before.fields) | set(entry.fields)) if not _same(before.get(f), entry.get(f))
        ]
        if changed:
            material = any(f in MATERIAL_FIELDS for f in changed)
            out.entries.append(
                EntryChange(
                    "changed",
                    entry.name,
                    dict(entry.fields),
                    dict(before.fields),
                    changed,
                    "material" if material else "minor",
                )
            )
    for key, entry in old_by.items():
        if key not in new_by:
            out.entries.append(EntryChange("removed", entry.name, {}, dict(entry.fields), [], "minor"))
    return out


def keyed(entries: list[Entry]) -> dict[str, Entry]:
    """Entries by name; a name listed twice is told apart by its location, then by its place in the list."""
    out: dict[str, Entry] = {}
    for entry in entries:
        key = clean(entry.name).casefold()
        if key in out:
            key = f"{key} / {entry.get(LOCATION).casefold()}"
        n = 2
        base = key
        while key in out:
            key, n = f"{base} #{n}", n + 1
        out[key] = entry
    return out


def _ordered(names: set[str]) -> list[str]:
    return [f for f in FIELDS if f in names] + sorted(names - set(FIELDS))


def describe(entry: EntryChange) -> str:
    """The entry as a customer reads it: "Acme AI (United States; model hosting)"."""
    fields = entry.fields or entry.old_fields
    detail = "; ".join(v for v in (fields.get(LOCATION, ""), fields.get(PURPOSE, "")) if v)
    return f"{entry.name} ({detail.rstrip('.')})" if detail else entry.name


def reasons(entry: EntryChange) -> list[str]:
    """Why an entry change is or is not material, naming the entity and each changed field."""
    if entry.status == "added":
        return [f"new sub-processor: {describe(entry)}"]
    if entry.status == "removed":
        return [f"sub-processor removed: {describe(entry)}"]
    out = []
    for name in entry.changed:
        old, new = entry.old_fields.get(name, ""), entry.fields.get(name, "")
        was = f"'{old.rstrip('.')}'" if old else "(none)"
        now = f"'{new.rstrip('.')}'" if new else "(none)"
        out.append(f"sub-processor {entry.name}: {name} changed from {was} to {now}")
    return out


def no_entries(path: str) -> PolicyFormatError:
    return PolicyFormatError(
        path,
        "is a register (kind: register) but lists no entries: give a table with the key column "
        "(register_key, Name by default) or a list",
    )


def compare_register(
    old: str, new: str, settings: RegisterSettings, rules=None, *, labels: tuple[str, str] = ("old", "new")
):
    """Judge two registers entry by entry, and the prose around the entries as any policy text.

    The entry changes come first, in the order a customer reads them: added,
    changed, removed. ``Comparison.register`` keeps them as a table for the views.
    A new text with no entries where the old had some is refused, naming it by its label:
    a broken table must not read as every sub-processor gone.
    """
    from policywatch.engine.comparison import Comparison

    old_entries, old_prose = parse_register(old, settings)
    new_entries, new_prose = parse_register(new, settings)
    if old_entries and not new_entries:
        raise no_entries(labels[1])
    table = diff_registers(old_entries, new_entries)
    table.entries.sort(key=lambda e: ("added", "changed", "removed").index(e.status))
    sections = {e.name: e.section for e in old_entries + new_entries}
    changes = [_change(e, sections.get(e.name, "")) for e in table.entries]
    changes += _compare_prose(old_prose, new_prose, old_entries, new_entries, rules, labels)
    if not changes:
        return Comparison("none", register=table)
    verdict = "material" if any(c.classification == "material" for c in changes) else "minor"
    return Comparison(verdict, changes, register=table)


def _compare_prose(old: str, new: str, old_entries: list[Entry], new_entries: list[Entry], rules, labels) -> list:
    """The changes to the text around the entries.

    That text alone can be a heading and a line, too little for ``compare`` to tell it is
    the same document; the entries both sides list say it is. So when it is refused, it is
    compared again with those entries' lines (the same on both sides) beside it.
    """
    from policywatch.engine.comparison import compare
    from policywatch.errors import NotAPolicy

    try:
        return compare(old, new, rules=rules, labels=labels).changes
    except NotAPolicy:
        kept = keyed(new_entries)
        shared = "\n".join(e.line for key, e in keyed(old_entries).items() if key in kept)
        if not shared:
            raise
        return compare(f"{old}\n\n{shared}\n", f"{new}\n\n{shared}\n", rules=rules, labels=labels).changes


def _change(entry: EntryChange, section: str):
    from policywatch.engine.comparison import Change

    kind = {"added": "insert", "changed": "replace", "removed": "delete"}[entry.status]
    old = _line(entry.name, entry.old_fields) if entry.status != "added" else ""
    new = _line(entry.name, entry.fields) if entry.status != "removed" else ""
    change = Change(section or "Sub-processors", kind, old, new, entry.classification, reasons(entry))
    if entry.status == "changed":
        change.segments = _field_segments(entry)
    return change


def _field_segments(entry: EntryChange) -> list[list[str]]:
    """A changed entry's redline field by field: only the values that changed are struck out and added."""
    segments = [["equal", entry.name]]
    for name in _ordered(set(entry.fields) | set(entry.old_fields)):
        old, new = entry.old_fields.get(name, ""), entry.fields.get(name, "")
        segments.append(["equal", " · "])
        if name not in entry.changed:
            segments.append(["equal", new])
            continue
        segments += [[op, text] for op, text in (("delete", old), ("insert", new)) if text]
    return segments


def _line(name: str, fields: dict[str, str]) -> str:
    return " · ".join([name, *(fields[f] for f in _ordered(set(fields)))])
