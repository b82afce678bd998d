"""Project settings from ``policywatch.toml`` or ``[tool.policywatch]`` in ``pyproject.toml``.

Validated on load so that a typo fails at once, with the file and the key named,
instead of deep inside a release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policywatch.dates import DATE_ORDERS
from policywatch.errors import ConfigError
from policywatch.settings_values import Table

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
SECTION_KEYS = {"materiality", "email", "webhooks", "site", "database", "notify", "service", "evidence"}


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
    import tomllib  # only when there is a file to read: the pre-push check often has none

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None


def parse_config(table: dict[str, Any], source: str) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: must be a table of settings")
    values = Table(table, source, ConfigError, _TOP_KEYS | SECTION_KEYS)
    policies = values.text("policies", "policies")
    if not policies.strip() or Path(policies).is_absolute() or ".." in Path(policies).parts:
        raise ConfigError(f"{source}: policies: must be a folder inside the repository, got '{policies}'")
    notice = values.whole_number("notice_days", 30, low=0)
    tag_format = values.text("tag_format", DEFAULT_TAG_FORMAT)
    if "{slug}" not in tag_format or "{version}" not in tag_format:
        raise ConfigError(f"{source}: tag_format: must contain {{slug}} and {{version}}, got '{tag_format}'")
    _check_tag_format(tag_format, source)
    review = values.whole_number("review_months", 12, low=1)
    date_order = values.text("date_order")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ConfigError(
            f'{source}: date_order: must be "dmy" (03/04/2024 is 3 April) or "mdy" (March 4), got \'{date_order}\''
        )
    sections = {k: v for k, v in table.items() if k in SECTION_KEYS}
    return Config(policies.strip().rstrip("/"), notice, tag_format, review, source, sections, date_order)


def _check_tag_format(tag_format: str, source: str) -> None:
    """A format that cannot make a tag is the setting's fault, said once, not each policy file's."""
    from policywatch.refs import shown, tag_name_problem

    try:
        sample = tag_format.format(slug="privacy", version="1.0")
    except (KeyError, IndexError, ValueError, AttributeError):
        raise ConfigError(
            f"{source}: tag_format: only {{slug}} and {{version}} may stand in braces, got '{shown(tag_format)}'"
        ) from None
    if problem := tag_name_problem(sample):
        raise ConfigError(
            f"{source}: tag_format: '{shown(tag_format)}' cannot name a git tag ('{shown(sample)}': {problem})"
        )
