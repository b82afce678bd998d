"""Jinja2 templates: the ones shipped with policywatch, overridable by name.

A policy repository's own ``templates/`` folder comes first, so a company can
restyle its notices and archive without forking; HTML is always autoescaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_templates_dir() -> Path:
    """Inside an installed wheel templates sit in the package; in a source checkout, beside it."""
    installed = _PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "templates"


def template_environment(project_root: str | Path | None = None) -> jinja2.Environment:
    import jinja2

    folders = []
    if project_root is not None and (Path(project_root) / "templates").is_dir():
        folders.append(str(Path(project_root) / "templates"))
    folders.append(str(builtin_templates_dir()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml", "html.j2", "xml.j2"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
