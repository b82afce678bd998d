"""A privacy policy with German, French and Spanish translations, released together, for the translation tests."""

from __future__ import annotations

from pathlib import Path

from tests._git_support import GitProject, new_git_project
from tests._publish_support import PRIVACY, edit, run

GERMAN = """\
---
title: Datenschutzerklärung
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
translation_of: "1.0"
---
# Datenschutzerklärung

Gültig ab: 1. März 2024

Stand: 1. März 2024

## Welche Daten wir erheben

Wir erheben Ihre E-Mail-Adresse, um Ihnen Quittungen zu senden.

## Weitergabe

Wir werden Ihre personenbezogenen Daten nicht verkaufen.
"""

FRENCH = """\
---
title: Politique de confidentialité
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
translation_of: "1.0"
---
# Politique de confidentialité

Date d’entrée en vigueur : 1er mars 2024

## Les données que nous collectons

Nous collectons votre adresse e-mail pour vous envoyer vos reçus.

## Partage

Nous ne vendrons pas vos informations personnelles.
"""

SPANISH = """\
---
title: Política de privacidad
version: "1.0"
effective: 2024-03-01
updated: 2024-03-01
translation_of: "1.0"
---
# Política de privacidad

Fecha de entrada en vigor: 1 de marzo de 2024

Última actualización: 01/03/2024

## Qué datos recopilamos

Recopilamos su dirección de correo electrónico para enviarle los recibos.

## Compartir

No venderemos su información personal.
"""

TRANSLATIONS = {"de": GERMAN, "fr": FRENCH, "es": SPANISH}
# The German text of MATERIAL_EDIT, and what it becomes.
GERMAN_EDIT = (
    "Wir werden Ihre personenbezogenen Daten nicht verkaufen.",
    "Wir dürfen Ihre personenbezogenen Daten verkaufen.",
)


def translated_repo(tmp_path: Path, languages: tuple[str, ...] = ("de", "fr", "es")) -> GitProject:
    """``privacy`` and its translations committed, never released."""
    project = new_git_project(tmp_path / "repo")
    files = {"policies/privacy.md": PRIVACY}
    files.update({f"policies/privacy.{lang}.md": TRANSLATIONS[lang] for lang in languages})
    project.commit("Add the privacy policy and its translations", files, date="2024-03-01T09:00:00+00:00")
    return project


def released_translations(tmp_path: Path, in_repo, languages: tuple[str, ...] = ("de", "fr", "es")) -> GitProject:
    """``translated_repo`` released together as 1.0 on 2024-03-01 by ``publish``; the working directory is it."""
    project = in_repo(translated_repo(tmp_path, languages))
    result = publish("--date", "2024-03-01")
    assert result.exit_code == 0, result.output
    return project


def publish(*args: str):
    """``policywatch publish --yes --no-notify`` with ``args``, from the current directory."""
    return run("publish", "--yes", "--no-notify", *args)


def translate(project: GitProject, language: str, translation_of: str, *change: str) -> None:
    """Point a translation at another source version, and optionally edit its text."""
    slug = f"privacy.{language}"
    text = project.read(f"policies/{slug}.md")
    start = text.index("translation_of: ")
    end = text.index("\n", start)
    project.write(f"policies/{slug}.md", text[:start] + f'translation_of: "{translation_of}"' + text[end:])
    if change:
        edit(project, slug, *change)
