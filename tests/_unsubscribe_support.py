"""A real loopback server for the unsubscribe endpoint, shared by its tests."""

from __future__ import annotations

import io
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
