"""``GET``/``POST /object``: a subscriber objects to a register release from the link in its notice.

``GET`` shows the release (its title, version, deadline, and the sub-processors
added or changed) and a form, and changes nothing: mail scanners follow links.
Its ``POST`` records the objection once (a second one says it was already
recorded) and emails a receipt. After the deadline the objection is still
recorded, marked late, and the page says so. The link's token is the only
credential (``tokens.object_token``): it is checked against the store before the
release is looked up, never logged, and a bad one gets the same page however it
is bad (forged, altered, expired, for another release).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policywatch.audience.objections import MAX_REASON, clean_reason, is_late, objection_deadline, record_objection
from policywatch.audience.service.mail import OBJECTION_EMAIL, Mailer
from policywatch.audience.service.settings import ServiceSettings
from policywatch.audience.service.subscribe import _one, _origin, _origin_allowed
from policywatch.audience.service.tokens import mask_email, subscriber_of_object_token

if TYPE_CHECKING:
    from policywatch.audience.service.app import Reply, Request, ServiceApp
    from policywatch.project import Project
    from policywatch.release.record import Release

OBJECT_PATH = "/object"
FORM_TEMPLATE = "objection/form.html"
DONE_TEMPLATE = "objection/done.html"
PROBLEM_TEMPLATE = "objection/problem.html"


@dataclass
class Objecting:
    """What the objection endpoints need beyond the store: the repository (for releases) and the mailer."""

    project: Project
    settings: ServiceSettings
    mailer: Mailer
    _releases: dict[str, Release] = field(default_factory=dict)  # tags are immutable: a release read once is kept

    def release(self, tag: str) -> Release | None:
        """The register release ``tag`` names, or None when it names none (or one that takes no objections)."""
        if tag not in self._releases:
            from policywatch.audience.announcements import find_release
            from policywatch.errors import PolicywatchError

            try:
                found = find_release(self.project, tag)
            except PolicywatchError:
                return None
            if found.tag != tag or objection_deadline(found) is None:
                return None
            self._releases[tag] = found
        return self._releases[tag]


def make_objecting(project: Project, mailer: Mailer | None = None) -> Objecting | None:
    """The objection endpoints' parts when ``[service] objections = true``; raises on a mail setting they lack."""
    from policywatch.audience.service.mail import project_mailer
    from policywatch.audience.service.settings import public_settings

    settings = public_settings(project)
    if not settings.objections:
        return None
    return Objecting(project, settings, mailer or project_mailer(project))


@dataclass(frozen=True)
class _Link:
    """A genuine link's subscriber and release."""

    subscriber_id: int
    email: str
    release: Release
    deadline: dt.date
    token: str


def _link(service: ServiceApp, request: Request) -> _Link | None:
    objecting = _objecting(service)
    token, tag = _one(request, "token"), _one(request, "release")
    if not token or not tag:
        return None
    with service.store() as store:
        found = subscriber_of_object_token(store, token, tag)
    release = objecting.release(tag) if found else None
    if found is None or release is None:
        return None
    deadline = objection_deadline(release)
    assert deadline is not None
    return _Link(found[0], found[1], release, deadline, token)


def show_objection_form(service: ServiceApp, request: Request) -> Reply:
    """The page an objection link opens: the release and a form; nothing is recorded."""
    from policywatch.audience.message import register_rows

    link = _link(service, request)
    if link is None:
        return service.page(PROBLEM_TEMPLATE, status=404, problem="link")
    release = link.release
    with service.store() as store:
        rows = store.query(
            "SELECT objected_at, late FROM objections WHERE release_tag = ? AND email = ?", (release.tag, link.email)
        )
    if rows:
        return _done(service, link, changed=False, at=rows[0][0], late=bool(rows[0][1]))
    from urllib.parse import urlencode

    return service.page(
        FORM_TEMPLATE,
        title=release.title,
        version=release.version,
        effective=release.effective.isoformat(),
        deadline=link.deadline.isoformat(),
        late=is_late(link.deadline, dt.datetime.now(dt.UTC)),
        rows=[row for row in register_rows(release.register) if row[0] != "Removed"],
        masked=mask_email(link.email),
        max_reason=MAX_REASON,
        action=OBJECT_PATH[1:] + "?" + urlencode({"token": link.token, "release": release.tag}),
    )


def submit_objection(service: ServiceApp, request: Request) -> Reply:
    """The form's button: the objection is recorded, once, and a receipt emailed."""
    objecting = _objecting(service)
    if not _origin_allowed(request.environ, objecting.settings.origins, allow_null=True):
        return service.page(PROBLEM_TEMPLATE, status=403, problem="origin")
    link = _link(service, request)
    if link is None:
        return service.page(PROBLEM_TEMPLATE, status=404, problem="link")
    reasons = request.form.get("reason", [])
    reason = clean_reason(reasons[0]) if len(reasons) == 1 else ""
    if len(reason) > MAX_REASON:
        return service.page(PROBLEM_TEMPLATE, status=400, problem="reason", max_reason=MAX_REASON)
    origin = _origin(request)
    with service.store() as store:
        done = record_objection(
            store,
            link.release.tag,
            link.subscriber_id,
            link.email,
            reason,
            link.deadline,
            (origin.address, origin.agent),
        )
    objection = done.objection
    if done.created:
        _log(request, f"objection {objection.id} to {link.release.tag} recorded{' (late)' if objection.late else ''}")
        mail = objecting.mailer.render(
            OBJECTION_EMAIL,
            link.email,
            id=objection.id,
            title=link.release.title,
            version=link.release.version,
            deadline=objection.deadline,
            late=objection.late,
            at=objection.objected_at,
            reason=objection.reason,
        )
        objecting.mailer.send_later(
            lambda: objecting.mailer.send(mail), f"receipt of objection {objection.id}", link.email
        )
    return _done(service, link, changed=done.created, at=objection.objected_at, late=objection.late)


def _done(service: ServiceApp, link: _Link, *, changed: bool, at: str, late: bool) -> Reply:
    release = link.release
    return service.page(
        DONE_TEMPLATE,
        changed=changed,
        masked=mask_email(link.email),
        title=release.title,
        version=release.version,
        deadline=link.deadline.isoformat(),
        at=at,
        late=late,
    )


ROUTES = {
    ("GET", OBJECT_PATH): show_objection_form,
    ("POST", OBJECT_PATH): submit_objection,
}


def _objecting(service: ServiceApp) -> Objecting:
    assert service.objecting is not None  # these routes exist only when objections are enabled
    return service.objecting


def _log(request: Request, line: str) -> None:
    from policywatch.audience.service.app import log

    log(request.environ, f"policywatch object: {line}")
