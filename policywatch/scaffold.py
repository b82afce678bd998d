"""`policywatch init`: make a folder ready to hold policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policywatch.config import CONFIG_FILE
from policywatch.filemodes import STATE_DIR
from policywatch.release.git import Git

CONFIG_TEMPLATE = """\
# policywatch settings. See the README for every key.

# Folder that holds one Markdown file per policy.
policies = "{policies}"

# Days between publishing a material change and the day it takes effect.
notice_days = 30

# Name of the annotated tag made for each policy release.
tag_format = "{{slug}}/v{{version}}"

# Where the public archive of every version is published. Notices link to it (the
# policy text and the unsubscribe link): `notify` and `site build` refuse to run
# without it.
# [site]
# base_url = "https://policies.example.com/"

# Who notices are sent from (the SMTP server is POLICYWATCH_SMTP_URL in the environment).
# [email]
# from = "Example Privacy Team <privacy@example.com>"

# The service the links in notices point to (`policywatch serve`, or the WSGI app):
# subscribe = true takes the site's subscribe form; objections = true lets people
# object to a register policy's (kind: register) new sub-processors until the
# change takes effect. See docs/registers.md.
# [service]
# objections = true
"""


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    git_initialised: bool = False


def init_project(folder: str | Path = ".", policies: str = "policies") -> InitResult:
    """Create what is missing and keep what is there, so running it twice is harmless."""
    folder = Path(folder).resolve()
    root = _git_root(folder)
    result = InitResult(root or folder)
    if root is None:
        Git(folder).run("init", "--quiet")
        result.git_initialised = True
    root = result.root
    config = root / CONFIG_FILE
    if config.exists() or _has_pyproject_table(root):
        result.kept.append(CONFIG_FILE if config.exists() else "pyproject.toml [tool.policywatch]")
    else:
        config.write_text(CONFIG_TEMPLATE.format(policies=policies), encoding="utf-8")
        result.created.append(CONFIG_FILE)
    target = root / policies
    if target.is_dir():
        result.kept.append(f"{policies}/")
    else:
        target.mkdir(parents=True)
        (target / ".gitkeep").touch()
        result.created.append(f"{policies}/")
    ignore = root / ".gitignore"
    existing = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    entries = {line.strip().rstrip("/") for line in existing.splitlines()}
    if STATE_DIR in entries or f"/{STATE_DIR}" in entries:
        result.kept.append(".gitignore entry")
    else:
        sep = "" if not existing or existing.endswith("\n") else "\n"
        ignore.write_text(
            existing
            + sep
            + f"# policywatch state (subscribers, delivery ledger): personal data, never commit\n/{STATE_DIR}/\n",
            encoding="utf-8",
        )
        result.created.append(".gitignore entry")
    return result


def _has_pyproject_table(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return pyproject.is_file() and "[tool.policywatch]" in pyproject.read_text(encoding="utf-8", errors="replace")


def _git_root(folder: Path) -> Path | None:
    top = Git(folder).run("rev-parse", "--show-toplevel", check=False).strip()
    return Path(top) if top else None
