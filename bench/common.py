"""Shared pieces of the benchmarks: paths, the corpus subsets, the machine, process-tree
memory sampling, percentiles, tables, targets and the results file (bench/out/results.json)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = Path(os.environ.get("UNSEARCH_CORPUS") or ROOT.parent / "shared" / "corpus")
OUT = ROOT / "bench" / "out"
RESULTS = OUT / "results.json"

# The full benchmark corpus: every folder of ../shared/corpus (its README.md says what each is).
FULL_SOURCES = ["ungdc", "unpc-dev", "un-charter", "statements"]

# The subset on which our build and the naive jieba+Whoosh baseline are compared: six General
# Debate sessions plus the three small multilingual sources (about 56k paragraphs, ~28 MB of
# source text; English, plus Chinese and the four other languages from unpc-dev/un-charter).
BASELINE_SESSIONS = [
    "Session 45 - 1990", "Session 50 - 1995", "Session 55 - 2000",
    "Session 60 - 2005", "Session 65 - 2010", "Session 70 - 2015",
]
# --quick: a smoke run on a small subset (about 7k paragraphs).
QUICK_SESSIONS = ["Session 01 - 1946", "Session 70 - 2015"]
SMALL_SOURCES = ["unpc-dev", "un-charter", "statements"]


def corpus_paths(names: Sequence[str]) -> list[str]:
    return [str(CORPUS / n) for n in names]


def subset_sources(sessions: Sequence[str], small: Sequence[str] = SMALL_SOURCES) -> list[str]:
    return [str(CORPUS / "ungdc" / s) for s in sessions] + corpus_paths(small)


def require_corpus() -> None:
    if not (CORPUS / "ungdc").is_dir():
        sys.exit(f"bench: the benchmark corpus is not at {CORPUS} (set UNSEARCH_CORPUS)")


# ---------------------------------------------------------------------------
# Commands


def unsearch_cmd() -> list[str]:
    """The ``unsearch`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "unsearch"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "web.cli"]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["UNSEARCH_NO_PROGRESS"] = "1"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


@contextlib.contextmanager
def temp_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix=f"unsearch-bench-{prefix}-"))
    try:
        yield d
    finally:
        if not keep:
            shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except Exception:
        physical = None
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "physical_cores": physical,
        "ram_gb": round(ram / 2**30, 1) if ram else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "available_cores": available_cores(),
    }
    for dist in ("Whoosh-Reloaded", "jieba", "flask", "waitress"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            info[dist.lower()] = version(dist)
    with contextlib.suppress(Exception):
        info["git"] = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                     capture_output=True, text=True, timeout=5).stdout.strip() or None
    return info


def _spin(seconds: float) -> float:
    t0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        pass
    return (time.process_time() - c0) / (time.perf_counter() - t0)


def available_cores(seconds: float = 1.0) -> float:
    """How many cores a CPU-bound process per core actually gets right now (others' work
    on a shared machine shows here): one busy process per core for ``seconds``."""
    import multiprocessing

    n = os.cpu_count() or 1
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            return round(sum(pool.map(_spin, [seconds] * n)), 2)
    except (OSError, ValueError):
        return float("nan")


def print_machine(m: dict[str, Any]) -> None:
    print(f"machine: {m['cpu']}; {m['cores']} logical cores; {m['ram_gb']} GB RAM; "
          f"Python {m['python']}; load average at start {m['load_avg']}; "
          f"cores free for this run at start: {m.get('available_cores')} of {m['cores']}")


# ---------------------------------------------------------------------------
# Memory of a process and its children


class TreeSampler:
    """Peak memory of a process tree (the process and all its descendants), sampled in a thread.

    ``rss`` sums the resident set of every process (what the issue asks: shared pages of forked
    workers count once per process); ``pss`` (proportional set size) shares them out fairly and
    is the better estimate of what the tree really costs the machine. It also follows the CPU
    time of every process of the tree (``cpu_s``: user + system seconds spent while sampled,
    ``cores_busy``: that over the wall time, 2.0 = both cores of a 2-core machine busy).
    """

    def __init__(self, pid: int, interval: float = 0.5, pss: bool = True) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.want_pss = pss
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.samples = 0
        # pid -> (CPU seconds at the first sample, at the latest); a process that appears
        # after the first sample counts from 0 (all its CPU time was spent while sampled).
        self._cpu: dict[int, list[float]] = {}
        self._first = True
        self._t0 = self._t1 = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def sample(self) -> None:
        import psutil

        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return
        rss = pss = 0
        alive = 0
        now = time.perf_counter()
        for p in procs:
            try:
                t = p.cpu_times()
                cpu = t.user + t.system
                if p.pid in self._cpu:
                    self._cpu[p.pid][1] = cpu
                else:
                    self._cpu[p.pid] = [cpu if self._first else 0.0, cpu]
                if self.want_pss:
                    mi = p.memory_full_info()
                    rss += mi.rss
                    pss += getattr(mi, "pss", mi.rss)
                else:
                    rss += p.memory_info().rss
                alive += 1
            except psutil.Error:
                continue
        if self._first:
            self._t0 = now
        self._first = False
        self._t1 = now
        self.samples += 1
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_procs = max(self.peak_procs, alive)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> TreeSampler:
        self._stop.set()
        self._thread.join(timeout=10)
        self.sample()  # the CPU time up to the end
        return self

    def cpu(self) -> dict[str, Any]:
        """CPU seconds of the tree while sampled, in all and per process, and cores kept busy."""
        per = {pid: round(last - first, 2) for pid, (first, last) in self._cpu.items()}
        total = sum(per.values())
        wall = self._t1 - self._t0
        return {"cpu_s": round(total, 2), "wall_s": round(wall, 2),
                "cores_busy": round(total / wall, 2) if wall > 0 else None,
                "per_process_cpu_s": sorted(per.values(), reverse=True)}

    def figures(self) -> dict[str, Any]:
        return {"peak_rss_mb": mb(self.peak_rss), "peak_pss_mb": mb(self.peak_pss) if self.want_pss else None,
                "peak_processes": self.peak_procs, "samples": self.samples,
                "interval_s": self.interval}


def run_sampled(cmd: Sequence[str], *, env: dict[str, str] | None = None, interval: float = 0.5,
                timeout: float | None = None
                ) -> tuple[subprocess.CompletedProcess[str], float, dict[str, Any]]:
    """Run ``cmd`` to completion, sampling its process tree's memory; (result, wall seconds, figures)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or child_env(), cwd=str(ROOT))
    sampler = TreeSampler(proc.pid, interval).start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise
    finally:
        sampler.stop()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    mem = sampler.figures()
    # CPU seconds of the whole tree (its processes are waited for by their parents): a figure
    # that, unlike wall time, hardly moves when other work shares the machine.
    mem["cpu_s"] = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), wall, mem


# ---------------------------------------------------------------------------
# Figures


def mb(n: float) -> float:
    return round(n / 1e6, 1)


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_size
    return total


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    import numpy as np

    if not values_ms:
        return {"n": 0}
    a = np.asarray(values_ms, dtype=float)
    return {"n": int(len(a)), "p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2), "p99": round(float(np.percentile(a, 99)), 2),
            "max": round(float(a.max()), 2), "mean": round(float(a.mean()), 2)}


def median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], title: str | None = None) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    if title:
        lines.append(title)
    for n, r in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                    strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    op: str  # "<=" or ">="
    unit: str = ""
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "limit": self.limit, "op": self.op,
                "unit": self.unit, "result": self.verdict(), "note": self.note}


def print_targets(targets: Sequence[Target], title: str = "Targets") -> None:
    rows = [(t.name, "-" if t.value is None else f"{t.value:,.2f} {t.unit}".strip(),
             f"{t.op} {t.limit:g} {t.unit}".strip(), t.verdict(), t.note) for t in targets]
    print(table(rows, ["target", "measured", "wanted", "result", "note"], title))


# ---------------------------------------------------------------------------
# The results file


def load_results() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(RESULTS.read_text("utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def save_results(sections: dict[str, Any], *, replace: bool = False) -> Path:
    """Merge ``sections`` into bench/out/results.json (or replace the whole file)."""
    OUT.mkdir(parents=True, exist_ok=True)
    data = {} if replace else load_results()
    data.update(sections)
    data["written"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(tmp, RESULTS)
    return RESULTS


def save_targets(machine: dict[str, Any], name: str, result: Any, targets: Sequence[Target],
                 title: str = "Targets", **more: Any) -> Path:
    """Print the targets, merge the machine, ``name``'s result, ``more`` and the targets
    (``<name>_targets``) into bench/out/results.json, and say where."""
    print_targets(targets, title)
    path = save_results({"machine": machine, name: result, **more,
                         f"{name}_targets": [t.to_dict() for t in targets]})
    print(f"\nwritten to {path}")
    return path


def heading(text: str) -> None:
    print()
    print(f"== {text} " + "=" * max(0, 78 - len(text)))
