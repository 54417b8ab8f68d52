"""A running server under rebuilds and updates: zero failed requests, new answers without a restart.

Also: the server's answer for a missing, damaged or other-version index is a 503
with a JSON error, never a 500 or a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, ROOT, serving

from index import build_index

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the UN corpus is not at {CORPUS}")


def _get(url: str, timeout: float = 30) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8")
        e.close()
        return e.code, json.loads(body) if body.startswith("{") else {"raw": body}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    index = tmp_path / "index"
    with serving(index) as served:
        yield served.base, index
    assert "Traceback" not in served.output, served.output


def _copy_session(dst: Path, session: str, n: int) -> Path:
    src = next(CORPUS.glob(f"ungdc/Session {session} - *"))
    folder = dst / src.name
    folder.mkdir(parents=True)
    for f in sorted(src.glob("*.txt"))[:n]:
        shutil.copy(f, folder / f.name)
    return folder


def test_queries_never_fail_while_the_index_is_rebuilt_and_updated(
        server: tuple[str, Path], tmp_path: Path) -> None:
    base, index = server
    a = _copy_session(tmp_path / "a", "40", 10)
    b = _copy_session(tmp_path / "b", "65", 25)
    build_index([a.parent], index, procs=1)
    query = base + "/api/search?" + urllib.parse.urlencode({"q": "peace", "per_page": 5})
    status, first = _get(query)
    assert status == 200 and first["total"] > 0

    stop = threading.Event()
    results: list[tuple[int, int]] = []
    errors: list[str] = []

    def client() -> None:
        while not stop.is_set():
            try:
                status, body = _get(query)
                results.append((status, body.get("total", -1)))
            except Exception as e:  # a refused or reset connection is a failure too
                errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        env = dict(os.environ, UNSEARCH_NO_PROGRESS="1")
        built = subprocess.run([sys.executable, "-m", "web.cli", "index", "build", str(b.parent),
                                "--index", str(index)], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=300)
        assert built.returncode == 0, built.stderr
        time.sleep(1.0)
        # The running server now answers from the new index, without a restart.
        status, body = _get(base + "/api/search?q=year:" + b.name.split()[-1])
        assert status == 200 and body["total"] == 25
        # …then an update that adds a paragraph with a new word.
        f = sorted(b.glob("*.txt"))[0]
        f.write_text(f.read_text("utf-8") + "\n\nThe zebras of the General Assembly.\n", "utf-8")
        updated = subprocess.run([sys.executable, "-m", "web.cli", "index", "update", str(b.parent),
                                  "--index", str(index)], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=300)
        assert updated.returncode == 0, updated.stderr
        time.sleep(0.5)
        status, body = _get(base + "/api/search?q=zebras")
        assert status == 200 and body["total"] == 1
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:5]
    assert results and all(s == 200 for s, _ in results), {s for s, _ in results}
    assert len(results) > 20


def _assert_503(base: str) -> None:
    for path in ("/api/search?q=peace", "/healthz"):
        status, body = _get(base + path)
        assert status == 503, (path, status, body)
        assert body["error"]["code"] and body["error"]["message"]
        assert "Traceback" not in json.dumps(body)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(base + "/search?q=peace", timeout=30)
    assert info.value.code == 503
    page = info.value.read().decode("utf-8")
    info.value.close()
    assert "Traceback" not in page and "<html" in page.lower()


def test_missing_index_is_503(server: tuple[str, Path]) -> None:
    base, _index = server
    _assert_503(base)


def test_other_schema_version_is_503(server: tuple[str, Path], tmp_path: Path) -> None:
    base, index = server
    build_index([_copy_session(tmp_path / "a", "40", 3).parent], index, procs=1)
    meta_path = index / "current" / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["schema_version"] = "0.0"
    meta_path.write_text(json.dumps(meta), "utf-8")
    _assert_503(base)  # the operator's "rebuild it" is in the server log, not shown to users


def test_truncated_index_file_is_503(server: tuple[str, Path], tmp_path: Path) -> None:
    base, index = server
    build_index([_copy_session(tmp_path / "a", "40", 3).parent], index, procs=1)
    for seg in (index / "current").glob("*.seg"):
        with open(seg, "r+b") as f:
            f.truncate(seg.stat().st_size // 3)
    _assert_503(base)


def test_cli_reports_a_broken_index_in_one_line(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index([_copy_session(tmp_path / "a", "40", 3).parent], index, procs=1)
    for seg in (index / "current").glob("*.seg"):
        with open(seg, "r+b") as f:
            f.truncate(seg.stat().st_size // 3)
    for args in (["search", "peace"], ["index", "info"]):
        r = subprocess.run([sys.executable, "-m", "web.cli", *args, "--index", str(index)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "rebuild" in r.stderr


@pytest.mark.parametrize("damage", ["other-version", "missing", "no-generation"])
def test_cli_refuses_an_unusable_index_in_one_line(tmp_path: Path, damage: str) -> None:
    index = tmp_path / "index"
    if damage != "missing":
        build_index([_copy_session(tmp_path / "a", "40", 2).parent], index, procs=1)
    if damage == "other-version":
        meta_path = index / "current" / "meta.json"
        meta = json.loads(meta_path.read_text("utf-8"))
        meta["schema_version"] = "0.0"
        meta_path.write_text(json.dumps(meta), "utf-8")
    elif damage == "no-generation":
        shutil.rmtree(index / "current", ignore_errors=True)
        shutil.rmtree((index / "current").resolve(), ignore_errors=True)
    for args in (["search", "peace"], ["index", "info"], ["index", "update", str(tmp_path)]):
        r = subprocess.run([sys.executable, "-m", "web.cli", *args, "--index", str(index)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, (damage, args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "unsearch index build" in lines[0], (damage, args, lines)
