"""The acceptances API: an application records that its users accepted a version, and asks who must accept.

- ``POST /api/acceptances`` records one acceptance (JSON body);
- ``GET /api/acceptances/<subject>`` answers, per policy, the newest version the
  subject accepted and whether they must accept now.

Both need ``Authorization: Bearer <key>`` with the key in ``POLICYWATCH_API_KEY``,
compared in constant time. Without a key the API is off: both answer 503 and
say so, and ``serve`` says so when it starts. Answers are JSON, errors too
(``{"error": ..., "field": ...}``). An ``Idempotency-Key`` header makes a
retried POST return the first answer again instead of acting twice.

Each worker thread keeps its own database connection (a connection per request
would cost more than the lookup itself on PostgreSQL), and the releases come
from a ``LiveCatalog`` that reads git at start and again only when the tags move.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policywatch.audience.acceptances import check_acceptance, record_acceptance, subject_status, valid_subject
from policywatch.audience.catalog import LiveCatalog
from policywatch.errors import DatabaseError, InvalidAcceptance, ReleaseNotFound, ServiceSettingsError
from policywatch.store import Store, stamp, utcnow

if TYPE_CHECKING:
    from policywatch.audience.service.app import Reply, Request, ServiceApp
    from policywatch.project import Project

API_KEY_VAR = "POLICYWATCH_API_KEY"
MIN_API_KEY = 32  # characters
ACCEPTANCES_PATH = "/api/acceptances"
IDEMPOTENCY_HOURS = 24  # how long a key's first answer is kept
MAX_IDEMPOTENCY_KEY = 255
_PURGE_EVERY = 60.0  # seconds between two purges of expired idempotency keys
_FIELDS = {"subject", "policy", "version", "accepted_at", "source"}
_UNAVAILABLE = {"error": "the database is unavailable; try again later", "field": None}


class ThreadStores:
    """One open connection per worker thread, reused; one that failed is closed and opened afresh next time."""

    def __init__(self, factory: Callable[[], Store]):
        self.factory = factory
        self._local = threading.local()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self.factory()
        return store

    def discard(self) -> None:
        store, self._local.store = getattr(self._local, "store", None), None
        if store is not None:
            with contextlib.suppress(Exception):  # already broken: closing it is all that was wanted
                store.close()


@dataclass
class AcceptancesApi:
    """What the endpoints need: the key, the releases, and connections."""

    key_digest: bytes | None  # SHA-256 of the key; None: the API is off
    catalog: LiveCatalog
    stores: ThreadStores
    scope: str  # idempotency keys are kept per API key
    _purged: float = field(default=0.0)

    @property
    def enabled(self) -> bool:
        return self.key_digest is not None

    def authorised(self, header: str) -> bool:
        """Constant time: both sides are hashed to the same length, then compared with ``hmac.compare_digest``."""
        scheme, _, given = header.strip().partition(" ")
        if self.key_digest is None or scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(hashlib.sha256(given.strip().encode("utf-8")).digest(), self.key_digest)

    def run(self, action: Callable[[Store], Any], request: Request) -> Any:
        """Run ``action`` on this thread's connection; once more on a fresh one if the database dropped it.

        Both endpoints may run twice: recording is idempotent. A database still
        unreachable the second time is a 503, logged, never a traceback.
        """
        for attempt in (1, 2):
            try:
                return action(self.stores.get())
            except DatabaseError as exc:
                self.stores.discard()
                if attempt == 2:
                    from policywatch.audience.service.app import log

                    log(request.environ, f"policywatch acceptances: {exc}")
                    raise _Unavailable() from None
            except Exception:
                self.stores.discard()
                raise
        raise AssertionError("unreachable")


class _Overtaken(Exception):
    """Another request with the same idempotency key committed first: this one's writes are rolled back."""


class _Unavailable(Exception):
    """The database could not be reached: the endpoint answers 503."""


def api_key(environ: dict[str, str] | None = None) -> str | None:
    """The key from the environment; None when unset. A short key stops the service with a one-line error."""
    key = (os.environ if environ is None else environ).get(API_KEY_VAR, "").strip()
    if not key:
        return None
    if len(key) < MIN_API_KEY:
        raise ServiceSettingsError(
            f"{API_KEY_VAR}: must be at least {MIN_API_KEY} random characters"
            " (for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return key


def make_acceptances(project: Project, stores: Callable[[], Store]) -> AcceptancesApi:
    key = api_key()
    digest = hashlib.sha256(key.encode("utf-8")).digest() if key else None
    scope = hashlib.sha256(b"policywatch acceptances " + (key or "").encode("utf-8")).hexdigest()[:32]
    return AcceptancesApi(digest, LiveCatalog(project), ThreadStores(stores), scope)


# -- the endpoints ------------------------------------------------------------------------


def record(service: ServiceApp, request: Request) -> Reply:
    """``POST /api/acceptances``: 201 when recorded, 200 when it was already, the first answer again on a retry."""
    api, refused = _admit(service, request)
    if refused is not None:
        return refused
    started = time.perf_counter()
    try:
        data = json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, ValueError):
        return _json(400, {"error": "the body is not JSON", "field": None})
    if not isinstance(data, dict):
        return _json(400, {"error": "the body must be a JSON object", "field": None})
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        return _json(400, {"error": f"{unknown[0]}: unknown field", "field": unknown[0]})
    for name in ("subject", "policy", "version", "source", "accepted_at"):
        value = data.get(name)
        if value is None and name == "accepted_at":
            continue
        if not isinstance(value, str):
            missing = "is missing" if value is None else "must be a string"
            return _json(400, {"error": f"{name}: {missing}", "field": name})
    key = request.environ.get("HTTP_IDEMPOTENCY_KEY")
    if key is not None and not (0 < len(key) <= MAX_IDEMPOTENCY_KEY and key.isascii() and key.isprintable()):
        return _json(
            400,
            {
                "error": f"Idempotency-Key: must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters",
                "field": "Idempotency-Key",
            },
        )
    catalog = api.catalog.current()
    try:
        acceptance = check_acceptance(
            catalog, data["subject"], data["policy"], data["version"], data["source"], data.get("accepted_at")
        )
    except InvalidAcceptance as exc:
        return _json(400, {"error": str(exc), "field": getattr(exc, "field", None)})
    except ReleaseNotFound as exc:
        return _json(422, {"error": str(exc), "field": "policy" if catalog.of(data["policy"]) is None else "version"})
    fingerprint = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    def store_it(store: Store) -> Reply:
        if key is None:
            kept, created = record_acceptance(store, acceptance)
            return _json(201 if created else 200, {"acceptance": kept.to_json(), "created": created})
        _purge(api, store)
        try:
            with store.transaction():
                earlier = _remembered(store, api.scope, key)
                if earlier is None:
                    kept, created = record_acceptance(store, acceptance)
                    status, body = 201 if created else 200, {"acceptance": kept.to_json(), "created": created}
                    text = json.dumps(body, sort_keys=True)
                    stored = store.execute(
                        "INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING",
                        (api.scope, key, fingerprint, status, text, utcnow()),
                    )
                    if not stored:
                        raise _Overtaken()  # a request with the same key got there first: undo ours
                    return _json(status, body)
        except _Overtaken:
            earlier = _remembered(store, api.scope, key)
            assert earlier is not None
        first_hash, status, text = earlier
        if not hmac.compare_digest(first_hash, fingerprint):
            return _json(
                409,
                {"error": "Idempotency-Key: already used for a different request", "field": "Idempotency-Key"},
            )
        return _json(status, json.loads(text), [("Idempotency-Replayed", "true")])

    try:
        reply = api.run(store_it, request)
    except _Unavailable:
        return _json(503, _UNAVAILABLE)
    return _timed(reply, started)


def lookup(service: ServiceApp, request: Request) -> Reply:
    """``GET /api/acceptances/<subject>``: per policy, what the subject accepted and whether they must accept now."""
    api, refused = _admit(service, request)
    if refused is not None:
        return refused
    started = time.perf_counter()
    subject = request.environ.get("PATH_INFO", "").rpartition("/")[2]
    if not valid_subject(subject):
        return _json(400, {"error": "subject: not a subject id this API accepts", "field": "subject"})
    catalog = api.catalog.current()
    now = dt.datetime.now(dt.UTC)
    try:
        statuses = api.run(lambda store: subject_status(store, catalog, subject, now.date()), request)
    except _Unavailable:
        return _json(503, _UNAVAILABLE)
    body = {
        "subject": subject,
        "date": now.date().isoformat(),
        "policies": {s.policy: s.to_json() for s in statuses},
    }
    return _timed(_json(200, body), started)


ROUTES = {
    ("POST", ACCEPTANCES_PATH): record,
    ("GET", ACCEPTANCES_PATH + "/*"): lookup,
}


# -- helpers --------------------------------------------------------------------------------


def _admit(service: ServiceApp, request: Request) -> tuple[AcceptancesApi, Reply | None]:
    api = service.acceptances
    assert api is not None  # these routes exist only when the service knows the repository
    if not api.enabled:
        return api, _json(503, {"error": f"the acceptances API is off: {API_KEY_VAR} is not set", "field": None})
    if not api.authorised(request.environ.get("HTTP_AUTHORIZATION", "")):
        body = {"error": "missing or wrong API key (send Authorization: Bearer <key>)", "field": None}
        return api, _json(401, body, [("WWW-Authenticate", 'Bearer realm="policywatch"')])
    return api, None


def _remembered(store: Store, scope: str, key: str) -> tuple[str, int, str] | None:
    rows = store.query(
        "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND key = ?", (scope, key)
    )
    return (rows[0][0], rows[0][1], rows[0][2]) if rows else None


def _purge(api: AcceptancesApi, store: Store) -> None:
    """Forget idempotency keys older than ``IDEMPOTENCY_HOURS``, at most once a minute per process."""
    if time.monotonic() - api._purged < _PURGE_EVERY:
        return
    api._purged = time.monotonic()
    cutoff = stamp(dt.datetime.now(dt.UTC) - dt.timedelta(hours=IDEMPOTENCY_HOURS))
    store.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (cutoff,))


def _json(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    from policywatch.audience.service.app import Page, Reply

    data = json.dumps(body, ensure_ascii=True, sort_keys=True).encode("ascii")
    return Reply(status, Page(data, "", "application/json"), headers or [])


def _timed(reply: Reply, started: float) -> Reply:
    """``Server-Timing``: the time spent in the application, so a load test can tell it from the network's."""
    elapsed = (time.perf_counter() - started) * 1000
    reply.headers.append(("Server-Timing", f"app;dur={elapsed:.3f}"))
    return reply
