"""Serving with waitress: in the foreground (``unsearch serve``) or in a background thread.

The thread form is for embedding the app in another process, for the browser
tests and for ``bench/screenshots.py``::

    with ServerThread(create_app({"INDEX_PATH": path})) as server:
        urllib.request.urlopen(server.url + "/healthz")
"""

from __future__ import annotations

import threading
from typing import Any

SERVE_OPTIONS: dict[str, Any] = {"ident": "unsearch", "clear_untrusted_proxy_headers": True}


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve ``app`` until interrupted."""
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, **SERVE_OPTIONS)


class ServerThread:
    """waitress on 127.0.0.1 (a free port by default) in a daemon thread; ``stop()`` ends it."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, threads: int = 4) -> None:
        from waitress import wasyncore
        from waitress.server import create_server

        self._wasyncore = wasyncore
        # Our own socket map: the loop below runs it, and closes it in its own thread
        # (closing a waitress server from another thread races with its select()).
        self._map: dict[int, Any] = {}
        self._server = create_server(app, map=self._map, host=host, port=port, threads=threads,
                                     **SERVE_OPTIONS)
        self.host = host
        self.port: int = self._server.effective_port
        self.url = f"http://{host}:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"unsearch-{self.port}", daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        finally:
            self._server.task_dispatcher.shutdown(timeout=5)
            self._wasyncore.close_all(self._map)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
