"""Self-service subscribing: ``POST /subscribe``, then ``GET``/``POST /confirm`` from the emailed link.

``POST /subscribe`` answers the same "check your inbox" page whatever happens
to the request (accepted, refused by a limit, caught by the honeypot), so the
form cannot be used to learn who subscribes. Only an address that is not an
address, a policy that does not exist, or a language that is not a language
tag, gets a different (400) page: the sender typed those. The form's optional
``language`` field chooses the notices' language; without it, the confirming
browser's ``Accept-Language`` does (``languages``).

``GET /confirm`` shows a button and changes nothing (mail scanners follow links);
its ``POST`` subscribes, once, and records when and from where as proof of
consent. The welcome email that follows lists the changes already published and
not yet in effect (``welcome``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policywatch import urls
from policywatch.audience.addresses import check_address
from policywatch.audience.languages import accepted_language, check_language
from policywatch.audience.service.mail import CONFIRM_EMAIL, WELCOME_EMAIL, Mailer
from policywatch.audience.service.settings import ServiceSettings, origin_of
from policywatch.audience.service.tokens import mask_email
from policywatch.audience.signups import (
    MAX_AGENT,
    Limits,
    Origin,
    Requested,
    confirm_subscription,
    pending_request,
    read_token,
    request_subscription,
)
from policywatch.errors import InvalidSubscriber

if TYPE_CHECKING:
    from policywatch.audience.service.app import Reply, Request, ServiceApp
    from policywatch.audience.subscribers import Subscriber
    from policywatch.project import Project

SUBSCRIBE_PATH = "/subscribe"
CONFIRM_PATH = "/confirm"
HONEYPOT = "website"  # a field people never see or fill in; form-filling robots do

INBOX_TEMPLATE = "subscribe/inbox.html"
CONFIRM_TEMPLATE = "subscribe/confirm.html"
CONFIRMED_TEMPLATE = "subscribe/confirmed.html"
PROBLEM_TEMPLATE = "subscribe/problem.html"


@dataclass
class Signups:
    """What the subscribe endpoints need beyond the store: settings, the mailer, and the repository."""

    project: Project
    settings: ServiceSettings
    mailer: Mailer
    site_url: str  # the public archive, for links to the changes in the welcome email; "" when unknown

    @property
    def limits(self) -> Limits:
        s = self.settings
        return Limits(s.confirm_days, s.per_client_per_hour, s.per_address_per_day, s.max_pending)

    def known_slugs(self) -> list[str]:
        return self.project.slugs()


def make_signups(project: Project) -> Signups | None:
    """The subscribe endpoints' parts when ``[service] subscribe = true``; raises on any setting they lack."""
    from policywatch.audience.service.mail import project_mailer
    from policywatch.audience.service.settings import service_settings
    from policywatch.site_config import read_site_settings

    settings = service_settings(project)
    if not settings.subscribe:
        return None
    return Signups(project, settings, project_mailer(project), read_site_settings(project.config).base_url)


# -- the endpoints ------------------------------------------------------------------------


def subscribe(service: ServiceApp, request: Request) -> Reply:
    """A subscribe form's POST: a confirmation email, or nothing; the same page either way."""
    signups = _signups(service)
    if not _origin_allowed(request.environ, signups.settings.origins, allow_null=False):
        return service.page(PROBLEM_TEMPLATE, status=403, problem="origin")
    emails = request.form.get("email", [])
    address, _ = check_address(emails[0]) if len(emails) == 1 else (None, "")
    if address is None:
        return service.page(PROBLEM_TEMPLATE, status=400, problem="address")
    asked = tuple(sorted({p.strip() for p in request.form.get("policy", []) if p.strip()}))
    known = set(signups.known_slugs())
    if any(slug not in known for slug in asked):
        return service.page(PROBLEM_TEMPLATE, status=400, problem="policy")
    languages = request.form.get("language", [])
    try:
        language = check_language(languages[0]) if len(languages) == 1 else ""
    except InvalidSubscriber:
        language = None
    if language is None or len(languages) > 1:
        return service.page(PROBLEM_TEMPLATE, status=400, problem="language")
    page = service.page(INBOX_TEMPLATE, masked=mask_email(address))
    if any(value.strip() for value in request.form.get(HONEYPOT, [])):
        _log(request, "request dropped: the hidden field was filled in")
        return page
    with service.store() as store:
        outcome = request_subscription(
            store, signups.settings.secret, address, asked, _origin(request), signups.limits, language=language
        )
    if not isinstance(outcome, Requested):
        why = {"client": "client address", "address": "email address", "pending": "pending confirmations"}[outcome]
        _log(request, f"request refused: over the limit of {why}")
        return page
    link = signups.settings.link(CONFIRM_PATH) + "?token=" + outcome.token
    mail = signups.mailer.render(
        CONFIRM_EMAIL,
        address,
        link=link,
        policies=list(asked),
        days=signups.settings.confirm_days,
        expires=outcome.expires_at,
    )
    signups.mailer.send_later(lambda: signups.mailer.send(mail), f"confirmation of request {outcome.id}", address)
    _log(request, f"request {outcome.id}: confirmation email queued")
    return page


def show_confirmation(service: ServiceApp, request: Request) -> Reply:
    """The page a confirmation link opens: a button, and no change (mail scanners follow links)."""
    signups = _signups(service)
    token = _one(request, "token")
    nonce = read_token(signups.settings.secret, token) if token else None
    found = None
    if nonce is not None:
        with service.store() as store:
            found = pending_request(store, nonce)
    if found is None:
        return service.page(PROBLEM_TEMPLATE, status=404, problem="link")
    _, email, policies, confirmed_at = found
    if confirmed_at:
        return service.page(CONFIRMED_TEMPLATE, masked=mask_email(email), changed=False, at=confirmed_at)
    return service.page(
        CONFIRM_TEMPLATE,
        masked=mask_email(email),
        policies=list(policies),
        action=CONFIRM_PATH[1:] + "?token=" + token,
    )


def confirm(service: ServiceApp, request: Request) -> Reply:
    """The button: the address is subscribed, once; the welcome email follows."""
    signups = _signups(service)
    if not _origin_allowed(request.environ, signups.settings.origins, allow_null=True):
        return service.page(PROBLEM_TEMPLATE, status=403, problem="origin")
    token = _one(request, "token")
    nonce = read_token(signups.settings.secret, token) if token else None
    done = None
    if nonce is not None:
        with service.store() as store:
            done = confirm_subscription(store, nonce, _origin(request))
    if done is None:
        return service.page(PROBLEM_TEMPLATE, status=404, problem="link")
    if done.changed:
        _log(request, f"request {done.request_id} confirmed at {done.confirmed_at}")
        subscriber = done.subscriber
        signups.mailer.send_later(
            lambda: welcome(service, signups, subscriber), f"welcome of request {done.request_id}", subscriber.email
        )
    return service.page(
        CONFIRMED_TEMPLATE, masked=mask_email(done.subscriber.email), changed=done.changed, at=done.confirmed_at
    )


def welcome(service: ServiceApp, signups: Signups, subscriber: Subscriber) -> None:
    """Send the welcome email, then record the releases it told of as notified (on a mail thread)."""
    from policywatch.audience.welcome import owed_on_arrival, record_welcome

    with service.store() as store:
        owed = owed_on_arrival(signups.project, store, subscriber)
    unsubscribe = signups.settings.link("unsubscribe") + "?token=" + subscriber.token
    changes = [
        {
            "title": a.release.title,
            "version": a.release.version,
            "effective": a.release.effective,
            "reasons": list(a.release.reasons),
            "link": urls.redline_url(signups.site_url, a.release.policy, a.release.version) if signups.site_url else "",
        }
        for a in owed
    ]
    mail = signups.mailer.render(
        WELCOME_EMAIL,
        subscriber.email,
        headers={
            "List-Id": signups.mailer.sender.list_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        changes=changes,
        policies=list(subscriber.policies),
        unsubscribe_url=unsubscribe,
        site_url=signups.site_url,
    )
    signups.mailer.send(mail)
    if owed:
        with service.store() as store:
            record_welcome(signups.project, store, subscriber, owed, mail.message_id)


ROUTES = {
    ("POST", SUBSCRIBE_PATH): subscribe,
    ("GET", CONFIRM_PATH): show_confirmation,
    ("POST", CONFIRM_PATH): confirm,
}


# -- helpers --------------------------------------------------------------------------------


def _signups(service: ServiceApp) -> Signups:
    assert service.signups is not None  # these routes exist only when subscribing is enabled
    return service.signups


def _one(request: Request, name: str) -> str:
    values = request.values(name)
    return values[0] if len(values) == 1 else ""


def _origin(request: Request) -> Origin:
    environ = request.environ
    agent = environ.get("HTTP_USER_AGENT", "")
    language = accepted_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
    return Origin(environ.get("REMOTE_ADDR", "") or "", agent[:MAX_AGENT], language)


def _origin_allowed(environ: dict[str, Any], allowed: tuple[str, ...], *, allow_null: bool) -> bool:
    """A browser's POST names the page it came from (Origin, else Referer): it must be one we know.

    Our own origin (as the request reached us) always counts. ``null`` is what a
    browser sends from a page with ``Referrer-Policy: no-referrer``, as the
    confirmation page is; the subscribe form lives on the site, which sends its origin.
    """
    own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()
    origin = environ.get("HTTP_ORIGIN", "").strip().lower()
    if origin == "null":
        return allow_null
    if not origin:
        referer = environ.get("HTTP_REFERER", "").strip()
        if not referer:
            return True
        origin = origin_of(referer)
    return origin in allowed or origin == own


def _log(request: Request, line: str) -> None:
    from policywatch.audience.service.app import log

    log(request.environ, f"policywatch subscribe: {line}")
