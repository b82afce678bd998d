"""A translation is named by an ISO 639-1 language tag before the suffix; nothing else is one."""

import pytest

from policywatch.locales import language_tag, split_translation


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("privacy.de", ("privacy", "de")),
        ("privacy.pt-BR", ("privacy", "pt-BR")),
        ("terms.of.service.fr", ("terms.of.service", "fr")),
        ("privacy", ("privacy", None)),
        ("terms.old", ("terms.old", None)),
        ("dpa.v2", ("dpa.v2", None)),
        ("privacy.DE", ("privacy.DE", None)),
        ("privacy.pt-br", ("privacy.pt-br", None)),
        (".de", (".de", None)),
    ],
)
def test_a_translation_is_named_by_its_language_tag(slug, expected):
    assert split_translation(slug) == expected


@pytest.mark.parametrize(("tag", "canonical"), [("DE", "de"), ("pt-br", "pt-BR"), ("es-419", None), ("xx", None)])
def test_language_tags_are_spelled_canonically(tag, canonical):
    assert language_tag(tag) == canonical
