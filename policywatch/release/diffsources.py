"""What ``policywatch diff`` compares: texts named by a path, ``REV:PATH``, a slug or ``SLUG@VERSION``.

Each argument becomes a ``Side`` (a label for people and the text). A slug on
its own means "its last release against the working tree", which is also what
``diff`` with no arguments shows for every policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policywatch.document import MAX_POLICY_BYTES, decode_policy
from policywatch.errors import DiffArgumentError, HistoryError, PolicyFormatError, PolicywatchError
from policywatch.project import Project, find_root, open_project

if TYPE_CHECKING:
    from policywatch.release.history import RejectedTag


@dataclass(frozen=True)
class Side:
    label: str
    text: str


@dataclass(frozen=True)
class Pair:
    """Two sides to compare; ``old`` is None for a policy that was never released."""

    name: str
    old: Side | None
    new: Side
    ignored: tuple[RejectedTag, ...] = ()  # release tags passed over when finding the last release


def read_file(path: Path, label: str | None = None) -> Side:
    """A text file from disk, refused plainly when it is missing, too large, binary or not UTF-8."""
    name = label or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DiffArgumentError(f"{name}: no such file") from None
    if path.is_dir():
        raise DiffArgumentError(f"{name}: is a folder, not a policy file")
    if size > MAX_POLICY_BYTES:
        raise PolicyFormatError(name, f"file is {size:,} bytes; policies are limited to {MAX_POLICY_BYTES:,}")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise DiffArgumentError(f"{name}: permission denied") from None
    return Side(name, decode_policy(data, name))


def _project(start: Path) -> Project:
    return open_project(start)


def read_revision(project: Project, rev: str, path: str, cwd: Path) -> Side:
    """``REV:PATH``: the file as it was at a git revision; PATH is from the repository root, or ``./`` from here."""
    from policywatch.release import history

    if path.startswith(("./", "../")):
        path = (cwd / path).resolve().relative_to(project.root.resolve()).as_posix()
    repo = history.open_repo(project.root)
    data = history.read_at(repo, rev, path)
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyFormatError(f"{rev}:{path}", f"file is {len(data):,} bytes; limit {MAX_POLICY_BYTES:,}")
    return Side(f"{rev}:{path}", decode_policy(data, f"{rev}:{path}"))


def since_last_release(project: Project, slug: str) -> Pair:
    """A policy's last release against its working copy."""
    from policywatch.release import history
    from policywatch.release.text import released_text

    path = project.policy_path(slug)
    rel_path = project.relpath(path)
    new = read_file(path, rel_path)
    known = history.releases_reachable(project)
    ignored = tuple(known.rejected_of(slug))
    last = known.last(slug) or _release_before_rename(project, known, slug, rel_path)
    if last is None:
        return Pair(slug, None, new, ignored)
    repo = history.open_repo(project.root)
    text = released_text(project, repo, last, rel_path)
    if text is None:
        raise HistoryError(f"{last.tag} does not contain {rel_path}")
    return Pair(slug, Side(last.tag, text), new, ignored)


def _release_before_rename(project: Project, known, slug: str, path: str):
    """The last release of the policy this file was renamed from, as check and publish see it; None if none."""
    from policywatch.release.git import Git
    from policywatch.release.pending import renamed_releases

    git = Git(project.root)
    if not git.has_commits():
        return None
    return renamed_releases(git, "HEAD", {path: slug}, set(project.slugs()), known).get(slug)


def every_policy(start: Path | str = ".") -> list[Pair]:
    project = _project(Path(start))
    return [since_last_release(project, slug) for slug in project.slugs()]


def resolve(spec: str, cwd: Path | str = ".") -> Side:
    """One side named by a file path, ``REV:PATH``, ``SLUG`` (working copy) or ``SLUG@VERSION``."""
    cwd = Path(cwd)
    path = cwd / spec
    if path.is_file() or path.is_dir():
        return read_file(path, spec)
    if ":" in spec:
        rev, _, rel = spec.partition(":")
        if rev and rel:
            return read_revision(_project(cwd), rev, rel, cwd)
    project = _project_or_none(cwd)
    if project is not None and _looks_like_slug(spec):
        from policywatch.release.text import show_text

        slug = spec.partition("@")[0]
        if (project.policies_dir / f"{slug}.md").is_file():
            if "@" not in spec:
                p = project.policy_path(slug)
                return read_file(p, project.relpath(p))
            return Side(spec, show_text(project, spec))
    hint = f" {project.known_hint()}" if project is not None and project.policies_dir.is_dir() else ""
    raise DiffArgumentError(f"'{spec}': no such file, REV:PATH or policy{hint}")


def project_rules(cwd: Path | str = "."):
    """The materiality rules of the enclosing project, or the shipped ones outside a repository."""
    from policywatch.engine.materiality import load_rules

    project = _project_or_none(Path(cwd))
    return load_rules(project.config if project else None)


def _slug_of(project: Project, spec: str, cwd: Path) -> str | None:
    """The policy a single argument names: its slug, or the path of its file."""
    if "@" in spec or ":" in spec:
        return None
    if _looks_like_slug(spec) and (project.policies_dir / f"{spec}.md").is_file():
        return spec
    path = (cwd / spec).resolve()
    if path.is_file() and path.suffix == ".md" and path.parent == project.policies_dir.resolve():
        return path.stem
    return None


def _looks_like_slug(spec: str) -> bool:
    return "/" not in spec.partition("@")[0] and not spec.endswith((".md", ".txt"))


def _project_or_none(cwd: Path) -> Project | None:
    try:
        find_root(cwd)
    except PolicywatchError:
        return None
    return _project(cwd)


def pairs_for(old: str | None, new: str | None, cwd: Path | str = ".") -> list[Pair]:
    """The comparisons ``diff [OLD] [NEW]`` asks for."""
    cwd = Path(cwd)
    if old is None:
        return every_policy(cwd)
    if new is not None:
        return [Pair(new, resolve(old, cwd), resolve(new, cwd))]
    # One argument: a policy against its last release, or a revision against the working copy.
    project = _project_or_none(cwd)
    slug = _slug_of(project, old, cwd) if project is not None else None
    if slug is not None:
        pair = since_last_release(project, slug)
        if pair.old is None:
            raise DiffArgumentError(f"{slug}: never released, nothing to compare with (give OLD and NEW)")
        return [pair]
    if ":" in old and not (cwd / old).exists():
        rev, _, rel = old.partition(":")
        if project is None:
            raise DiffArgumentError(f"'{old}': not inside a git repository")
        current = project.root / rel if not rel.startswith(("./", "../")) else cwd / rel
        return [Pair(old, resolve(old, cwd), read_file(current, rel))]
    if "@" in old and project is not None:
        slug = old.partition("@")[0]
        return [Pair(old, resolve(old, cwd), resolve(slug, cwd))]
    resolve(old, cwd)  # raises the right error for a bad name
    raise DiffArgumentError(f"'{old}': give a second file to compare it with")
