"""The naive baseline, driven from our side: its own virtual environment, the paragraphs, runs.

The baseline itself is :mod:`bench.naive`, a standalone script that must run *stock* Whoosh
(our ``index`` package patches Whoosh when it opens or builds an index). This module:

* creates ``bench/out/naive-venv`` on first use (``python -m venv`` plus ``pip install`` of
  :data:`REQUIREMENTS` only) and reuses it after (a stamp file records what was installed);
* dumps the paragraphs of the chosen sources once, read by our readers
  (``index.sources.iter_sources``), to a JSON Lines file, so that both designs index identical
  paragraphs;
* runs ``naive.py build`` and ``naive.py query`` with that environment's interpreter in
  isolated mode (``-I``, with neither PYTHONPATH nor the project on ``sys.path``) and checks
  from its report that it ran that environment's Whoosh and imported nothing of ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, dir_size, mb, run_sampled

REQUIREMENTS = ("Whoosh-Reloaded==2.7.5", "jieba==0.42.1")
VENV = OUT / "naive-venv"
SCRIPT = ROOT / "bench" / "naive.py"
PARAGRAPHS = "paragraphs.jsonl"  # the dump, inside the naive index's folder's parent
DONE = "naive-build.json"  # written next to a finished naive index: what it holds


def python() -> Path:
    """The naive environment's interpreter, created (about 15 s) if it is not there yet."""
    exe = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    want = "\n".join(REQUIREMENTS) + "\n"
    if exe.exists() and stamp.exists() and stamp.read_text() == want:
        return exe
    print(f"creating the naive baseline's environment {VENV} ({', '.join(REQUIREMENTS)}) …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(exe), "-m", "pip", "install", "-q", "--disable-pip-version-check", *REQUIREMENTS],
                   check=True)
    stamp.write_text(want)
    return exe


def env() -> dict[str, str]:
    """The naive process's environment: ours, minus anything that could put our code on its path."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    e["PYTHONHASHSEED"] = "0"
    return e


def dump_paragraphs(sources: Sequence[str], path: Path) -> dict[str, Any]:
    """Write every paragraph of ``sources`` (read by our readers) to ``path``, one JSON object a line."""
    from index.model import Document
    from index.sources import iter_sources

    t0 = time.perf_counter()
    docs = paras = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for doc in iter_sources(sources):
            if not isinstance(doc, Document):
                continue
            docs += 1
            for n, text in enumerate(doc.paragraphs, 1):
                f.write(json.dumps({"id": f"{doc.id}#{n}", "text": text}, ensure_ascii=False) + "\n")
                paras += 1
    return {"documents": docs, "paragraphs": paras, "seconds": round(time.perf_counter() - t0, 2),
            "file_mb": mb(path.stat().st_size)}


def _report(res: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    if res.returncode != 0:
        raise RuntimeError(f"naive {what} failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
    report: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    if report["our_modules"]:
        raise RuntimeError(f"the naive baseline imported our modules: {report['our_modules']}")
    if not Path(report["whoosh_file"]).resolve().is_relative_to(VENV.resolve()):
        raise RuntimeError(f"the naive baseline ran a Whoosh outside {VENV}: {report['whoosh_file']}")
    return report


def build(paragraphs: Path, index_dir: Path) -> dict[str, Any]:
    """``naive.py build``, measured as a fresh process (start-up, reading, analysis, writing, commit)."""
    cmd = [str(python()), "-I", str(SCRIPT), "build", str(paragraphs), str(index_dir)]
    res, wall, mem = run_sampled(cmd, env=env())
    report = _report(res, "build")
    out = {"paragraphs": report["paragraphs"], "text_mb": mb(report["text_bytes"]), "wall_s": round(wall, 2),
           "in_process_s": report["seconds"], "paragraphs_per_s": round(report["paragraphs"] / wall, 1),
           "procs": 1, **mem, "index_mb": mb(dir_size(index_dir)),
           "whoosh": f"{report['whoosh_version']} (stock, {report['whoosh_file']})",
           "jieba": report["jieba_version"]}
    return out


def ensure_index(sources: Sequence[str], index_dir: Path) -> dict[str, Any]:
    """A naive index of ``sources`` at ``index_dir``: reused if one of the same sources is there,
    else the paragraphs are dumped next to it and it is built (the dump is removed after)."""
    done = index_dir / DONE
    want = sorted(os.path.abspath(s) for s in sources)
    if done.exists():
        info: dict[str, Any] = json.loads(done.read_text("utf-8"))
        if info.get("sources") == want:
            print(f"reusing the naive index at {index_dir} ({info['build']['paragraphs']:,} paragraphs)",
                  flush=True)
            return {**info, "reused": True}
        raise RuntimeError(f"{index_dir} holds a naive index of other sources: remove it or choose another")
    if index_dir.exists() and any(index_dir.iterdir()):
        raise RuntimeError(f"{index_dir} is not empty and holds no finished naive index")
    dump = index_dir / PARAGRAPHS
    print(f"dumping the paragraphs of {len(sources)} source(s) for the naive baseline …", flush=True)
    d = dump_paragraphs(sources, dump)
    print(f"  {d['paragraphs']:,} paragraphs ({d['file_mb']} MB) in {d['seconds']} s; building the naive "
          "index (stock Whoosh, jieba ChineseAnalyzer, one writer) …", flush=True)
    try:
        b = build(dump, index_dir / "whoosh")
    finally:
        dump.unlink(missing_ok=True)
    print(f"  {b['paragraphs']:,} paragraphs in {b['wall_s']:.0f} s", flush=True)
    info = {"sources": want, "dump": d, "build": b}
    done.write_text(json.dumps(info, ensure_ascii=False, indent=1), "utf-8")
    return {**info, "reused": False}


def run_queries(index_dir: Path, mix: list[dict[str, Any]]) -> dict[str, Any]:
    """``naive.py query`` over ``mix`` (``{"q", "page", "per_page"}`` each); the runs in mix order."""
    mix_file = index_dir / "mix.json"
    mix_file.write_text(json.dumps(mix, ensure_ascii=False), "utf-8")
    cmd = [str(python()), "-I", str(SCRIPT), "query", str(index_dir / "whoosh"), str(mix_file)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env(), cwd=str(ROOT))
    return _report(res, "query")
