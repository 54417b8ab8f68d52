"""`unsearch serve` as a real process on 127.0.0.1, talked to over HTTP with urllib.

While it runs, `unsearch index build` and `index update` (real processes too) swap in new
indexes; the server must answer from them without a restart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, serving
from helpers import write_jsonl

STARTUP_TIMEOUT = 30.0


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNSEARCH_NO_PROGRESS": "1"}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def get(url: str) -> tuple[int, Any]:
    """(status, parsed JSON body or text), for 2xx and error statuses alike."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            status, body, ctype = resp.status, resp.read(), resp.headers.get_content_type()
    except urllib.error.HTTPError as e:
        status, body, ctype = e.code, e.read(), e.headers.get_content_type()
        e.close()
    text = body.decode("utf-8")
    return status, json.loads(text) if ctype == "application/json" else text


def reports(folder: Path, word: str, n: int) -> Path:
    """A source folder of ``n`` JSONL reports about ``word``."""
    records = [{"id": f"{word}-{i}", "title": f"{word} report {i}", "lang": "en",
                "date": f"2023-01-{i + 1:02d}",
                "paragraphs": [f"The {word} paragraph of report {i}.", "Nothing else."]} for i in range(n)]
    return write_jsonl(folder / f"{word}.jsonl", records).parent


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`unsearch serve` on a free port over an index folder that does not exist yet."""
    index = tmp_path / "index"
    with serving(index, "--threads", "4", startup_timeout=STARTUP_TIMEOUT) as served:
        yield served.base, index, served.proc


def test_serve_follows_builds_and_updates(server: tuple[str, Path, subprocess.Popen[str]],
                                          tmp_path: Path) -> None:
    base, index, proc = server

    # No index yet: friendly 503s, no traceback.
    status, body = get(base + "/healthz")
    assert status == 503 and body["status"] == "unavailable"
    status, body = get(base + "/api/search?q=quokka")
    assert status == 503 and body["error"]["code"] == "index_unavailable"
    status, text = get(base + "/?ui=en")
    assert status == 503 and "Search is unavailable" in text and "Traceback" not in text

    # A build while the server runs: served at once.
    done = cli("index", "build", str(reports(tmp_path / "a", "quokka", 2)), "--index", str(index))
    assert done.returncode == 0, done.stderr
    status, health = get(base + "/healthz")
    assert status == 200 and health["status"] == "ok" and health["documents"] == 2
    status, body = get(base + "/api/search?q=quokka")
    assert status == 200 and body["total"] == 2
    assert "<mark>quokka</mark>" in body["hits"][0]["snippet_html"]

    # A rebuild from another source into the same folder: the new index, not the old one.
    time.sleep(1.05)  # index/build.py names generations by the second (see test_web.py)
    done = cli("index", "build", str(reports(tmp_path / "b", "wombat", 3)), "--index", str(index))
    assert done.returncode == 0, done.stderr
    status, rebuilt = get(base + "/healthz")
    assert rebuilt["documents"] == 3 and rebuilt["generation"] != health["generation"]
    assert get(base + "/api/search?q=wombat")[1]["total"] == 3
    assert get(base + "/api/search?q=quokka")[1]["total"] == 0
    status, text = get(base + "/search?q=wombat&ui=en")
    assert status == 200 and "3 results" in text and "<mark>wombat</mark>" in text

    # An incremental update: new documents show up, the generation stays.
    done = cli("index", "update", str(reports(tmp_path / "b", "wombat", 5)), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert get(base + "/api/search?q=wombat")[1]["total"] == 5
    status, updated = get(base + "/healthz")
    assert updated["documents"] == 5 and updated["generation"] == rebuilt["generation"]

    # Bad input is still a 400, documents a 200/404, and the process never died.
    assert get(base + "/api/search?q=wombat&per_page=1000")[0] == 400
    assert get(base + "/documents/wombat-0?q=wombat")[0] == 200
    assert get(base + "/documents/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert proc.poll() is None
