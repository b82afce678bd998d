"""Who a sender is, and whether it is provably dead.

A lease names its sender as ``HOST:PID:START:NONCE``: HOST is the host name and
the PID namespace, START is the process's start
time (from ``/proc``), so a PID the kernel handed to a new process is not taken for
the old sender; NONCE keeps two runs apart and, on PostgreSQL, is the key of the
session advisory lock the sender holds on its own connection for as long as it
lives. A sender is dead when it ran on this host and its process is gone (or is
another process now), or when its PostgreSQL session is gone (its lock can be
taken). Anything else is alive until its lease runs out.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import threading
from dataclasses import dataclass

LOCK_CLASS = 0x7077  # advisory locks of senders: (LOCK_CLASS, nonce), apart from the migration lock
PARENT_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class SenderId:
    host: str
    pid: int
    start: str  # the process's start time in clock ticks since boot, "" where /proc is missing
    nonce: int  # a positive 31-bit number, the key of the sender's advisory lock on PostgreSQL

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}:{self.nonce:08x}"

    @classmethod
    def parse(cls, text: str) -> SenderId | None:
        """The sender named by a lease (``SENDER#N``), or None for a lease in another form."""
        parts = text.split("#", 1)[0].rsplit(":", 3)
        if len(parts) != 4:
            return None
        host, pid, start, nonce = parts
        try:
            return cls(host, int(pid), start, int(nonce, 16))
        except ValueError:
            return None


def this_sender() -> SenderId:
    """A fresh name for a sender in this process."""
    pid = os.getpid()
    return SenderId(this_host(), pid, process_start(pid), secrets.randbits(31))


def this_host() -> str:
    """The host name, plus the PID namespace where there is one: two containers that share a host
    name (and a ledger) but not their process IDs are two hosts here."""
    try:
        namespace = "".join(ch for ch in os.readlink("/proc/self/ns/pid") if ch.isdigit())
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}" if namespace else socket.gethostname()


def process_start(pid: int) -> str:
    """The start time of a process (field 22 of ``/proc/PID/stat``), or "" when it cannot be read."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def process_gone(pid: int, start: str) -> bool:
    """True only when the process is provably not running: no such PID, a zombie, or another process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):
        return True
    return bool(start and len(fields) > 19 and fields[19] != start)


def on_this_host(sender: SenderId) -> bool:
    return sender.host == this_host()


def _stat(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def die_with_parent(parent: int) -> None:
    """Stop this process when ``parent`` dies, even by SIGKILL.

    On Linux the kernel sends SIGKILL (PR_SET_PDEATHSIG); everywhere, a thread that
    sees the parent change ends the process as a fallback. Either way the sender's
    leases are then provably dead and the next run reclaims them at once.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    watch = threading.Event()

    def check() -> None:
        while not watch.wait(PARENT_POLL_SECONDS):
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=check, name="parent-watch", daemon=True).start()
