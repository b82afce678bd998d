"""A policy's text as it was released, or at any revision: what `show`, `diff`, `status` and the site read.

A release's text is read from its tag's commit at the path its record names
(the file may have been renamed since), else at the current path.
"""

from __future__ import annotations

from policywatch.document import decode_policy, parse_policy
from policywatch.errors import HistoryError, PolicyNotFound, UntrustedReleaseTag
from policywatch.project import Project, check_slug
from policywatch.release import history


def released_text(project: Project, repo, release: history.ReleaseTag, current_path: str) -> str | None:
    """The policy text as it was released; None when the file is not in that commit."""
    candidates = [release.record.path, current_path]
    for path in candidates:
        try:
            return decode_policy(history.read_at(repo, release.commit, path), f"{release.tag}:{path}")
        except HistoryError:
            continue
    return None


def show_text(project: Project, spec: str) -> str:
    """Text of ``SLUG`` (working tree), ``SLUG@VERSION`` (a release) or ``SLUG@REV`` (any git revision)."""
    slug, _, version = spec.partition("@")
    check_slug(slug)
    if not version:
        return project.load(slug).text
    repo = history.open_repo(project.root)
    current = project.policies_dir / f"{slug}.md"
    current_path = project.relpath(current) if current.exists() else f"{project.config.policies}/{slug}.md"
    known = history.releases_reachable(project)
    rels = known.of(slug)
    for refused in known.rejected_of(slug):
        if refused.tag == history.tag_name(project.config.tag_format, slug, version.removeprefix("v")):
            raise UntrustedReleaseTag(refused.refusal("it is not shown as a release"))
    for rel in rels:
        if rel.version == version.removeprefix("v"):
            text = released_text(project, repo, rel, current_path)
            if text is None:
                raise HistoryError(f"{rel.tag} does not contain {current_path}")
            return text
    try:
        data = history.read_at(repo, version, current_path)
    except HistoryError:
        known = ", ".join(r.version for r in rels) or "none"
        raise PolicyNotFound(f"{slug} has no version or revision '{version}' (released versions: {known})") from None
    text = decode_policy(data, f"{version}:{current_path}")
    parse_policy(text, path=f"{version}:{current_path}", slug=slug, date_order=project.config.date_order)
    return text
