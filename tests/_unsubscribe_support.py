"""A real loopback server for the unsubscribe endpoint, shared by its tests."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from policywatch.audience.service.server import make_server_for

ONE_CLICK = {"content": b"List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


@contextmanager
def serving(app, access_log: io.StringIO | None = None, port: int = 0, **options) -> Iterator[str]:
    """The app on a loopback port (by default a free one), served as `policywatch serve` does; closing waits
    for every request."""
    server = make_server_for(
        app, "127.0.0.1", port, access_log=access_log if access_log is not None else io.StringIO(), **options
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def start_serve(root, *args: str) -> subprocess.Popen:
    """``policywatch serve --port 0`` in a subprocess, as a terminal starts it: Ctrl-C (SIGINT) stops it even when
    this test run inherited SIGINT ignored, as a shell's background job does (and passes on to its children)."""
    return subprocess.Popen(
        [sys.executable, "-m", "policywatch", "serve", "--port", "0", *args],
        cwd=root,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
