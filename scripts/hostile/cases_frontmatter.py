"""Front matter and dates: what a policy file can hold that the tool must refuse, or read right."""

from __future__ import annotations

import os
from collections.abc import Callable

from .checks import status_field
from .harness import Case, Check, Expect, Result, Sandbox, Setup, accept, either, nonzero, refuse

CATEGORY = "front matter & dates"
PATH = "policies/privacy.md"

OK_FIELDS = {"title": "Example Privacy Policy", "version": '"2.0"', "effective": "2024-07-01", "updated": "2024-06-01"}
STATUS, CHECK, PUBLISH = ("status",), ("check",), ("publish", "--yes")


def front(**fields: str) -> str:
    """Front matter lines of the released v2.0 with some fields replaced."""
    merged = {**OK_FIELDS, **fields}
    return "".join(f"{key}: {value}\n" for key, value in merged.items())


def body_of(sb: Sandbox) -> str:
    text = sb.read(PATH)
    return text.split("---\n", 2)[2]


def with_front(front_text: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.edit(PATH, f"---\n{front_text}---\n{body_of(sb)}", "Edit front matter")

    return setup


def with_bytes(make: Callable[[str], bytes]) -> Setup:
    """``make(current_text) -> bytes`` written as the whole file, then committed."""

    def setup(sb: Sandbox) -> None:
        sb.edit(PATH, make(sb.read(PATH)), "Edit policy")

    return setup


def released_text(line_end: str = "\n", prefix: str = "") -> Setup:
    return with_bytes(lambda text: (prefix + text.replace("\n", line_end)).encode("utf-8"))


NESTED_LIST = "[" * 5000 + "]" * 5000
NESTED_MAP = "{a: " * 3000 + "1" + "}" * 3000
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

# (name, setup) of files the tool must refuse, naming the file, in status, check and publish.
BAD_FRONT = [
    ("yaml unclosed bracket", front(title="[unclosed")),
    ("yaml unterminated quote", front(title='"Example Privacy')),
    ("yaml tab indentation", front() + "\tnested: value\n"),
    ("yaml list instead of mapping", "- title\n- version\n"),
    ("yaml scalar instead of mapping", "just some words\n"),
    ("yaml python object tag", front(title='!!python/object/apply:os.system ["touch pwned"]')),
    ("yaml unknown tag", front(title="!custom thing")),
    ("yaml nesting bomb, lists", front(title=NESTED_LIST)),
    ("yaml nesting bomb, mappings", front(title=NESTED_MAP)),
    ("duplicate key title", front() + "title: Another Title\n"),
    ("duplicate key version", front() + 'version: "9.0"\n'),
    ("duplicate key effective", front() + "effective: 2024-08-01\n"),
    ("ambiguous date 03/04/2024", front(effective="03/04/2024")),
    ("ambiguous date 03.04.2024", front(effective="03.04.2024")),
    ("impossible date 2024-02-30", front(effective="2024-02-30")),
    ("impossible date 2023-02-29", front(effective="2023-02-29")),
    ("impossible date month 13", front(effective="2024-13-01")),
    ("year 0000", front(effective="0000-01-01")),
    ("five-digit year", front(effective="10000-01-01")),
    ("date in words", front(effective="next tuesday")),
    ("date without zero padding", front(effective="2024-7-1")),
    ("date as a number", front(effective="20240701")),
    ("empty date", front(effective='""')),
    ("date with a time", front(effective="2024-07-01T25:61:00")),
    ("version as a list", front(version="[2, 0]")),
    ("empty version", front(version='""')),
    ("title as a mapping", front(title="{a: b}")),
    ("updated with a broken time", front(updated="2024-06-01T99")),
]

# Also tried with publish, which must refuse before writing anything.
ALSO_PUBLISH = {
    "yaml unclosed bracket",
    "yaml python object tag",
    "yaml nesting bomb, lists",
    "yaml nesting bomb, mappings",
    "duplicate key title",
    "duplicate key version",
    "duplicate key effective",
    "ambiguous date 03/04/2024",
    "impossible date 2024-02-30",
    "empty date",
    "empty version",
    "version as a list",
}

# Files legitimately written: the tool must read them right.
GOOD_FRONT = [
    ("title: No read as text", front(title="No"), status_field("privacy", "title", "No")),
    ("title: yes read as text", front(title="yes"), status_field("privacy", "title", "yes")),
    ("title: off read as text", front(title="off"), status_field("privacy", "title", "off")),
    ("title: 1.10 read as text", front(title="1.10"), status_field("privacy", "title", "1.10")),
    ("title: a date read as text", front(title="2024-01-01"), status_field("privacy", "title", "2024-01-01")),
    (
        "unicode title",
        front(title="Política de Privacidade – 隐私政策 ✓"),
        status_field("privacy", "title", "Política de Privacidade – 隐私政策 ✓"),
    ),
    ("leap day 2024-02-29", front(effective="2024-07-01", updated="2024-02-29"), None),
    ("unknown front-matter key kept", front() + "owner: Legal team\n", None),
]


def _bytes_cases() -> list[tuple[str, Setup, tuple[str, ...]]]:
    """Whole-file byte-level mistakes to refuse, with the commands they apply to."""
    all3 = ("status", "check", "publish")

    def latin1(text: str) -> bytes:
        return text.replace("third parties", "tiers partenaires à l'étranger").encode("latin-1")

    def utf16(text: str) -> bytes:
        return text.encode("utf-16")

    def nul_body(text: str) -> bytes:
        return text.replace("## Retention", "## Reten\x00tion").encode()

    def nul_front(text: str) -> bytes:
        return text.replace("title: Example", "title: Exa\x00mple").encode()

    def huge(text: str) -> bytes:
        paragraph = "We may keep records of the services you use and how you use them, for a while. "
        return (text + "\n".join(paragraph * 8 + str(i) for i in range(18_000))).encode()

    def binary(text: str) -> bytes:
        return bytes(range(256)) * 64

    return [
        ("non-UTF-8 (Latin-1) file", with_bytes(latin1), all3),
        ("UTF-16 file", with_bytes(utf16), all3),
        ("NUL byte in the body", with_bytes(nul_body), all3),
        ("NUL byte in the front matter", with_bytes(nul_front), all3),
        ("binary file named .md", with_bytes(binary), all3),
        ("huge file (11 MB)", with_bytes(huge), ("check", "publish")),
    ]


def _symlink(target: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        outside = sb.tmp / "outside.md"
        outside.write_text(sb.read(PATH).replace(OK_FIELDS["title"], "Outside"), encoding="utf-8")
        (sb.root / PATH).unlink()
        os.symlink(target.replace("{outside}", str(outside)), sb.root / PATH)
        sb.commit("Link the policy")

    return setup


def _emptied(content: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        text = sb.read(PATH)
        head = "---\n" + text.split("---\n", 2)[1] + "---\n"
        sb.edit(PATH, head + content if content != "<nothing>" else "", "Empty the policy")

    return setup


def _single_front_matter(sb: Sandbox, r: Result) -> str | None:
    text = (sb.root / PATH).read_bytes().decode("utf-8", errors="replace")
    if text.count("title:") != 1:
        return f"{PATH} now holds {text.count('title:')} front matters"
    return None


def _title_right(sb: Sandbox, r: Result) -> str | None:
    return status_field("privacy", "title", "Example Privacy Policy")(sb, r)


def _cmd(kind: str) -> tuple[str, ...]:
    return {"status": STATUS, "check": CHECK, "publish": PUBLISH}[kind]


def cases() -> list[Case]:
    out: list[Case] = []
    mention = "privacy.md"
    for name, text in BAD_FRONT:
        kinds = ("check", "publish") if name in ALSO_PUBLISH else ("check",)
        for kind in kinds:
            out.append(Case(f"{name} / {kind}", CATEGORY, with_front(text), _cmd(kind), refuse(mention)))
    for name, text, check in GOOD_FRONT:
        out.append(Case(f"{name} / status", CATEGORY, with_front(text), STATUS, accept(check)))
        out.append(Case(f"{name} / check", CATEGORY, with_front(text), CHECK, accept()))
    for name, setup, kinds in _bytes_cases():
        for kind in kinds:
            out.append(Case(f"{name} / {kind}", CATEGORY, setup, _cmd(kind), refuse(mention)))
    for name, target in (("symlink to a file outside the repository", "{outside}"), ("symlink loop", "privacy.md")):
        for kind in ("status", "check", "publish"):
            out.append(Case(f"{name} / {kind}", CATEGORY, _symlink(target), _cmd(kind), refuse(mention)))
    emptied: list[tuple[str, str]] = [
        ("emptied body", ""),
        ("body of white space only", "\n\n   \n"),
        ("empty file", "<nothing>"),
    ]
    for name, content in emptied:
        out.append(Case(f"{name} / publish", CATEGORY, _emptied(content), PUBLISH, refuse(mention)))
        out.append(Case(f"{name} / check", CATEGORY, _emptied(content), CHECK, nonzero("privacy")))
    line_ends: list[tuple[str, Setup, Expect, Expect]] = [
        ("CRLF line ends", released_text("\r\n"), accept(_title_right), accept(_single_front_matter)),
        (
            "CR-only line ends",
            released_text("\r"),
            either(_title_right, mention),
            either(_single_front_matter, mention),
        ),
        (
            "UTF-8 BOM",
            released_text("\n", "\ufeff"),
            either(_title_right, mention),
            either(_single_front_matter, mention),
        ),
    ]
    for name, setup, status_expect, publish_expect in line_ends:
        out.append(Case(f"{name} / status", CATEGORY, setup, STATUS, status_expect))
        publish_setup = _then_material(setup)
        out.append(Case(f"{name} / publish", CATEGORY, publish_setup, PUBLISH, publish_expect))
    out.append(
        Case("yaml alias bomb (billion laughs) / status", CATEGORY, with_front(front() + LAUGHS), STATUS, either())
    )
    out.append(
        Case(
            "python tag did not run",
            CATEGORY,
            with_front(front(title='!!python/object/apply:os.system ["touch pwned"]')),
            STATUS,
            refuse(mention, check=_no_file("pwned")),
        )
    )
    return out


def _then_material(setup: Setup) -> Setup:
    def both(sb: Sandbox) -> None:
        setup(sb)
        raw = (sb.root / PATH).read_bytes()
        sb.edit(PATH, raw.replace(b"We do not sell", b"We may sell"), "Sell data")

    return both


def _no_file(name: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        return f"{name} was created: YAML ran code" if (sb.root / name).exists() else None

    return check
