"""The demo's stand-in for departments' HTTP systems: the sample folder served on
127.0.0.1 while `hub dev` runs the connectors that poll a URL (the CAP feed, road
closures), so the demo shows them as they run in a city, over HTTP with Last-Modified."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The demo's own output says what the connectors took."""


@contextmanager
def serving_samples(folder: Path) -> Iterator[str]:
    """The folder's files at the URL this yields, until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="demo samples", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
