"""The app served over real HTTP in a thread, for end-to-end tests with `requests`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from engine import Engine
from workflows.app import create_app


@contextmanager
def serve(engine: Engine) -> Iterator[str]:
    """Serve a fresh app on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app({}, engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
