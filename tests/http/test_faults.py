"""Faults, with real processes: a full disk, a read-only index folder, an index folder
removed while serving, a document store locked by another process, SIGTERM during
requests. Each ends in one clear line (CLI) or a JSON 503 (server), never a traceback.

The disk tests mount a small tmpfs (root only, as in CI); they skip with the reason
where mounting is not allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
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
from conftest import CORPUS, ROOT, serving, skip_without_corpus
from helpers import store_locked

from bench.burst import COMMON_OR

# An OR of 70 common words: seconds even on the test index (the benchmark's heavy query).
HEAVY = COMMON_OR


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNSEARCH_NO_PROGRESS": "1"}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    """The failure's single stderr line (exit status 1, no traceback)."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, Any], dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode("utf-8")), dict(r.headers)
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8")
        headers = dict(e.headers)
        e.close()
        return e.code, json.loads(body) if body.startswith("{") else {"raw": body}, headers


def session_files(dst: Path, session: str, n: int | None = None, start: int = 0) -> Path:
    """The first ``n`` statements (from ``start``) of a General Debate session, copied to
    ``dst`` (kept in the session's layout, so the metadata comes from the path)."""
    skip_without_corpus()
    src = next(CORPUS.glob(f"ungdc/Session {session} - *"))
    folder = dst / src.name
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(src.glob("*.txt"))
    for f in files[start: None if n is None else start + n]:
        shutil.copy(f, folder / f.name)
    return dst


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Any]:
    """A function that mounts a tmpfs of ``size`` (e.g. "8m") and returns its folder;
    everything mounted is unmounted after the test."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        d = tmp_path / f"disk{len(mounted)}"
        d.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip() or 'not root'})")
        mounted.append(d)
        return d

    yield mount
    for d in reversed(mounted):
        if subprocess.run(["umount", str(d)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(d)], capture_output=True)


def _ro_bind(tmp_path: Path, folder: Path) -> Iterator[Path]:
    view = tmp_path / "read-only"
    view.mkdir()
    r = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot bind-mount here ({r.stderr.strip() or 'not root'})")
    try:
        r = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True,
                           text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({r.stderr.strip()})")
        yield view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


# -- a full disk -------------------------------------------------------------------------


def test_build_onto_a_full_disk_says_where_and_how_much(tmpfs: Any, tmp_path: Path) -> None:
    disk = tmpfs("8m")
    index = disk / "index"
    small = session_files(tmp_path / "small", "70", 5)
    assert cli("index", "build", str(small), "--index", str(index)).returncode == 0
    big = session_files(tmp_path / "big", "70")  # 2.5 MB of text: an index of ~7 MB, more at peak

    # Two writer processes: neither may print a traceback, and the build must not
    # commit without the documents of a worker that failed.
    line = one_line(cli("index", "build", str(big), "--index", str(index), "--procs", "2"))
    assert line.startswith(f"unsearch: no space left on the disk of {index}: "), line
    assert " MB free, and this build needs about " in line and "the index being served is unchanged" in line

    # The served index is the small one, whole; no leftovers of the failed build.
    r = cli("index", "info", "--index", str(index), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["documents"] == 5
    assert [p.name for p in index.iterdir() if p.name.startswith("gen-")] == \
        [(index / "current").resolve().name]
    assert cli("search", "peace", "--index", str(index)).returncode == 0


def test_update_on_a_full_disk_keeps_the_index(tmpfs: Any, tmp_path: Path) -> None:
    disk = tmpfs("12m")
    index = disk / "index"
    src = session_files(tmp_path / "src", "70", 60)
    assert cli("index", "build", str(src), "--index", str(index), "--procs", "1").returncode == 0
    session_files(tmp_path / "src", "70", 60, start=60)
    # Leave a megabyte: the update's new segment does not fit.
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as f:
        os.posix_fallocate(f.fileno(), 0, free - 1_000_000)

    line = one_line(cli("index", "update", str(src), "--index", str(index)))
    assert line.startswith(f"unsearch: no space left on the disk of {index}: "), line
    assert " MB free, and this update needs up to about " in line

    r = cli("index", "info", "--index", str(index), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["documents"] == 60
    found = cli("search", "peace", "--index", str(index), "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0
    # Room again: the same update now goes through.
    (disk / "filler").unlink()
    r = cli("index", "update", str(src), "--index", str(index), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("index", "info", "--index", str(index), "--json").stdout)["documents"] == 120


# -- a read-only index folder ------------------------------------------------------------


def test_read_only_index_folder_builds_refuse_and_serving_works(tmp_path: Path) -> None:
    folder = tmp_path / "rw"
    index = folder / "index"
    src = session_files(tmp_path / "src", "70", 5)
    assert cli("index", "build", str(src), "--index", str(index)).returncode == 0
    for view in _ro_bind(tmp_path, folder):
        ro_index = view / "index"
        line = one_line(cli("index", "build", str(src), "--index", str(ro_index)))
        assert f"the index folder {ro_index} is read-only" in line and "--index" in line, line
        line = one_line(cli("index", "update", str(src), "--index", str(ro_index)))
        assert f"the index folder {ro_index} is read-only" in line, line

        with serving(ro_index) as served:
            status, health, _ = get(served.base + "/healthz")
            assert status == 200 and health["documents"] == 5
            status, body, _ = get(served.base + "/api/search?q=peace")
            assert status == 200 and body["total"] > 0
            doc = body["hits"][0]["doc_id"]
            assert get(served.base + "/api/documents/" + urllib.parse.quote(doc))[0] == 200
        assert "Traceback" not in served.output, served.output


# -- the index folder disappears ---------------------------------------------------------


def test_index_folder_removed_while_serving(tmp_path: Path) -> None:
    index = tmp_path / "index"
    src = session_files(tmp_path / "src", "70", 5)
    assert cli("index", "build", str(src), "--index", str(index)).returncode == 0
    with serving(index, "--workers", "2") as served:
        assert get(served.base + "/api/search?q=peace")[0] == 200
        shutil.rmtree(index)
        for q in ("peace", "development", "peace"):  # new queries: no result cache
            status, body, _ = get(served.base + "/api/search?" + urllib.parse.urlencode({"q": q}))
            assert status == 503 and body["error"]["code"] == "index_unavailable", (status, body)
        status, body, _ = get(served.base + "/healthz")
        assert status == 503 and body["status"] == "unavailable"
        # Built again in the same place: served again, by every worker, without a restart.
        assert cli("index", "build", str(src), "--index", str(index)).returncode == 0
        for _ in range(6):
            assert get(served.base + "/api/search?q=peace")[0] == 200
        assert served.proc.poll() is None
    assert "Traceback" not in served.output, served.output
    assert "index unavailable" in served.output  # one line for the operator


# -- the document store is locked ---------------------------------------------------------


def test_document_store_locked_by_another_process(tmp_path: Path) -> None:
    index = tmp_path / "index"
    src = session_files(tmp_path / "src", "70", 5)
    assert cli("index", "build", str(src), "--index", str(index)).returncode == 0
    store = (index / "current").resolve() / "docs.sqlite"
    with serving(index) as served:
        with store_locked(store) as locker:
            status, body, headers = get(served.base + "/api/search?q=development")
            assert status == 503 and body["error"]["code"] == "index_busy", body
            assert headers.get("Retry-After")
            line = one_line(cli("index", "update", str(src), "--index", str(index), "--wait", "1"))
            assert f"the document store {store} is locked by another process" in line, line
            assert f"pid {locker.pid}" in line
        status, body, _ = get(served.base + "/api/search?q=development")
        assert status == 200 and body["total"] > 0
    assert "Traceback" not in served.output, served.output
    assert f"the document store {store} is locked by another process" in served.output  # the operator's line


# -- SIGTERM during requests ---------------------------------------------------------------


def test_sigterm_lets_requests_in_flight_finish(real_index: Path) -> None:
    """Requests that are running when the server gets SIGTERM are answered; then it exits 0."""
    answers: list[tuple[int, str, float]] = []
    failures: list[str] = []

    def client(i: int) -> None:
        # A download of every matching paragraph: about a second on the test index, where
        # the fast path answers even this OR of 70 common words in tens of milliseconds.
        url = served.base + "/api/search?" + urllib.parse.urlencode(
            {"q": f"{HEAVY} OR w{i}", "group": "para", "format": "csv"})
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                status, code = r.status, "ok" if r.read().startswith(b"\xef\xbb\xbfdoc_id") else "?"
        except urllib.error.HTTPError as e:
            status, code = e.code, "error"
            e.close()
        except Exception as e:  # a reset or refused connection: the request was dropped
            failures.append(repr(e))
            return
        answers.append((status, code, time.monotonic()))

    with serving(real_index, "--workers", "2", env={"UNSEARCH_QUERY_TIMEOUT": "4"}) as served:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # the requests are running (each takes about a second)
        sent_term = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(timeout=60)
        code = served.proc.wait(timeout=60)
    assert not failures, failures
    assert len(answers) == 4
    # Answered (results, a timeout or the heavy-query queue's 503: each a real answer),
    # and at least one of them after the signal: it was in flight and was let finish.
    assert all(s in (200, 503) for s, _c, _t in answers), answers
    assert any(t > sent_term for _s, _c, t in answers), answers
    assert code == 0
    assert "Traceback" not in served.output, served.output


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = cli("serve", "--index", str(tmp_path / "none"), "--port", str(port), timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1] == \
        f"unsearch: cannot listen on 127.0.0.1:{port}: Address already in use"
