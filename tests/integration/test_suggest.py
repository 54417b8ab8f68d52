"""Completions: counted at index time from real UN text, looked up by folded prefix.

The session's ``real_index`` (statements, unpc-dev, un-charter) answers the library and
API tests; the update tests build a tiny JSONL index from real sentences in tmp.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import CHARTER, unpc_lines
from flask.testing import FlaskClient
from helpers import write_jsonl

from index import build_index, update_index
from index.completions import COMPLETIONS_FILE, HEAD_ITEMS
from index.layout import resolve_generation
from search import QueryError, SearchEngine
from web import create_app


def texts(engine: SearchEngine, prefix: str, **kw: Any) -> list[str]:
    return [s.text for s in engine.suggest(prefix, **kw)]


def test_chinese_word_completes(engine: SearchEngine) -> None:
    found = engine.suggest("安全理")
    assert found[0].text == "安全理事会" and found[0].kind == "word"
    assert all(s.text.startswith("安全理") for s in found)


def test_chinese_word_sequences_complete(engine: SearchEngine) -> None:
    found = texts(engine, "可持续")
    assert found[0] == "可持续发展"
    assert "可持续发展目标" in found  # 可持续发展 + 目标, as jieba segments it
    seqs = [s for s in engine.suggest("安全理事会", lang="zh") if s.kind == "phrase"]
    assert seqs and all(s.text.startswith("安全理事会") and len(s.text) > 5 for s in seqs)


def test_traditional_and_full_width_are_folded(engine: SearchEngine) -> None:
    assert texts(engine, "安全理事會")[0] == "安全理事会"  # 會 = 会
    assert texts(engine, "可持續發") == texts(engine, "可持续发")
    assert texts(engine, "可持續發")[0] == "可持续发展"
    assert texts(engine, "ＳＵＳＴＡＩＮ") == texts(engine, "sustain") == texts(engine, "Sustain")


def test_symbols_complete(engine: SearchEngine) -> None:
    found = engine.suggest("S/2015/", limit=20)
    assert len(found) == 20
    assert all(s.kind == "symbol" and s.text.startswith("S/2015/") for s in found)
    assert texts(engine, "s/2015/", limit=20) == [s.text for s in found]
    # A completion is a real document: searching for it puts that document first.
    hit = next(iter(engine.search(found[0].text)))
    assert hit.symbol == found[0].text
    # The count is the number of language versions of the document.
    versions = {h.lang for h in engine.search(f'symbol:"{found[0].text}"', per_page=10)}
    assert found[0].count == len(versions)


def test_english_phrases_complete_with_their_counts(engine: SearchEngine) -> None:
    found = engine.suggest("sustain", lang="en")
    by_text = {s.text.lower(): s for s in found}
    assert by_text["sustainable development"].kind == "phrase"
    assert "sustainable development goals" in by_text
    counts = [s.count for s in found]
    assert counts == sorted(counts, reverse=True)
    # The count is how often the words occur, together, in the English text.
    en = "\n".join(unpc_lines("en")) + (CHARTER / "raw_un_charter_en.txt").read_text("utf-8")
    assert by_text["sustainable development"].count == len(
        re.findall(r"(?i)\bsustainable development\b", en))


def test_the_surface_form_is_the_one_written_most_often(engine: SearchEngine) -> None:
    assert texts(engine, "united n", lang="en")[0] == "United Nations"
    assert texts(engine, "UNITED N", lang="en")[0] == "United Nations"
    assert "Security Council" in texts(engine, "security c", lang="en")


def test_language_filter(engine: SearchEngine) -> None:
    fr = texts(engine, "dévelop", lang="fr")
    assert fr[0] == "développement" and "développement durable" in fr
    assert texts(engine, "dévelop", lang="en") == []
    assert "développement" in texts(engine, "dévelop")  # no filter: every language
    # French elision: "d'un" is not a word to complete.
    assert not [t for t in texts(engine, "d", lang="fr", limit=20) if "'" in t]


def test_bad_arguments_are_query_errors(engine: SearchEngine) -> None:
    for kwargs in ({"limit": 0}, {"limit": 21}, {"limit": True}, {"lang": "de"}):
        with pytest.raises(QueryError):
            engine.suggest("un", **kwargs)
    with pytest.raises(QueryError):
        engine.suggest("x" * 101)
    with pytest.raises(QueryError):
        engine.suggest(None)  # type: ignore[arg-type]
    assert engine.suggest("") == engine.suggest("   ") == []
    assert engine.suggest("zzqxv") == []


def test_stored_tops_of_long_prefixes_match_the_table(real_index: Path) -> None:
    """A prefix shared by more than HEAD_MIN rows answers from ``heads``: the same
    completions, in the same order of counts, as ranking the whole range would give."""
    db = sqlite3.connect(resolve_generation(real_index) / COMPLETIONS_FILE)
    heads = db.execute("SELECT scope, prefix, items FROM heads").fetchall()
    assert heads
    for scope, prefix, items in heads:
        stored = [it[2] for it in json.loads(items)]
        if scope:
            rows = db.execute("SELECT count FROM completions WHERE key >= ? AND key < ? "
                              "AND lang IN (?, '')", (prefix, prefix + "\U0010ffff", scope))
        else:
            rows = db.execute("SELECT sum(count) FROM completions WHERE key >= ? AND key < ? "
                              "GROUP BY key, kind", (prefix, prefix + "\U0010ffff"))
        counts = sorted((r[0] for r in rows), reverse=True)
        assert len(stored) == HEAD_ITEMS and len(counts) > HEAD_ITEMS
        assert stored == counts[: len(stored)], (scope, prefix)
    db.close()


def _ebola_docs() -> list[dict[str, Any]]:
    lines = [ln for ln in unpc_lines("en") if "Ebola" in ln]
    assert len(lines) >= 3
    return [{"id": "ebola-en", "lang": "en", "symbol": "X/EBOLA/1", "paragraphs": lines}]


def test_an_update_brings_new_completions_and_drops_old_ones(tmp_path: Path) -> None:
    charter = [p for p in (CHARTER / "raw_un_charter_en.txt").read_text("utf-8").split("\n\n")
               if p.strip()][:40]
    base = [{"id": "charter-en", "lang": "en", "paragraphs": charter}]
    src = write_jsonl(tmp_path / "src" / "docs.jsonl", base)
    index = tmp_path / "index"
    build_index([src.parent], index, procs=1)
    with SearchEngine.open(index) as engine:
        assert texts(engine, "ebol") == []
        assert "United Nations" in texts(engine, "united")
        write_jsonl(src, base + _ebola_docs())
        update_index([src.parent], index)
        found = {s.text: s for s in engine.suggest("ebol")}
        # Whole words only: "Ebola-affected" is a word of its own.
        n = sum(len(re.findall(r"(?<![\w'’-])Ebola(?![\w'’-])", ln)) for ln in _ebola_docs()[0]["paragraphs"])
        assert found["Ebola"].count == n
        assert texts(engine, "x/ebo") == ["X/EBOLA/1"]
        write_jsonl(src, base)
        update_index([src.parent], index)
        assert texts(engine, "ebol") == [] and texts(engine, "x/ebo") == []
        assert "United Nations" in texts(engine, "united")


def test_an_index_without_usable_completions_offers_none(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "docs.jsonl", _ebola_docs())
    index = tmp_path / "index"
    build_index([src], index, procs=1)
    with SearchEngine.open(index) as engine:
        assert texts(engine, "ebol")[0] == "Ebola"
    completions = resolve_generation(index) / COMPLETIONS_FILE
    completions.write_bytes(b"not a database")  # damaged: no completions, searching goes on
    with SearchEngine.open(index) as engine:
        assert engine.suggest("ebol") == []
        assert engine.search("Ebola").total > 0
    completions.unlink()  # as built before completions existed
    with SearchEngine.open(index) as engine:
        assert engine.suggest("ebol") == []
        assert engine.search("Ebola").total > 0


# ---------------------------------------------------------------------------
# GET /api/suggest


@pytest.fixture(scope="module")
def client(real_index: Path) -> FlaskClient:
    return create_app({"INDEX_PATH": str(real_index), "TESTING": True}).test_client()


def test_api_suggest_contract(client: FlaskClient) -> None:
    resp = client.get("/api/suggest?q=安全理&lang=zh")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert list(body) == ["query", "suggestions"]
    assert body["query"] == "安全理"
    assert body["suggestions"][0] == {"text": "安全理事会", "kind": "word",
                                      "count": body["suggestions"][0]["count"]}
    assert all(set(s) == {"text", "kind", "count"} for s in body["suggestions"])
    assert len(body["suggestions"]) <= 8
    assert resp.headers["Cache-Control"] == "no-store"
    three = client.get("/api/suggest?q=s&limit=3").get_json()["suggestions"]
    assert len(three) == 3
    assert client.get("/api/suggest?q=%20S/2015/").get_json()["query"] == "S/2015/"


@pytest.mark.parametrize("qs, code", [
    ("", "missing_query"),
    ("q=", "missing_query"),
    ("q=%20%20", "missing_query"),
    ("q=" + "x" * 101, "query_too_long"),
    ("q=a%00b", "bad_query"),
    ("q=un&lang=de", "bad_parameter"),
    ("q=un&limit=0", "bad_parameter"),
    ("q=un&limit=21", "bad_parameter"),
    ("q=un&limit=x", "bad_parameter"),
    ("q=un&limit=%D9%A3", "bad_parameter"),
])
def test_api_suggest_bad_parameters_are_400(client: FlaskClient, qs: str, code: str) -> None:
    resp = client.get(f"/api/suggest?{qs}")
    assert resp.status_code == 400, resp.data[:200]
    err = resp.get_json()["error"]
    assert err["code"] == code and err["message"]


def test_api_suggest_without_an_index_is_503(tmp_path: Path) -> None:
    c = create_app({"INDEX_PATH": str(tmp_path / "none"), "TESTING": True}).test_client()
    resp = c.get("/api/suggest?q=un")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "index_unavailable"

