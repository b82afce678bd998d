"""Building the archive: released versions in, a folder of static files out.

``build_site`` is a pure function of the archive, the settings and the day it is
built (injected, so "upcoming" notices can be tested); ``build_project_site``
reads the archive from git, builds, and writes the result in one atomic step.
Every link between pages is relative, so the site works from any folder or
host; canonical links and the feed use the base URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from policywatch import urls
from policywatch.errors import SiteTemplateError
from policywatch.site.archive import PolicyArchive, PublishedVersion, read_archive, verdict_label
from policywatch.site.markup import RenderedText, render_markdown
from policywatch.site.redlines import (
    RedlineCache,
    RedlineStats,
    RedlineView,
    compute_redline,
    compute_redlines,
    project_cache,
)
from policywatch.site.registers import RegisterRow, is_register, register_csv, register_json, register_rows
from policywatch.site.settings import site_settings
from policywatch.site.translations import Translations
from policywatch.site_config import SiteSettings

if TYPE_CHECKING:
    import jinja2

    from policywatch.project import Project

TEMPLATE_DIR = "site"
STYLESHEET = "site/style.css"
# What a page of a policy without translations says about languages (``site.translations`` fills them in).
NO_TRANSLATIONS = {"page_lang": None, "alternates": [], "x_default": None, "translation": None, "later": []}
PAGE_TEMPLATES = ("index.html", "policy.html", "versions.html", "version.html", "changes.html", "compare_index.html")


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    policies: int
    versions: int
    comparisons: int
    warnings: tuple[str, ...] = ()
    redlines: RedlineStats = RedlineStats()


@dataclass(frozen=True)
class Redline:
    """The changes from ``old`` to ``new`` as a page shows them; ``old`` is None for a first version."""

    old: PublishedVersion | None
    new: PublishedVersion
    view: RedlineView | None  # None for a first version

    @property
    def html(self) -> str:
        """The redline fragment from ``policywatch.engine.render.html_fragment``."""
        return self.view.html if self.view else ""

    @property
    def material(self) -> int:
        return self.view.material if self.view else 0

    @property
    def minor(self) -> int:
        return self.view.minor if self.view else 0

    @property
    def changed(self) -> bool:
        return bool(self.view and self.view.changed)


def compare_pairs(archive: PolicyArchive, limit: int) -> list[tuple[PublishedVersion, PublishedVersion]]:
    """The (older, newer) pairs that get a comparison page.

    Every pair while a policy has at most ``limit`` versions; beyond that every
    version against the newest one and every pair among the newest ``limit``
    (consecutive versions always have their redline page).
    """
    versions = archive.versions
    n = len(versions)
    pairs = {(i, j) for i in range(n) for j in range(i + 1, n) if n <= limit or j == n - 1 or i >= n - limit}
    return [(versions[i], versions[j]) for i, j in sorted(pairs)]


def build_site(
    archives: list[PolicyArchive],
    settings: SiteSettings,
    env: jinja2.Environment,
    *,
    today: dt.date,
    generated: dt.datetime,
    cache: RedlineCache | None = None,
    workers: int | None = None,
) -> dict[str, bytes]:
    """Every file of the site, by relative path.

    ``cache`` keeps redlines between builds and ``workers`` caps the process
    pool that computes the others (see ``policywatch.site.redlines``); neither
    changes a byte of the result.
    """
    return _Builder(archives, settings, env, today, generated, cache, workers).build()


def build_project_site(
    project: Project,
    out: str | Path,
    *,
    base_url: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    use_cache: bool = True,
    workers: int | None = None,
) -> BuildResult:
    """Read the releases from git, build the site and replace ``out`` with it."""
    from policywatch.site.output import write_tree
    from policywatch.templates import template_environment

    settings = site_settings(project.config, base_url)
    now = now or dt.datetime.now(dt.UTC)
    archives, warnings = read_archive(project)
    cache = project_cache(project.root) if use_cache else None
    env = template_environment(project.root)
    builder = _Builder(archives, settings, env, today or now.date(), now, cache, workers)
    files = builder.build()
    write_tree(files, out)
    pages = sum(name.endswith("index.html") for name in files)
    versions = sum(len(a.versions) for a in archives)
    comparisons = sum(name.count("/compare/v") for name in files)
    return BuildResult(Path(out), pages, len(archives), versions, comparisons, tuple(warnings), builder.redline_stats)


class _Builder:
    def __init__(self, archives, settings, env, today, generated, cache=None, workers=None):
        self.archives: list[PolicyArchive] = archives
        self.settings: SiteSettings = settings
        self.env = env
        self.today: dt.date = today
        self.generated: dt.datetime = generated
        self.files: dict[str, bytes] = {}
        self.cache: RedlineCache | None = cache
        self.workers: int | None = workers
        self._texts: dict[str, RenderedText] = {}
        self._views: dict[tuple[str, str], RedlineView] = {}
        self.redline_stats = RedlineStats()
        self.translations = Translations(archives, settings)
        env.filters.setdefault("long_date", long_date)

    def build(self) -> dict[str, bytes]:
        from policywatch.site.feed import build_feed

        self.load_templates()  # a broken template fails now, not after every comparison
        self._views, self.redline_stats = compute_redlines(
            ((compared(old), compared(new)) for old, new in self.redlined_pairs()), self.cache, self.workers
        )
        summaries = [self.summary(a) for a in self.archives]
        self.page(
            "",
            "index.html",
            policies=[s for s in summaries if not s["retired"]],
            retired=[s for s in summaries if s["retired"]],
        )
        for archive in self.archives:
            self.policy_pages(archive)
        self.files[urls.stylesheet_path()] = self.env.loader.get_source(self.env, STYLESHEET)[0].encode("utf-8")
        self.files[urls.feed_path()] = build_feed(self.archives, self.settings, generated=self.generated)
        # Pages are addressed by URL path (percent-encoded); the server decodes it to find the file.
        return {unquote(path): data for path, data in self.files.items()}

    def policy_pages(self, archive: PolicyArchive) -> None:
        from policywatch.site.feed import build_policy_feed

        summary = self.summary(archive)
        shown = summary["current"] or (archive.upcoming(self.today) or archive.versions[-1:])[0]
        self.page(
            urls.policy_path(archive.slug),
            "policy.html",
            policy=summary,
            version=shown,
            text=self.text(shown),
            register=self.register(archive, shown),
            page_title=archive.title,
            **self.translations.context(archive, shown, per_version=False),
        )
        self.files[urls.policy_feed_path(archive.slug)] = build_policy_feed(
            archive, self.settings, generated=self.generated
        )
        self.page(
            urls.archive_path(archive.slug),
            "versions.html",
            policy=summary,
            page_title=f"All versions of {archive.title}",
        )
        for version in archive.versions:
            self.page(
                urls.version_path(archive.slug, version.version),
                "version.html",
                policy=summary,
                version=version,
                text=self.text(version),
                page_title=f"{version.release.title}, version {version.version}",
                later=self.translations.later(version),
                **self.translations.context(archive, version, per_version=True),
            )
            self.files[urls.source_path(archive.slug, version.version)] = version.text.encode("utf-8")
            previous = archive.previous(version)
            self.page(
                urls.redline_path(archive.slug, version.version),
                "changes.html",
                policy=summary,
                redline=self.redline(previous, version),
                record=version.release,
                page_title=f"Changes in {version.release.title} {version.version}",
            )
        pairs = compare_pairs(archive, self.settings.compare_all_up_to)
        self.page(
            urls.compare_index_path(archive.slug),
            "compare_index.html",
            policy=summary,
            groups=[(old, [new for _, new in group]) for old, group in groupby(pairs, key=lambda pair: pair[0])],
            page_title=f"Compare versions of {archive.title}",
        )
        for old, new in pairs:
            self.page(
                urls.compare_path(archive.slug, old.version, new.version),
                "changes.html",
                policy=summary,
                redline=self.redline(old, new),
                record=None,
                page_title=f"{archive.title}: version {old.version} compared with {new.version}",
            )

    def register(self, archive: PolicyArchive, shown: PublishedVersion) -> list[RegisterRow] | None:
        """For a register, its entries with the date each was added, also written as JSON and CSV beside the page."""
        if not is_register(shown):
            return None
        rows = register_rows(archive, shown)
        url = urls.policy_url(self.settings.base_url, archive.slug)
        coming = [v for v in archive.upcoming(self.today) if v is not shown and is_register(v)]
        upcoming = (coming[-1], register_rows(archive, coming[-1])) if coming else None
        self.files[urls.register_json_path(archive.slug)] = register_json(archive, shown, rows, url, upcoming)
        self.files[urls.register_csv_path(archive.slug)] = register_csv(rows)
        return rows

    def redlined_pairs(self) -> list[tuple[PublishedVersion, PublishedVersion]]:
        """Every pair of versions some page shows a redline of, before any page is rendered."""
        pairs = []
        for archive in self.archives:
            pairs += zip(archive.versions, archive.versions[1:], strict=False)
            pairs += compare_pairs(archive, self.settings.compare_all_up_to)
        return pairs

    def summary(self, archive: PolicyArchive) -> dict[str, Any]:
        return {
            "archive": archive,
            "slug": archive.slug,
            "title": archive.title,
            "current": archive.in_effect(self.today),
            "upcoming": [] if archive.retired else archive.upcoming(self.today),
            "retired": archive.retired,
            "formerly": archive.formerly,
        }

    def text(self, version: PublishedVersion) -> RenderedText:
        """Rendered once per distinct text: a release that only changed its front matter reuses it."""
        if version.body not in self._texts:
            self._texts[version.body] = render_markdown(version.body)
        return self._texts[version.body]

    def redline(self, old: PublishedVersion | None, new: PublishedVersion) -> Redline:
        if old is None:
            return Redline(None, new, None)
        pair = (compared(old), compared(new))
        if pair not in self._views:  # every pair is computed up front; this only serves a page added without it
            self._views[pair] = compute_redline(pair)[0]
        return Redline(old, new, self._views[pair])

    def state(self, archive: PolicyArchive, version: PublishedVersion) -> str:
        """``in-effect``, ``upcoming``, ``superseded``, ``superseded-early`` (replaced before it took
        effect: it never applies) or ``withdrawn`` on the day of the build."""
        if archive.retired and (version.effective > self.today or archive.in_effect(self.today) is version):
            return "withdrawn"
        if archive.replaced_by(version):
            return "superseded-early"
        if version.effective > self.today:
            return "upcoming"
        return "in-effect" if archive.in_effect(self.today) is version else "superseded"

    def load_templates(self) -> None:
        import jinja2

        for template in PAGE_TEMPLATES:
            try:
                self.env.get_template(f"{TEMPLATE_DIR}/{template}")
            except jinja2.TemplateSyntaxError as exc:
                raise SiteTemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
            except jinja2.TemplateError as exc:
                raise SiteTemplateError(f"{_template_file(self.env, template)}: {exc}") from None

    def page(self, path: str, template: str, **context: Any) -> None:
        import jinja2

        root = "../" * path.count("/")
        name = f"{TEMPLATE_DIR}/{template}"
        try:
            html = self._render(name, root, path, context)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteTemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise SiteTemplateError(f"{_template_file(self.env, name)}: {exc} (building /{path})") from None
        self.files[path + "index.html"] = html.encode("utf-8")

    def _render(self, name: str, root: str, path: str, context: dict[str, Any]) -> str:
        from markupsafe import Markup

        return self.env.get_template(name).render(
            site=self.settings,
            root=root,
            path=path,
            canonical=self.settings.base_url + path,
            feed_href=root + urls.feed_path(),
            urls=urls,
            today=self.today,
            verdict=verdict_label,
            state=self.state,
            Markup=Markup,
            **{"page_title": self.settings.title, **NO_TRANSLATIONS, **context},
        )


def compared(version: PublishedVersion) -> str:
    """The text a redline compares: the body, or the whole file for a register (its front matter says so)."""
    return version.text if is_register(version) else version.body


def _template_file(env: jinja2.Environment, name: str) -> str:
    try:
        return env.get_template(name).filename or name
    except Exception:
        return name


def long_date(day: dt.date) -> str:
    """``31 March 2024``: unambiguous in every English-speaking country."""
    return f"{day.day} {day:%B %Y}"
