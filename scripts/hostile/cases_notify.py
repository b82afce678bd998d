"""Notify: SMTP servers that cannot be used, notices owed to late subscribers, text that breaks records.

Every case talks to aiosmtpd servers on loopback started by the run (see servers.py);
each sandbox subscribes its own address, so a case counts only its own messages.
"""

from __future__ import annotations

import re

from .checks import mode_at_most
from .harness import SILENT, Case, Check, Result, Sandbox, Setup, accept, either, refuse

CATEGORY = "notify"
OWED = "owed"
PATH = "policies/privacy.md"


def reader(sb: Sandbox, n: int = 0) -> str:
    token = re.sub(r"[^a-z0-9]", "", sb.tmp.name.lower())
    return f"r{n}.{token}@example.com"


def _must(r: Result, what: str) -> None:
    if r.code != 0:
        raise RuntimeError(f"{what}: exit {r.code}: {r.first_line()}")


def subscribe(sb: Sandbox, n: int = 0, *extra: str) -> None:
    _must(sb.pw("subscribers", "add", reader(sb, n), *extra), "subscribers add")


def publish(sb: Sandbox, *args: str) -> None:
    _must(sb.pw("publish", "--yes", "--no-notify", *args), "publish")


def owed(sb: Sandbox) -> None:
    """One subscriber, then a material release not yet announced."""
    subscribe(sb)
    sb.material_edit()
    publish(sb)


def late(sb: Sandbox) -> None:
    """README order: publish a material release first, import subscribers after."""
    sb.material_edit()
    publish(sb)
    subscribe(sb)


def superseded(sb: Sandbox) -> None:
    """Three material releases before any takes effect; then someone subscribes."""
    sb.material_edit()
    publish(sb)
    for old, new in (("30 days", "10 years"), ("with any question", "by post only, with any question")):
        sb.edit(PATH, sb.read(PATH).replace(old, new), "Another material change")
        publish(sb, "--as", "material")
    subscribe(sb)


def title_with(char: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        subscribe(sb)
        text = sb.read(PATH).replace("title: Example Privacy Policy", f'title: "Example{char}Privacy Policy"')
        text = text.replace("We do not sell", f"We may{char}sell")
        sb.edit(PATH, text, "Sell data")
        publish(sb)

    return setup


def dry_run_addresses(sb: Sandbox) -> None:
    for address in ("a+b@example.com", "a=b@example.com", "a_b@example.com", "a.b@example.com", "a-b@example.com"):
        _must(sb.pw("subscribers", "add", address), "subscribers add")
    sb.material_edit()
    publish(sb)


def received(count: int, n: int = 0) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        got = len(sb.ctx.smtp.mailbox.to(reader(sb, n)))
        return None if got == count else f"{reader(sb, n)} received {got} notices, wanted {count}"

    return check


def _eml_files(count: int) -> Check:
    def check(sb: Sandbox, r: Result) -> str | None:
        files = list((sb.root / "eml").glob("*.eml")) if (sb.root / "eml").exists() else []
        if len(files) != count:
            return f"{len(files)} .eml files left, wanted {count}"
        for path in files:
            problem = mode_at_most(str(path.relative_to(sb.root)), 0o600)(sb)
            if problem:
                return problem
        return None

    return check


def plain(sb: Sandbox) -> dict[str, str]:
    return {"POLICYWATCH_SMTP_URL": sb.ctx.smtp.url("plain")}


def env(name: str, scheme: str = "smtp", userinfo: str = ""):
    return lambda sb: {"POLICYWATCH_SMTP_URL": sb.ctx.smtp.url(name, scheme, userinfo)}


def no_base_url(sb: Sandbox) -> None:
    text = sb.read("policywatch.toml").replace('base_url = "https://example.com/legal/"\n', "")
    sb.edit("policywatch.toml", text, "No site")


def no_sender(sb: Sandbox) -> None:
    text = sb.read("policywatch.toml").replace('from = "Privacy <privacy@example.com>"\n', "")
    sb.edit("policywatch.toml", text, "No sender")


def failed_then(setup: Setup) -> Setup:
    def both(sb: Sandbox) -> None:
        setup(sb)
        sb.pw("notify", env={"POLICYWATCH_SMTP_URL": sb.ctx.smtp.url("closed")})

    return both


def sent_once(sb: Sandbox) -> None:
    owed(sb)
    _must(sb.pw("notify", env=plain(sb)), "first notify")


def bad_tag_owed(sb: Sandbox) -> None:
    """A subscriber, a material edit, and privacy/v4.0 tagged by hand with a record that lies."""
    subscribe(sb)
    sb.material_edit()
    message = sb.tag_message("privacy/v2.0").split("\n\n", 1)[1].replace('"2.0"', '"4.0"').replace("v2.0", "v4.0")
    (sb.tmp / "msg").write_text(message.replace('"classification": "material"', '"classification": 7'), "utf-8")
    sb.git("tag", "-a", "privacy/v4.0", "-F", str(sb.tmp / "msg"))


def _no_v4_notice(sb: Sandbox, r: Result) -> str | None:
    for data in sb.ctx.smtp.mailbox.to(reader(sb)):
        if b"4.0" in data:
            return "a notice announced privacy/v4.0"
    return None if "privacy/v4.0" in r.output else "output does not name privacy/v4.0"


def cases() -> list[Case]:
    out = [
        Case("closed SMTP port", CATEGORY, None, ("notify",), refuse("refused"), env=env("closed"), template=OWED),
        Case(
            "STARTTLS against a server without it",
            CATEGORY,
            None,
            ("notify",),
            refuse("STARTTLS"),
            env=env("plain", "smtp+tls"),
            template=OWED,
        ),
        Case(
            "TLS against a plain server",
            CATEGORY,
            None,
            ("notify",),
            refuse("TLS"),
            env=env("plain", "smtp+ssl"),
            template=OWED,
        ),
        Case(
            "bad credentials",
            CATEGORY,
            None,
            ("notify",),
            refuse("auth", secrets=("Zq9",)),
            env=env("auth", "smtp", "notices:Zq9wrong"),
            template=OWED,
        ),
        Case("no [site] base_url", CATEGORY, no_base_url, ("notify",), refuse("base_url"), env=plain, template=OWED),
        Case("no sender address", CATEGORY, no_sender, ("notify",), refuse("from"), env=plain, template=OWED),
        Case("a notice owed is sent once", CATEGORY, owed, ("notify",), accept(received(1)), env=plain),
        Case("a second run sends nothing more", CATEGORY, sent_once, ("notify",), accept(received(1)), env=plain),
        Case(
            "subscriber who joined after the release",
            CATEGORY,
            late,
            ("notify",),
            accept(received(1), fail_as=SILENT),
            env=plain,
        ),
        Case(
            "three releases before any took effect", CATEGORY, superseded, ("notify",), accept(received(1)), env=plain
        ),
        Case(
            "--retry-now after a refused connection",
            CATEGORY,
            failed_then(owed),
            ("notify", "--retry-now"),
            accept(received(1)),
            env=plain,
        ),
        Case(
            "after a refused connection, a plain re-run",
            CATEGORY,
            failed_then(owed),
            ("notify",),
            either(received(1), fail_as=SILENT),
            env=plain,
        ),
        Case(
            "dry-run writes one private .eml per subscriber",
            CATEGORY,
            dry_run_addresses,
            ("notify", "--dry-run", "--eml-dir", "eml"),
            accept(_eml_files(5)),
            env=plain,
        ),
        Case(
            "release that does not exist",
            CATEGORY,
            None,
            ("notify", "privacy@9.9"),
            refuse("9.9"),
            env=plain,
            template=OWED,
        ),
        Case(
            "release named like a path",
            CATEGORY,
            None,
            ("notify", "../../etc/passwd"),
            refuse("passwd"),
            env=plain,
            template=OWED,
        ),
        Case(
            "untrustworthy tag is never announced",
            CATEGORY,
            bad_tag_owed,
            ("notify",),
            either(_no_v4_notice, "privacy/v4.0"),
            env=plain,
        ),
        Case("audit of an unknown release", CATEGORY, None, ("audit", "privacy@9.9"), refuse("9.9")),
    ]
    for name, char in (("U+2028", "\u2028"), ("U+2029", "\u2029"), ("U+0085", "\u0085"), ("a NUL", "\\0")):
        out.append(
            Case(
                f"title and text holding {name}",
                CATEGORY,
                title_with(char),
                ("notify",),
                accept(received(1), fail_as=SILENT),
                env=plain,
            )
        )
    return out
