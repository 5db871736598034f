"""A real HTTP server on 127.0.0.1 for the tests of connectors that poll one (the CAP
feed, the road closures): served from a thread, on a free port, and shut down and
joined however the test ends, so no test leaks a thread or a socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

S = TypeVar("S", bound=ThreadingHTTPServer)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], server_class: type[S]) -> Iterator[S]:
    """``handler`` served by a ``server_class`` until the block ends; its port is in
    ``server_address``."""
    server = server_class(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for one.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
