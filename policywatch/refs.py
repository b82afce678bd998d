"""Git's rules for reference names, checked without starting git.

``check`` runs on every push, so it validates the release tag each policy file
would get here instead of running ``git check-ref-format`` once per file. The
rules are git's (``git help check-ref-format``) for ``refs/tags/<name>``, plus
``git tag``'s refusal of names that start with ``-``.
"""

from __future__ import annotations

_FORBIDDEN = {" ": "a space", "~": "'~'", "^": "'^'", ":": "':'", "?": "'?'", "*": "'*'", "[": "'['", "\\": "'\\'"}


def tag_name_problem(name: str) -> str | None:
    """Why git would refuse ``name`` as a tag name, or None when it is a valid one."""
    if not name:
        return "it is empty"
    if name.startswith("-"):
        return "it starts with '-'"
    for char in name:
        if ord(char) < 0x20 or char == "\x7f":
            return "it contains a control character"
        if char in _FORBIDDEN:
            return f"it contains {_FORBIDDEN[char]}"
    if ".." in name:
        return "it contains '..'"
    if "@{" in name:
        return "it contains '@{'"
    if name.endswith("."):
        return "it ends with '.'"
    for part in name.split("/"):
        if not part:
            return "it has an empty part between slashes"
        if part.startswith("."):
            return f"its part '{part}' starts with '.'"
        if part.endswith(".lock"):
            return f"its part '{part}' ends with '.lock'"
    return None


def shown(name: str) -> str:
    """A name fit for a one-line message: control characters written as escapes."""
    return "".join(c if 0x20 <= ord(c) != 0x7F else f"\\x{ord(c):02x}" for c in name)
