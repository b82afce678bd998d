"""Terminal escapes in policy text: `check` runs in the pre-push hook, so its output reaches a terminal.

Every case's output is searched for raw control characters by the classifier
(harness.CONTROL); these cases put them where the tool prints text from the policy.
"""

from __future__ import annotations

from .harness import Case, Sandbox, Setup, accept, find

CATEGORY = "terminal escapes"
PATH = "policies/privacy.md"

PAYLOADS = [
    ("OSC 52 clipboard write", "\x1b]52;c;ZWNobyBwd25lZA==\x07"),
    ("clear screen", "\x1b[2J\x1b[H"),
    ("C1 CSI (U+009B)", "\u009b2J"),
    ("backspaces over text", "do not\x08\x08\x08\x08\x08\x08"),
    ("carriage return overwrite", "sell\rWe never sell"),
    ("window title (OSC 0)", "\x1b]0;pwned\x07"),
]


def in_text(payload: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        text = sb.read(PATH).replace("We do not sell", f"We may {payload} sell")
        sb.edit(PATH, text, "Sell data")

    return setup


def in_title(payload: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        text = sb.read(PATH).replace("title: Example Privacy Policy", f'title: "Example {_yaml(payload)} Policy"')
        sb.edit(PATH, text, "Retitle")

    return setup


def _yaml(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else ch for ch in text)


def in_commit_message(payload: str) -> Setup:
    def setup(sb: Sandbox) -> None:
        sb.material_edit(message=f"Sell data {payload}")

    return setup


def cases() -> list[Case]:
    out: list[Case] = []
    for name, payload in PAYLOADS:
        out += [
            Case(f"{name} in changed text / check", CATEGORY, in_text(payload), ("check",), find("privacy")),
            Case(f"{name} in changed text / diff", CATEGORY, in_text(payload), ("diff", "privacy"), accept()),
            Case(f"{name} in the title / status", CATEGORY, in_title(payload), ("status",), accept()),
            Case(
                f"{name} in a commit message / log", CATEGORY, in_commit_message(payload), ("log", "privacy"), accept()
            ),
        ]
    return out
