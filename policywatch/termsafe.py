"""Text from policy files, git, subscribers and servers, made safe to print on a terminal.

A policy line holding ``ESC]52;...`` writes to the clipboard of whoever runs
``policywatch check`` in the pre-push hook; ``ESC[2J`` clears their screen; a
right-to-left override (U+202E) makes text read differently from what it is.
Every such character is shown as a visible escape (``\\x1b``, ``\\u202e``)
instead of reaching the terminal. Tab, newline and the CR of a CRLF pair stay.
This module imports only ``re``: ``check`` loads it on every push.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, a CR not followed by LF, DEL, C1 controls,
# the characters that reorder text or mark its direction (Trojan Source), and lone
# surrogates (bytes that were not UTF-8), which a strict stdout cannot even encode.
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]|\r(?!\n)")
# JSON already escapes C0: these are the characters it leaves raw.
_UNSAFE_IN_JSON = re.compile(f"[{_OTHERS}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control and direction character written as a visible escape."""
    return _UNSAFE.sub(_shown, text)


def printable_json(text: str) -> str:
    """JSON text with the characters JSON leaves raw written as ``\\uXXXX``: the same value, safe to print."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
