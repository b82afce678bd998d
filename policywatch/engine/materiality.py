"""Which edits users must be told about, and why.

Each rule looks at one ``Edit`` (the old and new sentence and their word diff)
and yields human-readable reasons. Any material reason makes the edit material;
otherwise the minor reasons say why it is editorial. The word lists are data
(``policywatch/engine/rules/*.toml``) and a project extends them from ``[materiality]``
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

import fnmatch
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from policywatch.dates import InvalidDate, parse_human_date
from policywatch.engine import lazyre as re
from policywatch.engine import wording
from policywatch.engine.diff import SENTENCE_START, SEP, Edit, is_date_line
from policywatch.engine.rulebook import Category, Rules, default_rules, load_rules
from policywatch.engine.structure import (
    GLUE_POINT,
    Layout,
    channels,
    defined_term,
    in_contents,
    in_furniture,
    is_control,
    is_label_list,
    is_navigation,
    is_statistic,
    pointers,
    structural,
    without_pointers,
)

__all__ = [
    "MATERIAL",
    "MINOR",
    "Category",
    "Rules",
    "default_rules",
    "forget",
    "judge",
    "judge_quickly",
    "load_rules",
    "reason_kind",
    "vocabulary_size",
]

MATERIAL, MINOR = "material", "minor"
TOPIC_WORDS = 2  # unexplained words that make a rewording of a sentence on a sensitive topic material
TERMS_PER_REASON = 5  # terms of one category named one per reason; the rest are counted

_EFFECT = re.compile(r"\beffective\b|\btakes? effect\b|\buntil\b|\bexpires?\b|\bdeadline\b", re.I)
# A number right after a capitalised word names a version or a part ("Basecamp 3", "Section 4"), unless a unit follows.
_NAMED_NUMBER = re.compile(
    r"(?<=[A-Za-z,;:] )([A-Z][\w-]*) (\d+)\b(?!\s*(?:%|percent|days?|weeks?|months?|years?|hours?))"
)


def _count(words: Counter[str] | list[str], vocab: frozenset[str], contractions: bool = False) -> int:
    """How many of ``words`` are in ``vocab`` (and, with ``contractions``, end in n't)."""
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
        reasons.append(f"negation {verb}: {wording.snippet(hunks, rules.negations)}")
    lim = _count(new_w, rules.limits) - _count(old_w, rules.limits)
    if lim:
        verb = "removed" if lim < 0 else "added"
        reasons.append(f"limitation {verb}: {wording.snippet(hunks, rules.limits)}")
    strong = rules.obligations - rules.weak
    perm = _count(new_w, rules.permissions) - _count(old_w, rules.permissions)
    obl_all = _count(new_w, rules.obligations) - _count(old_w, rules.obligations)
    obl_strong = _count(new_w, strong) - _count(old_w, strong)
    modal = rules.permissions | rules.obligations
    if obl_all < 0 and perm > 0:
        reasons.append(f"obligation turned into permission: {wording.snippet(hunks, modal)}")
    elif perm < 0 and obl_all > 0:
        reasons.append(f"permission turned into obligation: {wording.snippet(hunks, modal)}")
    elif (perm or (obl_strong and obl_all)) and not neg:
        # "will" put for "shall" or "must" (or back) binds as before: the tense's "will" is an obligation too.
        reasons.append(f"modality changed: {wording.snippet(hunks, modal)}")
    return reasons


@lru_cache(maxsize=64)
def _number_words(rules: Rules) -> frozenset[str]:
    return frozenset(w.lower() for w in rules.number_words)


@lru_cache(maxsize=64)
def _number_pattern(rules: Rules) -> re.Pattern[str]:
    words = "|".join(sorted(rules.number_words, key=len, reverse=True))
    units = "|".join(re.escape(u) for u in sorted(rules.durations, key=len, reverse=True))
    return re.compile(
        rf"(?:[$€£]\s?)?(?<![\w.-])(?:\d+(?:[.,]\d+)*|(?:{words})(?:[ -](?:{words}))*)(?![\w])"
        rf"(?:\s?%| percent)?(?:\s*\(\s*\d+\s*\))?(?:(?:\s+|-)(?:{units})\b)?",
        re.I,
    )


def _numbers(
    old: str, new: str, rules: Rules, words: set[str] | None = None, old_context: str = "", new_context: str = ""
) -> tuple[list[str], list[str]]:
    """Numbers, durations, ages and amounts that differ between the two (changed parts of) sentences.

    Returns (material, minor) reasons. A number's role decides: cross-references,
    outline numbers, versions and years are no quantity and are left out; figures in a
    sentence that reports statistics are updated, not promised; a retention period
    made shorter is in the user's favour.
    """
    if (
        not wording.DIGIT.search(old)
        and not wording.DIGIT.search(new)
        and words is not None
        and not words & _number_words(rules)
    ):
        return [], []
    st = rules.structure
    old, new = wording.strip_dates(old), wording.strip_dates(new)
    notes = []
    if (old_refs := pointers(old, st)) != (new_refs := pointers(new, st)):
        refs = f"{wording.listing(old_refs) or '-'} → {wording.listing(new_refs) or '-'}"
        notes.append(f"cross-reference or version updated: {refs}")
    old = _NAMED_NUMBER.sub(r"\1", without_pointers(old, st))
    new = _NAMED_NUMBER.sub(r"\1", without_pointers(new, st))
    rx = _number_pattern(rules)
    before = Counter(_in_figures(m.group()) for m in rx.finditer(old) if not _DETERMINER.fullmatch(m.group()))
    after = Counter(_in_figures(m.group()) for m in rx.finditer(new) if not _DETERMINER.fullmatch(m.group()))
    removed = list((before - after).elements())
    added = list((after - before).elements())
    if not removed and not added:
        return [], notes
    context = f"{old_context or old} {new_context or new}".lower()
    if is_statistic(context, st):
        return [], [f"statistics updated: {wording.listing(removed) or '-'} → {wording.listing(added) or '-'}", *notes]
    both = " ".join(removed + added)
    has_unit = any(re.search(rf"\b{re.escape(u)}\b", both) for u in rules.durations)
    if has_unit and any(re.search(rf"\b{re.escape(w)}", context) for w in rules.retention):
        what = "retention period"
    elif (
        not has_unit
        and not any(q[:1] in "$€£" for q in removed + added)
        and all(_plausible_age(q) for q in removed + added)
        and any(re.search(rf"(?<!\w){re.escape(w)}\b", context) for w in rules.ages)
    ):
        what = "age threshold"
    elif any(c in both or re.search(rf"\b{re.escape(c)}\b", context) for c in rules.currencies):
        what = "amount"
    elif has_unit:
        what = "time period"
    elif all("%" in q or "percent" in q for q in removed + added):
        what = "rate"  # a share promised: a commission, a credit, an uptime
    else:
        what = "number"
    if what == "number":
        # A number with no unit, age or currency is a phone number, a postcode, a count: no promise.
        change = f"{wording.listing(removed) or '-'} → {wording.listing(added) or '-'}"
        return [], [f"number without a role changed: {change}", *notes]
    if removed and added:
        change = f"{wording.listing(removed)} → {wording.listing(added)}"
        if what == "retention period" and _shorter(removed, added, rules):
            return [], [f"retention period shortened: {change} (in the user's favour)"]
        return [f"{what} changed: {change}"], []
    if added:
        return [f"{what} added: {wording.listing(added)}"], []
    return [f"{what} removed: {wording.listing(removed)}"], []


# "One" and "single" without a unit count nothing ("one or more patents", "one of our partners").
_DETERMINER = re.compile(r"(?:one|single)", re.I)
_UNIT_DAYS = {"second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve"
_TEENS = "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
_SMALL: dict[str, float] = {w: n for n, w in enumerate(f"{_UNITS} {_TEENS}".split())}
_SMALL.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "half": 0.5, "single": 1})


def _in_figures(quantity: str) -> str:
    """A quantity with its small numbers in figures: "seven days" and "7 days" are one quantity."""
    words = quantity.lower().split()
    return " ".join(str(int(_SMALL[w])) if w in _SMALL and _SMALL[w] >= 1 else w for w in words)


def _plausible_age(quantity: str) -> bool:
    """A number that can be an age: a whole number up to 120, or one spelt out."""
    digits = re.sub(r"\D", "", quantity)
    return not digits or (len(digits) <= 3 and int(digits) <= 120)


def _days(quantity: str, rules: Rules) -> float | None:
    """'30 days', 'two years', '6 (six) months' as days; None when it is no duration."""
    if rules.unit_days:  # another language than English: units by their base form, numbers in digits
        parts = re.findall(r"\d+(?:[.,]\d+)?|[^\W\d]+", quantity.lower())
        units = [rules.unit_days.get(rules.stem(p)) for p in reversed(parts)]
        unit = next((u for u in units if u is not None), None)
        number = next((p for p in parts if p[0].isdigit()), None)
        return float(number.replace(",", ".")) * unit if unit is not None and number else None
    parts = re.findall(r"\d+(?:[.,]\d+)?|[a-z]+", quantity.lower())
    unit = next((_UNIT_DAYS[p.rstrip("s")] for p in reversed(parts) if p.rstrip("s") in _UNIT_DAYS), None)
    if unit is None:
        return None
    for part in parts:
        if part[0].isdigit():
            return float(part.replace(",", "")) * unit
        if part in _SMALL:
            return _SMALL[part] * unit
    return None


def _shorter(removed: list[str], added: list[str], rules: Rules) -> bool:
    """Every new period is shorter than the shortest old one."""
    before = [_days(q, rules) for q in removed]
    after = [_days(q, rules) for q in added]
    if None in before or None in after or not before or not after:
        return False
    return max(after) < min(before)  # type: ignore[type-var]


_TERM_TOKEN = re.compile(r"\w+|[^\w\s]")
# A negation written short ("don't sell", "won't share"): terms are written in full ("do not sell").
_SHORT_NOT = re.compile(r"\b(\w+?)n[’']t\b")
_NOT_IN_FULL = {"wo": "will not", "ca": "cannot", "sha": "shall not"}


def _in_full(match: re.Match[str]) -> str:
    return _NOT_IN_FULL.get(match[1]) or f"{match[1]} not"


def _negations_in_full(text: str) -> str:
    """``text`` with its negations written short written in full ("don't" → "do not")."""
    return _SHORT_NOT.sub(_in_full, text) if "n't" in text or "n’t" in text else text


@lru_cache(maxsize=64)
def _term_index(rules: Rules) -> dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]]:
    """Every term of every category by its first word: (words, term, owning categories), longest first."""
    owners: dict[str, list[int]] = {}
    for n, cat in enumerate(rules.categories):
        for term in cat.terms:
            owners.setdefault(term, []).append(n)
    index: dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]] = {}
    for term, cats in owners.items():
        words = tuple(w for w in _TERM_TOKEN.findall(term) if w != "-")
        if rules.language != "en":  # terms are matched by their words' base forms: "Partnern" is "Partner"
            words = tuple(rules.stem(w) for w in words)
        if words:
            index.setdefault(words[0], []).append((words, term, tuple(cats)))
    for entries in index.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return index


def _plural_of(word: str, base: str) -> bool:
    return word == base or word == base + "s" or word == base + "es"


@lru_cache(maxsize=512)
def _terms(text: str, rules: Rules) -> list[Counter[str]]:
    """Per category, how often each of its terms occurs in ``text``: whole words, longest match, plurals folded."""
    index = _term_index(rules)
    hits: dict[int, Counter[str]] = {}
    words = _TERM_TOKEN.findall(_negations_in_full(text.lower()))
    if "-" in text:
        words = [w for w in words if w != "-"]
    if rules.language != "en":
        words = [rules.stem(w) for w in words]
    i, n = 0, len(words)
    possessives = "'" in text
    while i < n:
        word = words[i]
        entries = index.get(word)
        if entries is None and word.endswith("s"):
            entries = index.get(word[:-1]) or index.get(word[:-2])
        elif (
            entries is None and possessives and words[i + 1 : i + 3] == ["'", "s"] and (plural := index.get(word + "s"))
        ):
            entries, word = plural, word + "s"  # a partner's site: the term is written "partners"
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


def _asserted(text: str, rules: Rules) -> list[Counter[str]]:
    """The terms ``text`` asserts: a term inside the name of a body or a law ("Network Advertising Initiative",
    "Online Monitoring Act") names it and asserts nothing, unless adding it is in the user's favour (a right, a
    safeguard: "Irish Supervisory Authority")."""
    found = _terms(text, rules)
    if rules.language != "en" or (plain := wording.without_institutions(text)) is text:
        return found
    named = _terms(plain, rules)
    return [terms if cat.in_favour else bare for cat, terms, bare in zip(rules.categories, found, named, strict=True)]


def forget() -> None:
    """Drop the terms remembered of sentences judged before: memory only ever serves one comparison."""
    _terms.cache_clear()


def _categories(
    old: str,
    new: str,
    rules: Rules,
    old_sentence: str = "",
    new_sentence: str = "",
    document: Layout | None = None,
    cuts: str = "",
) -> tuple[list[str], list[str]]:
    """Reasons for concepts a sentence asserts that appear or disappear: (material, in the user's favour).

    Terms count by concept, so a synonym or another spelling of a term already
    there ("subsidiaries" → "subsidiary companies", "behavioral" → "behavioural")
    is no new concept. One reason per category and direction names the new
    concepts, each once, with the other words of its group found beside it.
    The ``document``'s own name (the company that writes it) is no recipient of its data. Data, recipients,
    purposes or transfers only cut (``cuts``: the text cut with nothing put in its place) from a plain statement
    of the practice are the company taking less: in the user's favour.
    """
    material: list[str] = []
    favour: list[str] = []
    old_squashed, new_squashed = wording.squash(old), wording.squash(new)
    granted = (_grants(old_sentence or old, rules), _grants(new_sentence or new, rules))
    for cat, before, after in zip(rules.categories, _asserted(old, rules), _asserted(new, rules), strict=True):
        if not before and not after:
            continue
        if cat.name in _RIGHTS_OBJECTS:
            before, after = (_NO_TERMS if granted[0] else before), (_NO_TERMS if granted[1] else after)
            if not before and not after:
                continue
        if cat.places:
            before = _in_context(cat, before, old_sentence or old)
            after = _in_context(cat, after, new_sentence or new)
        had = {cat.concept(t) for t in before}
        has = {cat.concept(t) for t in after}
        added = [t for t in after if cat.concept(t) not in had and wording.squash(t) not in old_squashed]
        if added and " " in (old_sentence or old):
            added = [t for t in added if not _misspelt_in(t, old_sentence or old)]
        removed = [
            t
            for t in before
            if cat.concept(t) not in has and wording.squash(t) not in new_squashed and not any(t in a for a in added)
        ]
        added = [t for t in added if not any(t in r and t != r for r in removed)]
        if cat.name == "recipients" and added:
            was = (old_sentence or old).lower()
            added = [
                t
                for t in added
                if not _names_a_product(t, new_sentence or new, old_sentence or old)
                and not _qualifies(t, (new_sentence or new).lower(), was, before)
                and not _party_to_terms(t, new_sentence or new)
            ]
        if cat.name == "recipients" and document and (added or removed):
            own = document.own_names(1)
            added, removed = [t for t in added if t not in own], [t for t in removed if t not in own]
        for terms, label in ((added, f"new {cat.label}"), (removed, f"{cat.label} removed")):
            if not terms:
                continue
            named = _by_concept(cat, terms)
            shown = named[:TERMS_PER_REASON]
            text = f"{label}: {shown[0]}" if len(named) == 1 else f"{label}: {wording.listing(named, TERMS_PER_REASON)}"
            if (cat.in_favour and terms is added) or (
                terms is removed and cat.name in _TAKING and _cut_plainly(terms, cuts, old_sentence or old, rules)
            ):
                favour.append(f"{text} (in the user's favour)")
            elif terms is removed and _examples_cut(terms, cuts):
                favour.append(
                    f"examples removed: {wording.listing(named, TERMS_PER_REASON)} (the clause still names what"
                    " they illustrate)"
                )
            else:
                material.append(text)
    return material, favour


# What the company takes: cut from a plain statement of its practice, it takes less.
_TAKING = frozenset(("data_categories", "recipients", "purposes", "transfers"))
# What a right the user is given reaches: the data, who holds it, what for, how long ("the right to request
# deletion of your email address", "the right to know which third parties received it").
_RIGHTS_OBJECTS = frozenset(("data_categories", "recipients", "purposes", "transfers", "retention", "children"))
# What a user may ask of the company.
_RIGHT_ACTS = (
    "request|ask|opt|object|withdraw|access|obtain|lodge|complain|appeal|exercise|correct|limit|restrict|delete|know"
    "|review|update|download|export"
)
# A sentence that opens by giving the user a right ("You have the right to ...", "California residents may
# request ...", "Acme.com allows you to request ..."), perhaps after a condition ("If you live in the EU, you may ...").
_GRANTING = (
    r"\s*(?:(?:if|where|when|to|in addition|additionally|also|depending on)\b[^,]{0,80},\s*)?"
    r"(?:(?:you|(?:[\w-]+ ){0,2}(?:residents?|users?|consumers?|individuals?|minors?|parents?|data subjects?))\b"
    r"[^.;:,]{0,40}?"
    rf"\b(?:(?:have|has|may have) (?:the |a |certain )?(?:rights?|choices?)\b|(?:may|can) (?:{_RIGHT_ACTS})\b)"
    r"|(?:[\w.'’-]+\s+)?(?:allows?|lets?|enables?|entitles?|permits?) (?:you|users?|customers?) "
    rf"(?:to )?(?:{_RIGHT_ACTS})\b)"
)
_GRANT = re.compile(rf"^{_GRANTING}", re.I)
_GRANT_LATER = re.compile(rf"[.!?;]\s+(?:{_GRANTING})", re.I)  # a later sentence of the text may open with one


# A sentence that tells how to use a right given beside it ("By exercising your right to deletion you may lose
# access ...", "If you wish to delete your profile, submit the form ...", "We honour all valid deletion requests").
_USES_RIGHT = re.compile(
    r"\b(?:exercis\w* (?:your|this|these|the|any|such) (?:\w+ )?rights?|your rights? to"
    rf"|if you (?:wish|want|would like|choose) to (?:\w+ ){{0,3}}?(?:{_RIGHT_ACTS}|cancel)"
    rf"|how (?:can|do|to) (?:you |i )?(?:{_RIGHT_ACTS})"
    r"|(?:deletion|access|correction|opt-out|valid|your) requests?)\b",
    re.I,
)


def _grants(text: str, rules: Rules) -> bool:
    """Sentences that give the user a right and say of no practice of the company's (each gives a right, tells
    how to use it, or names none of the data and parties a right reaches): those they name are what the right
    reaches, not what the company takes."""
    if rules.language != "en" or not (_GRANT.search(text) or _GRANT_LATER.search(text)) or _TAKES.search(text):
        return False
    reached = [n for n, cat in enumerate(rules.categories) if cat.name in _RIGHTS_OBJECTS]
    granted = False
    for sentence in SENTENCE_START.split(text):
        if _GRANT.search(sentence):
            granted = True
        elif not _USES_RIGHT.search(sentence) and any(_terms(sentence, rules)[n] for n in reached):
            return False
    return granted


def _cut_plainly(terms: list[str], cuts: str, sentence: str, rules: Rules) -> bool:
    """Every term was cut with nothing put in its place, from a sentence that states a practice plainly (no
    negation, no limit): the company says it takes less ("such as Facebook or Google" → "such as Google").
    From a promise ("we do not share with advertisers") or a limit, a cut may widen what it allows."""
    if not cuts or not all(t in cuts for t in terms):
        return False
    return not _count(wording.words(sentence), rules.negations | rules.limits, True)


# The words that open a run of examples ("such as threats, fraud or scams").
_EXAMPLE_WORDS = r"such as|e\.g\.|for example|for instance"
_EXAMPLE_RUN = re.compile(rf"[\s(,;]*(?:{_EXAMPLE_WORDS})\b")


def _examples_cut(terms: list[str], cuts: str) -> bool:
    """Every term was cut, with nothing in its place, in a run of examples ("contraband (such as child sexual
    exploitation material)" → "contraband"): the clause still names what they illustrated, and reaches as far."""
    return bool(cuts) and bool(_EXAMPLE_RUN.match(cuts)) and all(t in cuts for t in terms)


def _qualifies(term: str, new: str, old: str, kept: Counter[str]) -> bool:
    """``term`` put before a recipient the old sentence already named, as a word that says which kind
    ("our link vendors" → "our affiliate link vendors"): the same party, described more closely. Lower case."""
    for m in re.finditer(rf"\b{re.escape(term)}\s+((?:(?!and\b|or\b|nor\b)[a-z]+\s+)?([a-z]+))\b", new):
        if m[1] in old and any(m[2] == k or m[2] == k + "s" or m[2].rstrip("s") == k for k in kept):
            return True
    return False


def _party_to_terms(term: str, sentence: str) -> bool:
    """``term`` names who the reader contracts with ("an agreement between you and Acme (or one of its
    affiliates)"): a party to the terms, to whom no data is said to go."""
    if "between you and" not in sentence.lower():
        return False
    said = len(re.findall(rf"\b{re.escape(term)}", sentence, re.I))
    as_party = len(re.findall(rf"\bbetween you and\b[^.;:]{{0,60}}?\b{re.escape(term)}", sentence, re.I))
    return bool(said) and as_party == said


def _names_a_product(term: str, new: str, old: str) -> bool:
    """A company's name put before a product's name the old sentence already wrote ("your Play listing" →
    "your Google Play listing"): the product named more fully, no one new given the data."""
    kept = wording.names(old)
    return any(
        m[1].lower() in kept for m in re.finditer(rf"\b{re.escape(term)}\s+([A-Z][\w'-]*)", new, re.I)
    ) and not re.search(rf"\b(?:with|to)\s+{re.escape(term)}\b", new, re.I)


def _one_slip(a: str, b: str) -> bool:
    """Two words of three letters or more one keystroke apart: one letter changed, added or dropped."""
    if a == b or min(len(a), len(b)) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _misspelt_in(term: str, text: str) -> bool:
    """``text`` already wrote ``term`` of several words with one of them misspelt ("train out models")."""
    parts = term.lower().split()
    if len(parts) < 2:
        return False
    found = wording.words(text)
    for at in range(len(found) - len(parts) + 1):
        pairs = list(zip(parts, found[at : at + len(parts)], strict=True))
        slips = [p for p in pairs if p[0] != p[1]]
        if len(slips) == 1 and _one_slip(*slips[0]):
            return True
    return False


# Where the user is ("if you are a consumer located in the EEA", "if you're outside the UK", "residents of"):
# a place said of the reader, not of where data goes, so the words of place in it speak of no transfer.
_WHEREABOUTS = re.compile(
    r"\b(?:you(?:'re|’re| are| live| reside| travel)|users|customers|consumers|residents|individuals|visitors)"
    r"(?: (?:a|an|the|who|that|are|is|currently|consumer|user|customer|resident|person|individual|visitor)){0,3}"
    r" (?:located |based |living |residing |resident )?(?:in|outside|within)\b",
    re.I,
)


def _in_context(cat: Category, found: Counter[str], text: str) -> Counter[str]:
    """The terms found, less the places, unless the text speaks of where data goes (not of where the user is)."""
    if not any(t in cat.places for t in found):
        return found
    low = text.lower()
    if ("you" in low or "s " in low) and _WHEREABOUTS.search(low):
        low = _WHEREABOUTS.sub(" ", low)
    if any(re.search(rf"\b{re.escape(w)}\b", low) for w in cat.context):
        return found
    return Counter({t: n for t, n in found.items() if t not in cat.places})


def _by_concept(cat: Category, terms: list[str]) -> list[str]:
    """Terms grouped by concept, each concept once: 'precise location (gps)'."""
    groups: dict[str, list[str]] = {}
    for term in terms:
        groups.setdefault(cat.concept(term), []).append(term)
    return [f"{g[0]} ({', '.join(g[1:])})" if len(g) > 1 else g[0] for g in groups.values()]


def _topics(old: str, new: str, rules: Rules) -> list[Category]:
    """The sensitive topics (retention, rights, ...) a sentence is about, from its terms.

    ``new`` need only hold what the new sentence added (its windows): the rest is in ``old``.
    """
    found = [a or b for a, b in zip(_terms(old, rules), _terms(new, rules), strict=True)]
    both = f"{old} {new}"
    return [
        cat
        for cat, hits in zip(rules.categories, found, strict=True)
        if cat.topic and hits and (not cat.places or _in_context(cat, hits, both))
    ]


def _synonyms(word: str, rules: Rules) -> frozenset[int]:
    return rules.synonyms.get(word) or rules.synonyms.get(rules.stem(word)) or frozenset()


def _short_forms_out(removed: list[str], added: list[str], notes: list[str]) -> tuple[list[str], list[str]]:
    """The words with a negation written short taken out where the other side writes it in full ("don't" for
    "do not", "won't" for "will not")."""

    def in_full(words: list[str]) -> list[str]:
        return [part for w in words for part in _negations_in_full(w).split()]

    full_removed, full_added = in_full(removed), in_full(added)
    common = Counter(full_removed) & Counter(full_added)
    if not common:
        return removed, added
    notes.append("negation written short or in full")

    def without_common(words: list[str]) -> list[str]:
        kept, seen = [], Counter(common)
        for w in words:
            if seen[w] > 0:
                seen[w] -= 1
            else:
                kept.append(w)
        return kept

    return without_common(full_removed), without_common(full_added)


def _explain(removed: list[str], added: list[str], rules: Rules) -> tuple[list[str], list[str], list[str]]:
    """Pair removed and added words that are editorial variants of each other; return what is left.

    Exact, spelling-variant, word-form and synonym pairs are found by lookup; near
    spellings (typos) by comparison, only while the change is small enough for it to matter.
    """
    notes: list[str] = []
    removed, added = list(removed), list(added)
    if any("n't" in w or "n’t" in w for w in removed + added):
        removed, added = _short_forms_out(removed, added, notes)
    removed = _compounds(removed, added, notes)
    added = [w for w in _compounds(added, removed, notes, reverse=True) if w]
    removed = [w for w in removed if w]
    phrased = _phrases(removed, added, rules)
    added = _phrases(added, removed, rules)
    removed = phrased
    pool: dict[str, list[int]] = {}
    by_key: list[dict] = [{}, {}, {}]
    for n, a in enumerate(added):
        pool.setdefault(a, []).append(n)
        by_key[0].setdefault(wording.variant_key(a), []).append(n)
        by_key[1].setdefault(rules.stem(a), []).append(n)
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
        if (n := take(by_key[0].get(wording.variant_key(r)))) is not None:
            notes.append(f"spelling variant: '{r}' → '{added[n]}'")
        elif (n := take(by_key[1].get(rules.stem(r)))) is not None:
            notes.append(f"word form: '{r}' → '{added[n]}'")
        elif (n := take([m for g in _synonyms(r, rules) for m in by_key[2].get(g, ())])) is not None:
            notes.append(f"synonym: '{r}' → '{added[n]}'")
        elif fuzzy and len(r) >= 3 and (n := take(wording.near_spellings(r, added, used))) is not None:
            notes.append(f"spelling corrected: '{r}' → '{added[n]}'")
        else:
            left_rem.append(r)
    left_add = [w for n, a in enumerate(added) if n not in used for w in a.split()]
    left_rem = [w for r in left_rem for w in r.split()]
    stop = rules.stopwords
    return [w for w in left_rem if w not in stop], [w for w in left_add if w not in stop], notes


def _compounds(parts: list[str], wholes: list[str], notes: list[str], reverse: bool = False) -> list[str]:
    """``parts`` with the pairs of words written as one of ``wholes`` taken out ("smart watches" → "smartwatches").

    The whole word leaves ``wholes`` too (in place), so neither side counts it again.
    """
    if len(parts) < 2 or not wholes:
        return parts
    have = Counter(parts)
    for n, whole in enumerate(wholes):
        if len(whole) < 5 or whole in have:
            continue
        for cut in range(1, len(whole) - 1):
            first, second = whole[:cut], whole[cut:]
            if have[first] and have[second] and (first != second or have[first] > 1):
                have[first] -= 1
                have[second] -= 1
                pair = f"{first} {second}"
                old, new = (whole, pair) if reverse else (pair, whole)
                notes.append(f"compound word: '{old}' → '{new}'")
                wholes[n] = ""
                break
    kept = []
    for word in parts:
        if have[word] > 0:
            have[word] -= 1
            kept.append(word)
    return kept


@lru_cache(maxsize=64)
def _phrase_index(rules: Rules) -> tuple[tuple[str, Counter[str], frozenset[int], str], ...]:
    """Synonyms of more than one word ("from time to time"), longest first, each with its words and its last word
    (a word few texts hold, so most phrases are ruled out by one lookup)."""
    phrases = [(k, Counter(k.split()), g, k.split()[-1]) for k, g in rules.synonyms.items() if " " in k]
    return tuple(sorted(phrases, key=lambda p: -len(p[0])))


def _phrases(words: list[str], others: list[str], rules: Rules) -> list[str]:
    """``words`` with each synonym phrase they hold made one item, when the other side has a synonym of it."""
    index = _phrase_index(rules)
    if not index or len(words) < 2:
        return words
    groups: set[int] = set()
    for word in others:
        groups |= _synonyms(word, rules)
    have = Counter(words)
    other = Counter(others)
    found = []
    for phrase, need, group, last in index:
        if last not in have or not need <= have:
            continue
        if not (group & groups or any(need2 <= other for _, need2, g2, _ in index if g2 & group)):
            continue
        have -= need
        found.append(phrase)
    if not found:
        return words
    kept = []
    for word in words:
        if have[word] > 0:
            have[word] -= 1
            kept.append(word)
    return kept + found


@lru_cache(maxsize=64)
def _activity_stems(rules: Rules) -> frozenset[str]:
    return frozenset(_verb_key(v, rules) for v in rules.activities)


def _verb_key(word: str, rules: Rules) -> str:
    if rules.language != "en":
        return rules.stem(word)
    return wording.stem(wording.variant_key(word))


@lru_cache(maxsize=64)
def _fixed_words(rules: Rules) -> frozenset[str]:
    """Words that make a phrase a statement of its own rather than the name of a page."""
    return rules.negations | rules.limits | rules.permissions | rules.obligations | rules.activities


def _unpaired(verbs: list[str], others: list[str], rules: Rules) -> list[str]:
    """``verbs`` without those a synonym on the other side explains ("applied to" → "used for")."""
    groups: set[int] = set()
    for word in others:
        groups |= _synonyms(word, rules)
    return [v for v in verbs if not _synonyms(v, rules) & groups] if groups else verbs


def _without_synonyms(lost: Counter[str], gained: Counter[str], rules: Rules) -> tuple[Counter[str], Counter[str]]:
    """The words lost and gained, less those a synonym on the other side explains ("make sure" → "ensure")."""
    rem = _phrases(list(lost.elements()), list(gained.elements()), rules)
    add = _phrases(list(gained.elements()), list(lost.elements()), rules)
    rem_groups: set[int] = set()
    add_groups: set[int] = set()
    for word in rem:
        rem_groups |= _synonyms(word, rules)
    for word in add:
        add_groups |= _synonyms(word, rules)
    kept_lost = Counter(w for r in rem if not _synonyms(r, rules) & add_groups for w in r.split())
    kept_gained = Counter(w for a in add if not _synonyms(a, rules) & rem_groups for w in a.split())
    return kept_lost, kept_gained


def _names_a_page(filled: str, rules: Rules) -> bool:
    """Text filled in after "visit" or "see" that holds no term of a topic (a company's name may be the page's)."""
    hits = zip(rules.categories, _terms(filled, rules), strict=True)
    return not any(found for cat, found in hits if cat.name != "recipients")


def _names(text: str, rules: Rules) -> set[str]:
    """``wording.names``, less the common nouns of a language that capitalises them (German)."""
    found = wording.names(text)
    if rules.language == "en" or not found:
        return found
    from policywatch.engine.languages import known

    return {w for w in found if not known(w, rules.language)}


def _known_word(word: str, rules: Rules) -> bool:
    """A word of the rules' own vocabulary, or a generic one: capitalised, it still names no new party."""
    return (
        word in rules.stopwords
        or word in rules.generic_names
        or bool(_synonyms(word, rules))
        or _verb_key(word, rules) in _activity_stems(rules)
        or word in _fixed_words(rules)
        or any(_terms(word, rules))
    )


def _name_runs(old: str, new: str, gained: Counter[str], rules: Rules, document: Layout | None) -> list[str]:
    """Names ("Acme Analytics") in ``new`` that ``old`` lacks, less the document's own (its products, itself)."""
    if not any(_written_capitalised(w, new) for w in gained):
        return []
    old_names = {w.removesuffix("'s") for w in _names(old, rules)}
    added = {w.removesuffix("'s") for w in _names(new, rules)} - old_names
    added = {w for w in added if w in gained and not _known_word(w, rules)}
    if not added:
        return []
    runs = [r for r in _NAME_RUN.findall(new) if set(wording.words(r)) & added]
    if document:
        runs = [
            r for r in runs if not document.named_before(r.split()[0]) and not _renamed_to(r.split()[0], old, document)
        ]
    return list(dict.fromkeys(runs))


def _recipients_named(text: str, rules: Rules) -> bool:
    """``text`` names someone who may receive data: a term of the recipients' category."""
    at = next((n for n, c in enumerate(rules.categories) if c.name == "recipients"), None)
    return at is not None and bool(_terms(text, rules)[at])


def _new_names(
    edit: Edit, old: str, new: str, gained: Counter[str], rules: Rules, document: Layout | None = None
) -> list[str]:
    """A company named for the first time in a sentence about who gets data.

    A vendor swapped for another ("Mailchimp" → "Sendgrid") is a new recipient as
    much as one added to a list; a name kept and extended ("Basecamp" → "Basecamp 4")
    is not, nor is a name the old document already used (the company's own products).
    """
    if not _recipients_named(old, rules):
        return []
    runs = _name_runs(old, new, gained, rules, document)
    return [f"new recipient: {run} (named for the first time)" for run in runs]


# Words that end the reach of a negation over the list that follows it.
_BREAKS = re.compile(r"[.;:!?]|\b(?:but|except|unless|however|although|though|while|whereas|instead|we|you)\b", re.I)


def _under_negation(sentence: str, term: str, rules: Rules) -> bool:
    """Every use of ``term`` in ``sentence`` sits in a list a negation governs ("does not collect, retain or ...")."""
    low = sentence.lower()
    found = False
    for m in re.finditer(rf"(?<![\w-]){re.escape(term)}", low):
        found = True
        before = low[: m.start()].split()[-24:]
        at = max((n for n, w in enumerate(before) if w.strip(",") in rules.negations or w.endswith("n't")), default=-1)
        if at < 0 or _BREAKS.search(" ".join(before[at + 1 :])):
            return False
        subjects = [w for w in before[:at] if w in _SUBJECTS]
        if subjects and subjects[-1] != "we":
            return False  # a ban on the user ("you may not ... or apply any other process"), no promise of ours
    return found


# Who a negation binds, as the words that open its clause.
_SUBJECTS = frozenset(("we", "you", "user", "users", "customer", "customers", "member", "members", "developers"))


def _promised_not(
    material: list[str], sentence: str, lost: Counter[str], gained: Counter[str], rules: Rules
) -> tuple[list[str], list[str]]:
    """Terms and activities added inside a negated list are more the company promises not to do: in the user's favour.

    Only when the negations themselves are unchanged and every material reason is such an addition.
    """
    if _count(gained, rules.negations, True) != _count(lost, rules.negations, True):
        return material, []
    added: list[str] = []
    for reason in material:
        label, _, terms = reason.partition(": ")
        if label == "new activity":
            terms = terms.split(" (", 1)[0]
        elif not label.startswith("new ") or label.endswith("clause changed"):
            return material, []
        added += [t.split(" (", 1)[0].strip() for t in terms.split(", ")]
    if not added or not all(_under_negation(sentence, t, rules) for t in added):
        return material, []
    added = list(dict.fromkeys(added))
    return [], [f"more the company promises not to do: {wording.listing(added)} (in the user's favour)"]


_EMPTY_LINK = re.compile(r"^\[\]\([^)\s]*\)$")


def _unfilled(cell: str, placeholders: frozenset[str]) -> bool:
    """A cell the scraper failed to fill: a placeholder ("undefined") or a link that lost its text ("[](url)")."""
    cell = cell.strip()
    return cell.lower() in placeholders or bool(_EMPTY_LINK.match(cell))


_IDENTIFIER = re.compile(r"^(?=.*[_^$*\\./\d])[\w^$*\\./:-]+$")


def _only_identifiers_differ(
    old: str, new: str, placeholders: frozenset[str] = frozenset()
) -> tuple[bool, list[str]] | None:
    """Two table rows that differ only in cells of identifiers ("_ga_3J7PP", "^_utm.*", "example.com")
    or in cells a scraper failed to fill ("2 years" → "undefined"). None when they differ otherwise;
    else whether identifiers differ, and the values lost to the capture, as "'2 years' → 'undefined'".
    """
    old_cells, new_cells = old.split(" | "), new.split(" | ")
    if len(old_cells) != len(new_cells) or SEP in old or SEP in new:
        return None
    changed = [(a, b) for a, b in zip(old_cells, new_cells, strict=True) if a != b]
    lost = [f"'{a.strip()}' → '{b.strip()}'" for a, b in changed if _unfilled(b, placeholders)]
    named = [(a, b) for a, b in changed if not _unfilled(b, placeholders)]
    if not changed or not all(
        all(_IDENTIFIER.match(t) for t in f"{a} {b}".split()) and f"{a} {b}".split() for a, b in named
    ):
        return None
    return bool(named), lost


_MARKS = re.compile(r"[\s\"'“”‘’,.;:-]+")


def _row_reworded(old: str, new: str, lost: Counter[str], gained: Counter[str], rules: Rules) -> bool:
    """A table row whose words changed beyond punctuation, quotes, spelling variants and synonyms."""
    if _MARKS.sub("", old).lower() == _MARKS.sub("", new).lower():
        return False  # quotes, hyphens, commas or case only
    if not lost and not gained:
        return True  # a tick or a symbol that is no word
    left_rem, left_add, _ = _explain(list(lost.elements()), list(gained.elements()), rules)
    figures = {_in_figures(w) for w in left_rem} ^ {_in_figures(w) for w in left_add}
    return bool(left_rem or left_add) and bool(figures)


def _written_capitalised(word: str, text: str) -> bool:
    """``word`` appears capitalised somewhere in ``text`` (a quick test before looking for names)."""
    return word[:1].upper() + word[1:] in text or word.upper() in text


def _including(reason: str, runs: list[str]) -> str:
    """A reason that names a kind of recipient, with the companies the text names beside it."""
    named = [r for r in runs if r.lower() not in reason]
    return f"{reason}, including {wording.listing(named, 3)}" if named else reason


_NAME_RUN = re.compile(r"(?<=[\w,;:()] )[A-Z][\w'-]*(?: (?:[A-Z][\w'-]*|&))*")


def judge_quickly(edit: Edit, rules: Rules | None = None, document: Layout | None = None) -> tuple[str, list[str]]:
    """A verdict from the shape of the edit alone, once the judging budget is spent: it errs towards material."""
    rules = rules or default_rules()
    if edit.kind == "move" or edit.dateline or edit.heading:
        return judge(edit, rules, document)
    words = len(edit.old_text.split()) + len(edit.new_text.split())
    verb = {"insert": "text added", "delete": "text removed"}.get(edit.kind, "wording changed")
    why = "not analysed: the comparison's size limit for analysis was reached"
    return _override(edit, rules, MATERIAL, [f"{verb} ({words} words; {why})"])


def _plain(text: str) -> str:
    """What the rules read of a sentence: no links or list labels, amounts by their sign, "including but not
    limited to" and "no." for "number" out of the way; the same object when none of that is there."""
    text = wording.currency_signs(wording.strip_enumerators(wording.strip_links(text)))
    return wording.number_spelled(wording.without_not_limited(text))


# A note in brackets on when a page's text changed ("(contains changes effective 30 November 2023)"): no promise.
_DATE_NOTE = re.compile(
    r"\s*\((?=[^()]*\d{4})(?:(?:contains|with|includes?|new|changes?|effective|updated|revised|amended|version|last"
    r"|as|of|from|since|on|in|force|\d{1,2}(?:st|nd|rd|th)?|\d{4}|[A-Z][a-z]+\.?),?\s*){1,9}\)",
)


def _date_note(old: str, new: str) -> str | None:
    """'date note removed: …' when two texts differ only by a note in brackets on when the page changed."""
    if "(" not in old + new or _DATE_NOTE.sub("", old) != _DATE_NOTE.sub("", new):
        return None
    notes = _DATE_NOTE.findall(old) or _DATE_NOTE.findall(new)
    if not notes:
        return None  # the two texts are the same once set alike: no note to speak of
    verb = "removed" if not _DATE_NOTE.search(new) else "added" if not _DATE_NOTE.search(old) else "changed"
    return f"date note {verb}: '{wording.quote(notes[0].strip())}'"


def _done(edit: Edit) -> str:
    """What an edit did to its text, as a reason says it."""
    return {"insert": "added", "delete": "removed"}.get(edit.kind, "changed")


def judge(edit: Edit, rules: Rules | None = None, document: Layout | None = None) -> tuple[str, list[str]]:
    """Classify one edit as material or minor, with the reasons.

    ``document`` (from ``structure.layout``) tells what the two texts hold as
    wholes: their headings, to know a table of contents, and the new text's
    clauses, to judge a changed definition by the clauses that use the term.
    """
    rules = rules or default_rules()
    if edit.kind == "move":
        where = f" (now under '{edit.new_section}')" if edit.new_section and edit.new_section != edit.section else ""
        return _override(edit, rules, MINOR, [f"moved unchanged{where}"])
    material: list[str] = []
    minor: list[str] = []
    hunks = wording.hunks(edit.segments)
    deleted = wording.strip_links(" ".join(h[2] for h in hunks))
    inserted = wording.strip_links(" ".join(h[3] for h in hunks))
    rem_words, add_words = wording.words(deleted), wording.words(inserted)
    if edit.dateline:
        line = f"'{wording.quote(edit.old_text)}' → '{wording.quote(edit.new_text)}'"
        return _override(edit, rules, MINOR, [f"date line updated: {line}"])
    if edit.chrome and all(_only_gives(t) for t in (edit.old_text, edit.new_text)):
        return _override(
            edit, rules, MINOR, [f"page furniture above the document's title {_done(edit)}: {wording.snippet(hunks)}"]
        )
    if edit.anchors:
        return _override(edit, rules, MINOR, [f"table of contents {_done(edit)}: {wording.snippet(hunks)}"])
    if edit.link_target:
        return _override(edit, rules, *_retargeted(edit, rules))
    if edit.kind in ("insert", "delete") and is_date_line(edit.new_text or edit.old_text):
        line = wording.quote(edit.new_text or edit.old_text)
        return _override(edit, rules, MINOR, [f"date line {_done(edit)}: '{line}'"])
    if edit.heading:
        what = {"insert": "heading added", "delete": "heading removed"}.get(edit.kind, "heading reworded")
        if edit.old_text.lower() == edit.new_text.lower():
            what = "capitalisation only"
        return _override(edit, rules, MINOR, [f"{what}: {wording.snippet(hunks)}"])
    if page := _page_structure(edit, rules, document):
        return _override(edit, rules, MINOR, [page])
    if edit.links and (link := _link_elsewhere(edit, rules, document)):
        return _override(edit, rules, MINOR, [link])
    if edit.kind in ("insert", "delete") and (way := _way_in(edit, rules, document)):
        return _override(edit, rules, MINOR, [way])
    if edit.kind == "replace" and (note := _date_note(edit.old_text, edit.new_text)):
        return _override(edit, rules, MINOR, [note])
    if (
        edit.kind == "replace"
        and "[](" in edit.old_text + edit.new_text
        and wording.TEXTLESS_LINK.sub("", edit.old_text) == wording.TEXTLESS_LINK.sub("", edit.new_text)
    ):
        return _override(edit, rules, MINOR, ["image or link without text changed"])
    if edit.kind == "delete" and document and document.still_written(edit.old_text):
        said = f"'{wording.quote(edit.old_text)}'"
        return _override(edit, rules, MINOR, [f"repeated text removed, still in the document: {said}"])
    old_plain, new_plain = _plain(edit.old_text), _plain(edit.new_text)
    if edit.kind == "replace" and (
        moved_address := wording.address_change(old_plain, new_plain)
        or wording.mail_contact_change(edit.old_text, edit.new_text)
        or wording.hidden_mail_restored(edit.old_text, edit.new_text)
        or (wording.may_hold_contact(deleted + inserted) and wording.contact_details_change(old_plain, new_plain))
    ):
        return _override(edit, rules, MINOR, [moved_address])
    if (
        edit.kind == "replace"
        and (filled := wording.pointer_filled(edit.segments, _fixed_words(rules)))
        and _names_a_page(filled, rules)
    ):
        return _override(edit, rules, MINOR, [f"link filled in: '{wording.quote(filled)}'"])
    # The words that left or joined the sentence, wherever they sit in it, links and dates aside: only
    # they can change a count, so they are all the rules need. The diff's own runs give them directly,
    # unless a link or a date (which the diff may cut in pieces) has to be taken out of whole sentences.
    if old_plain is edit.old_text and new_plain is edit.new_text and not wording.DIGIT.search(deleted + inserted):
        lost, gained = Counter(rem_words) - Counter(add_words), Counter(add_words) - Counter(rem_words)
    else:
        before = Counter(wording.words(wording.strip_dates(old_plain)))
        after = Counter(wording.words(wording.strip_dates(new_plain)))
        lost, gained = before - after, after - before
    if edit.kind == "replace" and (spaced := _spaced_anew(hunks)):
        if len(spaced) == len(hunks):
            return _override(edit, rules, MINOR, _dedupe(_spacing(h[2], h[3]) for h in spaced))
        lost -= Counter(w for h in spaced for w in wording.words(h[2]))
        gained -= Counter(w for h in spaced for w in wording.words(h[3]))
    names: set[str] | None = None

    def unnamed(counts: Counter[str]) -> Counter[str]:
        """Without words that are part of a name: "Do Not Track" is not a negation."""
        nonlocal names
        if names is None:
            names = _names(edit.old_text, rules) | _names(edit.new_text, rules)
        return Counter({w: n for w, n in counts.items() if w not in names}) if names else counts

    leave: list[str] = []
    if edit.kind == "replace" and _modality(edit, rules, lost, gained, hunks):
        kept_lost, kept_gained = _without_synonyms(lost, gained, rules)
        kept_gained, leave = _users_leave(old_plain, new_plain, kept_gained)
        kept_lost = _invited(old_plain, new_plain, kept_lost)
        modal = _modality(edit, rules, unnamed(kept_lost), unnamed(kept_gained), hunks)
        if modal == [m for m in modal if m.startswith("modality changed")] and _company_commits(
            old_plain, new_plain, kept_lost, kept_gained, rules
        ):
            leave += [f"commitment added: {m.split(': ', 1)[1]} (in the user's favour)" for m in modal]
        elif modal and all(m.startswith("negation removed") for m in modal) and _lifts_a_ban(edit.segments, rules):
            leave += [f"ban on the user lifted: {m.split(': ', 1)[1]} (in the user's favour)" for m in modal]
        elif modal and (
            (
                all(m.startswith("limitation added") for m in modal)
                and _narrows_a_practice(new_plain, kept_gained, rules)
            )
            or (
                all(m.startswith(_TIGHTENING) for m in modal)
                and _promises_not(old_plain, new_plain, kept_gained, rules)
            )
        ):
            leave += [f"practice narrowed: {m.split(': ', 1)[1]} (in the user's favour)" for m in modal]
        else:
            material += modal
    if (
        edit.kind == "replace"
        and edit.table
        and edit.old_text.lower() != edit.new_text.lower()
        and _row_reworded(edit.old_text, edit.new_text, lost, gained, rules)
    ):
        # A cell of a table (a tick under "Collected?", a new column value) is a statement of its own;
        # cells of identifiers (cookie names, domains, keys) name things, they state nothing.
        cells = _only_identifiers_differ(edit.old_text, edit.new_text, rules.structure.placeholders)
        if cells is not None:
            row = f"'{wording.quote(edit.old_text, 50)}' → '{wording.quote(edit.new_text, 50)}'"
            said = [f"identifiers in a table changed: {row}"] if cells[0] else []
            said += [f"value lost in the page's capture: {wording.listing(cells[1])}"] if cells[1] else []
            return _override(edit, rules, MINOR, said)
        else:
            material.append(f"table entry changed: '{wording.quote(edit.old_text)}' → '{wording.quote(edit.new_text)}'")
    old_window, new_window = (_plain(w) for w in wording.windows(edit.segments))
    window_words = {*rem_words, *add_words}
    number_reasons, number_notes = _numbers(old_window, new_window, rules, window_words, old_plain, new_plain)
    material += number_reasons
    # Text cut from a sentence that stays, with nothing put in its place.
    cuts = " ".join(h[2] for h in hunks if not h[3].strip()).lower() if edit.kind == "replace" else ""
    term_reasons, favour = _categories(old_window, new_window, rules, old_plain, new_plain, document, cuts)
    material += term_reasons
    if cuts and (scope := _PARTIAL_SCOPE.search(cuts)) and not _grants(new_plain, rules):
        material.append(f"limitation removed: {wording.snippet(hunks, frozenset(scope[0].split()))}")
    favour += [n for n in number_notes if n.startswith("retention")]
    favour += _contacts_added(old_window, new_window, rules)
    favour += leave
    minor += [n for n in number_notes if not n.startswith("retention")]
    gone, came = list(lost.elements()), list(gained.elements())
    act_stems = _activity_stems(rules)
    rem_act = [w for w in gone if w not in rules.stopwords and _verb_key(w, rules) in act_stems]
    add_act = [w for w in came if w not in rules.stopwords and _verb_key(w, rules) in act_stems]
    if rem_act or add_act:
        rem_act = _unpaired(list(unnamed(Counter(rem_act)).elements()), came, rules)
        add_act = _unpaired(list(unnamed(Counter(add_act)).elements()), gone, rules)
    verbs_before, verbs_after = (Counter(_verb_key(w, rules) for w in side) for side in (rem_act, add_act))
    if edit.kind == "replace" and verbs_before != verbs_after:
        if rem_act and add_act:
            material.append(f"activity changed: '{', '.join(rem_act)}' → '{', '.join(add_act)}'")
        elif add_act:
            material.append(f"new activity: {', '.join(add_act)} ({wording.snippet(hunks, rules.activities)})")
        else:
            material.append(f"activity removed: {', '.join(rem_act)} ({wording.snippet(hunks, rules.activities)})")
    if edit.kind == "replace" and material and not rem_act and not any("removed" in r for r in material):
        material, promised = _promised_not(material, new_plain, lost, gained, rules)
        favour += promised
    if edit.kind == "replace" and not any(r.startswith("new recipient") for r in term_reasons):
        material += _new_names(edit, old_plain, new_plain, gained, rules, document)
    elif (
        edit.kind != "delete"
        and any(r.startswith("new recipient") for r in material)
        and (runs := _name_runs(old_plain, new_plain, gained, rules, document))
    ):
        material[:] = [_including(r, runs) if r.startswith("new recipient") else r for r in material]
    if edit.kind == "insert" and material and _PROMISE.search(new_plain):
        # A sentence added that only promises not to do things ("We will not share your phone number").
        material, promised = _promised_not(material, new_plain, Counter(), Counter(), rules)
        favour += promised
    if edit.kind in ("insert", "delete"):
        text = edit.new_text if edit.kind == "insert" else edit.old_text
        read = wording.TEXTLESS_LINK.sub(" ", text) if "[](" in text else text  # a link without text shows no words
        words = wording.words(read)
        content = [w for w in words if w not in rules.stopwords]
        unit = "paragraph" if SEP in text else "text"
        verb = _done(edit)
        commitments = (rules.negations | rules.limits | rules.obligations) - rules.weak
        if edit.kind == "insert" and not material and not favour and _gives_leave(text, rules):
            favour.append(f"the user may now: '{wording.quote(text, 70)}' (in the user's favour)")
        removed = edit.kind == "delete"
        lifted = removed and not material and _binds_only_user(text, rules)
        if removed and not lifted and _count(words, commitments, True):
            material.append(f"commitment removed: '{wording.quote(text)}'")
        if lifted:
            minor.append(f"duty on the user removed: '{wording.quote(text)}' (in the user's favour)")
        elif (
            edit.kind == "insert"
            and not material
            and not favour
            and sum(w.isalpha() for w in content) >= 2
            and document
            and _binding_lead_in(document.lead_in(edit.new_text))
        ):
            material.append(f"list extended in a clause that binds: '{wording.quote(text)}'")
        elif (
            edit.kind == "insert"
            and not material
            and len(words) <= _SERVICE_WORDS
            and _in_covered_list(edit.new_text, document)
        ):
            material.append(f"service brought under the terms: '{wording.quote(text)}'")
        elif not material and len(content) >= 4 and _states_nothing(text, words, rules, document, removed):
            minor.append(f"{unit} {verb} that states no practice, duty or right: '{wording.quote(text)}'")
        elif len(content) >= 4 and not (edit.kind == "insert" and favour and not material and _only_gives(text)):
            material.append(f"{unit} {verb}: '{wording.quote(text)}'")
        elif favour and not material:
            minor += favour
        elif not material:
            if all(wording.URLISH.match(w) for w in read.split()) and text.strip():
                minor.append(f"link {'filled in' if verb == 'added' else 'removed'}: '{wording.quote(text)}'")
            else:
                minor.append(f"short {unit} {verb}: '{wording.quote(text)}'")
    else:
        left_rem, left_add, notes = _explain(gone, came, rules)
        # Numbers were judged by their role above; as words they are no rewording.
        # Numbers and months were judged by their role and by the date rule; as words they are no rewording.
        left_rem = [w for w in left_rem if not w.isdigit() and w not in _MONTHS]
        left_add = [w for w in left_add if not w.isdigit() and w not in _MONTHS]
        if left_add:
            left_add, notes = _spelled_out(left_add, gone, old_plain, notes, rules)
        if left_add and "](" in edit.old_text:
            left_add, notes = _link_written_out(hunks, left_add, notes)
        if (left_rem or left_add) and ("(" in old_plain or "(" in new_plain):
            left_rem, left_add, notes = _abbreviations(old_plain, new_plain, left_rem, left_add, notes)
        if left_rem or left_add:
            left_rem, left_add, notes = _channels_swapped(old_window, new_window, left_rem, left_add, notes, rules)
        if left_rem and left_add and document:
            left_rem, left_add, notes = _renamed(edit, left_rem, left_add, notes, document)
        elif left_rem and document:
            left_rem, left_add, notes = _document_renamed(edit, left_rem, left_add, notes, document)
        if left_add and (former := _formerly(edit.new_text, left_rem, left_add)):
            left_rem, left_add, notes = former[0], former[1], [*notes, former[2]]
        if (
            left_add
            # Without words taken out, only a registered name that gained a capitalised word can be a new party.
            and (left_rem or _capitalised(edit.new_text, left_add))
            and (
                party := _entity_changed(edit.old_text, edit.new_text, left_rem, left_add, document)
                or (left_rem and _recipient_swapped(old_plain, new_plain, left_rem, left_add))
            )
        ):
            material.append(party)
            left_rem, left_add = [], []
        if left_rem and left_add and (forum := _forum_changed(edit, left_rem, left_add, rules)):
            material.append(forum)
            left_rem, left_add = [], []
        if left_rem or left_add:
            left_rem, left_add, notes = _names_swapped(edit, left_rem, left_add, notes, term_reasons, rules)
        unexplained = len(left_rem) + len(left_add)
        links = wording.URL.findall(" ".join(h[3] for h in hunks))
        old_dates, new_dates = _dates(edit.old_text), _dates(edit.new_text)
        if old_dates != new_dates and _stamps(edit.old_text) != _stamps(edit.new_text):
            # A "Last updated: <date>" run into the text: the page's date stamp, not a date in a promise.
            minor.append(
                f"date line updated: {wording.listing(_stamps(edit.old_text)) or '-'} → "
                f"{wording.listing(_stamps(edit.new_text)) or '-'}"
            )
            old_dates = [d for d in old_dates if d not in _stamps(edit.old_text)]
            new_dates = [d for d in new_dates if d not in _stamps(edit.new_text)]
        if old_dates != new_dates and not _same_dates(old_dates, new_dates):
            dates = f"{wording.listing(old_dates) or '-'} → {wording.listing(new_dates) or '-'}"
            later = _announced_later(edit.old_text, edit.new_text, old_dates, new_dates)
            if later is not None:
                if later:
                    minor.append(f"announced changes put off, giving more notice: {dates} (in the user's favour)")
                else:
                    material.append(f"announced changes brought forward, giving less notice: {dates}")
            elif _EFFECT.search(old_plain) or _EFFECT.search(new_plain):
                material.append(f"date something takes effect changed: {dates}")
            else:
                material.append(f"date changed: {dates}")
        reversed_ = [f"'{r}' → '{a}'" for r in left_rem for a in left_add if wording.negated(r, a)]
        reversed_ += wording.reversed_by_non(old_plain, new_plain)
        if reversed_:
            material.append(f"meaning reversed: {', '.join(reversed_)}")
        if left_add and not left_rem and not material and (excepted := _exception_added(new_plain, left_add)):
            (material if excepted[1] else favour).append(excepted[0])
        elif left_add and not material and _leave_widened(new_plain, left_rem, left_add, rules):
            favour.append(f"the user may now: '{wording.quote(', '.join(left_add), 60)}' too (in the user's favour)")
        elif left_add and not material and _leave_extended(new_plain, left_rem, left_add, hunks, rules):
            favour.append(f"the user may now: {wording.snippet(hunks)} (in the user's favour)")
        elif (
            left_add and not material and (duty := _duty_extended(edit, new_plain, left_rem, left_add, rules, document))
        ):
            material.append(duty)
        elif (
            left_rem
            and left_add
            and not material
            and document
            and (swap := _ban_swapped(edit, left_rem, left_add, document))
        ):
            material.append(swap)
        elif left_add and not left_rem and not material and (exception := _exception_widened(new_plain, left_add)):
            material.append(exception)
        elif (
            left_add
            and not left_rem
            and not material
            and document
            and (scope := _brought_under(edit, left_add, document))
        ):
            material.append(scope)
        if (
            left_add
            and not material
            and (
                power := _power_widened(old_plain, new_plain, left_add)
                or _power_reaches_further(old_plain, new_plain, hunks)
            )
        ):
            material.append(power)
        if left_rem and not left_add and not material and (lighter := _duty_dropped(edit, hunks, old_plain, document)):
            favour.append(lighter)
        if not rem_words and not add_words:
            minor.append(f"link filled in: '{links[0]}'" if links else "punctuation only")
        elif not gone and not came and wording.enumerators(edit.old_text) != wording.enumerators(edit.new_text):
            minor.append(f"list relabelled: {wording.snippet(hunks)}")
        elif not gone and not came and not notes and not minor:
            minor.append("capitalisation only" if rem_words == add_words else "word order only")
        elif not gone and not came and links:
            minor.append(f"link changed: '{wording.quote(links[0])}'")
        if document and (left_rem or left_add or material):
            material[:0] = _definition(edit, document, rules, left_rem, left_add)
        substantive = unexplained >= TOPIC_WORDS or material
        topics = _topics(old_plain, new_window, rules) if substantive else []
        named = {r.split(":")[0].removeprefix("new ").removesuffix(" removed") for r in term_reasons + favour}
        unnamed = sorted({c.label for c in topics} - named)
        gives = bool(favour) and not material and _only_gives(edit.new_text)
        if unnamed and substantive and not gives and len(unnamed) == len({c.label for c in topics}):
            material.append(f"{', '.join(unnamed)} clause changed: {wording.snippet(hunks)}")
        # Words only cut from a sentence that stays take nothing from the user unless they bound the company:
        # "will" is a tense elsewhere, but "… and will begin on your next bill" cut is a promise dropped.
        cut_only = edit.kind == "replace" and not left_add and all(not h[3].strip() for h in hunks)
        binding_cut = cut_only and _count(wording.words(cuts), rules.negations | rules.limits | rules.obligations, True)
        cut = f"'{wording.quote(deleted.strip())}'" if cut_only else ""
        if (
            unexplained >= 3
            and not material
            and not (favour and _only_gives(edit.new_text))
            and (binding_cut or not cut_only)
        ):
            material.append(f"commitment removed: {cut}" if cut_only else f"wording changed: {wording.snippet(hunks)}")
        elif not material:
            minor.extend(favour)
            minor.extend(notes)
            if cut_only and unexplained >= 3:
                minor.append(f"words cut, binding no one: {cut}")
            elif unexplained:
                minor.append(f"rewording: {wording.snippet(hunks)}")
            if not minor:
                urls = [h for h in hunks if all(wording.URLISH.match(w) for w in h[3].split()) and h[3].strip()]
                minor.append(
                    f"link filled in: '{wording.quote(urls[0][3])}'" if urls else f"editorial: {wording.snippet(hunks)}"
                )
    if edit.moved:
        where = f" from '{edit.section}' to '{edit.new_section}'" if edit.section != edit.new_section else ""
        minor.insert(0, f"moved{where} and edited")
        if material:
            material.append(minor[0])
    if material and edit.kind == "replace" and _laid_out(edit.old_text) == _laid_out(edit.new_text):
        # The same words and marks in the same order, set out anew (a table flattened by a capture, then rows).
        return _override(edit, rules, MINOR, [f"layout only, the same words: '{wording.quote(edit.new_text)}'"])
    if material and document and (said := _restated(edit, hunks, lost, document, rules)):
        return _override(edit, rules, MINOR, [f"restates what the document already says: '{wording.quote(said)}'"])
    if material and edit.kind == "replace" and (way := _way_in_changed(edit, rules, document)):
        return _override(edit, rules, MINOR, [way])
    if material:
        return _override(edit, rules, MATERIAL, _dedupe(material))
    return _override(edit, rules, MINOR, _dedupe(minor) or ["editorial change"])


_TOKEN = re.compile(r"\w+(?:['-]\w+)*")


def _spaced_anew(hunks: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The runs of changes that only move spaces: words a capture glued together or pulled apart
    ("usedin this" → "used in this", "Youalso agree" → "You alsoagree"), the same letters in the same order."""
    return [h for h in hunks if h[2].strip() and h[3].strip() and "".join(h[2].split()) == "".join(h[3].split())]


def _spacing(old: str, new: str) -> str:
    """Words spaced anew, said as a compound when two words were written as one or one as two."""
    old, new = old.strip(), new.strip()
    if sorted((len(old.split()), len(new.split()))) == [1, 2]:
        return f"compound word: '{old.lower()}' → '{new.lower()}'"
    return f"spacing only: '{wording.quote(old)}' → '{wording.quote(new)}'"


def _laid_out(text: str) -> list[str]:
    """What ``text`` writes, its table's cell walls and line breaks aside."""
    return text.replace("|", " ").split()


def _restated(edit: Edit, hunks, lost: Counter[str], document: Layout, rules: Rules) -> str | None:
    """The old sentence that already says what the edit adds, when it only adds text the document says elsewhere.

    A sentence copied into a second place (a clause repeated in another agreement on the same page) adds
    no term: the words that differ from its old twin must hold no term of a category, no activity, no
    negation, limit or modal verb.
    """
    if edit.kind == "delete" or edit.moved or any(w not in rules.stopwords for w in lost):
        return None
    pieces = [h[3] for h in hunks if any(w not in rules.stopwords for w in wording.words(h[3]))]
    if edit.kind == "replace" and any(len(wording.words(p)) < rules.structure.restated_words for p in pieces):
        return None  # a word or two slipped in beside the copy is judged as it is, not restated away
    added = edit.new_text if edit.kind == "insert" else " ".join(pieces)
    said = document.restated(added, rules.structure, _fixed_words(rules))
    if said is None:
        return None
    fresh = {t.lower() for t in _TOKEN.findall(added)} - {t.lower() for t in _TOKEN.findall(said)}
    fresh -= rules.stopwords
    if " | " in added and any(not document.wrote_before(w) for w in fresh):
        return None  # a table row that names a provider or a cookie the page never named is a new entry
    told = Counter(t.lower() for t in _TOKEN.findall(added))
    if any(told[w] >= 2 and not document.wrote_before(w) for w in fresh):
        return None  # a clause copied for something the page never named, named throughout the copy: a new case
    acts = _activity_stems(rules)
    if any(w in _fixed_words(rules) or _verb_key(w, rules) in acts for w in fresh):
        return None
    if any(_terms(" ".join(fresh), rules)):
        return None
    return said


# A sentence in which the company gives itself leave or does something with data: it takes, not only gives.
_TAKES = re.compile(
    r"\bwe(?: (?!not\b|never\b|don't\b|won't\b|no\b)[\w']+){0,3} (?:share|shares|sell|sells|disclose|transfer"
    r"|collect|combine|track|monitor|train|use|process"
    r"|retain|keep|store|access|analy[sz]e|change|modify|suspend|terminate|charge)\b",
    re.I,
)


def _channels_swapped(
    old: str, new: str, removed: list[str], added: list[str], notes: list[str], rules: Rules
) -> tuple[list[str], list[str], list[str]]:
    """Words explained by one way to reach the company swapped for another ("write to our office" → "help centre")."""
    before = channels(old, rules.structure)
    after = channels(new, rules.structure) if before else []
    if not before or not after or before == after:
        return removed, added, notes
    old_words = {w for c in before for w in wording.words(c)}
    new_words = {w for c in after for w in wording.words(c)}
    if not all(w in old_words for w in removed) or not all(w in new_words for w in added):
        return removed, added, notes
    swapped = f"contact channel changed: '{wording.quote(before[0], 50)}' → '{wording.quote(after[0], 50)}'"
    return [], [], [*notes, swapped]


# The user's own leave ("you may contact us"), not what may befall the user ("you may be charged").
_USER_MODAL = re.compile(
    r"\b(?:you|users?|customers?)(?: \w+)? (may|can|might|could)\b(?! be\b| not\b| no longer\b| lose\b| have to\b)",
    re.I,
)
_USER_DUTY = re.compile(r"\b(?:you|users?|customers?)(?: \w+)? (?:must|shall|are required|agree)\b", re.I)


# A sentence that opens by letting the user do something ("You can report content from the app ...").
_LEAVE_GIVEN = re.compile(
    r"^\W*(?:(?:alternatively|also|additionally|in addition|otherwise),?\s*)?(?:(?:if|where|when)\b[^,]{0,80},\s*)?"
    r"(?:you|users?|customers?|members?)(?: \w+)? (?:may|can)\b"
    r"(?! be\b| not\b| no longer\b| lose\b| have to\b| only\b)",
    re.I,
)


# A rule said to apply in part of where it could ("in most of our service areas", "in certain countries"): cut
# from a sentence that stays, the rule reaches all of it. (A right's sentence that loses it reaches further too.)
_PARTIAL_SCOPE = re.compile(
    r"\b(?:in|for|across|within) (?:most|some|certain|many|several|select|selected|parts) (?:of )?(?:our |the |its )?"
    r"(?:[\w-]+ )?(?:areas|regions|countries|markets|locations|states|jurisdictions|territories|cities)\b"
)


def _gives_leave(text: str, rules: Rules) -> bool:
    """Every sentence of ``text`` lets the user do something and none says what the company does: leave given."""
    if rules.language != "en" or not _only_gives(text):
        return False
    sentences = [s for s in SENTENCE_START.split(text.replace(SEP, " ")) if s.strip()]
    return bool(sentences) and all(_LEAVE_GIVEN.search(s) for s in sentences)


def _users_leave(old: str, new: str, gained: Counter[str]) -> tuple[Counter[str], list[str]]:
    """Permissions granted to the user ("you may contact...") are no leave the company takes: a note, not a change."""
    added = Counter(m.group(1).lower() for m in _USER_MODAL.finditer(new)) - Counter(
        m.group(1).lower() for m in _USER_MODAL.finditer(old)
    )
    added &= gained
    if not added:
        return gained, []
    m = next(m for m in _USER_MODAL.finditer(new) if m.group(1).lower() in added)
    return gained - added, [
        f"the user may now: '{wording.quote(new[m.start() : m.end() + 60], 70)}' (in the user's favour)"
    ]


_USER_MAY = re.compile(r"\b(?:you|users?|customers?) (may|can) (\w+)", re.I)


# What a party other than the user may do, and the verbs it may do ("Acme may suspend or terminate your
# account", "we reserve the right to remove, edit or refuse"). The user's own leave is another matter.
_POWER = re.compile(
    r"\b(?!you\b|users?\b|customers?\b|members?\b|visitors?\b)(\w+) (?:may|can|reserves? the right to|is entitled to"
    r"|has the right to) ((?:\w+(?:, | or | and | and/or )){0,6}\w+)",
    re.I,
)


def _power_widened(old: str, new: str, added: list[str]) -> str | None:
    """A verb added to what the company may do ("may terminate" → "may terminate or deny"): it may do more."""
    low = new.lower()
    if not any(f" or {w}" in low or f", {w}" in low or f" and {w}" in low for w in added) or not any(
        modal in low for modal in (" may ", " can ", " right to ", " entitled to ")
    ):
        return None  # no added word is an alternative in a list of what is allowed: the patterns need not be run
    before = {w for m in _POWER.finditer(old) for w in wording.words(m[2])}
    verbs = [
        (m[2], w)
        for m in _POWER.finditer(new)
        if " or " in m[2] or "," in m[2] or " and " in m[2]
        for w in wording.words(m[2])
        if w in added and w not in before
    ]
    if not verbs:
        return None
    return f"power widened: may now also {verbs[0][1]} ('{wording.quote(verbs[0][0], 50)}')"


# Words that stretch how far a power or a licence reaches: where, for how long, when and on what grounds.
_STRETCH = re.compile(
    r"\b(?:globally|worldwide|world-wide|everywhere|permanently|indefinitely|perpetual(?:ly)?|in perpetuity"
    r"|irrevocabl[ey]|at any time|without (?:any )?(?:prior |advance )?(?:notice|warning)|for any reason"
    r"|(?:in|at) (?:our|its) (?:sole|absolute) discretion)\b",
    re.I,
)
_LICENCE_GRANTED = re.compile(r"\bgrant(?:s|ing)?\b[^.;]{0,80}\blicen[cs]e", re.I)


def _power_reaches_further(old: str, new: str, hunks: list[tuple[str, str, str, str]]) -> str | None:
    """Words added that stretch what the company may do ("removing the content" → "removing the content
    globally", "may suspend" → "may suspend at any time"): the same power, reaching further."""
    inserted = " ".join(h[3] for h in hunks)
    if not _STRETCH.search(inserted):
        return None  # the usual edit: no reaching word added, no pattern over the sentence
    reach = [m.group() for m in _STRETCH.finditer(inserted) if not re.search(rf"\b{re.escape(m.group())}\b", old, re.I)]
    power = _POWER.search(new) or _LICENCE_GRANTED.search(new)
    if not reach or not power or new.lower().find(reach[0].lower()) < power.start():
        return None
    return f"power widened: now '{reach[0]}' ('{wording.quote(power.group(), 50)}')"


def _invited(old: str, new: str, lost: Counter[str]) -> Counter[str]:
    """The user's leave to do something put as an invitation to do it ("You can contact us" → "Please contact
    us"): the same door, opened as before."""
    kept = Counter(lost)
    for m in _USER_MAY.finditer(old):
        modal = m.group(1).lower()
        if kept[modal] and re.search(rf"\bplease {re.escape(m.group(2))}\b", new, re.I):
            kept[modal] -= 1
    return +kept


# A practice said in the passive ("your data is stored on your device"), and one said not to happen ("is never
# sent to us"), as _TAKES and _PROMISE say them of "we". Participles only, where wording.STATES_PRACTICE reads
# stems: "is sharing" says no passive.
_DONE_TO_DATA = r"(?:stored|shared|sold|collected|transferred|disclosed|sent|used|processed|tracked|accessed|kept)"
_PASSIVE_PRACTICE = re.compile(rf"\b(?:is|are|will be|may be)\s+(?:\w+\s+)?{_DONE_TO_DATA}\b", re.I)
_PASSIVE_PROMISE = re.compile(rf"\b(?:never|not)\s+(?:be\s+)?{_DONE_TO_DATA}\b", re.I)


def _promises_not(old: str, new: str, gained: Counter[str], rules: Rules) -> bool:
    """A practice the old sentence stated that the new one says the company does not do ("We share your data
    with partners" → "We do not share ...", "is stored on your device and never sent to us"): it takes less."""
    if _USER_MODAL.search(new) or _count(gained, rules.permissions):
        return False
    said = _TAKES.search(old) or _PASSIVE_PRACTICE.search(old)
    return bool(said) and bool(_PROMISE.search(new) or _PASSIVE_PROMISE.search(new))


# What a practice turned into a promise not to do it shows as ("We may share" → "We will never share").
_TIGHTENING = ("negation added", "limitation added", "permission turned into obligation")


def _narrows_a_practice(new: str, gained: Counter[str], rules: Rules) -> bool:
    """A limit put on what the company takes ("We use your email address only to send receipts"): it takes less.
    On the user's own leave ("You may only delete ..."), or beside a permission gained, a limit narrows a right."""
    return bool(_TAKES.search(new)) and not _USER_MODAL.search(new) and not _count(gained, rules.permissions)


def _company_commits(old: str, new: str, lost: Counter[str], gained: Counter[str], rules: Rules) -> bool:
    """Only obligations were added, none of them the user's: the company binds itself further."""
    strong = rules.obligations - rules.weak
    if _count(lost, rules.obligations | rules.permissions) or not _count(gained, strong):
        return False
    return len(_USER_DUTY.findall(new)) <= len(_USER_DUTY.findall(old))


_STAMP = re.compile(
    rf"\b(?:last )?(?:updated|modified|revised|reviewed)(?: on| as of)?\s*:?\s*({wording.DATE.pattern})", re.I
)


# A sentence that says when the changes announced to the document take effect ("These changes will go into
# effect on August 10, 2026", "The updated Terms apply from 1 May 2024").
_CHANGES_TAKE_EFFECT = re.compile(
    r"\b(?:these|the|this|our)\s+(?:updates?|changes?|new\s+(?:terms|policy|version)"
    r"|(?:updated|revised)\s+[\w ]{1,40}?)\s+(?:will\s+)?"
    r"(?:apply|applies|takes?\s+effect|go(?:es)?\s+into\s+effect|come\s+into\s+effect|become\s+effective|be\s+effective)"
    r"\s+(?:from|on|as\s+of)\b",
    re.I,
)


def _announced_later(old: str, new: str, old_dates: list[str], new_dates: list[str]) -> bool | None:
    """Whether the day announced changes take effect moved later (True) or sooner (False): more notice before
    them, or less. None when the sentences announce no such day, one each side."""
    if (
        len(old_dates) != 1
        or len(new_dates) != 1
        or not (_CHANGES_TAKE_EFFECT.search(old) and _CHANGES_TAKE_EFFECT.search(new))
    ):
        return None
    try:
        before, after = parse_human_date(old_dates[0])[0], parse_human_date(new_dates[0])[0]
    except InvalidDate:
        return None  # a day written two ways at once: said as a date changed
    return None if before == after else after > before


def _dates(text: str) -> list[str]:
    return wording.DATE.findall(text) if wording.DIGIT.search(text) else []


def _same_dates(old: list[str], new: list[str]) -> bool:
    """The same days, however written ("May 3, 2023" and "3 May 2023")."""
    return [_day(d) for d in old] == [_day(d) for d in new]


def _day(date: str) -> str:
    parts = re.findall(r"\d+|[a-z]+", date.lower())
    month = next((p[:3] for p in parts if p[:3] in _MONTHS or p == "may"), "")
    figures = sorted((p for p in parts if p.isdigit()), key=len)
    return " ".join([*(str(int(f)) for f in figures), month]) if month else date.lower()


def _stamps(text: str) -> list[str]:
    """The dates of the "Last updated: ..." stamps in ``text``."""
    return [m.group(1) for m in _STAMP.finditer(text)] if wording.DIGIT.search(text) else []


_MONTH_NAMES = "january february march april june july august september october november december"
_MONTHS = frozenset(f"{_MONTH_NAMES} jan feb mar apr jun jul aug sep sept oct nov dec".split())


_LINK_TARGET = re.compile(r"\]\((\S+?)\)")


def _link_written_out(
    hunks: list[tuple[str, str, str, str]], added: list[str], notes: list[str]
) -> tuple[list[str], list[str]]:
    """Added words that the target of a link taken out already spelled ("see the [](#noticetoendusers) section" →
    "see the Notice to end users section"): an empty link given its words, nothing said anew."""
    targets = " ".join(re.sub(r"[^a-z0-9]", "", m.lower()) for h in hunks for m in _LINK_TARGET.findall(h[2]))
    if not targets or not re.search(r"\w{0,3}".join(map(re.escape, added)), targets):
        return added, notes  # the words, in their order, with at most a short word between them
    return [], [*notes, f"link written out: '{wording.quote(' '.join(added), 50)}'"]


def _spelled_out(
    added: list[str], gone: list[str], old: str, notes: list[str], rules: Rules
) -> tuple[list[str], list[str]]:
    """Added nouns the old sentence already named, each put for a pronoun it lost ("them" → "messages")."""
    pronouns = [w for w in gone if w in rules.pronouns]
    if not pronouns:
        return added, notes
    named = {rules.stem(w) for w in wording.words(old)}
    left = []
    for word in added:
        if pronouns and rules.stem(word) in named:
            notes = [*notes, f"pronoun spelled out: '{pronouns.pop(0)}' → '{word}'"]
        else:
            left.append(word)
    return left, notes


# A name spelled out with the abbreviation it introduces: "European Economic Area (EEA)", "Data Protection
# Officer ("DPO")". The capitalised words before the brackets, less small joining words, give its letters.
_INTRODUCED = re.compile(
    r"((?:[A-Z][\w'’-]*[ ,]+(?:(?:of|and|for|the|on|in|de|du|des|la|le|&) )?){2,8})"
    r"\([\"“]?([A-Z][A-Z.]{1,9})[\"”]?\)"
)


def _abbreviations(
    old: str, new: str, removed: list[str], added: list[str], notes: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Words that spell out an abbreviation the other side writes, taken out or put in ("European Economic Area
    (EEA)" → "EEA"): the same place, body or office, written short or in full."""
    removed, added = list(removed), list(added)
    for text, other, words in ((old, new, removed), (new, old, added)):
        for found in _INTRODUCED.finditer(text):
            short = found[2].replace(".", "")
            capitals = [w.strip(", ") for w in found[1].split() if w[:1].isupper()][-len(short) :]
            if "".join(w[0] for w in capitals) != short or not re.search(rf"\b{re.escape(found[2])}", other):
                continue
            spelled = [w.lower() for w in capitals if w.lower() in words]
            for word in spelled:
                words.remove(word)
            if spelled:
                notes = [*notes, f"abbreviation written in full or short: '{found[2]}'"]
    return removed, added, notes


def _renamed_to(name: str, old: str, document: Layout) -> bool:
    """``name`` took the place of a name the old sentence wrote, throughout the document (a rename, no newcomer)."""
    return any(
        document.renamed(o.removesuffix("'s"), name.removesuffix("'s")) for o in re.findall(r"[A-Z][\w'-]*", old)
    )


def _renamed(
    edit: Edit, removed: list[str], added: list[str], notes: list[str], document: Layout
) -> tuple[list[str], list[str], list[str]]:
    """Words explained by the document's own name changed throughout ("GraphCMS" → "Hygraph" everywhere)."""
    old_names = {w.lower(): w for w in re.findall(r"[A-Z][\w'’-]*", edit.old_text)}
    new_names = {w.lower(): w for w in re.findall(r"[A-Z][\w'’-]*", edit.new_text)}
    pairs = [(old_names[r], new_names[a]) for r in removed for a in added if r in old_names and a in new_names]
    found = [(o, n) for o, n in pairs if document.renamed(o.removesuffix("'s"), n.removesuffix("'s"))]
    if not found:
        return _document_renamed(edit, removed, added, notes, document)
    gone = {o.lower() for o, _ in found}
    came = {n.lower() for _, n in found}
    note = f"name changed throughout the document: '{found[0][0]}' → '{found[0][1]}'"
    return [w for w in removed if w not in gone], [w for w in added if w not in came], [*notes, note]


_FORMER_WORDS = ("formerly", "formely", "previously")
_FORMERLY = re.compile(
    rf"(?P<new>(?:[A-Z][\w'’&.,-]*\s+){{0,6}}?[A-Z][\w'’&.-]*)\s*\(?\s*(?i:{'|'.join(_FORMER_WORDS)})"
    r"(?i:\s+known\s+as|\s+called)?\s+(?:the\s+)?(?P<old>[A-Z][^)]{0,80}?)\s*\)"
)


def _formerly(new: str, removed: list[str], added: list[str]) -> tuple[list[str], list[str], str] | None:
    """Words explained by a name that says what it was called before ("Acme Communities (formerly Evanta)")."""
    if not any(w in new.lower() for w in _FORMER_WORDS):
        return None
    for m in _FORMERLY.finditer(new):
        came, was = set(wording.words(m["new"])), set(wording.words(m["old"]))
        if came & set(added) and set(removed) <= was | came:
            said = came | was | {*_FORMER_WORDS, "known", "as", "called", "the"}
            left = [w for w in added if w not in said]
            return [], left, f"name changed, the old one given: '{wording.quote(m.group(), 70)}'"
    return None


def _document_renamed(
    edit: Edit, removed: list[str], added: list[str], notes: list[str], document: Layout
) -> tuple[list[str], list[str], list[str]]:
    """Words explained by a name of several words renamed throughout ("our Content Policy" → "our Reddit Rules",
    "Acme Drive and Prime Photos" → "Acme Photos" wherever it is named): the reference is the same, the words
    are not. Unless it names a document, the new name is made of words the page already wrote: a vendor swapped
    for one the page never named ("Tracko Analytics" → "Nimbus Analytics" throughout) is a new party."""
    olds = [m for m in _NAME_PHRASE.findall(edit.old_text) if " " in m]
    news = [m for m in _NAME_PHRASE.findall(edit.new_text) if " " in m] if olds else []
    for old_name in olds:
        for new_name in news:
            gone, came = set(wording.words(old_name)), set(wording.words(new_name))
            if not ((gone - came) & set(removed) or (came - gone) & set(added)):
                continue
            if (gone - came) and not (gone - came) & set(removed) or (came - gone) and not (came - gone) & set(added):
                continue
            if not document.renamed(old_name, new_name, top=0):
                continue
            if _RULES_DOCUMENT.search(new_name) or all(map(document.wrote_before, new_name.split())):
                removed = [w for w in removed if w not in gone - came]
                added = [w for w in added if w not in came - gone]
                return removed, added, [*notes, f"name changed throughout the document: '{old_name}' → '{new_name}'"]
    return removed, added, notes


# The name of a document a text refers to ("Content Policy", "Community Guidelines"): a document, not a party.
_RULES_DOCUMENT = re.compile(
    r"\b(?:Policy|Policies|Terms|Rules|Guidelines|Standards|Agreement|Notice|Statement|Conditions)$"
)


def _run_of(text: str, words: list[str]) -> str:
    """The words of ``text`` that are among ``words`` (lower case), as written: the name a swap put in or took out."""
    return " ".join(w for w in text.split() if w.strip(".,;:()").lower() in words)


# A sentence that says which law governs, or where disputes are heard.
_FORUM = re.compile(
    r"\b(?:govern(?:ed|s|ing)? by|(?:laws?|courts?|tribunals?) of|jurisdiction|venue|arbitration|seat of)\b", re.I
)


def _forum_changed(edit: Edit, removed: list[str], added: list[str], rules: Rules) -> str | None:
    """A name put for another in a sentence that says which law governs or which courts hear disputes ("the
    laws of England" → "the laws of Ireland"): the user's forum moved, however plain the swap of names."""
    if rules.language != "en" or any(_LEGAL_FORM.fullmatch(w) for w in removed + added):
        return None  # the same company under another legal form
    if not all(_written_capitalised(w, edit.old_text) for w in removed) or not all(
        _written_capitalised(w, edit.new_text) for w in added
    ):
        return None
    if not (_FORUM.search(edit.old_text) and _FORUM.search(edit.new_text)):
        return None
    old_run, new_run = _run_of(edit.old_text, removed), _run_of(edit.new_text, added)
    return f"governing law or courts changed: '{wording.quote(old_run, 40)}' → '{wording.quote(new_run, 40)}'"


def _names_swapped(
    edit: Edit, removed: list[str], added: list[str], notes: list[str], term_reasons: list[str], rules: Rules
) -> tuple[list[str], list[str], list[str]]:
    """Words explained by one name put for another ("Le Chat" → "Vibe") where no recipient is at stake.

    A name added is a swap too when it joins a name the sentence kept ("the Acme app" → "the Nova by
    Acme and/or Acme Labs app"): the product is named more fully, the sentence says nothing new.
    """
    if not added or (not removed and not _extends_a_name(edit.old_text, edit.new_text, added)):
        return removed, added, notes  # a name dropped, or one added on its own, is no swap
    if not all(_written_capitalised(w, edit.old_text) for w in removed) or not all(
        _written_capitalised(w, edit.new_text) for w in added
    ):
        return removed, added, notes
    old_names, new_names = _names(edit.old_text, rules), _names(edit.new_text, rules)
    if not all(w in old_names for w in removed) or not all(w in new_names for w in added):
        return removed, added, notes
    if term_reasons or _recipients_named(edit.new_text, rules):
        return removed, added, notes
    old_run, new_run = _run_of(edit.old_text, removed), _run_of(edit.new_text, added)
    return (
        [],
        [],
        [*notes, f"name changed: '{wording.quote(old_run, 40) or '-'}' → '{wording.quote(new_run, 40) or '-'}'"],
    )


# The company promising, for now and later, not to do something ("we will not", "we never"); "we have never
# received" reports the past and promises nothing.
_PROMISE = re.compile(
    r"\bwe\s+(?:will\s+not|will\s+never|won't|won’t|do\s+not|don't|don’t|shall\s+not|never|are\s+not\s+going\s+to)"
    r"\s+(?!been\b|had\b|received\b)\w+",
    re.I,
)

# Who gets or handles the data, by the sentence's own verbs: "shares the data with Acme", "Acme processes".
_GIVEN_TO = (
    r"\b(?:shares?|shared|disclose[sd]?|transfer(?:s|red)?|sells?|sold|sends?|sent|provides?|provided)\b"
    r"[^.;]{0,60}\b(?:with|to)\s+"
)
_HANDLES = (
    r"\s*,?\s*(?:who|which|that)?\s*(?:also\s+)?"
    r"(?:process(?:es)?|stores?|receives?|hosts?|collects?|analy[sz]es|acts as)\b"
)


def _recipient_swapped(old: str, new: str, removed: list[str], added: list[str]) -> str | None:
    """One company put for another where the sentence gives it the data or has it handle the data
    ("we share the data with Acme ID" → "with Nova ID"; "Acme ID processes it" → "Nova ID processes it")."""

    def handler(text: str, words: list[str]) -> str | None:
        for word in words:
            name = next((n for n in re.findall(r"[A-Z][\w'’&.-]*", text) if n.lower().strip(".,") == word), None)
            if name is None:
                continue
            quoted = re.escape(name)
            if re.search(_GIVEN_TO + quoted, text, re.I) or re.search(quoted + _HANDLES, text, re.I):
                return name.strip(".,")
        return None

    before, after = handler(old, removed), handler(new, added)
    if before and after:
        return f"recipient changed: '{before}' → '{after}'"
    return None


# The legal form of a company ("Ltd", "OÜ").
_LEGAL_FORMS = (
    r"Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|GmbH|AG|OÜ|OU|SAS|SARL|S\.A|SA|S\.à r\.l|S\.r\.l|Srl|B\.V|BV"
    r"|N\.V|NV|AB|AS|A/S|ApS|Oy|Oyj|plc|PLC|Corp|Corporation|Pty|Pte|K\.K|S\.L|SL|S\.p\.A|SpA|SE|LLP|LP|DAC|ULC"
)
_LEGAL_FORM = re.compile(rf"(?:{_LEGAL_FORMS})\.?", re.I)
# A company by its registered name: capitalised words and a legal form ("Acme Operations Ltd", "Acme OÜ").
_LEGAL_ENTITY = re.compile(rf"\b((?:[A-Z][\w'’&-]*\.? ){{0,3}}[A-Z][\w'’&-]*\.?,? )({_LEGAL_FORMS})(?![\w-])")


def _entities(text: str) -> dict[str, str]:
    """Registered company names in ``text``, keyed by their distinctive words (the legal form aside)."""
    return {m[1].strip(" ,").lower(): f"{m[1].strip()} {m[2]}" for m in _LEGAL_ENTITY.finditer(text)}


def _way_in(edit: Edit, rules: Rules, document: Layout | None) -> str | None:
    """A reason when the text added or removed only tells how to reach the company, and names no company the
    page did not name before (a line of a processor with its address is a recipient, judged as such)."""
    text = edit.new_text if edit.kind == "insert" else edit.old_text
    if not wording.way_in(text) or rules.structure.contact.search(text) or _gives_leave(text, rules):
        return None  # an officer named for the user is a contact added, a way given to the user leave: said as such
    if edit.kind == "insert" and _names_new_company(text, document):
        return None
    return f"way to reach the company {_done(edit)}: '{wording.quote(text)}'"


def _way_in_changed(edit: Edit, rules: Rules, document: Layout | None) -> str | None:
    """A reason when both sides only tell how to reach the company, to the same officer ("contact our Data
    Protection Officer: Acme Counsel Ltd, 2 Swan Lane, London" → "... at privacy@acme.com"), and the new one
    names no company the page did not name before."""
    old, new = edit.old_text, edit.new_text
    if not wording.way_in(old) or not wording.way_in(new) or _names_new_company(new, document):
        return None
    officers = [
        {m.group().lower() for m in rules.structure.contact.finditer(wording.without_contact_details(t))}
        for t in (old, new)
    ]
    if officers[0] != officers[1] or _gives_leave(old, rules) != _gives_leave(new, rules):
        return None  # an officer named or dropped, leave given or taken: said as such
    return f"way to reach the company changed: '{wording.quote(old, 50)}' → '{wording.quote(new, 50)}'"


def _names_new_company(text: str, document: Layout | None) -> bool:
    """``text`` names a company whose words the page never wrote before: a party, judged as such."""
    return any(
        document is None or not all(document.wrote_before(word) for word in name.split()) for name in _entities(text)
    )


def _entity_changed(
    old: str, new: str, removed: list[str], added: list[str], document: Layout | None = None
) -> str | None:
    """Another company put in the place of a registered one ("Acme Technology OÜ" → "Acme Operations OÜ").

    The company that holds the data or is party to the terms is who the reader deals with: a new one
    is a new party, whatever the words it shares with the old, and so is one whose registered name gained a
    word after its first ("Acme Inc." → "Acme Holdings Inc.", another company of the group; a brand set before
    the name, "Oath Acme LLC", names the group it joined). A legal form changed alone ("Acme Inc." → "Acme LLC", the
    same company converted) leaves the distinctive words and is a name change, and a company the old page
    already named as such (its current name put for a former one left in a clause) is no newcomer.
    """
    before, after = _entities(old), _entities(new)
    new_keys = [key for key in after if key not in before and set(wording.words(key)) & set(added)]
    if not new_keys:
        return None
    came = [after[key] for key in new_keys]
    gone = [
        name
        for key, name in before.items()
        if key not in after and (set(wording.words(key)) & set(removed) or any(_grown(key, k) for k in new_keys))
    ]
    if document is not None:
        came = [
            name for name in came if not document.said_before(name.replace(",", "")) and not document.said_before(name)
        ]
    if not gone or not came:
        return None
    return f"party changed: '{gone[0]}' → '{came[0]}' (a different registered company)"


def _capitalised(text: str, words: list[str]) -> bool:
    """One of ``words`` is written with a capital where ``text`` first holds it."""
    low = text.lower()
    return any((at := low.find(w)) >= 0 and text[at].isupper() for w in words)


def _grown(old_key: str, new_key: str) -> bool:
    """``new_key`` is ``old_key`` with words put after its first word."""
    before, after = wording.words(old_key), wording.words(new_key)
    return bool(before) and after[:1] == before[:1] and set(before) < set(after)


# Capitalised words joined by spaces or the connectives of a product's name ("Nova by Acme and/or Acme Labs").
_NAME_PHRASE = re.compile(r"[A-Z][\w'-]*(?:(?: | by | and/or | and | or | of | & |/)[A-Z][\w'-]*)*")


def _extends_a_name(old: str, new: str, added: list[str]) -> bool:
    """Every added word sits in a name phrase of ``new`` that also holds a name ``old`` wrote, and is no name put
    beside the names a list already held."""
    kept = wording.names(old)
    phrases = [set(wording.words(p)) for p in _NAME_PHRASE.findall(new)]
    joined = [p for p in phrases if p & kept]
    return bool(joined) and all(any(w in p for p in joined) for w in added) and not _listed_anew(old, new, added)


_ALTERNATIVES = re.compile(r",? (?:and/or|and|or) |, ")


def _listed_anew(old: str, new: str, added: list[str]) -> list[str]:
    """The names put beside one the list kept ("Acme Pro" → "Acme Pro or Acme Teams", "They include Acme VPN" →
    "They include Acme Leo, Acme VPN"): members added to the list, not a name written more fully."""

    def names(text: str) -> set[str]:
        return {part for phrase in _NAME_PHRASE.findall(text) for part in _ALTERNATIVES.split(phrase)}

    before, after = names(old), names(new)
    fresh = sorted(n for n in after - before if set(wording.words(n)) & set(added))
    kept = [set(wording.words(k)) for k in before & after]
    return fresh if fresh and all(any(set(wording.words(n)) & k for k in kept) for n in fresh) else []


# What says which services a text governs or charges for: "The following products are covered by the
# Agreement:", "These Terms apply to:", "Premium products are paid services. They include ...".
_COVERS = re.compile(
    r"\bcovered by\b"
    r"|\b(?:terms|agreement|conditions|policy|notice|contract)\b[^.:]{0,80}\b(?:appl(?:y|ies) to|covers?|governs?)\b"
    r"|\b(?:products|services|apps|offerings|features)\b[^.:]{0,40}\b(?:are|is) (?:paid|covered|governed|subject to)\b",
    re.I,
)


def _in_covered_list(text: str, document: Layout | None) -> bool:
    """``text`` is an item of a list whose lead-in says what the terms cover ("The following products are covered
    by the Agreement:")."""
    return document is not None and bool(_COVERS.search(document.lead_in(text)))


# Words a list item that names a service runs to ("Acme Maps", "Apps and services included with Acme Family");
# a longer item is a clause, judged as one.
_SERVICE_WORDS = 8


def _brought_under(edit: Edit, left_add: list[str], document: Layout) -> str | None:
    """A name put in a list of the services the terms cover or charge for: the terms now reach it."""
    if not _capitalised(edit.new_text, left_add) or not (
        members := _listed_anew(edit.old_text, edit.new_text, left_add)
    ):
        return None
    if not _COVERS.search(document.paragraph_head(edit.new_text) + " " + edit.new_text):
        return None
    return f"service brought under the terms: {wording.listing(members)}"


# A clause that binds the user: a duty or a ban on "you", or a ban in general.
_BINDS = re.compile(
    r"\b(?:you|your|users?|customers?|members?|developers?|licensees?|the (?:assets?|apps?|applications?|content"
    r"|submissions?))\b[^.;]{0,60}?"
    r"(?:\b(?:not|never|no|must|shall|agree|cannot|only|required)\b|n't\b)"
    r"|\b(?:prohibited|forbidden|banned|not permitted|not allowed)\b",
    re.I,
)


# A sentence that opens by binding the user alone: a ban or a duty on "you" (or on users, sellers, advertisers …),
# an order ("Do not …"), or a ban in general ("Political ads are not allowed"). Not a passive ("you must be told").
_USER_RULE = re.compile(
    r"^[\W\d]*(?:(?:if|where|when|unless)\b[^,]{0,80},\s*)?"
    r"(?:(?:(?:you|users?|customers?|members?|developers?|advertisers?|publishers?|sellers?|merchants?"
    r"|creators?|streamers?|participants?|subscribers?|licensees?|account holders?)\b[^.;:]{0,50}?"
    r"\b(?:must|shall|may not|cannot|can't|agree (?:not )?to|(?:are|is) (?:not )?(?:allowed|permitted|required) to)\b"
    r"(?!\s+(?:not\s+)?be\b))"
    r"|(?:please )?(?:do not|don't|never)\b"
    r"|[^.;:]{0,120}\b(?:is|are) (?:strictly )?(?:prohibited|forbidden|banned|not (?:allowed|permitted))\b)",
    re.I,
)
_COMPANY = re.compile(r"\b(?:we|us)\b", re.I)


def _binds_only_user(text: str, rules: Rules) -> bool:
    """Every sentence of ``text`` is a rule on the user and none speaks of the company: struck out, the user is
    bound by less ("You must not resell access.")."""
    if rules.language != "en" or _COMPANY.search(text):
        return False
    sentences = [s for part in text.split(SEP) for s in SENTENCE_START.split(part) if s.strip()]
    return bool(sentences) and all(_USER_RULE.search(s) for s in sentences)


# A lead-in that says what the platform takes down from what users post ("Pinterest isn't a place for ... We
# remove or limit the distribution of such content and accounts, including offers of:"): its items are bans.
_ENFORCES = re.compile(
    r"\b(?:we|[A-Z][\w-]*)\s+(?:will\s+|may\s+)?(?:remove|removes|limit|limits|restrict|restricts|take down|"
    r"takes down|prohibit|prohibits|(?:do|does|will)\s+not\s+allow|don['’]t allow|doesn['’]t allow)\b"
    r"|\b(?:isn['’]t|is not) a place for\b"
)
_POSTED = re.compile(r"\b(?:content|accounts?|posts?|pins?|listings?|ads|material|videos?|products|practices)\b", re.I)


def _binding_lead_in(lead_in: str) -> bool:
    """A list's lead-in that binds the user: a ban or a duty ("You agree not to:") or an order ("Do not post:"),
    perhaps after a label of its own ("Misleading content: Do not distribute content that misleads."), or what
    the platform takes down from what users post ("We remove content that offers:")."""
    if not lead_in:
        return False
    return bool(
        _BINDS.search(lead_in)
        or _USER_RULE.search(lead_in)
        or _USER_RULE.search(lead_in.split(": ", 1)[-1])
        or (_ENFORCES.search(lead_in) and _POSTED.search(lead_in))
    )


def _touched_sentences(segments: list[list[str]], side: str) -> list[str]:
    """The sentences of one side ("delete": the old text, "insert": the new) that the changes touch."""
    text, spans = "", []
    for op, part in segments:
        if op in ("equal", side):
            if op == side:
                spans.append((len(text), len(text) + len(part)))
            text += part
        else:
            spans.append((len(text), len(text)))
    starts = [0, *(m.start() for m in SENTENCE_START.finditer(text)), len(text)]
    return [text[a:b].strip() for a, b in zip(starts, starts[1:], strict=False) if any(a <= s <= b for s, _ in spans)]


def _lifts_a_ban(segments: list[list[str]], rules: Rules) -> bool:
    """Every sentence a negation left is a rule on the user alone ("Political ads are not allowed" → "are
    allowed"): the user may now do what was banned."""
    touched = _touched_sentences(segments, "delete")
    return bool(touched) and all(_binds_only_user(s, rules) for s in touched)


def _duty_dropped(edit: Edit, hunks, sentence: str, document: Layout | None) -> str | None:
    """One of several duties on the user struck out ("must comply with X and follow Y" → "must comply with X").

    Only a conjunct ("and ..."): striking an alternative ("or have a parent's consent") leaves fewer ways to comply.
    """
    if any(h[3].strip(" ,.;") for h in hunks):
        return None
    dropped = [h[2].strip() for h in hunks if h[2].strip()]
    if not dropped or not all(re.match(r"^,?\s*and\b", d, re.I) for d in dropped):
        return None
    if not _BINDS.search(sentence) and not (document and _BINDS.search(document.lead_in(edit.old_text))):
        return None
    return f"duty on the user dropped: '{wording.quote(' '.join(dropped), 60)}' (in the user's favour)"


@lru_cache(maxsize=1024)
def _list_item(word: str) -> re.Pattern[str]:
    """``word`` as an item of its own between a list's separators ("violent, hateful or obscene")."""
    w = re.escape(word)
    return re.compile(
        rf"(?:[,;/]|\bor\b|\band\b)\s*(?:\w+\s+){{0,2}}{w}(?:\s+\w+){{0,2}}\s*(?:[,;:.)/]|\bor\b|\band\b|$)"
    )


@lru_cache(maxsize=1024)
def _first_item(word: str) -> re.Pattern[str]:
    """``word`` as the first item of a list that opens its sentence ("Counterfeit products, documents or currency")."""
    return re.compile(rf"\W*(?:\w+\s+){{0,2}}{re.escape(word)},\s*\w+(?:\s+\w+){{0,2}},?\s+(?:or|and)\b")


# What opens a list of examples of a thing the sentence already names.
_EXAMPLES = re.compile(rf"\b(?:{_EXAMPLE_WORDS}|eg\.|like)\b")


# What the user is allowed, or what is open to the user ("Vehicle catalogs are allowed in Canada and the US only").
_PERMITS = re.compile(r"\b(?:is|are)\s+(?:only\s+)?(?:allowed|permitted|available)\b", re.I)


_GIVES_DATA = frozenset(("data", "information", "content", "access", "files", "recordings", "messages"))


def _names_data(text: str, rules: Rules) -> bool:
    """``text`` names data, a recipient or a purpose."""
    named = ("data_categories", "recipients", "purposes")
    return any(found for cat, found in zip(rules.categories, _terms(text, rules), strict=True) if cat.name in named)


def _leave_extended(sentence: str, removed: list[str], added: list[str], hunks, rules: Rules) -> bool:
    """Words only added to a sentence that gives the user leave ("You may use Gold to buy gifts for other users"
    → "... other users of our app or other apps"), or to whom something is open ("only available for users in
    Sweden" → "..., and for citizens of EU countries"): the user may do more. Words that bind, limit or negate, a
    practice of the company's, or more data the user may give it, are judged."""
    if removed or not added:
        return False
    gives = _LEAVE_GIVEN.search(sentence) or (
        ("available" in sentence or "allowed" in sentence)
        and _PERMITS.search(sentence)
        and all(re.match(r"\W*(?:and|or)\b", h[3]) for h in hunks if h[3].strip())
    )
    if not gives or _count(added, rules.negations | rules.limits | rules.obligations | rules.permissions):
        return False
    # A practice of the company's, or more the user may give it ("data or access to data"), is judged.
    return not (_TAKES.search(sentence) or _GIVES_DATA.intersection(added) or _names_data(" ".join(added), rules))


def _leave_widened(sentence: str, removed: list[str], added: list[str], rules: Rules) -> bool:
    """Items added to a list of where or to whom something is allowed or open ("allowed in Canada, Germany and
    the US only" → "... France, Spain ..."): the user may do more, a note in the user's favour."""
    if removed or not added or len(added) > 6:
        return False
    if not ("allowed" in sentence or "permitted" in sentence or "available" in sentence) or not _PERMITS.search(
        sentence
    ):
        return False
    if _count(wording.words(sentence), rules.negations, True):
        return False  # "not allowed in ...": the list is of what is banned
    low = sentence.lower()
    return all(word in low and (_list_item(word).search(low) or _first_item(word).match(low)) for word in added)


# A promise not to do something, by the company, with its exceptions after it ("Acme will not use Customer Data
# to train models except (a) for data of free accounts or Acme Pro ...").
_EXCEPTION_WORDS = ("except", "unless", "other than", "save for", "excluding")
_EXCEPTION = "|".join(word.replace(" ", r"\s+") for word in _EXCEPTION_WORDS)
_PROMISE_EXCEPT = re.compile(
    r"\b(?!you\b|users?\b|customers?\b|members?\b)\w+\s+(?:will\s+not|won't|shall\s+not|does\s+not|do\s+not"
    rf"|will\s+never|never)\b[^.;]{{0,300}}?\b(?:{_EXCEPTION})\b",
    re.I,
)


def _exception_widened(sentence: str, added: list[str]) -> str | None:
    """Words added among the exceptions to the company's promise not to do something ("... except for free or Pro
    accounts" → "... free, Pro or Teams accounts"): the promise holds in fewer cases."""
    low = sentence.lower()
    if not any(word in low for word in _EXCEPTION_WORDS):
        return None  # no exception, no pattern to run
    promise = _PROMISE_EXCEPT.search(sentence)
    if not promise:
        return None
    after = sentence[promise.end() :].lower()
    if not all(re.search(rf"\b{re.escape(w)}\b", after) for w in added):
        return None
    return f"exception to a promise widened: now also '{wording.quote(' '.join(added), 60)}'"


# An exception phrase, to the clause's next comma, semicolon or stop ("Except as set forth in these Terms,").
_EXCEPTION_PHRASE = re.compile(rf"\b(?:{_EXCEPTION})\b[^,;.]*", re.I)
# What takes from the user without naming them: no refund, no credit, no liability of the company.
_AGAINST_USER = re.compile(
    r"\bnon-?refundable\b|\bno (?:refunds?|credits?)\b|\bnot (?:be )?(?:liable|responsible)\b", re.I
)


def _exception_added(sentence: str, added: list[str]) -> tuple[str, bool] | None:
    """Words added only to the exceptions of a clause ("Except as set forth in these Terms, payments are
    non-refundable" → "... in these Terms or in any local billing pages, ..."), and whether that is material:
    a rule against the user binds in fewer cases (in the user's favour), the user's leave in fewer (material).
    The company's promise with its exceptions is ``_exception_widened``'s."""
    low = sentence.lower()
    if not any(word in low for word in _EXCEPTION_WORDS) or _PROMISE_EXCEPT.search(sentence):
        return None
    phrase = _EXCEPTION_PHRASE.search(sentence)
    if not phrase or not all(re.search(rf"\b{re.escape(w)}\b", phrase.group().lower()) for w in added):
        return None
    rest = f"{sentence[: phrase.start()]} {sentence[phrase.end() :].lstrip(' ,')}".strip()
    words = wording.quote(" ".join(added), 60)
    if _LEAVE_GIVEN.search(rest):
        return f"exception to what the user may do widened: '{words}'", True
    if _AGAINST_USER.search(rest) or _USER_RULE.search(rest) or _BINDS.search(rest):
        return f"exception to a rule against the user widened: '{words}' (in the user's favour)", False
    return None


def _duty_extended(
    edit: Edit, sentence: str, removed: list[str], added: list[str], rules: Rules, document: Layout | None
) -> str | None:
    """An item added to a list in a clause that binds (a ban, a duty, a limit): the clause now reaches further.

    ``added`` are the words the change added that nothing explains; each must stand in a list of the new
    sentence ("violent, hateful or obscene"). A list item binds when its list's lead-in does ("You agree
    not to: ... - upload material that ..."), a part of a sentence cut at a semicolon when its sentence's head does.
    """
    if removed or not added or len(added) > 6:
        return None
    low = sentence.lower()
    examples = 0
    for word in added:
        item = (_list_item(word).search(low) or _first_item(word).match(low)) if word in low else None
        if not item:
            return None  # the word is no item of its own between a list's separators
        examples += bool(_EXAMPLES.search(re.split(r"[.;:]", low[: item.start()])[-1]))
    if examples == len(added):
        return None  # examples of what the clause already names ("such as threats, fraud or scams"): no wider
    if not _BINDS.search(sentence) and not (
        document
        and (_binding_lead_in(document.lead_in(edit.new_text)) or _BINDS.search(document.clause_head(sentence)))
    ):
        return None
    return f"list extended in a clause that binds: '{wording.quote(', '.join(added), 60)}'"


def _ban_swapped(edit: Edit, removed: list[str], added: list[str], document: Layout) -> str | None:
    """An item of a list that binds ("We don't allow: - Brick-and-mortar pharmacies") swapped for another: what
    was banned is now allowed and something else is banned, so the rule reaches something new."""
    if edit.heading or len(removed) > 3 or len(added) > 3 or len(edit.new_text.split()) > 12:
        return None
    lead_in = document.lead_in(edit.new_text)
    if not lead_in.rstrip().endswith(":") or not _binding_lead_in(lead_in):
        return None  # an item of the list the lead-in opens, not a line after a rule that ends
    return f"what a rule bans changed: '{', '.join(removed)}' → '{', '.join(added)}'"


_CAPITAL_WORD = re.compile(r"\b[A-Z][\w'’-]*(?P<domain>\.[a-z]{2,6}\b)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n)[\W\d]*$")


def _new_name(match: re.Match[str], text: str, seen: Callable[[str], bool], rules: Rules) -> bool:
    """A capitalised word the other text (as ``seen`` tells) never wrote, unless it only opens a sentence as a
    common word does."""
    word = match.group().removesuffix(match["domain"] or "")
    if seen(word):
        return False
    if match["domain"] or not _SENTENCE_START.search(text[: match.start()]):
        return True
    from policywatch.engine.languages import known

    return not known(word.lower(), rules.language)


# Who a clause can bind or give to: the reader, the company, anyone ("no one may").
_PARTIES = frozenset(
    [
        "you",
        "your",
        "yours",
        "user",
        "users",
        "we",
        "us",
        "our",
        "ours",
        "customer",
        "customers",
        "member",
        "members",
        "anyone",
        "everyone",
        "person",
        "persons",
    ]
)


# What dates or numbers a version of a document, as a whole word of a link's path: a year, a month, "v2".
_VERSION_NUMBER = re.compile(r"(?:19|20)\d\d|v\d+|\d{8}")
_VERSION_WORDS = _MONTHS | {"may", "version"}


def _versions(word: str) -> bool:
    return word in _VERSION_WORDS or bool(_VERSION_NUMBER.fullmatch(word))


def _path_words(url: str) -> list[str]:
    """The words of a link's path, lower case: no scheme, host, query or fragment (a capture's tokens live there)."""
    path = re.sub(r"^[a-z]+://[^/]*", "", url.lower()).split("?", 1)[0].split("#", 1)[0]
    return re.findall(r"[a-z]+|\d+", path)


def _retargeted(edit: Edit, rules: Rules) -> tuple[str, list[str]]:
    """A link that points elsewhere under the same words. Where the sentence names who receives data and the link
    is the same document in another version, its path the same but for a date or a version number
    ("Advertising-Partners_October-2023.pdf" → "..._February-2024.pdf"), the list the sentence takes in by
    reference was replaced: material, as a new list of recipients is. Else minor."""
    was, now = edit.segments[1][1], edit.segments[2][1]
    change = f"'{wording.quote(was, 60)}' → '{wording.quote(now, 60)}'"
    if _recipients_named(edit.segments[0][1], rules):  # the words, not the links
        before, after = _path_words(was), _path_words(now)
        versions = [[w for w in words if _versions(w)] for words in (before, after)]
        rest = [[w for w in words if not _versions(w)] for words in (before, after)]
        if versions[1] and versions[0] != versions[1] and rest[0] == rest[1]:
            return MATERIAL, [f"linked list of recipients replaced by another version: {change}"]
    return MINOR, [f"link target changed: {change}"]


def _link_elsewhere(edit: Edit, rules: Rules, document: Layout | None) -> str | None:
    """A reason for lines that only link to another document ("Legitimate Interest Assessment"): they name it,
    and what it says is judged there. Not when the link's words say a practice ("How we use your data for AI")
    or name a company new to the page (a vendor's policy): those are judged here."""
    texts = [t for t in (edit.old_text, edit.new_text) if t]
    if any(wording.STATES_PRACTICE.search(t) for t in texts):
        return None
    if edit.kind != "delete" and (document is None or _names_newcomers(edit.new_text, document, rules)):
        return None
    if edit.kind == "replace":
        change = f"'{wording.quote(edit.old_text, 50)}' → '{wording.quote(edit.new_text, 50)}'"
        return f"link to another page changed: {change}"
    return f"link to another page {_done(edit)}: '{wording.quote(texts[0])}'"


def _names_newcomers(text: str, document: Layout, rules: Rules) -> bool:
    """``text`` names someone the old text never wrote: a word no dictionary knows, capitalised, new to the page."""
    from policywatch.engine.languages import known

    def new(word: str) -> bool:
        return not document.wrote_before(word) and not known(word.lower(), rules.language)

    words = (m.group().removesuffix("'s").removesuffix("’s").rstrip("'’") for m in _CAPITAL_WORD.finditer(text))
    # A word with a digit in it is a code (a postcode, a model number), not a name; words a capture ran together
    # ("E-commerceA Content") are the words they hold.
    names = (w for w in words if not wording.DIGIT.search(w))
    return any(new(w) and any(new(part) for part in GLUE_POINT.split(w)) for w in names)


def _states_nothing(text: str, words: list[str], rules: Rules, document: Layout | None, removed: bool = False) -> bool:
    """Text added (or ``removed``) that speaks to no party, names no one new (or no one the new text drops)
    and holds no term of the policy's concepts (the company's own name aside), no negation, limit or modal
    verb ("One or more patents apply to the services; parts of them operate under licence."): a statement
    of fact about the service, which binds nobody and changes no practice. A name the old text never wrote
    ("Acme. Email service.", a line added to a list of vendors), or one the new text no longer writes (a
    vendor's line taken off), may be a party come or gone: that is judged as text added or removed."""
    # The cheap tests first: a name's test may load a language's dictionary, and most added text fails sooner.
    modal = rules.negations | rules.limits | rules.permissions | rules.obligations
    if document is None or any(w in _PARTIES or w in modal for w in words) or wording.DIGIT.search(text):
        return False
    own = document.own_names(1)
    if any(set(found) - own for found in _terms(text, rules)):
        return False
    if rules.structure.contact.search(text) or _BINDS.search(text):
        return False
    seen = document.writes_now if removed else document.wrote_before
    return not any(_new_name(m, text, seen, rules) for m in _CAPITAL_WORD.finditer(text))


def _only_gives(text: str) -> bool:
    """Text that grants the user something and takes nothing: no leave or data practice of the company's."""
    return not _TAKES.search(text)


def _contacts_added(old: str, new: str, rules: Rules) -> list[str]:
    """A contact for the user (a data protection officer, a representative) named where it was not."""
    if not rules.structure.contact.search(new):
        return []
    low_old, low_new = old.lower(), new.lower()
    found = [c for c in rules.structure.contacts if re.search(rf"\b{re.escape(c)}\b", low_new) and c not in low_old]
    found = [c for c in found if not any(c != o and c in o for o in found)]
    return [f"contact added: {wording.listing(found)} (in the user's favour)"] if found else []


def _definition(edit: Edit, document: Layout, rules: Rules, removed: list[str], added: list[str]) -> list[str]:
    """A change inside a definition reaches every clause that uses the term: say so, naming one of them."""
    st = rules.structure
    term = defined_term(edit.new_text, st, edit.new_section) or defined_term(edit.old_text, st, edit.section)
    if not term:
        return []
    uses = document.uses(term, edit.new_text)
    if not uses:
        return []
    if (removed or added) and all(w in document.own_names() for w in removed + added):
        return []  # only the company's own name put in or taken out ("the ACME Platform" → "the Platform")
    practice = _fixed_words(rules)
    example = next((u for u in uses if set(wording.words(u)) & practice), uses[0])
    if added and not removed:
        what = f"widened: now also '{wording.quote(' '.join(added), 50)}'"
    elif removed and not added:
        what = f"narrowed: no longer '{wording.quote(' '.join(removed), 50)}'"
    else:
        what = f"changed: {wording.snippet(wording.hunks(edit.segments))}"
    clauses = "1 clause uses" if len(uses) == 1 else f"{len(uses)} clauses use"
    return [f"definition of '{term}' {what}; {clauses} the term, e.g. '{wording.quote(example, 90)}'"]


@lru_cache(maxsize=64)
def vocabulary_size(rules: Rules):
    """A count of the distinct terms of the policy's vocabulary in a text (an error page has next to none)."""
    return lambda text: sum(len(found) for found in _terms(text, rules))


@lru_cache(maxsize=64)
def _vocabulary(rules: Rules):
    """A test of whether a text speaks the policy's language: any term of any category (data, recipients, ...)."""
    return lambda text: any(_terms(text, rules))


_THIS_PAGE = re.compile(r"\b(?:this|our) (?:site|website|box|banner|pop-?up)\b", re.I)


def _asks_consent(text: str, st) -> bool:
    """A consent banner, with its buttons or speaking of the page it sits on ("by closing this box"): it asks
    leave for what the policy itself must say, it grants none."""
    blocks = text.split(SEP)
    if any(is_control(block, st) for block in blocks):
        return True
    return st.consent_text is not None and any(
        st.consent_text.search(b) and _THIS_PAGE.search(b) for b in blocks if len(b.split()) <= st.section_words
    )


def _names_sections(text: str, headings: frozenset[str], st) -> bool:
    """Every block of ``text`` names a section of the document ("How We Share Your Information"): a table of
    contents, whose entries say what the sections do without doing it."""
    return all(is_navigation(block, headings, st) for block in text.split(SEP))


def _page_structure(edit: Edit, rules: Rules, document: Layout | None) -> str | None:
    """A reason when every block the edit touches is page furniture or navigation, on both sides."""
    headings = document.headings if document else frozenset()
    st = rules.structure
    sides = [(t, s) for t, s in ((edit.old_text, edit.section), (edit.new_text, edit.new_section)) if t.strip()]
    kinds = []
    for t, s in sides:
        kinds.append(structural(t, headings, st, in_contents(s, st), in_furniture(s, st), _vocabulary(rules)))
        if not kinds[-1] and edit.kind == "delete" and is_label_list(t, _vocabulary(rules)):
            kinds[-1] = "navigation"  # a menu or footer of links taken off the page; one added is judged
        if not kinds[-1]:
            return None
    if not sides or not all(
        _only_gives(t) or _asks_consent(t, st) or _names_sections(t, headings, st) for t, _ in sides
    ):
        return None  # a banner that says "we may now share ..." announces a practice: judge it
    if (
        edit.kind != "delete"
        and document
        and "navigation" in kinds[-1]
        and (_names_newcomers(edit.new_text, document, rules) or _in_covered_list(edit.new_text, document))
    ):
        return None  # lines that name companies the page never named, or services the terms now cover: judge them
    kind = " and ".join(sorted({k for k in kinds if k}))
    verb = _done(edit)
    text = edit.new_text if edit.kind == "insert" else edit.old_text
    if edit.kind == "replace":
        change = f"'{wording.quote(edit.old_text, 50)}' → '{wording.quote(edit.new_text, 50)}'"
        return f"{kind} changed, no policy text: {change}"
    return f"{kind} {verb}, no policy text: '{wording.quote(text)}'"


def _dedupe(items: Iterable[str]) -> list[str]:
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
    ("page furniture", "furniture"),
    ("navigation", "navigation"),
    ("contact details", "address"),
    ("table of contents", "navigation"),
    ("link to another page", "navigation"),
    ("link target changed", "link"),
    ("linked list of recipients", "recipients"),
    ("statistics", "statistic"),
    ("cross-reference", "crossref"),
    ("contact channel", "channel"),
    ("name changed", "name"),
    ("governing law or courts changed", "law"),
    ("party changed", "party"),
    ("recipient changed", "recipients"),
    ("list extended", "duty"),
    ("exception to a promise widened", "commitment"),
    ("retention period shortened", "favour"),
    ("contact added", "favour"),
    ("commitment added", "favour"),
    ("more the company promises not", "favour"),
    ("examples removed", "statement"),
    ("practice narrowed", "favour"),
    ("duty on the user dropped", "favour"),
    ("duty on the user removed", "favour"),
    ("ban on the user lifted", "favour"),
    ("the user may now", "favour"),
    ("definition ", "definition"),
    ("negation written short", "typo"),
    ("negation ", "negation"),
    ("meaning reversed", "negation"),
    ("limitation ", "limitation"),
    ("obligation turned", "modality"),
    ("permission turned", "modality"),
    ("modality changed", "modality"),
    ("power widened", "modality"),
    ("retention period", "retention"),
    ("age threshold", "age"),
    ("amount ", "amount"),
    ("rate ", "amount"),
    ("time period", "time"),
    ("date something takes effect", "time"),
    ("announced changes put off", "favour"),
    ("announced changes brought forward", "time"),
    ("date changed", "time"),
    ("number without a role", "number-noted"),
    ("number ", "number"),
    ("activity ", "activity"),
    ("new activity", "activity"),
    ("commitment removed", "content"),
    ("text added that states no", "statement"),
    ("paragraph added that states no", "statement"),
    ("text removed that states no", "statement"),
    ("paragraph removed that states no", "statement"),
    ("repeated text removed", "repeat"),
    ("text ", "content"),
    ("paragraph ", "content"),
    ("section rewritten", "rewrite"),
    ("table entry", "table"),
    ("identifiers in a table", "identifiers"),
    ("wording changed", "wording"),
    ("section '", "section"),
    ("spelling corrected", "typo"),
    ("spelling variant", "variant"),
    ("word form", "form"),
    ("synonym", "synonym"),
    ("punctuation", "punctuation"),
    ("layout only", "layout"),
    ("spacing only", "layout"),
    ("capitalisation", "case"),
    ("date line", "dateline"),
    ("date note", "dateline"),
    ("heading ", "heading"),
    ("moved unchanged", "move"),
    ("moved", "move"),
    ("link ", "link"),
    ("image or link without text", "link"),
    ("postal address", "address"),
    ("contact address changed", "address"),
    ("mail address hidden", "artefact"),
    ("rewording", "rewording"),
    ("words cut", "rewording"),
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
