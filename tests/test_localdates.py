"""Date lines of translated policies, found by their language's labels and rewritten the way they were written."""

from __future__ import annotations

import datetime as dt

import pytest

from policywatch.localdates import UnknownDateLanguage, find_dates, rewrite_dates

EFFECTIVE, UPDATED = dt.date(2024, 8, 9), dt.date(2024, 7, 1)


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [
        pytest.param("de", "Stand: 1. März 2024", "Stand: 1. Juli 2024", id="de_stand"),
        pytest.param("de", "Gültig ab: 1. März 2024", "Gültig ab: 9. August 2024", id="de_gueltig_ab"),
        pytest.param("de", "**Gültig ab:** 01.03.2024", "**Gültig ab:** 09.08.2024", id="de_numeric_padded"),
        pytest.param(
            "de", "Zuletzt aktualisiert am 3. Jan. 2024", "Zuletzt aktualisiert am 1. Juli 2024", id="de_abbr"
        ),
        pytest.param(
            "fr",
            "Date d'entrée en vigueur : 1er mars 2024",
            "Date d'entrée en vigueur : 9 août 2024",
            id="fr_premier",
        ),
        pytest.param("fr", "Dernière mise à jour le 2024-03-01", "Dernière mise à jour le 2024-07-01", id="fr_iso"),
        pytest.param(
            "es",
            "Fecha de entrada en vigor: 1 de marzo de 2024",
            "Fecha de entrada en vigor: 9 de agosto de 2024",
            id="es_named",
        ),
        pytest.param("es", "Última actualización: 1/3/2024", "Última actualización: 1/7/2024", id="es_numeric"),
        pytest.param("de-AT", "Stand: 1. Jänner 2024", "Stand: 1. Juli 2024", id="de_at_regional_month"),
    ],
)
def test_a_date_line_is_rewritten_in_its_language_and_its_own_format(language, before, after):
    text = f"# Titel\n\n{before}\n\nText.\n"
    assert rewrite_dates(text, language, effective=EFFECTIVE, updated=UPDATED) == f"# Titel\n\n{after}\n\nText.\n"


def test_french_keeps_premier_for_the_first_of_the_month():
    text = "Date d’entrée en vigueur : 9 mars 2024\n"
    out = rewrite_dates(text, "fr", effective=dt.date(2024, 9, 1), updated=None)
    assert out == "Date d’entrée en vigueur : 1 septembre 2024\n"


def test_only_the_first_line_of_each_kind_is_a_date_line():
    text = "Stand: 1. März 2024\n\nStand: 2. März 2024\n"
    assert [d.date for d in find_dates(text, "de")] == [dt.date(2024, 3, 1)]


def test_a_date_in_running_text_is_left_alone():
    text = "Wir haben diese Erklärung am 1. März 2024 geändert.\n"
    assert rewrite_dates(text, "de", effective=EFFECTIVE, updated=UPDATED) == text


def test_crlf_line_ends_are_kept():
    text = "Stand: 1. März 2024\r\nGültig ab: 1. März 2024\r\n"
    assert rewrite_dates(text, "de", effective=EFFECTIVE, updated=UPDATED) == (
        "Stand: 1. Juli 2024\r\nGültig ab: 9. August 2024\r\n"
    )


def test_a_language_without_known_labels_is_refused():
    with pytest.raises(UnknownDateLanguage):
        rewrite_dates("Data: 1 marzo 2024\n", "it", effective=EFFECTIVE, updated=UPDATED)
