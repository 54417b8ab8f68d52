"""Serving: gunicorn workers (``unsearch serve``), else waitress, in the foreground or in a thread.

The thread form is for embedding the app in another process, for the browser
tests and for ``bench/screenshots.py``::

    with ServerThread(create_app({"INDEX_PATH": path})) as server:
        urllib.request.urlopen(server.url + "/healthz")
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
import threading
from typing import Any

SERVE_OPTIONS: dict[str, Any] = {"ident": "unsearch", "clear_untrusted_proxy_headers": True}


def serve(app: Any, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> None:
    """Serve ``app`` until interrupted."""
    import waitress

    from index.analysis import compact_dictionary

    compact_dictionary()  # a server segments only queries: 48 MB less
    waitress.serve(app, host=host, port=port, threads=threads, **SERVE_OPTIONS)


def gunicorn_available() -> bool:
    """gunicorn is POSIX-only (it forks); waitress serves elsewhere."""
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


#: Requests between two ``malloc_trim`` calls in a worker.
TRIM_EVERY = 64


def tune_malloc() -> None:
    """glibc's malloc for a threaded server of numpy work: one arena, not one per thread.
    A no-op where the C library is not glibc.

    Each arena keeps the megabytes of a query's freed temporaries resident, so one arena
    holds about what the searches in flight need at once (bounded by admission: one
    ordinary and one heavy search per process). Big blocks stay in the heap, where they are
    reused without page faults: a fixed 1 MB mmap threshold (every big array mapped for its
    query and unmapped after) kept the heap smaller but cost 2,200 page faults a request,
    a third of the throughput (bench.http on the full corpus: 75 → 107 requests/s, tree
    PSS 488 → 458 MB with one arena and a trim every 64 requests)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_arena_max = -8
    mallopt(m_arena_max, 1)


def _malloc_trim() -> Any:
    """glibc's ``malloc_trim`` (None elsewhere)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def serve_workers(app: Any, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
                  threads: int = 8, graceful_timeout: int = 30) -> None:
    """Serve ``app`` with gunicorn: ``workers`` pre-forked processes of ``threads`` threads.

    The app is made before forking (jieba's dictionary and the folding tables are
    loaded once, and the workers share those pages); what must not cross a fork,
    the open Whoosh files and SQLite connections, is closed in the parent and
    opened again in each worker, before it accepts a request. SIGTERM is a graceful
    stop: requests in flight finish (for up to ``graceful_timeout`` seconds).
    """
    from gunicorn.app.base import BaseApplication

    from index.analysis import compact_dictionary

    from .resources import holder

    tune_malloc()  # before the fork: the workers inherit it
    holder(app).before_fork()
    # A server segments only what people type: jieba's dictionary as two arrays, 48 MB
    # less in the tree (index.analysis.CompactFreq).
    compact_dictionary()
    # What the master loaded (jieba's dictionary, the folding tables, the columns) is
    # shared with the workers page by page until written; the garbage collector would
    # write to every object it scans (a copy of each page in each worker): keep it off them.
    gc.collect()
    gc.freeze()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # what loading freed (jieba's dict among it) leaves before the fork
    served = itertools.count(1)

    def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
        # A query's numpy temporaries are megabytes; glibc keeps freed heap memory
        # resident unless asked: give it back now and then (a few ms of work, and the
        # pages given back fault in again: every 8 requests cost 15 % of the throughput).
        if trim is not None and next(served) % TRIM_EVERY == 0:
            trim(0)

    def post_fork(server: Any, worker: Any) -> None:
        holder(app).warm_up()

    options: dict[str, Any] = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread", "preload_app": True, "graceful_timeout": graceful_timeout,
        # A bounded queue of connections per worker: beyond it, the kernel's backlog.
        "worker_connections": max(32, threads * 4), "keepalive": 5,
        "accesslog": None, "errorlog": "-", "loglevel": "info", "proc_name": "unsearch",
        "post_fork": post_fork, "post_request": post_request,
        # gunicorn >= 25.1 opens a control socket at one path per user: two servers
        # (or a server and the tests) would fight over it, and nothing here uses it.
        "control_socket_disable": True,
    }

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    _Gunicorn().run()


def check_port(host: str, port: int) -> None:
    """UnsearchError (one line) if ``host:port`` cannot be listened on (gunicorn would
    retry for 5 s, logging each try)."""
    import socket

    from index import UnsearchError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            s.bind((host, port))
        except OSError as e:
            raise UnsearchError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


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
