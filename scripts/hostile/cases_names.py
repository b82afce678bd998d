"""Policy file names: the slug becomes a tag name, so names git cannot tag must be refused early."""

from __future__ import annotations

from .checks import all_of, new_tag, status_field
from .harness import POLICY, Case, Check, Result, Sandbox, Setup, accept, refuse

CATEGORY = "file names"

# Names that cannot be (part of) a tag name, or that git could read as an option.
BAD_NAMES = [
    "foo bar.md",
    "-rf.md",
    "--help.md",
    "a..b.md",
    "x.lock.md",
    "a~1.md",
    "a^b.md",
    "a:b.md",
    "a?b.md",
    "a*b.md",
    "a[b.md",
    "a\\b.md",
    "a@{b.md",
    "tab\tname.md",
    "new\nline.md",
    "esc\x1b[2Jname.md",
    "del\x7fname.md",
]
IN_ISSUE = {"foo bar.md", "-rf.md", "a..b.md", "x.lock.md", "a~1.md"}
SHOWN = {"tab\tname.md": "tab", "new\nline.md": "line.md", "esc\x1b[2Jname.md": "name.md", "del\x7fname.md": "name.md"}

# Names git and tags take: they must just work.
GOOD_NAMES = [
    ("política.md", "política"),
    ("隐私.md", "隐私"),
    ("UPPER-Case_1.md", "UPPER-Case_1"),
    ("terms.of.service.md", "terms.of.service"),
    ("e\u0301te.md", "e\u0301te"),
]


def add_policy(name: str, title: str = "Second Policy") -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.write(f"policies/{name}", POLICY.replace("Example Privacy Policy", title))
        sb.commit(f"Add {name!r}")

    return setup


def _published(slug: str) -> Check:
    return all_of(new_tag(f"{slug}/v1.0"), _tag_points_at_head(f"{slug}/v1.0"))


def _tag_points_at_head(tag: str) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        head = sb.git("rev-parse", "HEAD")
        target = sb.git("rev-parse", f"refs/tags/{tag}^{{commit}}", check=False)
        return None if target == head else f"{tag} is not on HEAD"

    return check


def cases() -> list[Case]:
    out: list[Case] = []
    for name in BAD_NAMES:
        shown = SHOWN.get(name, name)
        label = repr(name)
        setup = add_policy(name)
        if name in IN_ISSUE:
            out.append(Case(f"{label} / status", CATEGORY, setup, ("status",), refuse(shown)))
        out.append(Case(f"{label} / check", CATEGORY, setup, ("check",), refuse(shown)))
        out.append(Case(f"{label} / publish", CATEGORY, setup, ("publish", "--yes"), refuse(shown)))
    for name, slug in GOOD_NAMES:
        setup = add_policy(name)
        out.append(
            Case(f"{name!r} / status", CATEGORY, setup, ("status",), accept(status_field(slug, "version", "1.0")))
        )
        out.append(Case(f"{name!r} / publish", CATEGORY, setup, ("publish", "--yes"), accept(_published(slug))))
    out.append(
        Case(
            "slug given as an option-like argument / diff",
            CATEGORY,
            None,
            ("diff", "--", "--output=/tmp/x"),
            refuse("--output"),
        )
    )
    out.append(Case("slug with a path / show", CATEGORY, None, ("show", "../../etc/passwd"), refuse("etc/passwd")))
    out.append(
        Case("slug with a path / publish", CATEGORY, None, ("publish", "--yes", "../privacy"), refuse("privacy"))
    )
    out.append(Case("unknown slug / log", CATEGORY, None, ("log", "nope"), refuse("nope")))
    out.append(Case("unknown version / show", CATEGORY, None, ("show", "privacy@9.9"), refuse("9.9")))
    return out
