"""Helpers for the store, ledger and notify tests: PostgreSQL reachability, releases and tags."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from policywatch.release.record import ChangeSummary, Release, tag_message
from tests._email_support import free_port

PG_BASE = os.environ.get("POLICYWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_unreachable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when they can."""
    try:
        import psycopg

        with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to reach the server is a reason to skip
        return f"PostgreSQL not reachable at {PG_BASE}: {str(exc).strip().splitlines()[0] if str(exc) else exc!r}"
    return None


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_BASE else "?"
    return f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def make_release(
    slug: str = "privacy",
    version: str = "2.0",
    classification: str = "material",
    *,
    effective: dt.date | None = None,
    published: dt.date | None = None,
    tag_format: str = "{slug}/v{version}",
) -> Release:
    today = dt.date.today()
    return Release(
        policy=slug,
        title=f"{slug.title()} Policy",
        path=f"policies/{slug}.md",
        version=version,
        previous_version="1.0",
        classification=classification,
        effective=effective or today + dt.timedelta(days=30),
        updated=today,
        published=published or today,
        tag=tag_format.replace("{slug}", slug).replace("{version}", version),
        reasons=["a new recipient of personal data"] if classification == "material" else [],
        changes=[
            ChangeSummary("Sharing", "insert", classification, ["new recipient"], "", "We share data with advertisers.")
        ],
    )


def tag_release(project, release: Release) -> Release:
    """Tag HEAD with the release record, as publish does."""
    project.tag(release.tag, tag_message(release))
    return release


def repo_with_policy(root: Path, slugs: tuple[str, ...] = ("privacy",), config: str = ""):
    """A policy repository with one commit holding a short policy per slug."""
    from tests._git_support import new_git_project

    project = new_git_project(root)
    files = {f"policies/{slug}.md": f"---\ntitle: {slug}\nversion: '1.0'\n---\n# {slug}\n\nText.\n" for slug in slugs}
    files[".gitignore"] = "/.policywatch/\n"
    if config:
        files["policywatch.toml"] = config
    project.commit("Add policies", files)
    return project


# -- a real SMTP server and a real webhook receiver ---------------------------------------------


@dataclass
class Sink:
    """An aiosmtpd handler that keeps every accepted message; ``refuse`` maps a recipient to a reply."""

    refuse: dict[str, str] = field(default_factory=dict)
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse:
                return self.refuse[rcpt]
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 2.0.0 accepted"

    def per_recipient(self) -> Counter[str]:
        with self.lock:
            return Counter(rcpt for rcpts, _ in self.messages for rcpt in rcpts)

    def message_ids(self) -> dict[str, str]:
        with self.lock:
            return {
                rcpts[0]: email.message_from_bytes(data, policy=email.policy.default)["Message-ID"]
                for rcpts, data in self.messages
            }


@contextmanager
def smtp_sink(sink: Sink | None = None) -> Iterator[tuple[int, Sink]]:
    from aiosmtpd.controller import Controller

    sink = sink or Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


@contextmanager
def webhook_receiver(status: int = 200) -> Iterator[tuple[str, list[tuple[dict, bytes]]]]:
    """A loopback HTTP server that records each POST's headers and body."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((dict(self.headers), body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


# [email] last: tests append keys to it.
EMAIL_CONFIG = (
    '[site]\nbase_url = "https://policies.example.com/"\n\n[email]\nfrom = "Example Privacy <privacy@example.com>"\n'
)


# -- sender processes for the race and kill tests -------------------------------------------------


def claim_until_empty(url: str, tag: str, out: str, batch: int) -> None:
    """A sender in its own process: claim batches and mark each delivery sent, writing what it took."""
    from policywatch.audience.channels import Outcome
    from policywatch.audience.notify_settings import NotifySettings
    from policywatch.audience.outbox import Outbox
    from policywatch.store import open_store

    store = open_store(url)
    outbox = Outbox(store, NotifySettings(batch_size=batch))
    taken = []
    while recipients := outbox.claim(tag, "email").recipients:
        for recipient in recipients:
            outbox.record(Outcome(recipient.delivery_id, "sent", "", f"<{recipient.address}>"))
            taken.append(recipient.address)
    Path(out).write_text("\n".join(taken), encoding="utf-8")
    store.close()


def claim_and_hang(url: str, tag: str, batch: int, lease_seconds: int) -> None:
    """A sender that claims one batch, says so on stdout, and then hangs until it is killed."""
    import sys
    import time

    from policywatch.audience.notify_settings import NotifySettings
    from policywatch.audience.outbox import Outbox
    from policywatch.store import open_store

    outbox = Outbox(open_store(url), NotifySettings(batch_size=batch, lease_seconds=lease_seconds))
    claim = outbox.claim(tag, "email")
    sys.stdout.write("\n".join(r.address for r in claim.recipients) + "\nCLAIMED\n")
    sys.stdout.flush()
    time.sleep(600)


def start_notify(root, url: str, smtp_port: int, *args: str, pool: int = 2):
    """``policywatch notify --format json`` in a subprocess, on this ledger, to a loopback SMTP server."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "POLICYWATCH_DATABASE_URL": url,
        "POLICYWATCH_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?pool_size={pool}&backoff=0.01&timeout=10",
        "CI": "1",
    }
    env.pop("POLICYWATCH_FROM", None)
    return subprocess.Popen(
        [sys.executable, "-m", "policywatch", "notify", "--format", "json", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def seed_subscribers(store, count: int, domain: str = "example.org") -> None:
    """Many subscribers at once, through the same import path users take."""
    import tempfile

    from policywatch.audience.subscribers import import_csv

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
        handle.write("email,name,policies\n")
        for i in range(count):
            handle.write(f"user{i:07d}@{domain},User {i},\n")
    try:
        import_csv(store, handle.name)
    finally:
        Path(handle.name).unlink()


def released_with_subscribers(root: Path, subscribers: int, notify: str, url: str | None = None):
    """A repository with a material privacy 2.0 release, email and ``[notify]`` settings, and that many
    subscribers in the ledger at ``url`` (by default the repository's own SQLite file): what notify runs on."""
    from policywatch.store import open_store

    repo = repo_with_policy(root, ("privacy",), EMAIL_CONFIG + "\n[notify]\n" + notify)
    tag_release(repo, make_release("privacy", "2.0"))
    url = url or f"sqlite:///{repo.root / '.policywatch' / 'state.db'}"
    store = open_store(url)
    seed_subscribers(store, subscribers)
    return repo, url, store
