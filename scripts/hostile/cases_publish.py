"""Publish: dates that cannot be, choices that do not exist, releases that must still round-trip."""

from __future__ import annotations

import re

from .checks import all_of, new_tag, output_has
from .harness import SILENT, Case, Check, Result, Sandbox, Setup, accept, refuse

CATEGORY = "publish"
PATH = "policies/privacy.md"


def material(sb: Sandbox) -> None:
    sb.material_edit()


def retitle(title: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        text = sb.read(PATH).replace("title: Example Privacy Policy", f"title: {title}")
        sb.edit(PATH, text.replace("We do not sell", "We may sell"), "Sell data, new title")

    return setup


def _feed_has(version: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        out = sb.pw("feed", "feed.xml")
        if out.code != 0:
            return f"feed: exit {out.code}: {out.first_line()}"
        feed = (sb.root / "feed.xml").read_text(encoding="utf-8", errors="replace")
        entries = len(re.findall(r"<entry[ >]", feed))
        return None if entries >= 3 and version in feed else f"the feed has {entries} entries, none for {version}"

    return check


DATES = [
    ("--date 9999-12-15", "9999-12-15", "9999-12-15"),
    ("--date 9999-12-31", "9999-12-31", "9999-12-31"),
    ("--date before the last release", "2024-05-01", "2024-05-01"),
    ("--date 0001-01-01", "0001-01-01", "0001-01-01"),
    ("--date 2024-02-30", "2024-02-30", "2024-02-30"),
    ("--date in words", "tomorrow", "tomorrow"),
    ("--date with a time", "2026-12-01T10:00", "2026-12-01T10:00"),
]


def cases() -> list[Case]:
    out = [
        Case(f"{name}", CATEGORY, material, ("publish", "--yes", "--date", value), refuse(shown))
        for name, value, shown in DATES
    ]
    out += [
        Case("--as an unknown verdict", CATEGORY, material, ("publish", "--yes", "--as", "huge"), refuse("huge")),
        Case("unknown slug", CATEGORY, material, ("publish", "--yes", "nope"), refuse("nope")),
        Case(
            "dry run writes nothing",
            CATEGORY,
            material,
            ("publish", "--dry-run"),
            accept(lambda sb, r: None if sb.tags() == ["privacy/v1.0", "privacy/v2.0"] else "dry run made a tag"),
        ),
        Case(
            "material release with nobody to tell",
            CATEGORY,
            material,
            ("publish", "--yes"),
            accept(all_of(new_tag("privacy/v3.0"), _says_nobody), fail_as=SILENT),
        ),
        Case("nothing changed", CATEGORY, None, ("publish", "--yes"), accept(output_has("nothing to publish"))),
    ]
    for name, char in (("U+2028", "\u2028"), ("U+2029", "\u2029"), ("U+0085", "\u0085")):
        title = f'"Example{char}Privacy Policy"'
        out.append(
            Case(
                f"title holding {name}, then the feed",
                CATEGORY,
                retitle(title),
                ("publish", "--yes"),
                accept(all_of(new_tag("privacy/v3.0"), _feed_has("3.0")), fail_as=SILENT),
            )
        )
    out.append(
        Case(
            "unicode title, then the feed",
            CATEGORY,
            retitle('"Política – 隐私"'),
            ("publish", "--yes"),
            accept(all_of(new_tag("privacy/v3.0", "Política – 隐私"), _feed_has("3.0"))),
        )
    )
    out += summary_cases()
    return out


def summary_cases() -> list[Case]:
    """A release summary is user text: given on the command line, in a file, or in a commit's trailer."""
    return [
        Case(
            "--summary holding a terminal escape and a line separator",
            CATEGORY,
            material,
            ("publish", "--yes", "--summary", "We sell\x1b[2J your data\u2028now."),
            accept(all_of(new_tag("privacy/v3.0", "We sell [2J your data now."), _no_escape("privacy/v3.0"))),
        ),
        Case(
            "--summary of 100,000 characters",
            CATEGORY,
            material,
            ("publish", "--yes", "--summary", "x" * 100_000),
            refuse("2,000"),
        ),
        Case(
            "--summary-file /dev/zero",
            CATEGORY,
            material,
            ("publish", "--yes", "--summary-file", "/dev/zero"),
            refuse("/dev/zero"),
        ),
        Case(
            "--summary-file a folder",
            CATEGORY,
            material,
            ("publish", "--yes", "--summary-file", "."),
            refuse("summary file"),
        ),
        Case(
            "Policy-Summary: trailer of 5,000 characters",
            CATEGORY,
            _trailer("a" * 5000),
            ("publish", "--yes"),
            refuse("Policy-Summary", "--summary"),
        ),
    ]


def _trailer(value: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.material_edit(message=f"Sell data\n\nPolicy-Summary: {value}")

    return setup


def _no_escape(tag: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        return "the record holds a control character" if "\x1b" in sb.tag_message(tag) else None

    return check


def _says_nobody(sb: Sandbox, r: Result) -> str | None:
    said = re.search(r"no(body| one| subscribers?)\b", r.output, re.IGNORECASE)
    return None if said else "publish does not say that nobody will be told"
