"""The engine on German, French and Spanish policies: same verdicts and reason kinds as in English."""

from __future__ import annotations

import pytest

from policywatch import compare
from policywatch.engine.languages import Language, detect, resolve
from policywatch.engine.materiality import reason_kind

OPENING = {
    "de": "Diese Datenschutzerklärung erklärt, wie wir mit Ihren Daten umgehen und welche Rechte Sie haben.",
    "fr": "Cette politique explique comment nous traitons vos données et quels sont vos droits.",
    "es": "Esta política explica cómo tratamos sus datos y cuáles son sus derechos.",
}

# (language, old sentence, new sentence, reason kind expected, verdict expected)
CASES = {
    "negation flipped": [
        ("de", "Wir verkaufen Ihre Daten nicht an Dritte.", "Wir verkaufen Ihre Daten an Dritte.", "negation"),
        ("fr", "Nous ne vendons pas vos données à des tiers.", "Nous vendons vos données à des tiers.", "negation"),
        ("es", "No vendemos sus datos a terceros.", "Vendemos sus datos a terceros.", "negation"),
    ],
    "new data category": [
        (
            "de",
            "Wir erheben Ihre E-Mail-Adresse.",
            "Wir erheben Ihre E-Mail-Adresse und Standortdaten.",
            "data_categories",
        ),
        (
            "fr",
            "Nous collectons votre adresse e-mail.",
            "Nous collectons votre adresse e-mail et votre géolocalisation.",
            "data_categories",
        ),
        (
            "es",
            "Recopilamos su correo electrónico.",
            "Recopilamos su correo electrónico y su ubicación.",
            "data_categories",
        ),
    ],
    "new recipient": [
        (
            "de",
            "Wir geben Ihre Daten an Dienstleister weiter.",
            "Wir geben Ihre Daten an Dienstleister und Werbepartner weiter.",
            "recipients",
        ),
        (
            "fr",
            "Nous partageons vos données avec nos prestataires.",
            "Nous partageons vos données avec nos prestataires et nos annonceurs.",
            "recipients",
        ),
        (
            "es",
            "Compartimos sus datos con proveedores de servicios.",
            "Compartimos sus datos con proveedores de servicios y anunciantes.",
            "recipients",
        ),
    ],
    "retention longer": [
        ("de", "Wir speichern Ihre Daten für 30 Tage.", "Wir speichern Ihre Daten für 90 Tage.", "retention"),
        (
            "fr",
            "Nous conservons vos données pendant 30 jours.",
            "Nous conservons vos données pendant 2 ans.",
            "retention",
        ),
        ("es", "Conservamos sus datos durante 30 días.", "Conservamos sus datos durante 5 años.", "retention"),
    ],
    "right removed": [
        (
            "de",
            "Sie haben das Recht auf Auskunft und das Recht auf Löschung.",
            "Sie haben das Recht auf Auskunft.",
            "rights",
        ),
        (
            "fr",
            "Vous disposez d'un droit d'accès et d'un droit de rectification.",
            "Vous disposez d'un droit d'accès.",
            "rights",
        ),
        ("es", "Usted tiene derecho de acceso y derecho de rectificación.", "Usted tiene derecho de acceso.", "rights"),
    ],
    "permission turned into obligation": [
        ("de", "Wir können Ihre Daten löschen.", "Wir müssen Ihre Daten löschen.", "modality"),
        ("fr", "Nous pouvons supprimer votre compte.", "Nous devons supprimer votre compte.", "modality"),
        ("es", "Podemos eliminar su cuenta.", "Debemos eliminar su cuenta.", "modality"),
    ],
}
MINOR_CASES = {
    "editorial rewording": [
        (
            "de",
            "Wir verwenden Ihre Daten, um unseren Dienst zu verbessern.",
            "Wir nutzen Ihre Daten, um unseren Dienst zu optimieren.",
        ),
        (
            "fr",
            "Nous utilisons vos données pour améliorer notre service.",
            "Nous employons vos données pour optimiser notre service.",
        ),
        (
            "es",
            "Utilizamos sus datos para mejorar nuestro servicio.",
            "Usamos sus datos para optimizar nuestro servicio.",
        ),
    ],
    "plural or inflection": [
        ("de", "Wir geben Daten an unseren Partner weiter.", "Wir geben Daten an unsere Partnern weiter."),
        ("fr", "Nous transmettons les données à notre partenaire.", "Nous transmettons les données à nos partenaires."),
        ("es", "Compartimos los datos con nuestro socio.", "Compartimos los datos con nuestros socios."),
    ],
    "postal address moved": [
        (
            "fr",
            "Pour exercer vos droits, écrivez à Exemple SA - 12 avenue du Parc - 93585 - Saint-Ouen Cedex ou par mail.",
            "Pour exercer vos droits, écrivez à Exemple SA - 118 rue de Javel - 75015 Paris ou par mail.",
        ),
        (
            "es",
            "Para ejercer sus derechos, escriba a Ejemplo SL, 14 calle Mayor, 28013 Madrid, o por email.",
            "Para ejercer sus derechos, escriba a Ejemplo SL, 3 calle de Alcalá, 28014 Madrid, o por email.",
        ),
    ],
    "retention shortened": [
        ("de", "Wir speichern Ihre Daten für 90 Tage.", "Wir speichern Ihre Daten für 30 Tage."),
        ("fr", "Nous conservons vos données pendant 2 ans.", "Nous conservons vos données pendant 30 jours."),
        ("es", "Conservamos sus datos durante 5 años.", "Conservamos sus datos durante 30 días."),
    ],
}


def policy(language: str, sentence: str) -> str:
    return f"# Policy\n\n{OPENING[language]}\n\n{sentence}\n"


def material_params():
    return [pytest.param(*case, id=f"{name}-{case[0]}") for name, cases in CASES.items() for case in cases]


def minor_params():
    return [pytest.param(*case, id=f"{name}-{case[0]}") for name, cases in MINOR_CASES.items() for case in cases]


@pytest.mark.parametrize(("language", "old", "new", "kind"), material_params())
def test_a_material_change_gets_the_reason_kind_it_gets_in_english(language, old, new, kind):
    result = compare(policy(language, old), policy(language, new))
    assert result.classification == "material"
    assert kind in {reason_kind(r) for c in result.changes for r in c.reasons}


@pytest.mark.parametrize(("language", "old", "new"), minor_params())
def test_an_editorial_change_stays_minor(language, old, new):
    assert compare(policy(language, old), policy(language, new)).classification == "minor"


def test_the_english_counterpart_of_the_cases_keeps_its_verdict():
    old = "# Policy\n\nThis policy explains how we handle your data.\n\nWe do not sell your data to third parties.\n"
    result = compare(old, old.replace("do not sell", "sell"))
    assert (result.classification, result.language, result.to_json().get("language")) == ("material", "en", None)


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_a_text_that_does_not_say_its_language_is_detected_and_the_detection_is_said(language):
    result = compare(policy(language, CASES["negation flipped"][0][1]), policy(language, "Neu."))
    assert (result.language, result.language_detected, result.language_note) == (
        language,
        True,
        f"{language} (detected)",
    )
    assert result.to_json()["language"] == language and result.to_json()["language_detected"] is True


def test_a_language_given_by_the_caller_is_not_said_to_be_detected():
    result = compare(policy("de", "Wir speichern Daten."), policy("de", "Wir speichern keine Daten."), language="de")
    assert (result.language_note, result.classification) == ("de", "material")


def test_front_matter_declares_the_language():
    text = "---\ntitle: Datenschutz\nlanguage: de-AT\n---\n\nWe do not sell your data.\n"
    assert resolve(text) == Language("de")


def test_detection_names_each_language_from_its_marker_words():
    assert [detect(OPENING[code] + " " + OPENING[code]) for code in ("de", "fr", "es")] == ["de", "fr", "es"]


def test_detection_falls_back_to_english_on_thin_evidence():
    assert detect("Datenschutz") == "en"
    assert detect("We collect your email address and share it with the service providers we use.") == "en"


def test_detection_reads_only_the_first_2000_words():
    sentence = "We keep your data safe and we tell you what we do with it. "  # 14 words
    assert detect(sentence * 145 + OPENING["fr"] * 200) == "en"  # the French starts past word 2,000
    assert detect(sentence * 10 + OPENING["fr"] * 200) == "fr"


def test_detection_counts_the_words_behind_an_elided_article():
    text = "l'utilisateur d'accord qu'il " * 3 + OPENING["fr"]
    assert detect(text) == "fr"
    assert detect(text.replace("'", " ")) == "fr"


def test_an_elided_article_is_a_word_of_its_own_and_an_english_contraction_is_one_word():
    from policywatch.engine.languages import _first_words

    assert _first_words("Nous informons l'utilisateur qu'il peut.", 10) == [
        "Nous", "informons", "l", "utilisateur", "qu", "il", "peut",
    ]  # fmt: skip
    assert _first_words("We don't sell the company's data.", 10) == ["We", "don't", "sell", "the", "company's", "data"]


def test_a_language_without_rules_is_refused_with_its_code():
    from policywatch.errors import RulesError

    with pytest.raises(RulesError, match="no materiality rules for language 'it'"):
        compare("# P\n\nCiao.\n", "# P\n\nCiao a tutti.\n", language="it")


def test_comparing_english_text_does_not_load_the_lemmatiser(imports_of):
    code = "from policywatch import compare\ncompare('# P\\n\\nWe do not sell data.\\n', '# P\\n\\nWe sell data.\\n')\n"
    _, loaded = imports_of(code, ("simplemma",))
    assert loaded == []
