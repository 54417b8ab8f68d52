"""Shared fixtures: the real corpus, one real index built once per session, and a tiny index.

The real corpus is ``../shared/corpus`` (or ``$UNSEARCH_CORPUS``). It is never copied into the
repository: tests read its sentences at run time and skip with a reason when it is absent.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
# `.venv/bin/pytest` without `pip install -e .` (make does it) still imports index/search/web.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = Path(os.environ.get("UNSEARCH_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
UNPC = CORPUS / "unpc-dev"
UNPC_STEM = "UNv1.0.devset"
CHARTER = CORPUS / "un-charter"
STATEMENTS = CORPUS / "statements"

#: What ``real_index`` is built from (about a minute on two cores).
REAL_SOURCES = ("statements", "unpc-dev", "un-charter")

NO_CORPUS = f"the shared corpus is not at {CORPUS} (set UNSEARCH_CORPUS to use another folder)"


def have_corpus() -> bool:
    return (UNPC / f"{UNPC_STEM}.ids").is_file()


def skip_without_corpus() -> None:
    if not have_corpus():
        pytest.skip(NO_CORPUS)


def unpc_lines(lang: str) -> list[str]:
    """The 4,000 sentences of one unpc-dev language file, in order (line i = sentence i)."""
    skip_without_corpus()
    return (UNPC / f"{UNPC_STEM}.{lang}").read_text("utf-8").split("\n")[:4000]


def first_line(lang: str, needle: str) -> str:
    """The first unpc-dev line of ``lang`` that contains ``needle``."""
    for line in unpc_lines(lang):
        if needle in line:
            return line
    raise AssertionError(f"no {lang} line of unpc-dev contains {needle!r}")


def charter_paragraphs(lang: str) -> list[str]:
    """The Charter's blank-line-separated paragraphs in one language."""
    skip_without_corpus()
    text = (CHARTER / f"raw_un_charter_{lang}.txt").read_text("utf-8")
    return [p for p in text.split("\n\n") if p.strip()]


def _warm_up_analysis() -> None:
    """Load jieba and the folding tables once, before any test runs.

    jieba's ``load_userdict(path)`` never closes the file it opens; under
    ``filterwarnings = error`` the ResourceWarning would fail whichever test
    happened to load jieba first.  It is silenced here only so that exactly one
    test reports it: test_analysis.py::test_loading_the_user_dictionary_closes_it.
    """
    import warnings

    from index.analysis import warm_up

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        warm_up()


_warm_up_analysis()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus folder; skips the test when it is absent."""
    skip_without_corpus()
    return CORPUS


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """ONE index of statements + unpc-dev + un-charter for the whole session."""
    skip_without_corpus()
    yield _build_once(tmp_path_factory, "real", [CORPUS / s for s in REAL_SOURCES])


def _build_once(tmp_path_factory: pytest.TempPathFactory, name: str, sources: list[Path]) -> Path:
    from index import build_index

    path = tmp_path_factory.mktemp(name) / "index"
    # One writer process: on two cores the multi-process writer is no faster (it was slower
    # before the fixes in index/_whoosh.py), and a single writer keeps the fixture the same every run.
    # postings_min_df=20: the terms of 20 paragraphs or more are read from the side arrays
    # (index.postings), the rarer ones through Whoosh, so tests exercise both paths.
    report = build_index(sources, path, procs=1, postings_min_df=20)
    assert not report.skipped, report.skipped
    return path


@pytest.fixture(scope="session")
def engine(real_index: Path) -> Iterator[Any]:
    """A SearchEngine over ``real_index``."""
    from search import SearchEngine

    with SearchEngine.open(real_index) as eng:
        yield eng


# ---------------------------------------------------------------------------
# `unsearch serve` as a real process


@dataclass
class Served:
    base: str
    proc: subprocess.Popen[str]
    output: str = ""  # what the server printed, once it has stopped


@contextlib.contextmanager
def serving(index: Path, *args: str, startup_timeout: float = 60.0,
            env: dict[str, str] | None = None) -> Iterator[Served]:
    """`unsearch serve --index INDEX` on a free port of 127.0.0.1, up (any answer from
    /healthz, a 503 included) before the body runs, terminated after it. ``env``: more
    environment variables (UNSEARCH_* settings)."""
    port = free_port()
    env = {**os.environ, "UNSEARCH_NO_PROGRESS": "1", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--index", str(index), "--host", "127.0.0.1",
         "--port", str(port), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", proc)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`unsearch serve` exited with {proc.returncode}: "
                            f"{proc.stdout.read() if proc.stdout else ''}")
            try:
                urllib.request.urlopen(served.base + "/healthz", timeout=2).close()
                break
            except urllib.error.HTTPError as e:  # 503 before there is an index: it is up
                e.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"`unsearch serve` did not answer within {startup_timeout:.0f} s")
                time.sleep(0.1)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            served.output = proc.stdout.read()
            proc.stdout.close()


#: A small real General Debate subset (360 statements, about 12k paragraphs, ~25 s to build):
#: early, middle and recent sessions, for trends, countries and downloads.
GD_SESSIONS = ("Session 01 - 1946", "Session 30 - 1975", "Session 74 - 2019")


@pytest.fixture(scope="session")
def gd_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """ONE index of three real General Debate sessions for the whole test session."""
    skip_without_corpus()
    yield _build_once(tmp_path_factory, "gd", [CORPUS / "ungdc" / s for s in GD_SESSIONS])


@pytest.fixture(scope="session")
def gd_engine(gd_index: Path) -> Iterator[Any]:
    from search import SearchEngine

    with SearchEngine.open(gd_index) as eng:
        yield eng
