"""The result of comparing two policy texts: the changes and the verdict.

``compare`` is the public entry point: ``policywatch.engine.diff`` finds the edits,
``policywatch.engine.materiality`` judges each one, and this module puts the verdict
together and names the sections that were largely rewritten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from policywatch.errors import InputTooLarge

if TYPE_CHECKING:
    from policywatch.engine.register import RegisterDiff


@dataclass
class Change:
    """One change, with the section it sits under and why it is (or is not) material.

    ``old_text`` and ``new_text`` are the whole sentence(s) involved, normalised;
    ``segments`` is their word diff as ``[op, text]`` pairs (``equal``,
    ``delete``, ``insert``) for views that show the redline inline. ``summary`` says
    what the reasons say in one plain sentence, for people; the reasons stay the detail.
    """

    section: str
    kind: str  # insert | delete | replace | move
    old_text: str
    new_text: str
    classification: str  # material | minor
    reasons: list[str] = field(default_factory=list)
    segments: list[list[str]] = field(default_factory=list)
    summary: str = ""


@dataclass
class Comparison:
    """The verdict on two texts and the changes it rests on."""

    classification: str  # material | minor | none
    changes: list[Change] = field(default_factory=list)
    register: RegisterDiff | None = None  # entries added, changed, removed (registers only)
    language: str = "en"  # the language the texts were judged in (ISO 639-1)
    language_detected: bool = False  # True when no file name or front matter said it

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.register is None:
            del data["register"]
        if self.language == "en":  # the default needs no saying; any other language is named
            del data["language"], data["language_detected"]
        return data

    @property
    def language_note(self) -> str:
        """'de', or 'de (detected)' when the texts did not say their language; '' for English."""
        if self.language == "en":
            return ""
        return f"{self.language} (detected)" if self.language_detected else self.language

    @property
    def material_changes(self) -> list[Change]:
        return [c for c in self.changes if c.classification == "material"]


# A section counts as rewritten when at least this share of its words is deleted or replaced.
REWRITTEN_SHARE = 0.5
REWRITTEN_MIN_WORDS = 20
# Characters of changed text (old and new sides) judged in full in one comparison; changes after that
# get a verdict from their size alone. Counted in characters, not seconds, so the same two texts always
# get the same verdict; judging runs at about 1 MB a second.
JUDGE_CHARS = 1_500_000
# Reasons of changes to the page around the policy (see ``materiality._page_structure``).
STRUCTURAL = ("page furniture", "navigation", "contact details", "table of contents", "link to another page")


def compare(
    old: str,
    new: str,
    *,
    rules: Any = None,
    labels: tuple[str, str] = ("old", "new"),
    language: str | None = None,
) -> Comparison:
    """Compare two policy texts (Markdown, front matter ignored) and judge every change.

    A text whose front matter says ``kind: register`` is judged entry by entry (``register``).

    ``language`` is the texts' ISO 639-1 code as the caller knows it (a translation's file
    name); without it, a ``language:`` front matter field says it, else it is detected from
    the new text. Texts in another language than English are judged by that language's rules.
    ``rules`` is a ``materiality.Rules`` (see ``load_rules``); None uses the shipped rules.
    A side that is no policy (empty, an error page, markup noise) raises ``NotAPolicy``
    naming it by its label from ``labels``: judging it would only mislead.
    """
    from policywatch.engine.diff import MAX_CHARS, count_words, diff_blocks, link_edits, normalise
    from policywatch.engine.materiality import MATERIAL, default_rules, forget, judge, judge_quickly, vocabulary_size
    from policywatch.engine.structure import layout, refuse_non_policy

    for name, label, text in (("old", labels[0], old), ("new", labels[1], new)):
        if len(text) > MAX_CHARS:
            side = f"{name} text" if label == name else f"{label} ({name} side)"
            raise InputTooLarge(f"{side} is {len(text):,} characters; compare() accepts up to {MAX_CHARS:,}")
    from policywatch.engine.register import compare_register, register_settings

    if settings := register_settings(new) or register_settings(old):
        return _summarised(compare_register(old, new, settings, rules, labels=labels))
    from policywatch.engine.languages import ENGLISH, prepare, resolve

    # Front matter first; both sides' words. (A text of only spaces is no text: tested without copying it.)
    said = resolve(f"{new}\n\n{old}" if new and not new.isspace() else old, language)
    rules = rules or default_rules()
    if said.code != ENGLISH:
        from policywatch.engine.rulebook import rules_for

        rules = rules_for(rules, said.code)
        old, new = prepare(old, said.code), prepare(new, said.code)
    forget()  # what one comparison learnt of its sentences does not carry over: each is timed on its own
    memo: dict[str, list] = {}
    old_blocks = normalise(old, memo)
    new_blocks = normalise(new, memo)
    edits = diff_blocks(old_blocks, new_blocks)
    changed = sum(len(e.old_text) + len(e.new_text) for e in edits if e.kind != "move")
    refuse_non_policy(old, new, old_blocks, new_blocks, rules.structure, labels, changed, vocabulary_size(rules))
    document = layout(old_blocks, new_blocks, rules.structure) if edits else None
    changes = []
    judged = 0
    for edit in edits:
        quick = judged > JUDGE_CHARS
        judged += len(edit.old_text) + len(edit.new_text)
        classification, reasons = (judge_quickly if quick else judge)(edit, rules, document)
        changes.append(
            Change(edit.section, edit.kind, edit.old_text, edit.new_text, classification, reasons, edit.segments)
        )
    _name_rewritten_sections(old_blocks, edits, changes, count_words)
    if old != new and not any(c.classification == MATERIAL for c in changes):
        # Links are no words: a target changed under the same words is looked for only where it may decide.
        for edit in link_edits(old, new, new_blocks):
            classification, reasons = judge(edit, rules, document)
            changes.append(
                Change(edit.section, edit.kind, edit.old_text, edit.new_text, classification, reasons, edit.segments)
            )
    if not changes:
        return Comparison("none", language=said.code, language_detected=said.detected)
    verdict = MATERIAL if any(c.classification == MATERIAL for c in changes) else "minor"
    return _summarised(Comparison(verdict, changes, language=said.code, language_detected=said.detected))


def _summarised(comparison: Comparison) -> Comparison:
    """Each change with its reasons said in one plain sentence, once every reason is in."""
    from policywatch.engine.plain import sentence

    for change in comparison.changes:
        change.summary = sentence(change.classification, change.reasons)
    return comparison


def _name_rewritten_sections(old_blocks, edits, changes: list[Change], count_words) -> None:
    """Flag sections most of whose words were deleted or replaced: a rewrite is material.

    Only words deleted from a section's own old text count towards its share,
    so the share cannot pass 100% however the changes are cut.
    """
    gone: dict[str, int] = {}
    first: dict[str, Change] = {}
    for edit, change in zip(edits, changes, strict=True):
        if edit.kind == "move" or (change.reasons and change.reasons[0].startswith(STRUCTURAL)):
            continue  # page furniture and navigation are no words of the policy's
        for section, deleted in edit.deleted_words.items():
            gone[section] = gone.get(section, 0) + deleted
            first.setdefault(section, change)
    # A section must have lost at least this many words to qualify; only those are counted in full.
    gone = {name: n for name, n in gone.items() if n >= REWRITTEN_MIN_WORDS * REWRITTEN_SHARE}
    if not gone:
        return
    totals: dict[str, int] = {}
    for block in old_blocks:
        if block.kind != "heading" and block.section in gone:
            totals[block.section] = totals.get(block.section, 0) + count_words(block.text)
    for section, count in gone.items():
        total = totals.get(section, 0)
        share = min(1.0, count / total) if total else 0.0
        if total >= REWRITTEN_MIN_WORDS and share >= REWRITTEN_SHARE:
            change = first[section]
            name = section or "(untitled opening section)"
            change.reasons.insert(0, f"section rewritten: {name} ({round(100 * share)}% of its words replaced)")
            change.classification = "material"
