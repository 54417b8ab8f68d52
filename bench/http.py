"""HTTP benchmark: ``unsearch serve`` under load from this (separate) process.

    .venv/bin/python -m bench.http --index DIR [--duration 30] [--concurrency 8] [--workers N]

Starts ``unsearch serve --index DIR --port N`` (with ``--workers N`` when given and when the
serve command has that option: ``unsearch serve --help`` says; otherwise without it), waits for
``/healthz``, warms it up, then keeps ``--concurrency`` client threads (one keep-alive
connection each, ``http.client``) busy for ``--duration`` seconds with ``GET /api/search``
requests for the query mix of :mod:`bench.query` (grouped, highlighted, facets).

No request ever repeats, so no worker's result cache can answer one: the threads share one
stream of requests, the mix in a fixed shuffled order with page size 10, then again with 11,
12 … (the warm-up uses page size 9); the figures count the requests and the largest page size
reached (larger pages mean more snippets: slightly pessimistic). Counts requests/s, latency
percentiles (p50/p95/p99/max) and errors (any status other than 200, or a failed connection).
Every 0.5 s under load it samples the whole serving process tree (the server and all its
children, e.g. worker processes) with psutil: summed RSS, summed PSS (shared pages divided
fairly between the processes that share them: what the tree really costs), and the tree's CPU
time, reported as cores kept busy (2.0 = both cores of a 2-core machine); the load generator's
own CPU time is reported beside it.
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
    OUT,
    ROOT,
    Target,
    TreeSampler,
    child_env,
    heading,
    machine,
    percentiles,
    print_machine,
    save_targets,
    table,
    unsearch_cmd,
)
from tests.helpers import free_port

FIRST_PAGE_SIZE = 10  # the timed requests: 10, then 11, 12 …; the warm-up uses 9
WARMUP_PAGE_SIZE = 9
MAX_PAGE_SIZE = 100  # the API's limit


class Requests:
    """A thread-safe stream of ``/api/search`` paths that never repeats (up to ``MAX_PAGE_SIZE``
    rounds of the mix): round ``r`` asks every query of the mix, in one fixed shuffled order
    (the classes mixed, so that concurrent clients ask different kinds of queries), with page
    size ``first_size + r``. ``rounds=1`` gives one round and then starts it again."""

    def __init__(self, index_path: str, first_size: int = FIRST_PAGE_SIZE, rounds: int | None = None) -> None:
        import random

        from bench.query import query_mix

        self.params: list[dict[str, Any]] = [{"q": q.q, **q.kwargs} for q in query_mix(index_path)]
        random.Random(9).shuffle(self.params)
        self.first_size = first_size
        self.rounds = rounds or (MAX_PAGE_SIZE - first_size + 1)
        self.count = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            i = self.count
            self.count += 1
        n = len(self.params)
        size = self.first_size + (i // n) % self.rounds
        return "/api/search?" + urlencode({**self.params[i % n], "per_page": size})

    def largest_page_size(self) -> int:
        n = len(self.params)
        return self.first_size + (max(self.count - 1, 0) // n) % self.rounds

    def distinct(self) -> int:
        return min(self.count, len(self.params) * self.rounds)


def serve_options() -> str:
    """The help text of ``unsearch serve`` (to see which options this version has)."""
    res = subprocess.run([*unsearch_cmd(), "serve", "--help"], capture_output=True, text=True,
                         env=child_env(), cwd=str(ROOT), timeout=60)
    return res.stdout


class Server:
    """``unsearch serve`` in a subprocess on a free port."""

    def __init__(self, index_path: str, workers: int | None = None) -> None:
        self.port = free_port()
        cmd = [*unsearch_cmd(), "serve", "--index", index_path, "--port", str(self.port)]
        self.workers: int | None = None
        if workers is not None:
            if "--workers" in serve_options():
                cmd += ["--workers", str(workers)]
                self.workers = workers
            else:
                print(f"unsearch serve has no --workers option: serving without it (asked: {workers})",
                      flush=True)
        self.cmd = cmd
        self.started = time.perf_counter()
        # The server's log goes to a file: a pipe nobody reads would fill and stall the server.
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / "http-server.log", "w+", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log, text=True,
                                     env=child_env(), cwd=str(ROOT))
        self.ready_s: float | None = None

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until /healthz answers 200; an error if it keeps answering otherwise."""
        deadline = time.monotonic() + timeout
        refused_since: float | None = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the server exited: {self.log.read()[-2000:]}")
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
        self.log.close()


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


def _client(port: int, requests: Requests, stop_at: float, lat: list[float],
            errors: list[str], status: dict[int, int]) -> None:
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < stop_at:
        path = requests.next()
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


def load(port: int, requests: Requests, concurrency: int, duration: float,
         sampler: TreeSampler | None = None) -> dict[str, Any]:
    import resource

    lat: list[list[float]] = [[] for _ in range(concurrency)]
    errs: list[list[str]] = [[] for _ in range(concurrency)]
    stats: list[dict[int, int]] = [{} for _ in range(concurrency)]
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    stop_at = started + duration
    threads = [threading.Thread(target=_client, daemon=True,
                                args=(port, requests, stop_at, lat[k], errs[k], stats[k]))
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
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime
    all_lat = [x for part in lat for x in part]
    all_err = [x for part in errs for x in part]
    status: dict[int, int] = {}
    for s in stats:
        for k, v in s.items():
            status[k] = status.get(k, 0) + v
    return {"concurrency": concurrency, "duration_s": round(elapsed, 2), "requests": len(all_lat),
            "requests_per_s": round(len(all_lat) / elapsed, 1), "latency_ms": percentiles(all_lat),
            "errors": len(all_err), "error_examples": all_err[:10],
            "status": {str(k): v for k, v in sorted(status.items())},
            "client_cores_busy": round(client_cpu / elapsed, 2)}


def _machine_busy(before: Any, after: Any) -> float:
    """Cores busy on the whole machine between two ``psutil.cpu_times()`` (all work, not only ours)."""
    import psutil

    idle = (after.idle + getattr(after, "iowait", 0)) - (before.idle + getattr(before, "iowait", 0))
    total = sum(after) - sum(before)
    return round((1 - idle / total) * (psutil.cpu_count() or 1), 2) if total > 0 else float("nan")


def run(index_path: str, duration: float = 30, concurrency: int = 8, warmup: float = 5,
        workers: int | None = None) -> dict[str, Any]:
    import psutil

    requests = Requests(index_path)
    warm_requests = Requests(index_path, WARMUP_PAGE_SIZE, rounds=1)
    server = Server(index_path, workers)
    try:
        ready = server.wait_ready()
        print(f"server up in {ready:.2f} s (pid {server.proc.pid}, port {server.port}); "
              f"warming up for {warmup:.0f} s …", flush=True)
        at_ready = TreeSampler(server.proc.pid)
        at_ready.sample()
        warm = load(server.port, warm_requests, concurrency, warmup)
        print(f"loading at concurrency {concurrency} for {duration:.0f} s (requests never repeat) …",
              flush=True)
        sampler = TreeSampler(server.proc.pid, interval=0.5)
        cpu0 = psutil.cpu_times()
        res = load(server.port, requests, concurrency, duration, sampler)
        machine_busy = _machine_busy(cpu0, psutil.cpu_times())
    finally:
        server.stop()
    mem = sampler.figures()
    cpu = sampler.cpu()
    res.update({"server_ready_s": round(ready, 2), "server_command": "unsearch " + " ".join(server.cmd[1:]),
                "workers_option": server.workers, "distinct_requests": requests.distinct(),
                "requests_repeated": requests.count - requests.distinct(),
                "largest_page_size": requests.largest_page_size(),
                "warmup": {k: warm[k] for k in ("duration_s", "requests", "requests_per_s", "errors")},
                "server_tree": {"processes": mem["peak_processes"],
                                "rss_mb_ready": at_ready.figures()["peak_rss_mb"],
                                "pss_mb_ready": at_ready.figures()["peak_pss_mb"],
                                "peak_rss_mb": mem["peak_rss_mb"], "peak_pss_mb": mem["peak_pss_mb"],
                                "samples": mem["samples"], "cpu_s": cpu["cpu_s"],
                                "cores_busy": cpu["cores_busy"],
                                "per_process_cpu_s": cpu["per_process_cpu_s"]},
                "machine_cores_busy": machine_busy, "machine_cores": psutil.cpu_count(),
                "client": "python http.client, one keep-alive connection per thread, in this process"})
    return res


def print_http(h: dict[str, Any]) -> None:
    lat = h["latency_ms"]
    tree = h["server_tree"]
    rows = [("server", h["server_command"]), ("concurrency", h["concurrency"]),
            ("duration (s)", h["duration_s"]), ("requests", h["requests"]),
            ("requests/s", h["requests_per_s"]), ("p50 (ms)", lat.get("p50")), ("p95 (ms)", lat.get("p95")),
            ("p99 (ms)", lat.get("p99")), ("max (ms)", lat.get("max")), ("errors", h["errors"]),
            ("HTTP status: count", ", ".join(f"{k}: {v}" for k, v in h["status"].items())),
            ("requests that repeated an earlier one", h["requests_repeated"]),
            ("largest page size asked", h["largest_page_size"]),
            ("server processes (peak)", tree["processes"]),
            ("server tree PSS when ready (MB)", tree["pss_mb_ready"]),
            ("server tree PSS, peak under load (MB)", tree["peak_pss_mb"]),
            ("server tree RSS, summed, peak under load (MB)", tree["peak_rss_mb"]),
            ("server tree CPU, cores busy", tree["cores_busy"]),
            ("  CPU s per server process", ", ".join(f"{x:g}" for x in tree["per_process_cpu_s"][:8])),
            ("load generator (this process), cores busy", h["client_cores_busy"]),
            (f"whole machine, cores busy of {h['machine_cores']}", h["machine_cores_busy"]),
            ("server start to /healthz (s)", h["server_ready_s"])]
    print(table(rows, ["GET /api/search", "value"]))
    for e in h["error_examples"][:5]:
        print("ERROR", e)


def targets(h: dict[str, Any], note: str = "") -> list[Target]:
    cores = h["machine_cores"] or 1
    return [
        Target("HTTP requests/s at concurrency 8", h["requests_per_s"], 100, ">=", "req/s", note),
        Target("HTTP p95 at concurrency 8", h["latency_ms"].get("p95"), 150, "<=", "ms", note),
        Target("HTTP errors", h["errors"], 0, "<=", "", note),
        Target("serving process tree PSS, peak under load", h["server_tree"]["peak_pss_mb"], 400, "<=", "MB",
               f"{h['server_tree']['processes']} process(es)"),
        Target("serving process tree CPU under load (both cores busy)", h["server_tree"]["cores_busy"],
               0.75 * cores, ">=", "cores", f"of {cores}; the load generator shares them"),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=None,
                    help="passed to `unsearch serve --workers N` if it has that option (default: its own)")
    args = ap.parse_args(argv)
    m = machine()
    print_machine(m)
    heading("HTTP under load")
    h = run(args.index, args.duration, args.concurrency, args.warmup, args.workers)
    print_http(h)
    heading("HTTP targets")
    t = targets(h)
    save_targets(m, "http", h, t)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
