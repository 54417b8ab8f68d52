"""The `unsearch` CLI: click's CliRunner in-process, and real subprocesses for the contract
(`python -m web.cli …` with UNSEARCH_INDEX set, exit codes 0/1/2/3, one-line errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CHARTER, ROOT, STATEMENTS, skip_without_corpus
from helpers import write_jsonl

from web.cli import main

COMMANDS = [[], ["index"], ["index", "build"], ["index", "update"], ["index", "info"], ["search"],
            ["serve"]]


def run(args: list[str], index: Path | None, *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A real `python -m web.cli` process, the index given by UNSEARCH_INDEX."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), UNSEARCH_NO_PROGRESS="1")
    if index is not None:
        env["UNSEARCH_INDEX"] = str(index)
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def invoke(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_one_line_failure(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("unsearch: ")


# ---------------------------------------------------------------------------
# Help


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "unsearch")
def test_every_command_has_help_with_an_example(cmd: list[str]) -> None:
    r = invoke([*cmd, "--help"])
    assert r.exit_code == 0
    assert "Usage:" in r.output
    assert "Example" in r.output, r.output


# ---------------------------------------------------------------------------
# index build / info / search


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "index"
    r = run(["index", "build"], path)
    assert r.returncode == 0, r.stderr
    assert "Indexed" in r.stdout
    return path


def test_build_the_demo_corpus_without_sources(demo_index: Path) -> None:
    r = run(["index", "info", "--json"], demo_index)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["documents"] > 0 and info["paragraphs"] >= info["documents"]
    assert set(info["languages"]) >= {"zh", "en"}


def test_index_info_shows_counts_languages_size_and_version(demo_index: Path) -> None:
    from index.schema import SCHEMA_VERSION

    r = invoke(["index", "info", "--index", str(demo_index)])
    assert r.exit_code == 0
    for label in ("documents:", "paragraphs:", "languages:", "size:", "schema version:", "built:"):
        assert label in r.output
    assert SCHEMA_VERSION in r.output
    assert "zh" in r.output and "MB" in r.output


def test_search_json_prints_the_api_dict(demo_index: Path) -> None:
    r = run(["search", "安全理事会", "--json", "--limit", "3"], demo_index)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"query", "total", "page", "per_page", "took_ms", "hits", "facets"} <= set(d)
    assert d["query"] == "安全理事会" and d["per_page"] == 3 and 0 < len(d["hits"]) <= 3
    assert {"doc_id", "symbol", "title", "organ", "date", "lang", "paragraph", "score", "snippet_html",
            "url"} <= set(d["hits"][0])
    assert "<mark>" in d["hits"][0]["snippet_html"]


def test_search_text_output(demo_index: Path) -> None:
    r = invoke(["search", "安全理事会", "--index", str(demo_index), "--limit", "2"])
    assert r.exit_code == 0
    assert "result(s) for" in r.output
    assert "[安全理事会]" in r.output  # matches in brackets when not on a terminal
    r = invoke(["search", "安全理事会", "--index", str(demo_index), "--lang", "en", "--json"])
    assert r.exit_code == 0 and all(h["lang"] == "en" for h in json.loads(r.stdout)["hits"])


def test_build_real_sources(tmp_path: Path) -> None:
    skip_without_corpus()
    index = tmp_path / "index"
    r = run(["index", "build", str(STATEMENTS), str(CHARTER), "--json"], index)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["documents"] == 7 and report["skipped"] == []
    assert report["languages"] == {"zh": 2, "en": 1, "fr": 1, "es": 1, "ru": 1, "ar": 1}
    r = invoke(["search", '"大规模毁灭性武器"', "--index", str(index), "--json"])
    hits = json.loads(r.stdout)["hits"]
    assert hits and hits[0]["doc_id"].startswith("000_")


def test_broken_source_is_listed_and_exits_3(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_jsonl(src / "good.jsonl", [{"id": "good-1", "lang": "zh", "text": "安全理事会审议了议程项目。"}])
    (src / "broken.jsonl").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    (src / "latin1.txt").write_bytes("Conseil de sécurité".encode("latin-1"))
    index = tmp_path / "index"
    r = run(["index", "build", str(src)], index)
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    for name in ("broken.jsonl", "latin1.txt"):
        line = next((ln for ln in r.stderr.splitlines() if name in ln), None)
        assert line is not None, r.stderr
        assert str(src / name) in line and ":" in line.split(name, 1)[1]  # path: reason
    # The good document is there all the same.
    r = invoke(["search", "安全理事会", "--index", str(index), "--json"])
    assert [h["doc_id"] for h in json.loads(r.stdout)["hits"]] == ["good-1"]


# ---------------------------------------------------------------------------
# Failures and usage errors


@pytest.mark.parametrize("args", [["search", "安全理事会"], ["index", "info"],
                                  ["index", "update", "."]])
def test_missing_index_is_one_line_and_exit_1(tmp_path: Path, args: list[str]) -> None:
    r = run(args, tmp_path / "no-index")
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert_one_line_failure(r.stderr)
    assert str(tmp_path / "no-index") in r.stderr


def test_bad_query_is_one_line_not_a_traceback(demo_index: Path) -> None:
    r = run(["search", "(安全理事会"], demo_index)
    assert r.returncode in (1, 2)
    assert "Traceback" not in r.stderr and "'('" in r.stderr
    if r.returncode == 1:
        assert_one_line_failure(r.stderr)


@pytest.mark.parametrize(
    "args",
    [["search"], ["index", "update"], ["search", "x", "--limit", "0"], ["search", "x", "--lang", "xx"],
     ["no-such-command"], ["index", "build", "--procs", "0"], ["search", "x", "--sort", "size"]],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2, r.output


def test_usage_error_in_a_real_process(tmp_path: Path) -> None:
    r = run(["search"], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "QUERY" in r.stderr


# ---------------------------------------------------------------------------
# index update


def _report(r: Any) -> dict[str, Any]:
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def test_update_replaces_adds_and_removes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    docs_a = [{"id": "a-1", "lang": "zh", "text": "安全理事会审议了议程项目。"},
              {"id": "a-2", "lang": "en", "text": "The General Assembly adopted the agenda."}]
    docs_b = [{"id": "b-1", "lang": "fr", "text": "Le Conseil de sécurité a adopté la résolution."},
              {"id": "b-2", "lang": "es", "text": "El Consejo de Seguridad aprobó la resolución."}]
    write_jsonl(src / "a.jsonl", docs_a)
    write_jsonl(src / "b.jsonl", docs_b)
    index = tmp_path / "index"
    assert _report(invoke(["index", "build", str(src), "--index", str(index), "--json"]))["documents"] == 4

    # Nothing changed.
    rep = _report(invoke(["index", "update", str(src), "--index", str(index), "--json"]))
    assert (rep["added"], rep["replaced"], rep["removed"], rep["unchanged"]) == (0, 0, 0, 4)

    # One document changed.
    docs_a[1]["text"] = "The General Assembly adopted the agenda and elected a president."
    write_jsonl(src / "a.jsonl", docs_a)
    rep = _report(invoke(["index", "update", str(src), "--index", str(index), "--json"]))
    assert (rep["added"], rep["replaced"], rep["removed"]) == (0, 1, 0)
    hits = json.loads(invoke(["search", "president", "--index", str(index), "--json"]).stdout)["hits"]
    assert [h["doc_id"] for h in hits] == ["a-2"]

    # One document added.
    write_jsonl(src / "c.jsonl", [{"id": "c-1", "lang": "ru",
                                   "text": "Совет Безопасности принял резолюцию."}])
    rep = _report(invoke(["index", "update", str(src), "--index", str(index), "--json"]))
    assert (rep["added"], rep["replaced"], rep["removed"]) == (1, 0, 0)

    # A file deleted: its documents go.
    (src / "b.jsonl").unlink()
    rep = _report(invoke(["index", "update", str(src), "--index", str(index), "--json"]))
    assert (rep["added"], rep["replaced"], rep["removed"]) == (0, 0, 2)
    assert json.loads(invoke(["search", "résolution", "--index", str(index), "--json"]).stdout)["total"] == 0

    info = json.loads(invoke(["index", "info", "--index", str(index), "--json"]).stdout)
    assert info["documents"] == 3 and info["languages"] == {"zh": 1, "en": 1, "ru": 1}


def test_update_text_summary_in_a_real_process(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_jsonl(src / "a.jsonl", [{"id": "a-1", "lang": "zh", "text": "安全理事会审议了议程项目。"}])
    index = tmp_path / "index"
    assert run(["index", "build", str(src)], index).returncode == 0
    write_jsonl(src / "a.jsonl", [{"id": "a-1", "lang": "zh", "text": "安全理事会通过了议程。"},
                                  {"id": "a-2", "lang": "zh", "text": "大会审议了报告。"}])
    r = run(["index", "update", str(src)], index)
    assert r.returncode == 0, r.stderr
    assert "added 1" in r.stdout and "replaced 1" in r.stdout and "removed 0" in r.stdout
