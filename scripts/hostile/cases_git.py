"""Git states: CI clones, renames, branches, untrustworthy release tags, half-finished operations."""

from __future__ import annotations

import json
import re
import shutil

from .checks import all_of, new_tag, output_has, output_lacks, status_field, unchanged_tags
from .harness import (
    POLICY,
    SILENT,
    Case,
    Result,
    Sandbox,
    Setup,
    accept,
    either,
    find,
    nonzero,
    refuse,
)

CATEGORY = "git states"
PATH = "policies/privacy.md"
STATUS, CHECK, PUBLISH = ("status",), ("check",), ("publish", "--yes")


def material(sb: Sandbox) -> None:
    sb.material_edit()


def clone(*options: str, edit: bool = True) -> Setup:
    """Make a material edit (or not), then replace the sandbox by a clone made with ``options``."""

    def setup(sb: Sandbox) -> None:
        if edit:
            sb.material_edit()
        target = sb.tmp / "clone"
        sb.git("clone", "-q", *options, f"file://{sb.root}", str(target), cwd=sb.tmp)
        sb.root = target

    return setup


def steps(*setups: Setup) -> Setup:
    def setup(sb: Sandbox) -> None:
        for one in setups:
            one(sb)

    return setup


# --- Release tags that cannot be trusted ---------------------------------------------


def record_of(sb: Sandbox, tag: str = "privacy/v2.0") -> dict:
    message = sb.tag_message(tag)
    line = next(line for line in message.splitlines() if line.startswith("Policywatch-Release: "))
    return json.loads(line.split(": ", 1)[1])


def bad_tag(make_message, lightweight: bool = False, target: str = "HEAD") -> Setup:
    """A material edit on main, then ``privacy/v4.0`` pushed by someone with a broken record."""

    def setup(sb: Sandbox) -> None:
        sb.material_edit()
        if lightweight:
            sb.git("tag", "privacy/v4.0", target)
            return
        record = record_of(sb)
        record.update({"tag": "privacy/v4.0", "version": "4.0", "previous_version": "2.0", "published": "2026-01-05"})
        message = make_message(record)
        (sb.tmp / "tagmsg").write_text(message, encoding="utf-8")
        sb.git("tag", "-a", "privacy/v4.0", "-F", str(sb.tmp / "tagmsg"), target)

    return setup


def message(record: dict, **changes) -> str:
    record = {**record, **changes}
    return f"Example Privacy Policy {record.get('version')}: material\n\nPolicywatch-Release: {json.dumps(record)}\n"


BAD_TAGS = [
    ("record is not JSON", bad_tag(lambda r: "Privacy 4.0\n\nPolicywatch-Release: {not json at all\n")),
    ("lightweight tag", bad_tag(None, lightweight=True)),
    ("annotated tag without a record", bad_tag(lambda r: "Privacy 4.0, tagged by hand\n")),
    ("record with an impossible date", bad_tag(lambda r: message(r, effective="2024-02-30"))),
    ("record with a date in words", bad_tag(lambda r: message(r, effective="soon"))),
    ("record version is a number", bad_tag(lambda r: message(r, version=4))),
    ("record fields of the wrong type", bad_tag(lambda r: message(r, changes="all", reasons=None))),
    ("record names another version", bad_tag(lambda r: message(r, version="5.0"))),
    ("record names another policy", bad_tag(lambda r: message(r, policy="terms", path="policies/terms.md"))),
    ("record path escapes the repository", bad_tag(lambda r: message(r, path="../../etc/passwd"))),
    ("record names another tag", bad_tag(lambda r: message(r, tag="privacy/v9.0"))),
    ("record with an unknown verdict", bad_tag(lambda r: message(r, classification="catastrophic"))),
    ("two records in one tag", bad_tag(lambda r: message(r) + message(r, version="6.0"))),
    ("tag on a tree, not a commit", bad_tag(lambda r: message(r), target="HEAD^{tree}")),
]
BAD = "privacy/v4.0"
FEED_KINDS = {"lightweight tag", "record names another tag", "record path escapes the repository"}


def _status_ignores_bad_tag(sb: Sandbox, r: Result) -> str | None:
    if BAD not in r.output:
        return f"status does not name {BAD}"
    return status_field("privacy", "last_release", "privacy/v2.0")(sb, r)


def _names_bad_tag(sb: Sandbox, r: Result) -> str | None:
    return None if BAD in r.output else f"output does not name {BAD}"


def _feed_without_bad_tag(sb: Sandbox, r: Result) -> str | None:
    feed = (
        (sb.root / "feed.xml").read_text(encoding="utf-8", errors="replace") if (sb.root / "feed.xml").exists() else ""
    )
    if not feed:
        return "no feed written"
    if "4.0" in re.sub(r"\d{4}-\d\d-\d\dT[\d:.+Z-]+", "", feed):
        return f"the feed announces {BAD}"
    return _names_bad_tag(sb, r)


def _publish_ignores_bad_tag(sb: Sandbox, r: Result) -> str | None:
    return all_of(_names_bad_tag, new_tag("privacy/v3.0", '"previous_version": "2.0"'))(sb, r)


def bad_tag_cases() -> list[Case]:
    out: list[Case] = []
    for name, setup in BAD_TAGS:
        out += [
            Case(f"{name} / status", CATEGORY, setup, STATUS, either(_status_ignores_bad_tag, BAD, fail_as=SILENT)),
            Case(f"{name} / check", CATEGORY, setup, CHECK, nonzero(BAD)),
            Case(f"{name} / publish", CATEGORY, setup, PUBLISH, either(_publish_ignores_bad_tag, BAD, fail_as=SILENT)),
        ]
        if name in FEED_KINDS:
            out.append(
                Case(f"{name} / feed", CATEGORY, setup, ("feed", "feed.xml"), either(_feed_without_bad_tag, BAD))
            )
    return out


# --- Other branches, renames, metadata --------------------------------------------------


def tag_on_other_branch(edit_main: bool) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.git("switch", "-q", "-c", "other")
        sb.material_edit()
        result = sb.pw("publish", "--yes", "--no-notify")
        if result.code != 0:
            raise RuntimeError(f"publish on the other branch: {result.first_line()}")
        sb.git("switch", "-q", "main")
        if edit_main:
            text = sb.read(PATH).replace("30 days", "10 years")
            sb.edit(PATH, text, "Keep data longer")

    return setup


def _no_site_page(sb: Sandbox, r: Result) -> str | None:
    pages = [p for p in (sb.root / "site").rglob("*") if "3.0" in p.name] if (sb.root / "site").exists() else []
    return f"the site shows a release of another branch: {pages[0]}" if pages else None


def _feed_lacks_v3(sb: Sandbox, r: Result) -> str | None:
    feed = (sb.root / "feed.xml").read_text(encoding="utf-8") if (sb.root / "feed.xml").exists() else ""
    return "the feed announces privacy/v3.0 from another branch" if "v3.0" in feed else None


def rename(edit: str | None) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.git("mv", PATH, "policies/privacy-policy.md")
        text = sb.read("policies/privacy-policy.md")
        if edit == "material":
            text = text.replace("We do not sell", "We may sell")
        elif edit == "minor":
            text = text.replace("with any question", "with any questions")
        sb.edit("policies/privacy-policy.md", text, "Rename the privacy policy")

    return setup


def front_edit(old: str, new: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.edit(PATH, sb.read(PATH).replace(old, new, 1), "Edit front matter")

    return setup


def conflict(operation: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.git("switch", "-q", "-c", "other")
        sb.edit(PATH, sb.read(PATH).replace("30 days", "60 days"), "Sixty days")
        sb.git("switch", "-q", "main")
        sb.edit(PATH, sb.read(PATH).replace("30 days", "90 days"), "Ninety days")
        if operation == "merge":
            sb.git("merge", "-q", "other", check=False)
        elif operation == "rebase":
            sb.git("rebase", "-q", "other", check=False)
        else:
            sb.git("cherry-pick", "other", check=False)

    return setup


def no_config(sb: Sandbox) -> None:
    sb.git("rm", "-q", "policywatch.toml")
    sb.commit("No config")


def empty_policies(sb: Sandbox) -> None:
    sb.git("rm", "-q", "-r", "policies")
    (sb.root / "policies").mkdir(exist_ok=True)
    sb.commit("No policies")


def only_readme(sb: Sandbox) -> None:
    sb.git("rm", "-q", "-r", "policies")
    sb.write("policies/README.txt", "Policies go here.\n")
    sb.commit("Only a readme")


def not_a_repository(sb: Sandbox) -> None:
    shutil.rmtree(sb.root / ".git")


def no_commits(sb: Sandbox) -> None:
    sb.write("policywatch.toml", 'policies = "policies"\n')
    sb.write(PATH, POLICY)


def uncommitted(kind: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.material_edit()
        if kind == "modified":
            sb.write(PATH, sb.read(PATH).replace("30 days", "40 days"))
        elif kind == "staged":
            sb.write(PATH, sb.read(PATH).replace("30 days", "40 days"))
            sb.git("add", PATH)
        else:
            sb.write("policies/cookies.md", "# Cookies\n\nWe use cookies.\n")

    return setup


def journal(content: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.material_edit()
        (sb.root / ".policywatch").mkdir(exist_ok=True)
        (sb.root / ".policywatch" / "publish-journal.json").write_text(content, encoding="utf-8")

    return setup


def hand_made_tag(sb: Sandbox) -> None:
    sb.material_edit()
    sb.git("tag", "-a", "privacy/v3.0", "-m", "made by hand", "HEAD~1")


def existing_hook(sb: Sandbox) -> None:
    hook = sb.root / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    hook.chmod(0o755)


def detached(sb: Sandbox) -> None:
    sb.git("switch", "-q", "--detach", "privacy/v2.0")


def bare_repository(sb: Sandbox) -> None:
    target = sb.tmp / "bare.git"
    sb.git("clone", "-q", "--bare", f"file://{sb.root}", str(target), cwd=sb.tmp)
    sb.root = target


def cases() -> list[Case]:
    fetch = "fetch"
    lacks_never = output_lacks("never released")
    out = [
        Case("shallow clone (depth 1), material edit / check", CATEGORY, clone("--depth", "1"), CHECK, refuse(fetch)),
        Case(
            "shallow clone (depth 1), material edit / publish", CATEGORY, clone("--depth", "1"), PUBLISH, refuse(fetch)
        ),
        Case(
            "shallow clone (depth 1), material edit / status",
            CATEGORY,
            clone("--depth", "1"),
            STATUS,
            either(lacks_never, fetch, fail_as=SILENT),
        ),
        Case(
            "shallow clone (depth 1), nothing changed / check",
            CATEGORY,
            clone("--depth", "1", edit=False),
            CHECK,
            refuse(fetch),
        ),
        Case("shallow clone (depth 2), material edit / check", CATEGORY, clone("--depth", "2"), CHECK, nonzero()),
        Case("clone without tags, material edit / check", CATEGORY, clone("--no-tags"), CHECK, refuse(fetch)),
        Case("clone without tags, material edit / publish", CATEGORY, clone("--no-tags"), PUBLISH, refuse(fetch)),
        Case(
            "clone without tags, material edit / status",
            CATEGORY,
            clone("--no-tags"),
            STATUS,
            either(lacks_never, fetch, fail_as=SILENT),
        ),
        Case(
            "clone without tags, nothing changed / check",
            CATEGORY,
            clone("--no-tags", edit=False),
            CHECK,
            refuse(fetch),
        ),
        Case(
            "single-branch shallow clone, material edit / check",
            CATEGORY,
            clone("--depth", "1", "--single-branch", "--no-tags"),
            CHECK,
            refuse(fetch),
        ),
        Case("full clone, material edit / check", CATEGORY, clone(), CHECK, find("privacy")),
        Case(
            "tag on another branch / status",
            CATEGORY,
            tag_on_other_branch(False),
            STATUS,
            accept(status_field("privacy", "last_release", "privacy/v2.0")),
        ),
        Case("tag on another branch / check", CATEGORY, tag_on_other_branch(False), CHECK, accept()),
        Case(
            "tag on another branch / diff",
            CATEGORY,
            tag_on_other_branch(False),
            ("diff", "privacy"),
            accept(output_lacks("MATERIAL")),
        ),
        Case(
            "tag on another branch / publish",
            CATEGORY,
            tag_on_other_branch(False),
            PUBLISH,
            accept(unchanged_tags(["privacy/v1.0", "privacy/v2.0", "privacy/v3.0"])),
        ),
        Case(
            "tag on another branch / feed",
            CATEGORY,
            tag_on_other_branch(False),
            ("feed", "feed.xml"),
            accept(_feed_lacks_v3),
        ),
        Case(
            "tag on another branch / site build",
            CATEGORY,
            tag_on_other_branch(False),
            ("site", "build", "site"),
            accept(_no_site_page),
        ),
        Case(
            "tag on another branch, material edit on main / check",
            CATEGORY,
            tag_on_other_branch(True),
            CHECK,
            find("privacy"),
        ),
        Case(
            "tag on another branch, material edit on main / status",
            CATEGORY,
            tag_on_other_branch(True),
            STATUS,
            accept(status_field("privacy", "last_release", "privacy/v2.0")),
        ),
        Case("rename + material edit / check", CATEGORY, rename("material"), CHECK, find("privacy-policy")),
        Case(
            "rename + material edit / publish",
            CATEGORY,
            rename("material"),
            PUBLISH,
            accept(new_tag("privacy-policy/v3.0", "material", "policies/privacy.md"), fail_as=SILENT),
        ),
        Case(
            "rename + material edit / status",
            CATEGORY,
            rename("material"),
            STATUS,
            accept(status_field("privacy-policy", "pending", "material"), fail_as=SILENT),
        ),
        Case(
            "rename + material edit / diff",
            CATEGORY,
            rename("material"),
            ("diff", "privacy-policy"),
            accept(output_has("MATERIAL"), fail_as=SILENT),
        ),
        Case("rename only / check", CATEGORY, rename(None), CHECK, accept()),
        Case("rename + minor edit / check", CATEGORY, rename("minor"), CHECK, accept()),
        Case(
            "effective date moved back / check",
            CATEGORY,
            front_edit("2024-07-01", "2024-05-01"),
            CHECK,
            find("effective"),
        ),
        Case(
            "effective date moved back / publish",
            CATEGORY,
            front_edit("2024-07-01", "2024-05-01"),
            PUBLISH,
            refuse("effective"),
        ),
        Case("version lowered / check", CATEGORY, front_edit('"2.0"', '"1.5"'), CHECK, find("version")),
        Case("version lowered / publish", CATEGORY, front_edit('"2.0"', '"1.5"'), PUBLISH, refuse("version")),
        Case("uncommitted edit / publish", CATEGORY, uncommitted("modified"), PUBLISH, refuse("privacy.md")),
        Case("staged, not committed / publish", CATEGORY, uncommitted("staged"), PUBLISH, refuse("privacy.md")),
        Case("untracked new policy / publish", CATEGORY, uncommitted("untracked"), PUBLISH, refuse("cookies.md")),
        Case("merge in progress / publish", CATEGORY, conflict("merge"), PUBLISH, refuse("merge")),
        Case("rebase in progress / publish", CATEGORY, conflict("rebase"), PUBLISH, refuse("rebase")),
        Case("cherry-pick in progress / publish", CATEGORY, conflict("cherry-pick"), PUBLISH, refuse("cherry-pick")),
        Case("merge in progress / check", CATEGORY, conflict("merge"), CHECK, nonzero()),
        Case("detached HEAD / status", CATEGORY, detached, STATUS, accept()),
        Case("detached HEAD / check", CATEGORY, detached, CHECK, accept()),
        Case("no commits / status", CATEGORY, no_commits, STATUS, refuse("commit"), template="bare"),
        Case("no commits / check", CATEGORY, no_commits, CHECK, refuse(), template="bare"),
        Case("no commits / publish", CATEGORY, no_commits, PUBLISH, refuse("commit"), template="bare"),
        Case("not a git repository / status", CATEGORY, not_a_repository, STATUS, refuse("git")),
        Case("not a git repository / check", CATEGORY, not_a_repository, CHECK, refuse("git")),
        Case("not a git repository / publish", CATEGORY, not_a_repository, PUBLISH, refuse("git")),
        Case("bare repository / status", CATEGORY, bare_repository, STATUS, refuse()),
        Case("bare repository / check", CATEGORY, bare_repository, CHECK, refuse()),
        Case("no policywatch.toml / check", CATEGORY, no_config, CHECK, refuse("policywatch.toml")),
        Case("no policies / check", CATEGORY, empty_policies, CHECK, refuse("polic")),
        Case("policies folder without policies / check", CATEGORY, only_readme, CHECK, refuse("polic")),
        Case("no policywatch.toml, no policies / check", CATEGORY, steps(no_config, empty_policies), CHECK, refuse()),
        Case("check --against an unknown revision", CATEGORY, None, ("check", "--against", "nope"), refuse("nope")),
        Case("check --against beyond the root", CATEGORY, None, ("check", "--against", "HEAD~50"), refuse("HEAD~50")),
        Case("check --against an option", CATEGORY, None, ("check", "--against=--output=x"), refuse("--output")),
        Case("tag of the next version exists / publish", CATEGORY, hand_made_tag, PUBLISH, refuse("privacy/v3.0")),
        Case(
            "unreadable publish journal / publish",
            CATEGORY,
            journal("{garbage"),
            PUBLISH,
            refuse("publish-journal.json"),
        ),
        Case(
            "publish journal of the wrong shape / publish",
            CATEGORY,
            journal('{"id": 5, "tags": "x"}'),
            PUBLISH,
            refuse("publish-journal.json"),
        ),
        Case("existing pre-push hook / hook install", CATEGORY, existing_hook, ("hook", "install"), refuse("pre-push")),
    ]
    return out + bad_tag_cases()
