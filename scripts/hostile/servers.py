"""Loopback servers the cases talk to: aiosmtpd SMTP servers in this process, and `policywatch serve`."""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .harness import PYTHON, Sandbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What an SMTP server accepted: (recipients, raw message) pairs."""

    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 2.0.0 queued"

    def to(self, address: str) -> list[bytes]:
        with self.lock:
            return [data for rcpts, data in self.messages if address in rcpts]


def _refuse_everyone(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=False, handled=False)


class SmtpServers:
    """``plain``: accepts everything, no STARTTLS; ``auth``: requires AUTH and refuses every
    credential; ``closed``: a loopback port nothing listens on."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.ports: dict[str, int] = {}
        self._controllers: list[Any] = []

    def __enter__(self) -> SmtpServers:
        import warnings

        from aiosmtpd.controller import Controller

        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # its per-connection chatter is not the report

        plain = Controller(self.mailbox, hostname="127.0.0.1", port=free_port())
        auth = Controller(
            Mailbox(),
            hostname="127.0.0.1",
            port=free_port(),
            auth_required=True,
            auth_require_tls=False,
            authenticator=_refuse_everyone,
        )
        for name, controller in (("plain", plain), ("auth", auth)):
            controller.start()
            self._controllers.append(controller)
            self.ports[name] = controller.port
        self.ports["closed"] = free_port()
        return self

    def __exit__(self, *exc: Any) -> None:
        for controller in self._controllers:
            controller.stop()

    def url(self, name: str, scheme: str = "smtp", userinfo: str = "") -> str:
        at = f"{userinfo}@" if userinfo else ""
        return f"{scheme}://{at}127.0.0.1:{self.ports[name]}"


# --- `policywatch serve` -----------------------------------------------------------------

SERVING = re.compile(r"serving http://[^:]+:(\d+)")


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    log: list[str]

    def stderr_text(self) -> str:
        return "".join(self.log)


@contextmanager
def serve(sb: Sandbox, *args: str, start_timeout: float = 15.0) -> Iterator[Served]:
    """Run ``policywatch serve --port 0`` in the sandbox; yield once it listens; stop it after."""
    process = subprocess.Popen(
        [PYTHON, "-m", "policywatch", "serve", "--host", "127.0.0.1", "--port", "0", *args],
        cwd=sb.root,
        env=sb.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    log: list[str] = []
    ready = threading.Event()
    port: list[int] = []

    def pump() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace")
            log.append(line)
            match = SERVING.search(line)
            if match and not port:
                port.append(int(match.group(1)))
                ready.set()
        ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        ready.wait(start_timeout)
        if not port:
            raise RuntimeError(f"serve did not start: {''.join(log)[-300:]}")
        yield Served(process, port[0], log)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(2)


@dataclass
class Reply:
    status: int | None  # None: no status line (reset, closed, time-out)
    headers: dict[str, str]
    body: bytes
    error: str = ""
    seconds: float = 0.0


def request(port: int, raw: bytes, timeout: float = 10.0, pause: float = 0.0) -> Reply:
    """Send ``raw`` bytes as they are, read the reply until the server closes or ``timeout``."""
    start = time.monotonic()
    data = b""
    error = ""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            try:
                sock.sendall(raw)
            except OSError as exc:  # the server may answer and close before taking a huge request
                error = f"send: {exc.__class__.__name__}"
            if pause:
                time.sleep(pause)
            sock.settimeout(timeout)
            while True:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    error = error or "time-out"
                    break
                except OSError as exc:
                    error = error or exc.__class__.__name__
                    break
                if not chunk:
                    break
                data += chunk
                if _complete(data):
                    break
    except OSError as exc:
        error = exc.__class__.__name__
    return _parse(data, error, time.monotonic() - start)


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(match) and len(body) >= int(match.group(1))


def _parse(data: bytes, error: str, seconds: float) -> Reply:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"HTTP/\d(?:\.\d)? (\d{3})", lines[0]) if lines and lines[0] else None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return Reply(int(match.group(1)) if match else None, headers, body, error, seconds)
