"""The labelled corpus: every material pair is found, with the expected reason; precision is reported."""

from __future__ import annotations

import pytest

from tests.corpus import evaluate, load_cases, scores


@pytest.fixture(scope="module")
def outcomes():
    return evaluate()


def test_corpus_has_at_least_sixty_pairs_of_both_labels():
    cases = load_cases()
    labels = [c.label for c in cases]
    assert len(cases) >= 60
    assert labels.count("material") >= 30 and labels.count("minor") >= 25


def test_corpus_case_ids_are_unique():
    ids = [c.id for c in load_cases()]
    assert len(ids) == len(set(ids))


def test_every_material_pair_is_found_with_its_expected_reason(outcomes):
    missed = [(o.case.id, o.case.kind, o.kinds) for o in outcomes if o.case.label == "material" and not o.correct]
    assert missed == []


def test_precision_on_the_corpus_is_reported_and_high(outcomes, capsys):
    result = scores(outcomes)
    with capsys.disabled():
        print(f"\ncorpus: precision {result['precision']:.1%}, recall {result['recall']:.1%} ({len(outcomes)} pairs)")
    assert result["recall"] == 1.0
    assert result["precision"] >= 0.9


def test_no_editorial_pair_is_reported_as_no_change_when_words_changed(outcomes):
    wrong = [o.case.id for o in outcomes if o.case.label == "minor" and o.case.kind != "none" and o.kinds == ["none"]]
    assert wrong == []
