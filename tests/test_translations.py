"""Translations as policies: `check`, `status` and `publish` keep privacy.de, .fr and .es in step with privacy."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from policywatch.release.git import Git
from policywatch.release.record import Release, read_record, tag_message
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, PRIVACY, edit, run, snapshot
from tests._translation_support import GERMAN, GERMAN_EDIT, publish, released_translations, translate, translated_repo


def record(repo, tag: str) -> Release:
    return read_record(next(t for t in Git(repo.root).tags() if t.name == tag))


def stale(tmp_path, in_repo, *later: str):
    """privacy 2.0 published (material) with the named translations following later; the others updated with it."""
    repo = released_translations(tmp_path, in_repo)
    edit(repo, "privacy", *MATERIAL_EDIT)
    for language in {"de", "fr", "es"} - set(later):
        translate(repo, language, "2.0")
    repo.commit("Allow selling data")
    result = publish("--date", "2024-04-01", *(["--translations-later", ",".join(later)] if later else []))
    assert result.exit_code == 0, result.output
    return repo


# --- check ---------------------------------------------------------------------------------------------------------


def hook(repo) -> subprocess.CompletedProcess:
    """The pre-push hook's own call."""
    return subprocess.run([sys.executable, "-m", "policywatch.check"], cwd=repo.root, capture_output=True, text=True)


def released_by_hand(repo, version: str, classification: str) -> None:
    """A release of privacy tagged without publish's refusals (as a tool without translations would have made it)."""
    text = repo.read("policies/privacy.md")
    repo.commit(f"Version {version}", {"policies/privacy.md": text.replace('version: "1.0"', f'version: "{version}"')})
    day = dt.date(2024, 4, 1)
    release = Release(
        "privacy",
        "Example Privacy Policy",
        "policies/privacy.md",
        version,
        "1.0",
        classification,
        day,
        day,
        day,
        f"privacy/v{version}",
    )
    repo.tag(release.tag, tag_message(release))


def test_a_stale_translation_push_is_blocked_by_the_hook(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MATERIAL_EDIT)
    released_by_hand(repo, "2.0", "material")
    out = hook(repo)
    assert out.returncode == 1, out.stdout
    assert (
        "error: privacy.de: policies/privacy.de.md: translates privacy 1.0, but privacy 2.0 changed materially since"
        in out.stdout
    )


def test_the_hook_only_warns_about_a_translation_its_release_said_follows_later(tmp_path, in_repo):
    repo = stale(tmp_path, in_repo, "de")
    out = hook(repo)
    assert out.returncode == 0, out.stdout
    assert "warning: privacy.de: policies/privacy.de.md: translates privacy 1.0; privacy 2.0 changed materially" in (
        out.stdout
    )


def test_publish_refuses_a_second_material_release_while_a_translation_still_follows_the_first(tmp_path, in_repo):
    repo = stale(tmp_path, in_repo, "de")
    edit(repo, "privacy", "We collect your email address to send receipts.", "We collect your precise location.")
    for language in ("fr", "es"):
        translate(repo, language, "3.0")
    repo.commit("Collect location")
    result = publish("--date", "2024-05-01")
    assert result.exit_code == 2
    assert "policies/privacy.de.md still translates privacy 1.0" in result.stderr


def test_check_fails_on_a_translation_without_translation_of(tmp_path, in_repo):
    repo = in_repo(translated_repo(tmp_path, ("de",)))
    repo.commit("No link", {"policies/privacy.de.md": GERMAN.replace('translation_of: "1.0"\n', "")})
    result = run("check")
    assert result.exit_code == 1
    assert "policies/privacy.de.md: a translation must say which version of privacy it translates" in result.output


def test_check_fails_on_a_translation_of_a_version_never_released(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    translate(repo, "de", "7.0")
    repo.commit("Wrong version")
    result = run("check")
    assert result.exit_code == 1
    assert 'policies/privacy.de.md: translation_of "7.0" names a version of privacy that was never released' in (
        result.output
    )


def test_check_fails_on_a_translation_without_a_source_file(tmp_path, in_repo):
    repo = in_repo(translated_repo(tmp_path, ()))
    repo.commit("Orphan", {"policies/terms.de.md": GERMAN})
    result = run("check")
    assert result.exit_code == 1
    assert "policies/terms.de.md: translation of 'terms', but there is no policies/terms.md" in result.output


def test_check_only_warns_when_a_translation_is_behind_by_minor_releases(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation")
    assert publish("--date", "2024-04-01").exit_code == 0
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "warning: privacy.de: policies/privacy.de.md: translates privacy 1.0, behind by 1 minor release" in (
        result.output
    )


# --- status --------------------------------------------------------------------------------------------------------


def test_status_json_says_what_each_locale_translates_and_how_far_behind_it_is(tmp_path, in_repo):
    stale(tmp_path, in_repo, "fr")
    rows = {row["slug"]: row for row in json.loads(run("status", "--format", "json").stdout)}
    assert rows["privacy.fr"]["language"] == "fr" and rows["privacy.fr"]["source"] == "privacy"
    assert rows["privacy.fr"]["translation"]["translation_of"] == "1.0"
    assert rows["privacy.fr"]["translation"]["state"] == "behind by 1 material release (1.0 → 2.0)"
    assert rows["privacy.de"]["translation"]["state"] == "up to date"
    assert rows["privacy"]["translations_later"] == ["fr"]


def test_status_lists_each_locale_under_its_source(tmp_path, in_repo):
    stale(tmp_path, in_repo, "fr")
    lines = run("status").stdout.splitlines()
    assert lines[0].split()[-1] == "TRANSLATION"
    slugs = [line.split()[0] for line in lines[1:]]
    assert slugs == ["privacy", "privacy.de", "privacy.es", "privacy.fr"]
    assert lines[4].startswith("  privacy.fr")
    assert lines[4].endswith("fr of 1.0: behind by 1 material release (1.0 → 2.0)")
    assert lines[1].endswith("translations later: fr")


# --- publish -------------------------------------------------------------------------------------------------------


def test_publish_releases_a_source_and_its_translations_together_at_first(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo)
    tags = set(repo.git("tag").split())
    assert tags == {"privacy/v1.0", "privacy.de/v1.0", "privacy.fr/v1.0", "privacy.es/v1.0"}
    assert record(repo, "privacy.de/v1.0").translation_of == "1.0"


def test_publish_refuses_a_material_change_while_a_translation_claims_the_old_version(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    before = snapshot(repo)
    result = publish("--date", "2024-04-01")
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "policywatch: error: policies/privacy.de.md still translates privacy 1.0: update it and set translation_of: "
        '"2.0" to release it with privacy 2.0, or publish with --translations-later de'
    ]
    assert snapshot(repo) == before


def test_publish_with_translations_later_records_them_in_the_source_release(tmp_path, in_repo):
    repo = stale(tmp_path, in_repo, "fr", "es")
    assert sorted(record(repo, "privacy/v2.0").translations_later) == ["es", "fr"]
    assert "translations that follow later:" in repo.git("tag", "-l", "-n9", "privacy/v2.0")
    assert "privacy.fr/v2.0" not in repo.git("tag").split()


def test_publish_releases_an_updated_translation_with_the_source_at_the_same_version_and_dates(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MATERIAL_EDIT)
    translate(repo, "de", "2.0", *GERMAN_EDIT)
    repo.commit("Allow selling data, in both languages")
    assert publish("--date", "2024-04-01").exit_code == 0
    source, german = record(repo, "privacy/v2.0"), record(repo, "privacy.de/v2.0")
    assert (german.version, german.effective, german.updated) == (source.version, source.effective, source.updated)
    assert german.translation_of == "2.0" and german.classification == "material"
    text = repo.read("policies/privacy.de.md")
    assert "Gültig ab: 1. Mai 2024" in text and "Stand: 1. April 2024" in text
    assert 'version: "2.0"' in text and "effective: 2024-05-01" in text


def test_publish_writes_french_and_spanish_date_lines_in_their_own_format(tmp_path, in_repo):
    repo = stale(tmp_path, in_repo)
    assert "Date d’entrée en vigueur : 1er mai 2024" in repo.read("policies/privacy.fr.md")
    spanish = repo.read("policies/privacy.es.md")
    assert "Fecha de entrada en vigor: 1 de mayo de 2024" in spanish
    assert "Última actualización: 01/04/2024" in spanish


def test_publish_refuses_translations_later_naming_no_translation_behind(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MATERIAL_EDIT)
    translate(repo, "de", "2.0")
    repo.commit("Allow selling data")
    result = publish("--date", "2024-04-01", "--translations-later", "it")
    assert result.exit_code == 2
    assert "--translations-later it: no translation in that language falls behind" in result.stderr


def test_publishing_one_source_by_name_releases_its_translations_with_it(tmp_path, in_repo):
    repo = released_translations(tmp_path, in_repo, ("de",))
    edit(repo, "privacy", *MATERIAL_EDIT)
    translate(repo, "de", "2.0", *GERMAN_EDIT)
    repo.commit("Allow selling data, in both languages")
    assert publish("privacy", "--date", "2024-04-01").exit_code == 0
    assert "privacy.de/v2.0" in repo.git("tag").split()


def test_records_written_before_translations_read_with_none(tmp_path):
    assert "translation_of" not in Release.from_json(_old_record()).to_json()
    old = Release.from_json(_old_record())
    assert (old.translation_of, old.translations_later) == (None, [])


def test_a_translation_record_keeps_its_fields(tmp_path):
    data = {**_old_record(), "translation_of": "2.0", "translations_later": ["de"]}
    release = Release.from_json(data)
    assert (release.translation_of, release.translations_later) == ("2.0", ["de"])
    assert Release.from_json(release.to_json()) == release


def _old_record() -> dict[str, object]:
    return {
        "policy": "privacy",
        "title": "Privacy",
        "path": "policies/privacy.md",
        "version": "1.0",
        "previous_version": None,
        "classification": "initial",
        "effective": "2024-03-01",
        "updated": "2024-03-01",
        "published": "2024-03-01",
        "tag": "privacy/v1.0",
    }


def test_the_source_text_is_not_touched_by_its_translations_dates(tmp_path, in_repo):
    repo = stale(tmp_path, in_repo)
    assert repo.read("policies/privacy.md") == PRIVACY.replace('"1.0"', '"2.0"').replace(
        "effective: 2024-03-01", "effective: 2024-05-01"
    ).replace("updated: 2024-03-01", "updated: 2024-04-01").replace("March 1, 2024", "May 1, 2024").replace(
        *MATERIAL_EDIT
    )
