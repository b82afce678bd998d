"""Project settings from ``policywatch.toml`` or ``[tool.policywatch]`` in ``pyproject.toml``.

Validated on load so that a typo fails at once, with the file and the key named,
instead of deep inside a release.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policywatch.dates import DATE_ORDERS
from policywatch.errors import ConfigError

CONFIG_FILE = "policywatch.toml"
DEFAULT_TAG_FORMAT = "{slug}/v{version}"


@dataclass(frozen=True)
class Config:
    """Settings every command shares. ``source`` names where they came from."""

    policies: str = "policies"
    notice_days: int = 30
    tag_format: str = DEFAULT_TAG_FORMAT
    review_months: int = 12
    source: str = "defaults"
    sections: dict[str, Any] = field(default_factory=dict)
    date_order: str | None = None  # "dmy" | "mdy": how to read 03/04/2024 in a policy; None: refuse it

    def section(self, name: str) -> Any:
        """Raw table of a section owned by another module (materiality, email, ...)."""
        return self.sections.get(name, {})


_TOP_KEYS = {"policies", "notice_days", "tag_format", "review_months", "date_order"}
# Tables that their own modules validate when they need them.
SECTION_KEYS = {"materiality", "email", "webhooks", "site", "database", "notify", "service"}


def load_config(root: str | Path) -> Config:
    """Read the project's settings; defaults where there is no file."""
    root = Path(root)
    own = root / CONFIG_FILE
    if own.is_file():
        return parse_config(_read_toml(own), CONFIG_FILE)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        table = data.get("tool", {}).get("policywatch")
        if table is not None:
            return parse_config(table, "pyproject.toml [tool.policywatch]")
    return Config()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None


def parse_config(table: dict[str, Any], source: str) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: must be a table of settings")
    unknown = set(table) - _TOP_KEYS - SECTION_KEYS
    if unknown:
        known = ", ".join(sorted(_TOP_KEYS | SECTION_KEYS))
        raise ConfigError(f"{source}: unknown key '{sorted(unknown)[0]}' (known keys: {known})")
    policies = get(table, "policies", str, "policies", source)
    if not policies.strip() or Path(policies).is_absolute() or ".." in Path(policies).parts:
        raise ConfigError(f"{source}: policies: must be a folder inside the repository, got '{policies}'")
    notice = get(table, "notice_days", int, 30, source)
    if notice < 0:
        raise ConfigError(f"{source}: notice_days: must be 0 or more, got {notice}")
    tag_format = get(table, "tag_format", str, DEFAULT_TAG_FORMAT, source)
    if "{slug}" not in tag_format or "{version}" not in tag_format:
        raise ConfigError(f"{source}: tag_format: must contain {{slug}} and {{version}}, got '{tag_format}'")
    review = get(table, "review_months", int, 12, source)
    if review < 1:
        raise ConfigError(f"{source}: review_months: must be 1 or more, got {review}")
    date_order = get(table, "date_order", str, None, source)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ConfigError(
            f'{source}: date_order: must be "dmy" (03/04/2024 is 3 April) or "mdy" (March 4), got \'{date_order}\''
        )
    sections = {k: v for k, v in table.items() if k in SECTION_KEYS}
    return Config(policies.strip().rstrip("/"), notice, tag_format, review, source, sections, date_order)


def get(table: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """One typed value from a TOML table, with an error that names the key."""
    if key not in table:
        return default
    value = table[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: {key}: must be {_KIND_NAMES.get(kind, kind.__name__)}, got {value!r}")
    return value


_KIND_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}
