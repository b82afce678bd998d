"""Subscribers: addresses that are not addresses, CSV files that are not CSV, cells that are formulas."""

from __future__ import annotations

from .checks import csv_cells_safe, mode_at_most, subscriber_emails
from .harness import Case, Check, Result, Sandbox, Setup, accept, either, refuse

CATEGORY = "subscribers"

BAD_ADDRESSES = [
    ("no @", "bad"),
    ("empty local part", "@example.com"),
    ("empty domain", "a@"),
    ("domain starts with a hyphen", "a@-bad.com"),
    ("domain ends with a hyphen", "a@bad-.com"),
    ("two dots in the domain", "a@b..com"),
    ("space in the local part", "a b@example.com"),
    ("two @", "a@b@example.com"),
    ("header injection", "a@example.com\r\nBcc: x@evil.test"),
    ("terminal escape", "a@example.com\x1b[2J"),
    ("angle brackets", "<a@example.com>"),
    ("display name", "Ana <a@example.com>"),
    ("local part over 64 characters", "a" * 65 + "@example.com"),
    ("address over 254 characters", "a@" + ".".join(["b" * 60] * 5) + ".com"),
    ("domain label over 63 characters", "a@" + "b" * 64 + ".com"),
    ("bare IP domain", "a@127.0.0.1"),
    ("domain without a dot", "a@localhost"),
    ("trailing dot in the local part", "a.@example.com"),
    ("invalid IDN (IDNA 2008)", "a@\u2665.example"),
]

GOOD_ADDRESSES = [
    ("IDN domain keeps its letters (straße)", "a@straße.de", ("a@straße.de", "a@xn--strae-oqa.de")),
    ("punycode domain", "a@xn--bcher-kva.ch", ("a@xn--bcher-kva.ch", "a@bücher.ch")),
    ("plus addressing", "a+policies@example.com", ("a+policies@example.com",)),
    ("upper-case domain", "Ana@Example.COM", ("Ana@example.com", "ana@example.com", "Ana@Example.COM")),
    ("apostrophe", "o'brien@example.com", ("o'brien@example.com",)),
]


def _stored(*allowed: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        emails = subscriber_emails(sb)
        return None if any(e in allowed for e in emails) else f"stored as {emails}, wanted one of {list(allowed)}"

    return check


def csv_file(content: bytes, name: str = "people.csv") -> Setup:
    """The CSV goes beside the repository's files (untracked), and is named by a relative path."""

    def setup(sb: Sandbox) -> None:
        (sb.root / name).write_bytes(content)

    return setup


def import_cmd(name: str = "people.csv") -> tuple[str, ...]:
    return ("subscribers", "import", name)


ROW_LINE = "people.csv:"  # bad rows are reported one line each, as FILE:LINE: ...


HEADER = b"email,name,policies\n"

BAD_FILES = [
    ("header over 131,072 bytes", b"email,name,policies," + b"x" * 200_000 + b"\na@example.com,A,\n"),
    ("cell over 131,072 bytes", HEADER + b"a@example.com," + b"n" * 200_000 + b",\n"),
    ("NUL byte", HEADER + b"a@example.com,A\x00na,\n"),
    ("non-UTF-8 (Latin-1)", HEADER + "a@example.com,Jos\xe9,\n".encode("latin-1")),
    ("UTF-16", (HEADER + b"a@example.com,A,\n").decode().encode("utf-16")),
    ("no header", b"a@example.com,A,\n"),
    ("wrong header", b"mail,name\na@example.com,A\n"),
    ("empty file", b""),
    ("binary", bytes(range(256)) * 8),
    ("unbalanced quote", HEADER + b'a@example.com,"Ana,\n'),
]

ROW_ERRORS = [
    ("bad address on line 3", HEADER + b"a@example.com,A,\nbad,B,\nc@example.com,C,\n", "people.csv:3"),
    ("unknown policy on line 3", HEADER + b"a@example.com,A,\nb@example.com,B,nope\n", "people.csv:3"),
    ("too many columns on line 3", HEADER + b"a@example.com,A,\nb@example.com,B,,extra,more\n", "people.csv:3"),
]

GOOD_FILES = [
    ("BOM before the header (Excel)", b"\xef\xbb\xbf" + HEADER + b"a@example.com,A,\n", ("a@example.com",)),
    ("CRLF line ends", b"email,name,policies\r\na@example.com,A,\r\n", ("a@example.com",)),
    ("same address twice", HEADER + b"a@example.com,A,\na@example.com,A,\n", ("a@example.com",)),
    ("quoted cells with commas", HEADER + b'a@example.com,"Doe, Ana",privacy\n', ("a@example.com",)),
]


def _kept(*emails: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        stored = subscriber_emails(sb)
        missing = [e for e in emails if e not in stored]
        return f"good rows not kept: {missing}" if missing else None

    return check


def add(address: str, name: str = "") -> Setup:
    def setup(sb: Sandbox) -> None:
        r = sb.pw("subscribers", "add", *(("--name", name) if name else ()), "--", address)
        if r.code != 0:
            raise RuntimeError(f"subscribers add {address!r}: {r.first_line()}")

    return setup


FORMULAS = [
    ("address starting with =", "=1+2@example.com", ""),
    ("address starting with +", "+1@example.com", ""),
    ("address starting with -", "-1@example.com", ""),
    ("name starting with =", "ana@example.com", '=HYPERLINK("http://evil.test","x")'),
    ("name starting with @", "ana@example.com", "@SUM(1+1)"),
    ("name starting with a tab and =", "ana@example.com", "\t=1+2"),
]


def _import_formula(sb: Sandbox) -> None:
    (sb.tmp / "people.csv").write_bytes(HEADER + b'ana@example.com,"\t=1+2",\n')
    r = sb.pw("subscribers", "import", str(sb.tmp / "people.csv"))
    if r.code != 0:
        raise RuntimeError(f"import: {r.first_line()}")


def _state_private(sb: Sandbox, r: Result) -> str | None:
    return mode_at_most(".policywatch/state.db", 0o600)(sb) or mode_at_most(".policywatch", 0o700)(sb)


def cases() -> list[Case]:
    out: list[Case] = []
    for name, address in BAD_ADDRESSES:
        out.append(Case(f"add: {name}", CATEGORY, None, ("subscribers", "add", address), refuse()))
    for name, address, stored in GOOD_ADDRESSES:
        out.append(Case(f"add: {name}", CATEGORY, None, ("subscribers", "add", address), accept(_stored(*stored))))
    out.append(
        Case(
            "add: internationalised local part (EAI)",
            CATEGORY,
            None,
            ("subscribers", "add", "用户@例子.广告"),
            either(_stored("用户@例子.广告", "用户@xn--fsqu00a.xn--3lr804guic")),
        )
    )
    for name, content in BAD_FILES:
        out.append(
            Case(
                f"import: {name}",
                CATEGORY,
                csv_file(content),
                import_cmd(),
                refuse("people.csv", error_prefixes=(ROW_LINE,)),
            )
        )
    for name, content, where in ROW_ERRORS:
        out.append(
            Case(
                f"import: {name}",
                CATEGORY,
                csv_file(content),
                import_cmd(),
                refuse(where, one_line=False, check=_kept("a@example.com"), unchanged=False),
            )
        )
    for name, content, stored in GOOD_FILES:
        out.append(Case(f"import: {name}", CATEGORY, csv_file(content), import_cmd(), accept(_kept(*stored))))
    out.append(
        Case(
            "import: a folder", CATEGORY, None, lambda sb: ("subscribers", "import", str(sb.tmp)), refuse("pw-hostile")
        )
    )
    out.append(
        Case("import: a missing file", CATEGORY, None, ("subscribers", "import", "missing.csv"), refuse("missing.csv"))
    )
    for name, address, person in FORMULAS:
        out.append(
            Case(
                f"export: {name}",
                CATEGORY,
                add(address, person),
                ("subscribers", "export", "out.csv"),
                accept(csv_cells_safe("out.csv")),
            )
        )
    out.append(
        Case(
            "export: name imported as tab then =",
            CATEGORY,
            _import_formula,
            ("subscribers", "export", "out.csv"),
            accept(csv_cells_safe("out.csv")),
        )
    )
    out.append(
        Case(
            "state.db is private (0600 in a 0700 folder)",
            CATEGORY,
            None,
            ("subscribers", "add", "ana@example.com"),
            accept(_state_private),
        )
    )
    out.append(
        Case(
            "remove an unknown address",
            CATEGORY,
            None,
            ("subscribers", "remove", "nobody@example.com"),
            refuse("nobody@example.com"),
        )
    )
    out.append(
        Case(
            "add for an unknown policy",
            CATEGORY,
            None,
            ("subscribers", "add", "ana@example.com", "--policy", "nope"),
            refuse("nope"),
        )
    )
    return out
