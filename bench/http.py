"""HTTP benchmark: ``unsearch serve`` under load from this (separate) process.

    .venv/bin/python -m bench.http --index DIR [--duration 30] [--concurrency 8]

Starts ``unsearch serve --index DIR --port N`` (gunicorn: its default workers, 8 threads each), waits for
``/healthz``, warms it up, then keeps ``--concurrency`` client threads (one keep-alive
connection each, ``http.client``) busy for ``--duration`` seconds with ``GET /api/search``
requests for the query mix of :mod:`bench.query` (grouped, highlighted, facets), each thread
starting at a different place in the mix (each query with page sizes 10-15, so that no request
repeats and the engine's result cache cannot answer it; the warm-up uses page size 9). Counts
requests/s, latency percentiles and errors (any status other than 200, or a failed connection);
samples the server's RSS (psutil, the server process and any children) every 0.2 s under load.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import threading
import time
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    ROOT,
    Target,
    TreeSampler,
    child_env,
    free_port,
    heading,
    machine,
    percentiles,
    print_machine,
    print_targets,
    save_results,
    table,
    unsearch_cmd,
)

PAGE_SIZES = (10, 11, 12, 13, 14, 15)  # the timed requests; the warm-up uses 9
WARMUP_PAGE_SIZE = 9


def urls(index_path: str, page_sizes: tuple[int, ...] = PAGE_SIZES) -> list[str]:
    """The query mix as API requests, once per page size (size-major order).

    The engine caches result pages, so a load test that cycles over a few hundred requests
    measures the cache. Each query is therefore asked with several page sizes: some
    3,000 distinct requests, enough that none repeats in a 30 s run at a few hundred
    requests/s (the figures say how many did), at the cost of up to 15 snippets a page
    instead of 10 (slightly pessimistic).
    """
    from bench.query import query_mix

    mix = query_mix(index_path)
    out = []
    for size in page_sizes:
        for q in mix:
            params: dict[str, Any] = {"q": q.q, **q.kwargs}
            params["per_page"] = size
            out.append("/api/search?" + urlencode(params))
    return out


class Server:
    """``unsearch serve`` in a subprocess on a free port."""

    def __init__(self, index_path: str, threads: int | None = None) -> None:
        self.port = free_port()
        cmd = [*unsearch_cmd(), "serve", "--index", index_path, "--port", str(self.port)]
        if threads:
            cmd += ["--threads", str(threads)]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env=child_env(), cwd=str(ROOT))
        self.ready_s: float | None = None

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until /healthz answers 200; an error if it keeps answering otherwise."""
        deadline = time.monotonic() + timeout
        refused_since: float | None = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"the server exited: {err}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                c.request("GET", "/healthz")
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200:
                    self.ready_s = time.perf_counter() - self.started
                    return self.ready_s
                # Serving, but not this index (another schema version, say): give up soon.
                refused_since = refused_since or time.monotonic()
                if time.monotonic() - refused_since > 5:
                    text = body[:300].decode("utf-8", "replace")
                    raise RuntimeError(f"/healthz answers {r.status}: {text}")
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer /healthz in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def request(conn: http.client.HTTPConnection | None, port: int,
            path: str) -> tuple[http.client.HTTPConnection | None, int, bytes]:
    """GET ``path`` on a keep-alive connection (opened if None): (the connection to use next,
    status, body). A failed connection is closed and raises OSError or HTTPException."""
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
    except (OSError, http.client.HTTPException):
        if conn is not None:
            conn.close()
        raise
    if r.getheader("Connection", "").lower() == "close":
        conn.close()
        conn = None
    return conn, r.status, body


def _client(port: int, paths: list[str], start: int, stop_at: float, lat: list[float],
            errors: list[str], status: dict[int, int]) -> None:
    conn: http.client.HTTPConnection | None = None
    i = start
    n = len(paths)
    while time.perf_counter() < stop_at:
        path = paths[i % n]
        i += 1
        t0 = time.perf_counter()
        try:
            conn, code, body = request(conn, port, path)
            ms = (time.perf_counter() - t0) * 1000
            status[code] = status.get(code, 0) + 1
            if code != 200 or not body:
                errors.append(f"{code} {path}")
            lat.append(ms)
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{type(e).__name__}: {e} {path}")
            conn = None
    if conn is not None:
        conn.close()


def load(port: int, paths: list[str], concurrency: int, duration: float,
         sampler: TreeSampler | None = None) -> dict[str, Any]:
    lat: list[list[float]] = [[] for _ in range(concurrency)]
    errs: list[list[str]] = [[] for _ in range(concurrency)]
    stats: list[dict[int, int]] = [{} for _ in range(concurrency)]
    started = time.perf_counter()
    stop_at = started + duration
    step = max(1, len(paths) // concurrency)
    threads = [threading.Thread(target=_client, daemon=True,
                                args=(port, paths, k * step, stop_at, lat[k], errs[k], stats[k]))
               for k in range(concurrency)]
    if sampler:
        sampler.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if sampler:
        sampler.stop()
    all_lat = [x for part in lat for x in part]
    all_err = [x for part in errs for x in part]
    status: dict[int, int] = {}
    for s in stats:
        for k, v in s.items():
            status[k] = status.get(k, 0) + v
    return {"concurrency": concurrency, "duration_s": round(elapsed, 2), "requests": len(all_lat),
            "requests_per_s": round(len(all_lat) / elapsed, 1), "latency_ms": percentiles(all_lat),
            "errors": len(all_err), "error_examples": all_err[:10],
            "status": {str(k): v for k, v in sorted(status.items())}}


def run(index_path: str, duration: float = 30, concurrency: int = 8, warmup: float = 5) -> dict[str, Any]:
    paths = urls(index_path)
    warm_paths = urls(index_path, (WARMUP_PAGE_SIZE,))
    server = Server(index_path)
    try:
        ready = server.wait_ready()
        print(f"server up in {ready:.2f} s (pid {server.proc.pid}, port {server.port}); "
              f"warming up for {warmup:.0f} s …", flush=True)
        import psutil

        proc = psutil.Process(server.proc.pid)
        rss_ready = proc.memory_info().rss
        warm = load(server.port, warm_paths, concurrency, warmup)
        rss_warm = proc.memory_info().rss
        print(f"loading at concurrency {concurrency} for {duration:.0f} s ({len(paths)} distinct requests) …",
              flush=True)
        # The whole tree (gunicorn's master and workers); PSS counts their shared pages once.
        sampler = TreeSampler(server.proc.pid, interval=0.5, pss=True)
        res = load(server.port, paths, concurrency, duration, sampler)
        rss_after = proc.memory_info().rss
    finally:
        server.stop()
    res.update({"server_ready_s": round(ready, 2), "distinct_requests": len(paths),
                "requests_repeated": max(0, res["requests"] - len(paths)),
                "warmup": {k: warm[k] for k in ("duration_s", "requests", "requests_per_s", "errors")},
                "server_rss_mb": {"ready": round(rss_ready / 1e6, 1),
                                  "after_warmup": round(rss_warm / 1e6, 1),
                                  "peak_under_load": sampler.figures()["peak_rss_mb"],
                                  "peak_pss_under_load": sampler.figures()["peak_pss_mb"],
                                  "after_load": round(rss_after / 1e6, 1)},
                "server_threads": 8, "client": "python http.client, one keep-alive connection per thread"})
    return res


def print_http(h: dict[str, Any]) -> None:
    lat = h["latency_ms"]
    rss = h["server_rss_mb"]
    rows = [("concurrency", h["concurrency"]), ("duration (s)", h["duration_s"]), ("requests", h["requests"]),
            ("requests/s", h["requests_per_s"]), ("p50 (ms)", lat.get("p50")), ("p95 (ms)", lat.get("p95")),
            ("p99 (ms)", lat.get("p99")), ("max (ms)", lat.get("max")), ("errors", h["errors"]),
            ("distinct requests in the mix", h["distinct_requests"]),
            ("requests that repeated an earlier one", h["requests_repeated"]),
            ("server RSS when ready (MB)", rss["ready"]),
            ("server RSS after warm-up (MB)", rss["after_warmup"]),
            ("server tree RSS peak under load (MB)", rss["peak_under_load"]),
            ("server tree PSS peak under load (MB)", rss["peak_pss_under_load"]),
            ("server start to /healthz (s)", h["server_ready_s"])]
    print(table(rows, ["GET /api/search", "value"]))
    for e in h["error_examples"][:5]:
        print("ERROR", e)


def targets(h: dict[str, Any], note: str = "") -> list[Target]:
    return [
        Target("HTTP requests/s at concurrency 8", h["requests_per_s"], 100, ">=", "req/s", note),
        Target("HTTP errors", h["errors"], 0, "<=", "", note),
        Target("server tree PSS, peak under load", h["server_rss_mb"]["peak_pss_under_load"], 400, "<=", "MB",
               note),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--warmup", type=float, default=5.0)
    args = ap.parse_args(argv)
    m = machine()
    print_machine(m)
    heading("HTTP under load")
    h = run(args.index, args.duration, args.concurrency, args.warmup)
    print_http(h)
    heading("HTTP targets")
    t = targets(h)
    print_targets(t)
    print(f"\nwritten to {save_results({'machine': m, 'http': h, 'http_targets': [x.to_dict() for x in t]})}")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
