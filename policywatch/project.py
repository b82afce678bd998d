"""A policy repository: its root, its settings, and the policy files in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policywatch.config import Config, load_config
from policywatch.document import Policy, read_policy, symlink_error
from policywatch.errors import InvalidSlug, MissingPoliciesFolder, NotARepository, PolicyNotFound
from policywatch.filemodes import STATE_DIR

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
POLICY_SUFFIX = ".md"


@dataclass(frozen=True)
class Project:
    """A repository that holds policies, with its settings."""

    root: Path
    config: Config

    @property
    def policies_dir(self) -> Path:
        return self.root / self.config.policies

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def policy_paths(self) -> list[Path]:
        folder = self.policies_dir
        if folder.is_symlink() or (folder.is_dir() and not folder.resolve().is_relative_to(self.root.resolve())):
            raise symlink_error(f"{self.config.policies}/")
        if not folder.is_dir():
            raise MissingPoliciesFolder(
                f"{self.config.policies}/: policies folder not found in {self.root} "
                f"(create it, run 'policywatch init', or set 'policies' in {self.config.source})"
            )
        return sorted(p for p in folder.iterdir() if p.suffix == POLICY_SUFFIX and not p.name.startswith("."))

    def slugs(self) -> list[str]:
        return [p.stem for p in self.policy_paths()]

    def policy_path(self, slug: str) -> Path:
        check_slug(slug)
        path = self.policies_dir / f"{slug}{POLICY_SUFFIX}"
        if not path.is_file():
            if not self.policies_dir.is_dir():
                self.policy_paths()
            raise PolicyNotFound(f"no policy '{slug}' in {self.config.policies}/ {self.known_hint()}")
        return path

    def known_hint(self) -> str:
        """``(known: a, b)``: what to add when a name given on the command line is no policy here."""
        return f"(known: {', '.join(self.slugs()) or 'none'})"

    def relpath(self, path: Path) -> str:
        """The path from the root, naming a symbolic link itself rather than its target."""
        return (path.parent.resolve() / path.name).relative_to(self.root.resolve()).as_posix()

    def load(self, slug: str) -> Policy:
        path = self.policy_path(slug)
        return read_policy(path, display=self.relpath(path), date_order=self.config.date_order)

    def load_all(self) -> list[Policy]:
        order = self.config.date_order
        return [read_policy(p, display=self.relpath(p), date_order=order) for p in self.policy_paths()]


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug) or slug in (".", ".."):
        raise InvalidSlug(
            f"'{slug}' is not a policy slug: use letters, digits, '.', '-' and '_' only, no path separators"
        )
    return slug


def find_root(start: str | Path = ".") -> Path:
    """The enclosing git work tree, found without starting git (this runs on every push)."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    raise NotARepository(f"{here}: not inside a git repository (run 'git init' or 'policywatch init')")


def open_project(start: str | Path = ".") -> Project:
    root = find_root(start)
    return Project(root, load_config(root))
