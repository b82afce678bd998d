"""A policy and its translations on the site: a page per locale, switcher, hreflang, lang and the translation note."""

from __future__ import annotations

import datetime as dt

from policywatch.project import open_project
from policywatch.site.build import build_project_site
from tests._publish_support import MATERIAL_EDIT, edit
from tests._site_support import Page
from tests._translation_support import publish, released_translations, translate

BASE = "https://policies.example.com/"
TODAY = dt.date(2024, 6, 1)


def build(repo, out):
    build_project_site(open_project(repo.root), out, base_url=BASE, today=TODAY)


def page(out, path: str) -> Page:
    return Page((out / path / "index.html").read_text(encoding="utf-8"))


def site(tmp_path, in_repo, config: str = ""):
    """privacy 2.0 with its German translation released with it, the French one following later; built."""
    repo = released_translations(tmp_path, in_repo, ("de", "fr"))
    edit(repo, "privacy", *MATERIAL_EDIT)
    translate(repo, "de", "2.0")
    repo.commit("Allow selling data", {"policywatch.toml": config} if config else None)
    assert publish("--date", "2024-04-01", "--translations-later", "fr").exit_code == 0
    build(repo, tmp_path / "out")
    return tmp_path / "out"


def alternates(p: Page) -> dict[str, str]:
    return {a["hreflang"]: a["href"] for a in p.all("link") if a.get("rel") == "alternate" and "hreflang" in a}


def test_each_locale_has_its_own_page_in_its_language(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    assert page(out, "privacy.de").all("html") == [{"lang": "de"}]
    assert page(out, "privacy.de/v2.0").all("html") == [{"lang": "de"}]
    assert page(out, "privacy").all("html") == [{"lang": "en"}]
    assert "Datenschutzerklärung" in page(out, "privacy.de").text


def test_every_language_version_of_the_policy_page_links_all_of_them_with_hreflang(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    expected = {
        "en": f"{BASE}privacy/",
        "de": f"{BASE}privacy.de/",
        "fr": f"{BASE}privacy.fr/",
        "x-default": f"{BASE}privacy/",
    }
    for path in ("privacy", "privacy.de", "privacy.fr"):
        assert alternates(page(out, path)) == expected, path


def test_a_version_page_links_only_the_languages_released_at_that_version(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    expected = {"en": f"{BASE}privacy/v2.0/", "de": f"{BASE}privacy.de/v2.0/", "x-default": f"{BASE}privacy/v2.0/"}
    assert alternates(page(out, "privacy/v2.0")) == expected
    assert alternates(page(out, "privacy.de/v2.0")) == expected


def test_the_language_switcher_is_plain_links_naming_each_language_in_itself(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    links = [a for a in page(out, "privacy.de").all("a") if "hreflang" in a]
    assert [(a["href"], a["lang"]) for a in links] == [
        ("../privacy/", "en"),
        ("../privacy.de/", "de"),
        ("../privacy.fr/", "fr"),
    ]
    assert [a.get("aria-current") for a in links] == [None, "page", None]
    assert "English Deutsch Français" in page(out, "privacy.de").text


def test_a_translation_names_the_version_it_translates_and_the_text_that_prevails(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    text = page(out, "privacy.de").text
    assert "This is the German translation of Example Privacy Policy, version 2.0." in text
    assert "If this translation and the English text differ, the English text prevails." in text


def test_a_translation_behind_its_source_says_the_original_changed_materially(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    text = page(out, "privacy.fr").text
    assert "French translation of Example Privacy Policy, version 1.0." in text
    assert "The original has changed materially since (version 2.0); this translation follows later." in text


def test_the_source_release_shows_the_translations_that_follow_later(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    assert "Translations Follow later: French (fr)" in page(out, "privacy/v2.0").text


def test_the_prevailing_text_is_configurable(tmp_path, in_repo):
    out = site(tmp_path, in_repo, '[site]\nprevailing = "de"\n')
    assert "If this translation and the German text differ, the German text prevails." in page(out, "privacy.fr").text


def test_the_translation_note_can_be_a_sentence_of_its_own(tmp_path, in_repo):
    out = site(tmp_path, in_repo, '[site]\ntranslation_note = "Only the <English> text is binding."\n')
    p = page(out, "privacy.de")
    assert "Only the <English> text is binding." in p.text
    assert "prevails" not in p.text


def test_a_policy_without_translations_has_no_switcher_and_no_hreflang(tmp_path, in_repo):
    out = site(tmp_path, in_repo)
    repo_pages = page(out, "")
    assert alternates(repo_pages) == {}
    assert not [a for a in repo_pages.all("a") if "hreflang" in a]
