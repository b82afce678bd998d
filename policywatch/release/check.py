"""The gate before a push: unpublished material changes and metadata that contradicts history.

It runs from the pre-push hook, so it reads git through plain subprocess calls
(``release.git``) and imports the comparison engine only when a text has changed.
Its command line lives in ``policywatch.check``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from policywatch.errors import NothingToCheck
from policywatch.filemodes import JOURNAL_FILE
from policywatch.plural import plural
from policywatch.project import Project
from policywatch.release.git import Git
from policywatch.release.pending import Pending, last_reviewed, pending_changes, refuse_empty
from policywatch.release.translations import link_translations
from policywatch.termsafe import printable, printable_json

# The check on every push does without the typing module (about 5 ms to import).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing the check found about one policy; an error fails the push."""

    policy: str
    level: str  # "error" (exit 1) | "warning"
    message: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
    """What the check found at one revision: the hook's output and exit code come from it."""

    against: str
    findings: list[Finding]
    policies: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]


def run_check(project: Project, against: str = "HEAD", *, today: dt.date | None = None) -> CheckResult:
    """Every policy as committed at ``against``, checked against its last release."""
    today = today or dt.date.today()
    items = pending_changes(project, rev=against, git=Git(project.root))
    if not items:
        raise _nothing_to_check(project, against)
    refuse_empty(items)
    findings: list[Finding] = []
    for item in items:
        findings += findings_for(item, today, project.config.review_months, project.config.notice_days)
    summaries = [i.summary() for i in items]
    links = {link.slug: link for link in link_translations(items)}
    for summary in summaries:
        if link := links.get(summary["policy"]):
            findings += [Finding(link.slug, "error", why) for why in link.errors]
            findings += [Finding(link.slug, "warning", why) for why in link.warnings]
            summary["translation"] = link.to_json()
    if (project.state_dir / JOURNAL_FILE).exists():
        findings.append(
            Finding(
                "(publish)",
                "warning",
                f"a publish was interrupted (.policywatch/{JOURNAL_FILE}); run 'policywatch publish' to finish it",
            )
        )
    return CheckResult(against, findings, summaries)


def _nothing_to_check(project: Project, against: str) -> NothingToCheck:
    from policywatch.config import CONFIG_FILE

    folder = project.config.policies
    if against == "HEAD" and not Git(project.root).has_commits():
        return NothingToCheck("the repository has no commits yet: nothing to check (commit the policies first)")
    if project.config.source == "defaults":
        return NothingToCheck(
            f"{CONFIG_FILE}: not found, and no policy in {folder}/ at {against}: nothing to check "
            "(run 'policywatch init', or set 'policies' to the folder that holds them)"
        )
    return NothingToCheck(f"{folder}/: no policy at {against}: nothing to check ({project.config.source})")


def findings_for(item: Pending, today: dt.date, review_months: int, notice_days: int = 30) -> list[Finding]:
    out = []
    own = item.policy.notice_days
    notice = f"{notice_days} days' notice" if own is None else f"{own} days' notice, from its front matter"
    if item.verdict == "material":
        who = ""
        if item.decision:
            who = f" (decided by {item.decision.by}" + (
                f" in {item.decision.commit[:10]})" if item.decision.commit else ")"
            )
        # The material changes are the reason for failing; the minor ones ride along in the release.
        material = [r for c, r in zip(item.changes, item.reasons, strict=False) if c.classification == "material"]
        renamed = f" (renamed from {item.renamed_from})" if item.renamed_from else ""
        out.append(
            Finding(
                item.slug,
                "error",
                f"material change since {item.last.tag}{renamed} is not published{who}; "
                f"run 'policywatch publish' ({notice})",
                material or item.reasons,
            )
        )
    for problem in item.problems:
        out.append(Finding(item.slug, "error", problem))
    if item.verdict == "initial" and item.last is None:
        out.append(Finding(item.slug, "warning", "never released; run 'policywatch publish' to make its first release"))
    reviewed = last_reviewed(item)
    cutoff = months_before(today, review_months)
    if reviewed and reviewed < cutoff:
        out.append(
            Finding(
                item.slug,
                "warning",
                f"not reviewed since {reviewed.isoformat()} (more than {plural(review_months, 'month')}; "
                "California expects privacy policies to be updated at least yearly)",
            )
        )
    return out


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the month's end (31 March - 1 month = 28/29 Feb)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def render_text(result: CheckResult) -> str:
    lines = []
    for finding in result.findings:
        lines.append(f"{finding.level}: {finding.policy}: {finding.message}")
        lines += [f"  - {reason}" for reason in finding.reasons[:20]]
        if len(finding.reasons) > 20:
            lines.append(f"  ... and {len(finding.reasons) - 20} more")
    policies = plural(len(result.policies), "policy")
    if result.ok:
        lines.append(f"ok: {policies} checked against {result.against}")
    else:
        lines.append(f"check failed: {plural(len(result.errors), 'problem')} in {policies} at {result.against}")
    return printable("\n".join(lines))


def ignored_tags(result: CheckResult) -> list[dict[str, str]]:
    """The release tags passed over because they cannot be trusted (each policy's ``ignored_tags``)."""
    return [tag for policy in result.policies for tag in policy.get("ignored_tags", [])]


def render_json(result: CheckResult) -> str:
    data = {
        "ok": result.ok,
        "against": result.against,
        "errors": [asdict(f) for f in result.errors],
        "warnings": [asdict(f) for f in result.warnings],
        "policies": result.policies,
    }
    return printable_json(json.dumps(data, indent=2, ensure_ascii=False))
