"""Update benchmark: ``unsearch index update`` after changing one document, on a full index.

    .venv/bin/python -m bench.update --index DIR [--runs 3] [--in-place]

The benchmark writes a small source folder of its own (``make_extra``: a few short documents
in English and Chinese, written by the benchmark, no corpus text) into a temp dir. The index
must contain that folder: ``bench.run_all`` builds the full corpus together with it; given an
existing index (``--index``) this module first copies the index into a temp dir (the index
itself is never touched unless ``--in-place``) and adds the folder with one update (timed too).
Then, ``--runs`` times: append a paragraph to one file of the folder and time ``unsearch index
update FOLDER --index DIR`` (a new process: start-up, reading the folder, re-indexing the one
changed document and committing are all in the wall time). A no-change update is timed as well.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Target,
    child_env,
    dir_size,
    heading,
    machine,
    mb,
    median,
    print_machine,
    save_targets,
    table,
    temp_dir,
    unsearch_cmd,
)

_EN = ("the committee noted that member states agreed to review the report on development cooperation "
       "peacekeeping financing climate adaptation water sanitation education and the rule of law "
       "in the coming session with a view to strengthening coordination among regional partners").split()
_ZH = ["委员会", "会员国", "报告", "发展", "合作", "审议", "气候", "适应", "教育", "法治", "区域", "伙伴",
       "加强", "协调", "维持和平", "经费", "水", "卫生", "届会", "建议"]


def _para_en(rng: random.Random) -> str:
    words = [rng.choice(_EN) for _ in range(rng.randint(40, 90))]
    return (" ".join(words)).capitalize() + "."


def _para_zh(rng: random.Random) -> str:
    return "".join(rng.choice(_ZH) for _ in range(rng.randint(30, 70))) + "。"


def make_extra(folder: Path, docs: int = 4, paragraphs: int = 12) -> Path:
    """A small source folder of benchmark-written documents (half English, half Chinese)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1540)
    for i in range(docs):
        zh = i % 2 == 1
        body = [(_para_zh if zh else _para_en)(rng) for _ in range(paragraphs)]
        title = f"基准测试文件 {i + 1}" if zh else f"Benchmark note {i + 1}"
        (folder / f"bench_note_{i + 1}.txt").write_text(title + "\n\n" + "\n\n".join(body) + "\n", "utf-8")
    return folder


def change_one(folder: Path, n: int) -> Path:
    """Append a paragraph to the first document of the folder."""
    path = sorted(folder.glob("*.txt"))[0]
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\nEdit number {n}: the committee agreed to revise paragraph {n} of this note.\n")
    return path


def run_update(index_dir: Path, folder: Path) -> tuple[float, dict[str, Any]]:
    cmd = [*unsearch_cmd(), "index", "update", str(folder), "--index", str(index_dir), "--json"]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=str(ROOT))
    wall = time.perf_counter() - t0
    if res.returncode not in (0, 3):
        raise RuntimeError(f"update failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
    return wall, json.loads(res.stdout)


def copy_index(src: Path, dst: Path) -> dict[str, Any]:
    """Copy the generation ``src`` serves into a new index at ``dst`` (the original is untouched)."""
    from index.layout import resolve_generation

    gen = resolve_generation(src)
    t0 = time.perf_counter()
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copytree(gen, dst / gen.name, symlinks=True,
                    ignore=shutil.ignore_patterns("*.tmp", "*_WRITELOCK"))
    (dst / "current").symlink_to(gen.name)
    return {"copied_mb": mb(dir_size(dst)), "copy_s": round(time.perf_counter() - t0, 2)}


def measure(index_dir: Path, folder: Path, runs: int = 3) -> dict[str, Any]:
    """Time a no-change update, then ``runs`` one-document updates."""
    from index import index_info

    info = index_info(index_dir)
    out: dict[str, Any] = {"index_documents": info["documents"], "index_paragraphs": info["paragraphs"],
                           "folder_documents": len(list(folder.glob("*.txt")))}
    wall, rep = run_update(index_dir, folder)
    out["no_change"] = {"wall_s": round(wall, 3), "in_process_s": rep["seconds"],
                        "unchanged": rep["unchanged"]}
    one = []
    for n in range(1, runs + 1):
        change_one(folder, n)
        wall, rep = run_update(index_dir, folder)
        ok = rep["replaced"] == 1 and rep["added"] == 0 and rep["removed"] == 0
        one.append({"wall_s": round(wall, 3), "in_process_s": rep["seconds"], "replaced": rep["replaced"],
                    "added": rep["added"], "removed": rep["removed"], "ok": ok})
    out["one_document"] = one
    out["one_document_median_wall_s"] = round(median([r["wall_s"] for r in one]), 3)
    out["one_document_median_in_process_s"] = round(median([r["in_process_s"] for r in one]), 3)
    out["all_ok"] = all(r["ok"] for r in one)
    after = index_info(index_dir)
    out["segments_after"] = after.get("segments")
    return out


def add_extra(index_dir: Path, folder: Path) -> dict[str, Any]:
    wall, rep = run_update(index_dir, folder)
    return {"wall_s": round(wall, 3), "in_process_s": rep["seconds"], "added": rep["added"]}


def print_update(u: dict[str, Any]) -> None:
    rows = []
    if u.get("copy"):
        c = u["copy"]
        rows.append(("copy the index to a temp dir", f"{c['copy_s']} s", f"{c['copied_mb']} MB"))
    if u.get("add_folder"):
        a = u["add_folder"]
        rows.append((f"add the folder ({a['added']} documents)", f"{a['wall_s']} s",
                     f"{a['in_process_s']} s"))
    nc = u["no_change"]
    rows.append(("update, nothing changed", f"{nc['wall_s']} s", f"{nc['in_process_s']} s"))
    for i, r in enumerate(u["one_document"], 1):
        rows.append((f"update after changing one document (run {i})", f"{r['wall_s']} s",
                     f"{r['in_process_s']} s" + ("" if r["ok"] else " (NOT one replacement!)")))
    print(table(rows, ["step", "wall (new process)", "in update_index"],
                f"unsearch index update on an index of {u['index_documents']:,} documents, "
                f"{u['index_paragraphs']:,} paragraphs"))


def targets(u: dict[str, Any], note: str = "") -> list[Target]:
    note = note or f"index of {u['index_paragraphs']:,} paragraphs; wall time of the command"
    return [Target("one-document update", u["one_document_median_wall_s"], 1, "<=", "s", note)]


def run(index: Path, runs: int = 3, in_place: bool = False, keep: bool = False) -> dict[str, Any]:
    with temp_dir("update", keep=keep) as tmp:
        folder = make_extra(tmp / "extra")
        out: dict[str, Any] = {}
        target = index
        if not in_place:
            target = tmp / "index"
            print(f"copying {index} to {target} …", flush=True)
            out["copy"] = copy_index(index, target)
        print("adding the benchmark's folder with one update …", flush=True)
        out["add_folder"] = add_extra(target, folder)
        out.update(measure(target, folder, runs))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="a (full) index; copied unless --in-place")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--in-place", action="store_true", help="update DIR itself (adds the benchmark's folder)")
    args = ap.parse_args(argv)
    m = machine()
    print_machine(m)
    heading("Update")
    u = run(Path(args.index), args.runs, args.in_place)
    print_update(u)
    heading("Update targets")
    t = targets(u)
    save_targets(m, "update", u, t)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
