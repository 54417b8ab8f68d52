"""Crashes and concurrent writers: a killed build or update never damages the served index.

Each test runs the real CLI in a subprocess, stops it at a named stage with the
``UNSEARCH_FAULT_PAUSE`` hook (or at a random moment), kills it with SIGKILL and
checks that the index answers exactly as before, that no worker process is left
behind, and that the next writer succeeds and cleans up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import CORPUS, ROOT

from index import build_index, index_info, update_index
from search import SearchEngine

QUERIES = ["united nations", "peace", "安全理事会", "development", "1540"]

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the UN corpus is not at {CORPUS}")


def _ungdc_files(n: int, session: str) -> list[Path]:
    folder = next(CORPUS.glob(f"ungdc/Session {session} - *"))
    return sorted(folder.glob("*.txt"))[:n]


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """Two source folders made of real statements, copied so that tests can change them."""
    a = tmp_path / "src-a" / "Session 50 - 1995"
    b = tmp_path / "src-b" / "Session 60 - 2005"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    for f in _ungdc_files(12, "50"):
        shutil.copy(f, a / f.name)
    for f in _ungdc_files(40, "60"):
        shutil.copy(f, b / f.name)
    shutil.copy(CORPUS / "statements" / "000_c2f375ad9e690389.txt", tmp_path / "src-a")
    return {"a": tmp_path / "src-a", "b": tmp_path / "src-b", "index": tmp_path / "index"}


def _answers(index: Path) -> list[Any]:
    with SearchEngine.open(index) as engine:
        out = []
        for q in QUERIES:
            r = engine.search(q, per_page=20).to_dict()
            r.pop("took_ms")
            out.append(r)
        return out


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full_env = dict(os.environ, UNSEARCH_NO_PROGRESS="1", **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_pause(proc: subprocess.Popen[str], stage: str, timeout: float = 120) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if f"unsearch-fault-pause: {stage}" in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"writer exited ({proc.returncode}) before reaching {stage}")
    raise AssertionError(f"writer never reached {stage}")


def _kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the writer; its worker processes must die with it."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"worker processes outlived the killed writer: {alive}"


def _assert_clean(index: Path) -> None:
    names = [p.name for p in index.iterdir()]
    assert not [n for n in names if n.endswith(".tmp")], names
    assert len([n for n in names if n.startswith("gen-")]) <= 2, names


@pytest.mark.parametrize("stage", ["build-read", "build-write", "build-commit", "build-swap"])
def test_killed_build_leaves_the_served_index_intact(sources: dict[str, Path], stage: str) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    before = _answers(sources["index"])
    proc = _cli("index", "build", str(sources["b"]), "--index", str(sources["index"]),
                env={"UNSEARCH_FAULT_PAUSE": stage})
    _wait_for_pause(proc, stage)
    _kill(proc)
    assert _answers(sources["index"]) == before
    assert index_info(sources["index"])["documents"] == 13
    # The next build succeeds and removes what the killed one left behind.
    done = _cli("index", "build", str(sources["b"]), "--index", str(sources["index"]))
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    _assert_clean(sources["index"])
    assert index_info(sources["index"])["documents"] == 40


def test_build_killed_after_the_swap_serves_the_new_index(sources: dict[str, Path]) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    proc = _cli("index", "build", str(sources["b"]), "--index", str(sources["index"]),
                env={"UNSEARCH_FAULT_PAUSE": "build-swapped"})
    _wait_for_pause(proc, "build-swapped")
    _kill(proc)
    assert index_info(sources["index"])["documents"] == 40
    assert SearchEngine.open(sources["index"]).search("peace").total > 0


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 3.5])
def test_build_killed_at_a_random_moment(sources: dict[str, Path], delay: float) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    before = _answers(sources["index"])
    proc = _cli("index", "build", str(sources["b"]), "--index", str(sources["index"]))
    time.sleep(delay)
    if proc.poll() is None:
        _kill(proc)
    else:
        proc.communicate()
    after = _answers(sources["index"])
    docs = index_info(sources["index"])["documents"]
    # Either the old index, untouched, or the complete new one: never anything in between.
    assert (after == before and docs == 13) or docs == 40
    done = _cli("index", "build", str(sources["b"]), "--index", str(sources["index"]))
    _out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    _assert_clean(sources["index"])


def _change_sources(src: Path) -> None:
    folder = next(src.glob("Session *"))
    files = sorted(folder.glob("*.txt"))
    files[0].write_text(files[0].read_text("utf-8") + "\n\nA closing paragraph about unicorns.\n",
                        "utf-8")
    files[1].unlink()
    shutil.copy(_ungdc_files(1, "70")[0], folder / "ZZZ_50_1995.txt")


@pytest.mark.parametrize("stage", ["update-store", "update-write", "update-commit"])
def test_killed_update_leaves_a_working_index(sources: dict[str, Path], stage: str) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    before = _answers(sources["index"])
    _change_sources(sources["a"])
    proc = _cli("index", "update", str(sources["a"]), "--index", str(sources["index"]),
                env={"UNSEARCH_FAULT_PAUSE": stage})
    _wait_for_pause(proc, stage)
    _kill(proc)
    if stage != "update-commit":
        assert _answers(sources["index"]) == before
    else:
        _answers(sources["index"])  # Whoosh already committed: it answers, with either text
    # The next update finishes the job.
    done = _cli("index", "update", str(sources["a"]), "--index", str(sources["index"]), "--json")
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    with SearchEngine.open(sources["index"]) as engine:
        hits = engine.search("unicorns").hits
        assert len(hits) == 1
        doc = engine.document(hits[0].doc_id)
        assert "unicorns" in doc.paragraphs[-1]
    assert index_info(sources["index"])["documents"] == 13
    _assert_clean(sources["index"])


def test_second_writer_waits_then_names_the_first(sources: dict[str, Path]) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    _change_sources(sources["a"])
    first = _cli("index", "update", str(sources["a"]), "--index", str(sources["index"]),
                 env={"UNSEARCH_FAULT_PAUSE": "update-store"})
    _wait_for_pause(first, "update-store")
    try:
        for args in (["index", "update", str(sources["a"])], ["index", "build", str(sources["b"])]):
            second = _cli(*args, "--index", str(sources["index"]), "--wait", "1")
            out, err = second.communicate(timeout=60)
            assert second.returncode == 1
            assert "another writer" in err and f"pid {first.pid}" in err and "update" in err
            assert "Traceback" not in err
    finally:
        _kill(first)
    assert index_info(sources["index"])["documents"] == 13


def test_writers_in_turn_both_succeed(sources: dict[str, Path]) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    _change_sources(sources["a"])
    procs = [_cli("index", "update", str(sources["a"]), "--index", str(sources["index"])),
             _cli("index", "build", str(sources["a"]), "--index", str(sources["index"]))]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert index_info(sources["index"])["documents"] == 13


def test_update_reports_what_changed(sources: dict[str, Path]) -> None:
    build_index([sources["a"]], sources["index"], procs=1)
    _change_sources(sources["a"])
    report = update_index([sources["a"]], sources["index"])
    assert (report.added, report.replaced, report.removed) == (1, 1, 1)
    assert report.unchanged == 11
    again = update_index([sources["a"]], sources["index"])
    assert (again.added, again.replaced, again.removed) == (0, 0, 0)
