"""Translations kept in step with their sources: which version each translates and how far behind it is.

A translation is a policy file named ``<source>.<language>.md`` (``policywatch.locales``)
whose front matter names the released version of its source that it translates
(``translation_of: "2.0"``). ``check``, ``status`` and ``publish`` all ask how each
translation stands against its source's releases; ``link_translations`` is the one
answer. It runs on every push, so it imports nothing the check does not already have.
"""

from __future__ import annotations

from dataclasses import dataclass

from policywatch.locales import split_translation
from policywatch.plural import plural
from policywatch.release.history import version_key
from policywatch.release.pending import Pending

KEY = "translation_of"


@dataclass(frozen=True)
class Behind:
    """A release of the source newer than the version a translation translates."""

    version: str
    classification: str  # material | minor | initial
    later: bool  # that release recorded this translation's language as following later


@dataclass(frozen=True)
class TranslationLink:
    """One translation against its source: what it translates, what it lacks, and what is wrong."""

    slug: str
    path: str
    source: str
    language: str
    translation_of: str | None
    source_version: str | None  # the source's last release
    behind: tuple[Behind, ...] = ()
    errors: tuple[str, ...] = ()  # fail check, stop publish
    warnings: tuple[str, ...] = ()
    upcoming: bool = False  # translates the version the source's pending release will have

    @property
    def material_behind(self) -> list[Behind]:
        return [b for b in self.behind if b.classification == "material"]

    @property
    def state(self) -> str:
        """``up to date``, ``behind by 1 material release (2.0 → 3.0)``, or what stops the link being judged."""
        if self.upcoming:
            return f"awaits release with {self.source} {self.translation_of}"
        if self.errors and not self.behind:
            return "not linked: " + self.errors[0].split(": ", 1)[-1]
        if not self.behind:
            return "up to date"
        material = len(self.material_behind)
        minor = len(self.behind) - material
        if material and minor:
            count = f"{material} material and {plural(minor, 'minor release')}"
        else:
            count = plural(material, "material release") if material else plural(minor, "minor release")
        return f"behind by {count} ({self.translation_of} → {self.behind[-1].version})"

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "language": self.language,
            "translation_of": self.translation_of,
            "source_version": self.source_version,
            "state": self.state,
            "behind": [
                {"version": b.version, "classification": b.classification, "later": b.later} for b in self.behind
            ],
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }


def link_translations(items: list[Pending]) -> list[TranslationLink]:
    """Each translation among ``items`` (every policy, as ``pending_changes`` gives them) against its source.

    A source file holding ``translation_of`` gets a link too, so that its error is reported.
    """
    by_slug = {item.slug: item for item in items}
    links = []
    for item in items:
        source, language = split_translation(item.slug)
        if language is None:
            if KEY in item.policy.meta:
                links.append(_misplaced(item))
            continue
        links.append(_link(item, source, language, by_slug.get(source)))
    return links


def translations_of(slugs: list[str], source: str) -> list[str]:
    """The slugs among ``slugs`` that translate ``source``."""
    return [slug for slug in slugs if (parts := split_translation(slug))[1] and parts[0] == source]


def _misplaced(item: Pending) -> TranslationLink:
    why = f"{item.path}: {KEY} is only for translations, files named <source>.<language>.md"
    return TranslationLink(item.slug, item.path, item.slug, "", None, None, errors=(why,))


def _link(item: Pending, source: str, language: str, source_item: Pending | None) -> TranslationLink:
    path = item.path
    claimed = item.policy.meta.get(KEY)
    released = list(source_item.releases) if source_item else []
    last = released[-1].version if released else None

    def link(**kw: object) -> TranslationLink:
        return TranslationLink(item.slug, path, source, language, _text(claimed), last, **kw)

    if source_item is None:
        folder = path.rpartition("/")[0]
        where = f"{folder}/{source}.md" if folder else f"{source}.md"
        return link(errors=(f"{path}: translation of '{source}', but there is no {where}; add it or rename the file",))
    if claimed is None:
        hint = f': add {KEY}: "{last}" to its front matter' if last else f" ({KEY} in its front matter)"
        return link(errors=(f"{path}: a translation must say which version of {source} it translates{hint}",))
    if not isinstance(claimed, str) or not claimed.strip():
        return link(errors=(f'{path}: {KEY} must be a version of {source} such as "2.0", got {claimed!r}',))
    claimed = claimed.strip()
    if claimed not in {rel.version for rel in released}:
        if source_item.verdict != "none" and claimed == planned_version(source_item):
            note = f"{path}: translates {source} {claimed}, which is not released yet; publish releases them together"
            return link(warnings=(note,), upcoming=True)
        known = ", ".join(rel.version for rel in released) or "none yet"
        return link(
            errors=(
                f'{path}: {KEY} "{claimed}" names a version of {source} that was never released (released: {known})',
            )
        )
    behind = tuple(
        Behind(rel.version, rel.record.classification, language in rel.record.translations_later)
        for rel in released
        if version_key(rel.version) > version_key(claimed)
    )
    errors, warnings = [], []
    material = [b for b in behind if b.classification == "material"]
    if [b for b in material if not b.later]:
        changed = ", ".join(b.version for b in material)
        errors.append(
            f"{path}: translates {source} {claimed}, but {source} {changed} changed materially since; "
            f'update the translation and set {KEY}: "{last}"'
        )
    elif material:
        warnings.append(
            f"{path}: translates {source} {claimed}; {source} {', '.join(b.version for b in material)} "
            f"changed materially and recorded that this translation follows later"
        )
    elif behind:
        warnings.append(f"{path}: translates {source} {claimed}, behind by {plural(len(behind), 'minor release')}")
    return link(behind=behind, errors=tuple(errors), warnings=tuple(warnings))


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def planned_version(item: Pending) -> str:
    """The version a publish would give ``item`` now (only asked when a translation names an unreleased one)."""
    from policywatch.release.publish import planned_version as plan

    return plan(item)
