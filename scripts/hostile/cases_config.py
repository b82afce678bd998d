"""Configuration: policywatch.toml mistakes, and connection URLs whose passwords must never be printed."""

from __future__ import annotations

from .checks import output_has
from .harness import CONFIG, Case, Sandbox, Setup, either, refuse

CATEGORY = "config"
SECRET = "Zq9"  # every password below starts with it; it must never be printed


def toml(text: str | bytes, replace_all: bool = False) -> Setup:
    """Write policywatch.toml (the released one plus ``text``, or ``text`` alone) and commit it."""

    def setup(sb: Sandbox) -> None:
        if isinstance(text, bytes):
            sb.write("policywatch.toml", text)
        else:
            sb.write("policywatch.toml", text if replace_all else CONFIG.replace("notice_days = 30\n", "") + text)
        sb.commit("Edit settings")

    return setup


def core(key_line: str) -> str:
    """A top-level key line placed before the first table, replacing the default line of that key."""
    key = key_line.split("=", 1)[0].strip()
    kept = [line for line in CONFIG.splitlines(keepends=True) if line.split("=", 1)[0].strip() != key]
    return key_line + "\n" + "".join(kept)


# (name, policywatch.toml, key the message must name); checked by status and by check.
CORE = [
    ("unterminated string", 'policies = "policies\n', "policywatch.toml"),
    ("unclosed table header", core("[site"), "policywatch.toml"),
    ("duplicate key", core("notice_days = 30\nnotice_days = 40"), "policywatch.toml"),
    ("invalid escape", core('policies = "\\q"'), "policywatch.toml"),
    ("key without value", core("notice_days ="), "policywatch.toml"),
    ("non-UTF-8 bytes", "# caf\xe9\n".encode("latin-1") + CONFIG.encode(), "policywatch.toml"),
    ("NUL byte", b'policies = "policies"\x00\n', "policywatch.toml"),
    ("notice_days as text", core('notice_days = "30"'), "notice_days"),
    ("notice_days negative", core("notice_days = -1"), "notice_days"),
    ("notice_days fractional", core("notice_days = 1.5"), "notice_days"),
    ("notice_days boolean", core("notice_days = true"), "notice_days"),
    ("notice_days infinite", core("notice_days = inf"), "notice_days"),
    ("notice_days as a table", core("notice_days = {days = 30}"), "notice_days"),
    ("review_months as text", core('review_months = "twelve"'), "review_months"),
    ("review_months negative", core("review_months = -3"), "review_months"),
    ("tag_format without version", core('tag_format = "{slug}"'), "tag_format"),
    ("tag_format with unknown field", core('tag_format = "{slug}/v{version}/{nope}"'), "tag_format"),
    ("tag_format like an option", core('tag_format = "-{slug}/v{version}"'), "tag_format"),
    ("tag_format with ..", core('tag_format = "{slug}..v{version}"'), "tag_format"),
    ("tag_format with a space", core('tag_format = "{slug} v{version}"'), "tag_format"),
    ("tag_format with a format spec", core('tag_format = "{slug!r:>999999999}{version}"'), "tag_format"),
    ("policies as a number", core("policies = 5"), "policies"),
    ("policies outside the repository", core('policies = "../outside"'), "policies"),
    ("policies absolute", core('policies = "/etc"'), "policies"),
    ("policies empty", core('policies = ""'), "policies"),
    ("materiality of the wrong type", CONFIG + "\n[materiality]\nalways_material = 5\n", "always_material"),
    ("pyproject table of the wrong type", None, "tool.policywatch"),
]

SYNTAX = 7  # the first CORE entries are TOML syntax errors: status reads them on another path than check

UNKNOWN = [
    ("unknown key (typo notice_day)", core("notice_day = 30"), "notice_day"),
    ("unknown table [emial]", CONFIG + '\n[emial]\nfrom = "a@example.com"\n', "emial"),
    ("unknown key in [site]", CONFIG.replace("[site]\n", "[site]\nbase_ulr = 'x'\n"), "base_ulr"),
]


def pyproject_bad(sb: Sandbox) -> None:
    (sb.root / "policywatch.toml").unlink()
    sb.write("pyproject.toml", '[project]\nname = "x"\n\n[tool]\npolicywatch = "yes"\n')
    sb.commit("Settings in pyproject")


def settings(extra: str, base: str = CONFIG) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.edit("policywatch.toml", base + extra, "Edit settings")

    return setup


NOTIFY_SETTINGS = [
    ("email.from not an address", CONFIG.replace('from = "Privacy <privacy@example.com>"', 'from = "privacy"'), "from"),
    ("email.from bad domain", CONFIG.replace("privacy@example.com", "privacy@-bad.com"), "from"),
    (
        "email.from with a header",
        CONFIG.replace('privacy@example.com>"', 'privacy@example.com>\\r\\nBcc: x@evil.test"'),
        "from",
    ),
    ("email.pool_size zero", CONFIG + "pool_size = 0\n", "pool_size"),
    ("email.rate negative", CONFIG + "rate = -1\n", "rate"),
    ("email.timeout as text", CONFIG + 'timeout = "soon"\n', "timeout"),
    ("email.retries negative", CONFIG + "retries = -1\n", "retries"),
    ("webhook to a file URL", CONFIG + '\n[[webhooks]]\nname = "x"\nurl = "file:///etc/passwd"\n', "url"),
    (
        "webhook of unknown format",
        CONFIG + '\n[[webhooks]]\nname = "x"\nurl = "https://h.test/"\nformat = "xml"\n',
        "format",
    ),
    ("webhooks not a list", CONFIG + '\nwebhooks = "https://h.test/"\n', "webhooks"),
    ("notify.batch_size zero", CONFIG + "\n[notify]\nbatch_size = 0\n", "batch_size"),
    ("notify.lease_seconds negative", CONFIG + "\n[notify]\nlease_seconds = -5\n", "lease_seconds"),
    ("notify.max_attempts as text", CONFIG + '\n[notify]\nmax_attempts = "x"\n', "max_attempts"),
]

SITE_SETTINGS = [
    ("site.base_url javascript:", 'base_url = "javascript:alert(1)"', "base_url"),
    ("site.base_url not a URL", 'base_url = "not a url"', "base_url"),
    ("site.base_url ftp", 'base_url = "ftp://example.com/"', "base_url"),
    ("site.base_url as a number", "base_url = 5", "base_url"),
]

SMTP_URLS = [
    ("password with /", "smtp+tls://notices:Zq9Sup3r/secret@127.0.0.1:587"),
    ("password with #", "smtp+tls://notices:Zq9Sup3r#secret@127.0.0.1:587"),
    ("password with ?", "smtp+tls://notices:Zq9Sup3r?secret@127.0.0.1:587"),
    ("password with @", "smtp+tls://notices:Zq9Sup3r@secret@127.0.0.1:587"),
    ("password with all of / # ? @", "smtp+tls://notices:Zq9a/b#c?d@e@127.0.0.1:587"),
    ("port 99999", "smtp://notices:Zq9Secret@127.0.0.1:99999"),
    ("port not a number", "smtp://notices:Zq9Secret@127.0.0.1:abc"),
    ("no host", "smtp://notices:Zq9Secret@:25"),
    ("unknown scheme", "smtps2://notices:Zq9Secret@127.0.0.1"),
    ("plain SMTP to a remote host", "smtp://notices:Zq9Secret@192.0.2.1:25"),
    ("IPv6 host unclosed", "smtp://notices:Zq9Secret@[::1:25"),
]

DATABASE_URLS = [
    ("password with /", "postgresql://pw:Zq9Pa/ss@127.0.0.1:5432/test"),
    ("password with #", "postgresql://pw:Zq9Pa#ss@127.0.0.1:5432/test"),
    ("password with ?", "postgresql://pw:Zq9Pa?ss@127.0.0.1:5432/test"),
    ("port 99999", "postgresql://pw:Zq9Secret@127.0.0.1:99999/test"),
    ("unknown scheme", "mysql://pw:Zq9Secret@127.0.0.1/test"),
    ("closed port", "postgresql://pw:Zq9Secret@127.0.0.1:1/test"),
]


def cases() -> list[Case]:
    out: list[Case] = []
    for index, (name, text, key) in enumerate(CORE):
        setup = pyproject_bad if text is None else toml(text, replace_all=True)
        if index < SYNTAX or text is None:
            out.append(Case(f"{name} / status", CATEGORY, setup, ("status",), refuse(key)))
        out.append(Case(f"{name} / check", CATEGORY, setup, ("check",), refuse(key)))
    for name, text, key in UNKNOWN:
        setup = toml(text, replace_all=True)
        for command in (("status",), ("check",)):
            out.append(Case(f"{name} / {command[0]}", CATEGORY, setup, command, either(output_has(key), key)))
    out.append(
        Case(
            "notice_days huge / publish",
            CATEGORY,
            lambda sb: (toml(core("notice_days = 999999999999"), replace_all=True)(sb), sb.material_edit()),
            ("publish", "--yes"),
            refuse("notice_days"),
        )
    )
    for name, text, key in NOTIFY_SETTINGS:
        out.append(
            Case(
                f"{name} / notify",
                CATEGORY,
                settings("", text),
                ("notify",),
                refuse(key),
                env=_smtp_env,
                template="owed",
            )
        )
    for name, line, key in SITE_SETTINGS:
        text = CONFIG.replace('base_url = "https://example.com/legal/"', line)
        out.append(Case(f"{name} / site build", CATEGORY, toml(text, True), ("site", "build", "out"), refuse(key)))
    for name, url in SMTP_URLS:
        out.append(
            Case(
                f"SMTP URL {name} / notify",
                CATEGORY,
                None,
                ("notify",),
                refuse("SMTP", secrets=(SECRET,)),
                env={"POLICYWATCH_SMTP_URL": url},
                template="owed",
            )
        )
    for name, url in DATABASE_URLS:
        out.append(
            Case(
                f"database URL {name} / subscribers list",
                CATEGORY,
                None,
                ("subscribers", "list"),
                refuse(secrets=(SECRET,)),
                env={"POLICYWATCH_DATABASE_URL": url},
            )
        )
    return out


def _smtp_env(sb: Sandbox) -> dict[str, str]:
    return {"POLICYWATCH_SMTP_URL": sb.ctx.smtp.url("plain")}
