"""The app served over real HTTP on a loopback port, for tests whose client is not Flask's.

End-to-end tests (`requests`) and the dashboard (a real browser) need the
service behind a socket: werkzeug's threaded server in a daemon thread, on the
test's own engine, so the test can set the database and the clock up first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from engine import Engine
from workflows.app import create_app


@contextmanager
def serve(engine: Engine) -> Iterator[str]:
    """Serve a fresh app on a free port; yields its base URL, stops the server on exit."""
    server = make_server("127.0.0.1", 0, create_app(engine=engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
