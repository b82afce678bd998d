"""Which edits users must be told about, and why.

Each rule looks at one ``Edit`` (the old and new sentence and their word diff)
and yields human-readable reasons. Any material reason makes the edit material;
otherwise the minor reasons say why it is editorial. The word lists are data
(``policywatch/rules/*.toml``) and a project extends them from ``[materiality]``
in ``policywatch.toml``::

    [materiality]
    always_material = ["Children*", "International transfers"]
    never_material = ["Contact us"]

    [materiality.terms]
    data_categories = ["voiceprint"]
    recipients = ["Acme Analytics"]

    [materiality.categories.health_programmes]
    label = "health programme"
    terms = ["wellness programme"]
    topic = true
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from policywatch.dates import DATE_PATTERN
from policywatch.diff import SEP, Edit
from policywatch.errors import RulesError

MATERIAL, MINOR = "material", "minor"
TOPIC_WORDS = 2  # unexplained words that make a rewording of a sentence on a sensitive topic material
TERMS_PER_REASON = 5  # terms of one category named one per reason; the rest are counted

_WORD = re.compile(r"\w+(?:'\w+)*")
_URL = re.compile(
    r"(?:https?://|mailto:|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|eu|co|de|fr|uk|info|app|dev)(?:/\S*)?\b", re.I
)
_DATE = re.compile(DATE_PATTERN, re.I)
_EFFECT = re.compile(r"\beffective\b|\btakes? effect\b|\buntil\b|\bexpires?\b|\bdeadline\b", re.I)
_TLD_HINT = re.compile(r"\.(?:com|org|net|io|eu|co|de|fr|uk|info|app|dev)\b", re.I)
# A number right after a capitalised word names a version or a part ("Basecamp 3", "Section 4"), unless a unit follows.
_NAMED_NUMBER = re.compile(
    r"(?<=[A-Za-z,;:] )([A-Z][\w-]*) (\d+)\b(?!\s*(?:%|percent|days?|weeks?|months?|years?|hours?))"
)
_NAME = re.compile(r"(?<=[\w,;:()] )[A-Z][\w'-]*")
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$|^\S+\.(?:com|org|net|io|de|fr|uk|eu)(?:/\S*)?$", re.I)
_LANGUAGE_LISTS = {
    "negations": ("modality", "negations"),
    "limits": ("modality", "limits"),
    "permissions": ("modality", "permissions"),
    "obligations": ("modality", "obligations"),
    "activities": ("activities", "verbs"),
    "stopwords": ("minor", "stopwords"),
}


@dataclass(frozen=True)
class Category:
    """A topic whose terms make a change material when they appear or disappear."""

    name: str
    label: str
    terms: tuple[str, ...]
    topic: bool = False


@dataclass(frozen=True)
class Rules:
    """Everything the rules need: word lists, categories and section overrides."""

    categories: tuple[Category, ...]
    negations: frozenset[str]
    limits: frozenset[str]
    permissions: frozenset[str]
    obligations: frozenset[str]
    activities: frozenset[str]
    stopwords: frozenset[str]
    synonyms: dict[str, frozenset[int]] = field(hash=False)
    number_words: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    retention: tuple[str, ...] = ()
    always_material: tuple[str, ...] = ()
    never_material: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return id(self)


def _read_rules_file(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("policywatch.rules").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules shipped with policywatch."""
    return _build(_read_rules_file("categories.toml"), _read_rules_file("language.toml"))


def _build(categories: dict[str, Any], language: dict[str, Any], always=(), never=()) -> Rules:
    cats = tuple(
        Category(name, table["label"], tuple(t.lower() for t in table["terms"]), bool(table.get("topic", False)))
        for name, table in categories.items()
    )
    synonyms: dict[str, set[int]] = {}
    for n, group in enumerate(language["minor"]["synonyms"]):
        for word in group:
            synonyms.setdefault(word.lower(), set()).add(n)
            synonyms.setdefault(_stem(word.lower()), set()).add(n)
    nums = language["numbers"]
    return Rules(
        categories=cats,
        negations=frozenset(language["modality"]["negations"]),
        limits=frozenset(language["modality"]["limits"]),
        permissions=frozenset(language["modality"]["permissions"]),
        obligations=frozenset(language["modality"]["obligations"]),
        activities=frozenset(language["activities"]["verbs"]),
        stopwords=frozenset(language["minor"]["stopwords"]),
        synonyms={k: frozenset(v) for k, v in synonyms.items()},
        number_words=tuple(nums["words"]),
        durations=tuple(nums["durations"]),
        ages=tuple(nums["ages"]),
        currencies=tuple(nums["currencies"]),
        retention=tuple(nums["retention"]),
        always_material=tuple(always),
        never_material=tuple(never),
    )


def load_rules(config: Any = None) -> Rules:
    """The shipped rules, extended by a project's ``[materiality]`` table.

    ``config`` is a ``policywatch.config.Config``, the ``[materiality]`` table
    itself, or None for the shipped rules. Every value is checked; an error
    names the key.
    """
    if config is None:
        return default_rules()
    where = "materiality"
    if hasattr(config, "section"):
        table = config.section("materiality")
        where = f"{config.source}: materiality"
    else:
        table = config
    if not table:
        return default_rules()
    if not isinstance(table, dict):
        raise RulesError(f"{where}: must be a table")
    known = {"terms", "categories", "always_material", "never_material"}
    for key in table:
        if key not in known:
            raise RulesError(f"{where}.{key}: unknown key (known keys: {', '.join(sorted(known))})")
    categories = _read_rules_file("categories.toml")
    language = _read_rules_file("language.toml")
    for name, spec in _table(table, "categories", where).items():
        key = f"{where}.categories.{name}"
        spec = spec if isinstance(spec, dict) else None
        if spec is None:
            raise RulesError(f"{key}: must be a table with 'label' and 'terms'")
        unknown = set(spec) - {"label", "terms", "topic"}
        if unknown:
            raise RulesError(f"{key}.{sorted(unknown)[0]}: unknown key (known keys: label, terms, topic)")
        label = spec.get("label", name.replace("_", " "))
        if not isinstance(label, str) or not label.strip():
            raise RulesError(f"{key}.label: must be a non-empty string")
        if not isinstance(spec.get("topic", False), bool):
            raise RulesError(f"{key}.topic: must be true or false")
        terms = _strings(spec.get("terms"), f"{key}.terms")
        existing = categories.setdefault(name, {"label": label, "terms": []})
        existing["terms"] = list(existing["terms"]) + terms
        existing["label"] = label
        existing["topic"] = spec.get("topic", existing.get("topic", False))
    for name, terms in _table(table, "terms", where).items():
        key = f"{where}.terms.{name}"
        values = _strings(terms, key)
        if name in categories:
            categories[name]["terms"] = list(categories[name]["terms"]) + values
        elif name in _LANGUAGE_LISTS:
            section, entry = _LANGUAGE_LISTS[name]
            language[section][entry] = list(language[section][entry]) + values
        else:
            known_names = ", ".join(sorted([*categories, *_LANGUAGE_LISTS]))
            raise RulesError(f"{key}: unknown word list (known: {known_names})")
    always = _strings(table.get("always_material", []), f"{where}.always_material")
    never = _strings(table.get("never_material", []), f"{where}.never_material")
    return _build(categories, language, always, never)


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise RulesError(f"{where}.{key}: must be a table")
    return value


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulesError(f"{key}: must be a list of non-empty strings, got {value!r}")
    return [v.strip() for v in value]


# --- judging -----------------------------------------------------------------------------------


def _names(text: str) -> set[str]:
    """Lower-cased words written capitalised inside a sentence (names of products, laws, companies)."""
    return {w.lower() for w in _NAME.findall(text)} - {w for w in _WORD.findall(text) if w.islower()}


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.replace(SEP, " ").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _hunks(segments: list[list[str]]) -> list[tuple[str, str, str, str]]:
    """(old snippet, new snippet, deleted text, inserted text) per run of changes, with a word of context."""
    out = []
    n = 0
    while n < len(segments):
        if segments[n][0] == "equal":
            n += 1
            continue
        start = n
        while n < len(segments) and segments[n][0] != "equal":
            n += 1
        deleted = "".join(t for op, t in segments[start:n] if op == "delete")
        inserted = "".join(t for op, t in segments[start:n] if op == "insert")
        after = _WORD.findall(segments[n][1])[:1] if n < len(segments) else []
        before = _WORD.findall(segments[start - 1][1])[-1:] if start > 0 and not after else []
        pre = " ".join(before)
        post = " ".join(after)
        old = " ".join(p for p in (pre, deleted.strip(), post) if p)
        new = " ".join(p for p in (pre, inserted.strip(), post) if p)
        out.append((old, new, deleted, inserted))
    return out


def _snippet(hunks, words: frozenset[str] | None = None) -> str:
    chosen = hunks[0] if hunks else ("", "", "", "")
    if words:
        for h in hunks:
            if {*_words(h[2]), *_words(h[3])} & words or any(w.endswith("n't") for w in _words(h[2] + " " + h[3])):
                chosen = h
                break
    return f"'{_quote(chosen[0], 60)}' → '{_quote(chosen[1], 60)}'"


def _count(words: Counter[str] | list[str], vocab: frozenset[str], contractions: bool = False) -> int:
    if not isinstance(words, Counter):
        words = Counter(words)
    found = sum(words[w] for w in vocab if w in words)
    if contractions:
        found += sum(n for w, n in words.items() if w.endswith("n't"))
    return found


def _modality(edit: Edit, rules: Rules, old_w: Counter[str], new_w: Counter[str], hunks) -> list[str]:
    """Negation, limitation and modal verbs gained or lost between the two sentences."""
    reasons = []
    neg = _count(new_w, rules.negations, True) - _count(old_w, rules.negations, True)
    if neg:
        verb = "removed" if neg < 0 else "added"
        reasons.append(f"negation {verb}: {_snippet(hunks, rules.negations)}")
    lim = _count(new_w, rules.limits) - _count(old_w, rules.limits)
    if lim:
        verb = "removed" if lim < 0 else "added"
        reasons.append(f"limitation {verb}: {_snippet(hunks, rules.limits)}")
    strong = rules.obligations - {"will"}
    perm = _count(new_w, rules.permissions) - _count(old_w, rules.permissions)
    obl_all = _count(new_w, rules.obligations) - _count(old_w, rules.obligations)
    obl_strong = _count(new_w, strong) - _count(old_w, strong)
    modal = rules.permissions | rules.obligations
    if obl_all < 0 and perm > 0:
        reasons.append(f"obligation turned into permission: {_snippet(hunks, modal)}")
    elif perm < 0 and obl_all > 0:
        reasons.append(f"permission turned into obligation: {_snippet(hunks, modal)}")
    elif (perm or obl_strong) and not neg:
        reasons.append(f"modality changed: {_snippet(hunks, modal)}")
    return reasons


@lru_cache(maxsize=64)
def _number_words(rules: Rules) -> frozenset[str]:
    return frozenset(w.lower() for w in rules.number_words)


@lru_cache(maxsize=64)
def _number_pattern(rules: Rules) -> re.Pattern[str]:
    words = "|".join(sorted(rules.number_words, key=len, reverse=True))
    units = "|".join(re.escape(u) for u in sorted(rules.durations, key=len, reverse=True))
    return re.compile(
        rf"(?:[$€£]\s?)?(?<![\w.])(?:\d+(?:[.,]\d+)*|(?:{words})(?:[ -](?:{words}))*)(?![\w])"
        rf"(?:\s?%| percent)?(?:\s*\(\s*\d+\s*\))?(?:\s+(?:{units})\b)?",
        re.I,
    )


_DIGIT = re.compile(r"\d")


def _numbers(
    old: str, new: str, rules: Rules, words: set[str] | None = None, old_context: str = "", new_context: str = ""
) -> list[str]:
    """Numbers, durations, ages and amounts that differ between the two (changed parts of) sentences."""
    if not _DIGIT.search(old) and not _DIGIT.search(new) and words is not None and not words & _number_words(rules):
        return []
    old, new = _NAMED_NUMBER.sub(r"\1", _strip_dates(old)), _NAMED_NUMBER.sub(r"\1", _strip_dates(new))
    rx = _number_pattern(rules)
    before = Counter(m.group().lower() for m in rx.finditer(old))
    after = Counter(m.group().lower() for m in rx.finditer(new))
    removed = list((before - after).elements())
    added = list((after - before).elements())
    if not removed and not added:
        return []
    context = f"{old_context or old} {new_context or new}".lower()
    both = " ".join(removed + added)
    has_unit = any(re.search(rf"\b{re.escape(u)}\b", both) for u in rules.durations)
    if has_unit and any(re.search(rf"\b{re.escape(w)}", context) for w in rules.retention):
        what = "retention period"
    elif any(re.search(rf"(?<!\w){re.escape(w)}\b", context) for w in rules.ages) and not has_unit:
        what = "age threshold"
    elif any(c in both or re.search(rf"\b{re.escape(c)}\b", context) for c in rules.currencies):
        what = "amount"
    elif has_unit:
        what = "time period"
    else:
        what = "number"
    if removed and added:
        return [f"{what} changed: {_listing(removed)} → {_listing(added)}"]
    if added:
        return [f"{what} added: {_listing(added)}"]
    return [f"{what} removed: {_listing(removed)}"]


def _listing(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _squash(text: str) -> str:
    """Lower case without spaces or hyphens: 'third party' and 'third-party' are one term, 'acomplaint' is a typo."""
    return re.sub(r"[\s\-]+", "", text.lower())


_TERM_TOKEN = re.compile(r"\w+|[^\w\s]")


@lru_cache(maxsize=64)
def _term_index(rules: Rules) -> dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]]:
    """Every term of every category by its first word: (words, term, owning categories), longest first."""
    owners: dict[str, list[int]] = {}
    for n, cat in enumerate(rules.categories):
        for term in cat.terms:
            owners.setdefault(term, []).append(n)
    index: dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]] = {}
    for term, cats in owners.items():
        words = tuple(_TERM_TOKEN.findall(term))
        if words:
            index.setdefault(words[0], []).append((words, term, tuple(cats)))
    for entries in index.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return index


def _plural_of(word: str, base: str) -> bool:
    return word == base or word == base + "s" or word == base + "es"


def _terms(text: str, rules: Rules) -> list[Counter[str]]:
    """Per category, how often each of its terms occurs in ``text``: whole words, longest match, plurals folded."""
    index = _term_index(rules)
    hits: dict[int, Counter[str]] = {}
    words = _TERM_TOKEN.findall(text.lower())
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        entries = index.get(word)
        if entries is None and word.endswith("s"):
            entries = index.get(word[:-1]) or index.get(word[:-2])
        hit = None
        for term_words, term, cats in entries or ():
            k = len(term_words)
            if k == 1:
                if _plural_of(word, term_words[0]):
                    hit = (k, term, cats)
                    break
                continue
            if i + k > n or tuple(words[i : i + k - 1]) != term_words[:-1]:
                continue
            if _plural_of(words[i + k - 1], term_words[-1]):
                hit = (k, term, cats)
                break
        if hit is None:
            i += 1
            continue
        k, term, cats = hit
        for c in cats:
            hits.setdefault(c, Counter())[term] += 1
        i += k
    return [hits.get(n, _NO_TERMS) for n in range(len(rules.categories))]


_NO_TERMS: Counter[str] = Counter()


def _categories(old: str, new: str, rules: Rules) -> list[str]:
    """Reasons for terms that appear or disappear."""
    reasons = []
    old_squashed, new_squashed = _squash(old), _squash(new)
    for cat, before, after in zip(rules.categories, _terms(old, rules), _terms(new, rules), strict=True):
        added = [t for t in after if after[t] > before[t] and _squash(t) not in old_squashed]
        removed = [
            t
            for t in before
            if before[t] > after[t] and _squash(t) not in new_squashed and not any(t in a for a in added)
        ]
        added = [t for t in added if not any(t in r and t != r for r in removed)]
        for term in added[:TERMS_PER_REASON]:
            reasons.append(f"new {cat.label}: {term}")
        if len(added) > TERMS_PER_REASON:
            reasons.append(f"new {cat.label}: {_listing(added[TERMS_PER_REASON:], 0)}")
        for term in removed[:TERMS_PER_REASON]:
            reasons.append(f"{cat.label} removed: {term}")
        if len(removed) > TERMS_PER_REASON:
            reasons.append(f"{cat.label} removed: {_listing(removed[TERMS_PER_REASON:], 0)}")
    return reasons


def _topics(old: str, new: str, rules: Rules) -> list[Category]:
    """The sensitive topics (retention, rights, ...) a sentence is about, from its terms."""
    found = [a or b for a, b in zip(_terms(old, rules), _terms(new, rules), strict=True)]
    return [cat for cat, hits in zip(rules.categories, found, strict=True) if cat.topic and hits]


def _windows(segments: list[list[str]], context: int = 4) -> tuple[str, str]:
    """Each run of changes with a few unchanged words either side, old and new: where terms can differ.

    Runs separated by only a few unchanged words share one window, so a date or a
    phrase split by the diff is still seen whole.
    """
    old_parts: list[str] = []
    new_parts: list[str] = []
    old_cur: list[str] = []
    new_cur: list[str] = []
    last = len(segments) - 1
    for n, (op, text) in enumerate(segments):
        if op == "delete":
            old_cur.append(text)
        elif op == "insert":
            new_cur.append(text)
        else:
            words = text.split()
            inside = bool(old_cur or new_cur) and n < last
            if inside and len(words) <= 2 * context:
                old_cur.append(text)
                new_cur.append(text)
                continue
            if old_cur or new_cur:
                tail = _edge_words(text, context, first=True)
                old_parts.append("".join(old_cur) + tail)
                new_parts.append("".join(new_cur) + tail)
            head = _edge_words(text, context, first=False) if n < last else ""
            old_cur, new_cur = [head], [head]
    if any(old_cur) or any(new_cur):
        old_parts.append("".join(old_cur))
        new_parts.append("".join(new_cur))
    return " ; ".join(old_parts), " ; ".join(new_parts)


_SPACE_RUN = re.compile(r"\s+")


def _edge_words(text: str, count: int, *, first: bool) -> str:
    """The first (or last) ``count`` words of ``text`` exactly as written, spacing included."""
    gaps = [m.start() if first else m.end() for m in _SPACE_RUN.finditer(text.strip())]
    offset = len(text) - len(text.lstrip())
    if first:
        return text[: offset + gaps[count - 1]] if len(gaps) >= count else text
    return text[offset + gaps[-count] :] if len(gaps) >= count else text


def _strip_links(text: str) -> str:
    if "://" in text or "www." in text or _TLD_HINT.search(text):
        return _URL.sub(" ", text)
    return text


def _strip_dates(text: str) -> str:
    return _DATE.sub(" ", text) if _DIGIT.search(text) else text


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A crude stem, enough to see that 'using' and 'use', 'firstly' and 'first' are one word."""
    for suffix in ("ly", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) >= 3 else word


_VARIANTS = [
    (re.compile(r"is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"ae"), "e"),
    (re.compile(r"oe"), "e"),
]


@lru_cache(maxsize=8192)
def _variant_key(word: str) -> str:
    """British and American spellings of a word share a key."""
    for rx, repl in _VARIANTS:
        word = rx.sub(repl, word)
    return word


def _synonyms(word: str, rules: Rules) -> frozenset[int]:
    return rules.synonyms.get(word) or rules.synonyms.get(_stem(word)) or frozenset()


def _near_spellings(word: str, candidates: list[str], used: set[int]) -> list[int]:
    """Indexes of candidates one slip of the keyboard away from ``word`` (one of them 4+ letters)."""
    return [
        m
        for m, other in enumerate(candidates)
        if m not in used
        and len(other) >= 3
        and max(len(other), len(word)) >= 4
        and difflib.SequenceMatcher(None, word, other).ratio() >= 0.8
    ]


def _explain(removed: list[str], added: list[str], rules: Rules) -> tuple[list[str], list[str], list[str]]:
    """Pair removed and added words that are editorial variants of each other; return what is left.

    Exact, spelling-variant, word-form and synonym pairs are found by lookup; near
    spellings (typos) by comparison, only while the change is small enough for it to matter.
    """
    notes: list[str] = []
    pool: dict[str, list[int]] = {}
    by_key: list[dict] = [{}, {}, {}]
    for n, a in enumerate(added):
        pool.setdefault(a, []).append(n)
        by_key[0].setdefault(_variant_key(a), []).append(n)
        by_key[1].setdefault(_stem(a), []).append(n)
        for group in _synonyms(a, rules):
            by_key[2].setdefault(group, []).append(n)
    used: set[int] = set()

    def take(candidates) -> int | None:
        for n in candidates or ():
            if n not in used:
                used.add(n)
                return n
        return None

    fuzzy = len(removed) * len(added) <= 2500
    left_rem = []
    for r in removed:
        if take(pool.get(r)) is not None:
            continue
        if (n := take(by_key[0].get(_variant_key(r)))) is not None:
            notes.append(f"spelling variant: '{r}' → '{added[n]}'")
        elif (n := take(by_key[1].get(_stem(r)))) is not None:
            notes.append(f"word form: '{r}' → '{added[n]}'")
        elif (n := take([m for g in _synonyms(r, rules) for m in by_key[2].get(g, ())])) is not None:
            notes.append(f"synonym: '{r}' → '{added[n]}'")
        elif fuzzy and len(r) >= 3 and (n := take(_near_spellings(r, added, used))) is not None:
            notes.append(f"spelling corrected: '{r}' → '{added[n]}'")
        else:
            left_rem.append(r)
    left_add = [a for n, a in enumerate(added) if n not in used]
    stop = rules.stopwords
    return [w for w in left_rem if w not in stop], [w for w in left_add if w not in stop], notes


@lru_cache(maxsize=64)
def _activity_stems(rules: Rules) -> frozenset[str]:
    return frozenset(_verb_key(v) for v in rules.activities)


def _verb_key(word: str) -> str:
    return _stem(_variant_key(word))


def judge_quickly(edit: Edit, rules: Rules | None = None) -> tuple[str, list[str]]:
    """A verdict from the shape of the edit alone, for when time is up: it errs towards material."""
    rules = rules or default_rules()
    if edit.kind == "move" or edit.dateline or edit.heading:
        return judge(edit, rules)
    words = len(edit.old_text.split()) + len(edit.new_text.split())
    verb = {"insert": "text added", "delete": "text removed"}.get(edit.kind, "wording changed")
    return _override(edit, rules, MATERIAL, [f"{verb} ({words} words; too large to analyse in detail)"])


def judge(edit: Edit, rules: Rules | None = None) -> tuple[str, list[str]]:
    """Classify one edit as material or minor, with the reasons."""
    rules = rules or default_rules()
    if edit.kind == "move":
        where = f" (now under '{edit.new_section}')" if edit.new_section and edit.new_section != edit.section else ""
        return _override(edit, rules, MINOR, [f"moved unchanged{where}"])
    material: list[str] = []
    minor: list[str] = []
    hunks = _hunks(edit.segments)
    deleted = _strip_links(" ".join(h[2] for h in hunks))
    inserted = _strip_links(" ".join(h[3] for h in hunks))
    rem_words, add_words = _words(deleted), _words(inserted)
    if edit.dateline:
        line = f"'{_quote(edit.old_text)}' → '{_quote(edit.new_text)}'"
        return _override(edit, rules, MINOR, [f"date line updated: {line}"])
    if edit.heading:
        what = {"insert": "heading added", "delete": "heading removed"}.get(edit.kind, "heading reworded")
        if edit.old_text.lower() == edit.new_text.lower():
            what = "capitalisation only"
        return _override(edit, rules, MINOR, [f"{what}: {_snippet(hunks)}"])
    old_plain, new_plain = _strip_links(edit.old_text), _strip_links(edit.new_text)
    # Words that left or joined the sentence, wherever they sit in it, links and dates aside.
    before, after = Counter(_words(_strip_dates(old_plain))), Counter(_words(_strip_dates(new_plain)))
    if edit.kind == "replace":
        material += _modality(edit, rules, before, after, hunks)
        if edit.table and edit.old_text.lower() != edit.new_text.lower():
            # A cell of a table (a tick under "Collected?", a new column value) is a statement of its own.
            material.append(f"table entry changed: '{_quote(edit.old_text)}' → '{_quote(edit.new_text)}'")
    old_window, new_window = _windows(edit.segments)
    old_window, new_window = _strip_links(old_window), _strip_links(new_window)
    window_words = {*before, *after}
    material += _numbers(old_window, new_window, rules, window_words, old_plain, new_plain)
    term_reasons = _categories(old_window, new_window, rules)
    material += term_reasons
    gone, came = list((before - after).elements()), list((after - before).elements())
    act_stems = _activity_stems(rules)
    rem_act = [w for w in gone if w not in rules.stopwords and _verb_key(w) in act_stems]
    add_act = [w for w in came if w not in rules.stopwords and _verb_key(w) in act_stems]
    if rem_act or add_act:
        names = _names(edit.old_text) | _names(edit.new_text)
        rem_act = [w for w in rem_act if w not in names]
        add_act = [w for w in add_act if w not in names]
    if edit.kind == "replace" and Counter(map(_verb_key, rem_act)) != Counter(map(_verb_key, add_act)):
        if rem_act and add_act:
            material.append(f"activity changed: '{', '.join(rem_act)}' → '{', '.join(add_act)}'")
        elif add_act:
            material.append(f"new activity: {', '.join(add_act)} ({_snippet(hunks, rules.activities)})")
        else:
            material.append(f"activity removed: {', '.join(rem_act)} ({_snippet(hunks, rules.activities)})")
    if edit.kind in ("insert", "delete"):
        text = edit.new_text if edit.kind == "insert" else edit.old_text
        words = _words(text)
        content = [w for w in words if w not in rules.stopwords]
        unit = "paragraph" if SEP in text else "text"
        verb = "added" if edit.kind == "insert" else "removed"
        commitments = (rules.negations | rules.limits | rules.obligations) - {"will"}
        if edit.kind == "delete" and (_count(words, commitments, True)):
            material.append(f"commitment removed: '{_quote(text)}'")
        if len(content) >= 4:
            material.append(f"{unit} {verb}: '{_quote(text)}'")
        elif not material:
            if all(_URLISH.match(w) for w in text.split()) and text.strip():
                minor.append(f"link {'filled in' if verb == 'added' else 'removed'}: '{_quote(text)}'")
            else:
                minor.append(f"short {unit} {verb}: '{_quote(text)}'")
    else:
        left_rem, left_add, notes = _explain(gone, came, rules)
        unexplained = len(left_rem) + len(left_add)
        links = _URL.findall(" ".join(h[3] for h in hunks))
        old_dates, new_dates = _DATE.findall(edit.old_text), _DATE.findall(edit.new_text)
        if old_dates != new_dates:
            dates = f"{_listing(old_dates) or '-'} → {_listing(new_dates) or '-'}"
            if _EFFECT.search(old_plain) or _EFFECT.search(new_plain):
                material.append(f"date something takes effect changed: {dates}")
            else:
                material.append(f"date changed: {dates}")
        if not rem_words and not add_words:
            minor.append(f"link filled in: '{links[0]}'" if links else "punctuation only")
        elif not gone and not came and not notes:
            minor.append("capitalisation only" if rem_words == add_words else "word order only")
        elif not gone and not came and links:
            minor.append(f"link changed: '{_quote(links[0])}'")
        substantive = unexplained >= TOPIC_WORDS or material
        topics = _topics(old_plain, new_plain, rules) if substantive else []
        named = {r.split(":")[0].removeprefix("new ").removesuffix(" removed") for r in term_reasons}
        unnamed = sorted({c.label for c in topics} - named)
        if unnamed and substantive and len(unnamed) == len({c.label for c in topics}):
            material.append(f"{', '.join(unnamed)} clause changed: {_snippet(hunks)}")
        if unexplained >= 3 and not material:
            material.append(f"wording changed: {_snippet(hunks)}")
        elif not material:
            minor.extend(notes)
            if unexplained:
                minor.append(f"rewording: {_snippet(hunks)}")
            if not minor:
                urls = [h for h in hunks if all(_URLISH.match(w) for w in h[3].split()) and h[3].strip()]
                minor.append(f"link filled in: '{_quote(urls[0][3])}'" if urls else f"editorial: {_snippet(hunks)}")
    if material:
        return _override(edit, rules, MATERIAL, _dedupe(material))
    return _override(edit, rules, MINOR, _dedupe(minor) or ["editorial change"])


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _section_matches(section: str, patterns: tuple[str, ...]) -> str | None:
    parts = [p.strip().lower() for p in section.split(" > ")] + [section.lower()]
    for pattern in patterns:
        if any(fnmatch.fnmatchcase(part, pattern.lower()) for part in parts):
            return pattern
    return None


def _override(edit: Edit, rules: Rules, classification: str, reasons: list[str]) -> tuple[str, list[str]]:
    sections = [edit.section, edit.new_section]
    always = next(filter(None, (_section_matches(s, rules.always_material) for s in sections)), None)
    never = next(filter(None, (_section_matches(s, rules.never_material) for s in sections)), None)
    if always and edit.kind != "move":
        if classification == MINOR:
            return MATERIAL, [f"section '{always}' is always material", *reasons]
        return MATERIAL, reasons
    if never and classification == MATERIAL:
        return MINOR, [f"section '{never}' is never material", *reasons]
    return classification, reasons


_KIND_PREFIXES = [
    ("negation ", "negation"),
    ("limitation ", "limitation"),
    ("obligation turned", "modality"),
    ("permission turned", "modality"),
    ("modality changed", "modality"),
    ("retention period", "retention"),
    ("age threshold", "age"),
    ("amount ", "amount"),
    ("time period", "time"),
    ("date something takes effect", "time"),
    ("date changed", "time"),
    ("number ", "number"),
    ("activity ", "activity"),
    ("new activity", "activity"),
    ("commitment removed", "content"),
    ("text ", "content"),
    ("paragraph ", "content"),
    ("section rewritten", "rewrite"),
    ("table entry", "table"),
    ("wording changed", "wording"),
    ("section '", "section"),
    ("spelling corrected", "typo"),
    ("spelling variant", "variant"),
    ("word form", "form"),
    ("synonym", "synonym"),
    ("punctuation", "punctuation"),
    ("capitalisation", "case"),
    ("date line", "dateline"),
    ("heading ", "heading"),
    ("moved unchanged", "move"),
    ("link ", "link"),
    ("rewording", "rewording"),
    ("short ", "short"),
]


def reason_kind(reason: str, rules: Rules | None = None) -> str:
    """The rule behind a reason string: ``negation``, ``data_categories``, ``typo``, ..."""
    rules = rules or default_rules()
    for cat in rules.categories:
        if reason.startswith((f"new {cat.label}: ", f"{cat.label} removed: ")):
            return cat.name
        if reason.startswith(cat.label) and " clause changed" in reason.split(":")[0]:
            return cat.name
    for prefix, kind in _KIND_PREFIXES:
        if reason.startswith(prefix):
            return kind
    return "editorial"
