"""Abbreviations and full forms (search/synonyms.py) and "Did you mean" (search/spelling.py),
on the real index of statements + unpc-dev + un-charter."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import ROOT
from flask import Flask
from flask.testing import FlaskClient
from test_search import all_hits, marks
from test_vector import _compare

from index.analysis import analyze, fold
from search.query import parse
from search.synonyms import KINDS, expand, read_table
from web import create_app

Key = tuple[str, int]


def texts(engine: Any, keys: list[Key]) -> list[str]:
    return [engine.document(d).paragraphs[n - 1] for d, n in keys]


def with_text(engine: Any, keys: list[Key], needle: str) -> set[Key]:
    """The paragraphs among ``keys`` whose text holds ``needle`` (folded, case-blind)."""
    return {k for k, t in zip(keys, texts(engine, keys), strict=True)
            if fold(needle).text in fold(t).text}


# ---------------------------------------------------------------------------
# The list itself


def test_the_list_has_every_kind_and_language() -> None:
    rows = read_table()
    assert {r[0].kind for r in rows} == set(KINDS)
    assert {r[0].lang for r in rows} == {"zh", "en", "fr", "es", "ru", "ar"}
    for row in rows:
        assert len({f.group for f in row}) == 1 and all(f.text for f in row)
        # Two-letter Latin abbreviations (SC, GA) are one way only: they are too ambiguous
        # to be searched for every "Security Council".
        for f in row:
            if f.text.isascii() and len(f.text) <= 2:
                assert not f.led, f


def test_chinese_abbreviations_are_one_word_for_jieba() -> None:
    """Forms jieba cut into single characters are in its dictionary: 裁军厅 is a word."""
    for text in ("裁军厅", "建和委", "人道协调厅", "禁化武组织"):
        assert [t.text for t in analyze(text, "zh", "query")] == [text]
    # ... and words it already knew stay as they were (化学武器 is still found inside).
    assert [t.text for t in analyze("禁止化学武器公约", "zh", "query")] == ["禁止", "化学武器", "公约"]


# ---------------------------------------------------------------------------
# Every kind of entry, on real text: the abbreviation finds the full form and back


PAIRS = [
    # kind, abbreviation, full form (both in the real index)
    ("organ", "安理会", "安全理事会"),
    ("organ", "CIJ", "Cour internationale de Justice"),  # French, the Charter
    ("agency", "世卫组织", "世界卫生组织"),
    ("agency", "UNDP", "United Nations Development Programme"),
    ("agency", "ПРООН", "Программа развития Организации Объединенных Наций"),
    ("treaty", "核不扩散条约", "不扩散核武器条约"),
    ("treaty", "NPT", "Treaty on the Non-Proliferation of Nuclear Weapons"),
    ("group", "LDCs", "least developed countries"),
    ("group", "PMA", "países menos adelantados"),
    ("country", "朝鲜", "朝鲜民主主义人民共和国"),
    ("country", "DPRK", "Democratic People's Republic of Korea"),
    ("topic", "WMD", "weapons of mass destruction"),
    ("topic", "维和", "维持和平"),
    ("topic", "ODD", "objectifs de développement durable"),
]


@pytest.mark.parametrize(("kind", "short", "full"), PAIRS, ids=[p[1] for p in PAIRS])
def test_abbreviation_finds_full_form(engine: Any, kind: str, short: str, full: str) -> None:
    assert any(r[0].kind == kind and short in [f.text for f in r] for r in read_table())
    r = engine.search(short, group="para", per_page=1)
    assert full in r.also_searched
    quoted_short, quoted_full = set(all_hits(engine, f'"{short}"')), set(all_hits(engine, f'"{full}"'))
    # Paragraphs with one form and not the other are found by both: the point of it.
    full_only = with_text(engine, sorted(quoted_full), full) - quoted_short
    short_only = with_text(engine, sorted(quoted_short), short) - quoted_full
    assert full_only or short_only, "the corpus has text with one form alone"
    assert full_only <= set(all_hits(engine, short))
    assert short_only <= set(all_hits(engine, full))
    # Quoted, each is searched exactly as typed: none of the other's.
    assert not full_only & quoted_short and not short_only & quoted_full


BOTH_WAYS = [("安理会", "安全理事会"), ("UNDP", "United Nations Development Programme"),
             ("WMD", "weapons of mass destruction"), ("朝鲜", "朝鲜民主主义人民共和国")]


@pytest.mark.parametrize(("short", "full"), BOTH_WAYS)
def test_both_directions(engine: Any, short: str, full: str) -> None:
    """安全理事会 finds 安理会 too: a form and its abbreviation find the same paragraphs."""
    assert short in engine.search(full, per_page=1).also_searched
    a, b = set(all_hits(engine, short)), set(all_hits(engine, full))
    # A full form typed in words is those words anywhere (as any query); the abbreviation
    # searches it as a sequence. Chinese forms are one chunk each way.
    assert (a <= b) if full.isascii() else (a == b)
    assert set(all_hits(engine, f'"{short}"')) | set(all_hits(engine, f'"{full}"')) <= a


def test_quotes_search_the_exact_form_only(engine: Any) -> None:
    r = engine.search('"安理会"', group="para", per_page=100)
    assert r.also_searched == [] and r.total
    for text in texts(engine, [(h.doc_id, h.paragraph) for h in r]):
        assert "安理会" in fold(text).text
    assert engine.search('"安理会"').total < engine.search("安理会").total


def test_abbreviation_typed_with_the_next_word(engine: Any) -> None:
    """安理会决议 (no space) is 安理会决议 or 安全理事会决议; 朝鲜人权 though jieba cuts 朝鲜人/权."""
    r = engine.search("安理会决议", group="para", per_page=100)
    assert r.also_searched == ["安全理事会"]
    found = texts(engine, all_hits(engine, "安理会决议"))
    assert any("安全理事会" in t and "安理会" not in t for t in found)
    assert "朝鲜民主主义人民共和国" in engine.search("朝鲜人权").also_searched
    assert expand(parse("苏联大使")).also_searched == []  # 联大 is not a word here


def test_one_way_and_case(engine: Any) -> None:
    """SC finds the Security Council; "Security Council" does not search SC. WHO is the
    organization, who is a word."""
    assert engine.search("SC", per_page=1).also_searched == ["Security Council"]
    assert "SC" not in engine.search("Security Council", per_page=1).also_searched
    assert engine.search("who", per_page=1).also_searched == []
    assert engine.search("WHO", per_page=1).also_searched == ["World Health Organization"]
    assert engine.search("安理会 -大会", per_page=1).also_searched == ["安全理事会"]  # not what is left out


def test_the_expanded_form_is_highlighted(engine: Any) -> None:
    r = engine.search("WMD", group="para", per_page=20)
    marked = {m for h in r for m in marks(h.snippet_html)}
    assert "weapons of mass destruction" in {m.lower() for m in marked}
    r = engine.search("安理会", group="para", per_page=20)
    assert {"安全理事会", "安理会"} <= {m for h in r for m in marks(h.snippet_html)}
    doc = engine.document(r.hits[0].doc_id, query="安理会")
    assert doc.paragraphs_html is not None
    assert any("<mark>安全理事会</mark>" in p for p in doc.paragraphs_html)


def test_trends_and_downloads_count_the_same(engine: Any) -> None:
    assert engine.export("安理会", group="para").total == engine.search("安理会", group="para").total
    series = engine.trends(["安理会"]).series[0]
    assert series.total == engine.search("安理会").total


def test_expansions_on_the_fast_path_match_whoosh(engine: Any) -> None:
    """The numpy evaluator and plain Whoosh agree on expanded queries (test_vector's check)."""
    queries = ["安理会", "安理会决议", "UNDP", "WMD proliferation", "DPRK OR 朝鲜", "维和 -安理会",
               "Non-Proliferation Treaty", "SDGs", "(安理会 OR 联大) 决议"]
    assert _compare(engine, queries) >= len(queries) - 1


# ---------------------------------------------------------------------------
# "Did you mean"


def test_did_you_mean(engine: Any) -> None:
    r = engine.search("Secutiry Council")
    assert r.total == 0 and r.suggestion == "Security Council"
    assert engine.search(r.suggestion).total > 10
    assert engine.search("secutiry council").suggestion == "security council"
    assert engine.search("SECUTIRY COUNCIL").suggestion == "SECURITY COUNCIL"
    # The language of the other words decides: "their" is English, so "reduce", not "rendre".
    assert engine.search("reddce their").suggestion == "reduce their"


def test_did_you_mean_weighs_the_candidates(engine: Any) -> None:
    from search.spelling import _distance

    # Two letters swapped are one edit: "special", not "social" (two letters changed).
    assert _distance("sepcial", "special") == 1 and _distance("sepcial", "social") == 2
    assert engine.search("sepcial session").suggestion == "special session"
    # A word that stems like a Spanish one is still a misspelling in an English query.
    assert engine.search("nuclaer weapons").suggestion == "nuclear weapons"
    # Among equally near words, the one the query finds most with: "visits", not "visas".
    r = engine.search("study vists to hospital")
    assert r.suggestion == "study visits to hospital", r.suggestion
    assert engine.search(r.suggestion).total > 0


def test_no_suggestion_for_a_query_that_finds_plenty(engine: Any) -> None:
    for q in ("Security Council", "Secutiry OR Council", "安全理事会", "S/2015/77"):
        r = engine.search(q)
        assert r.total >= 5 and r.suggestion is None, q
    # Nor where nothing better is written: a name spelt once is left alone.
    assert engine.search("Xqzvbnm").suggestion is None


def test_chinese_suggestion_is_the_unquoted_abbreviation(engine: Any) -> None:
    """A quoted abbreviation searches itself only; without quotes it finds the full form."""
    r = engine.search('"联大"')
    assert r.total == 0 and r.suggestion == "联大"
    assert engine.search("联大").total > 0


# ---------------------------------------------------------------------------
# The API and the page


@pytest.fixture(scope="module")
def client(real_index: Path) -> FlaskClient:
    app: Flask = create_app({"INDEX_PATH": str(real_index), "TESTING": True})
    return app.test_client()


def test_api_says_what_else_was_searched(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "安理会"}).get_json()
    assert body["also_searched"] == ["安全理事会"] and body["suggestion"] is None
    body = client.get("/api/search", query_string={"q": "Secutiry Council"}).get_json()
    assert body["suggestion"] == "Security Council" and body["total"] == 0
    assert client.get("/api/search", query_string={"q": '"安理会"'}).get_json()["also_searched"] == []


@pytest.mark.parametrize(("ui", "label"), [("en", "Also searched:"), ("zh", "同时检索了：")])
def test_page_says_also_searched(client: FlaskClient, ui: str, label: str) -> None:
    page = client.get("/search", query_string={"q": "安理会", "ui": ui}).get_data(as_text=True)
    m = re.search(r'<p class="also-searched" id="also-searched">(.*?)</p>', page, re.S)
    assert m is not None and label in m.group(1) and "安全理事会" in m.group(1)
    assert "also-searched" not in client.get("/search", query_string={"q": '"安理会"'}).get_data(as_text=True)


@pytest.mark.parametrize(("ui", "label"), [("en", "Did you mean:"), ("zh", "您是不是要找：")])
def test_page_did_you_mean_link_works(client: FlaskClient, ui: str, label: str) -> None:
    page = client.get("/search", query_string={"q": "Secutiry Council", "ui": ui}).get_data(as_text=True)
    m = re.search(r'<p class="did-you-mean" id="did-you-mean">(.*?)<a href="([^"]+)">([^<]+)</a>', page, re.S)
    assert m is not None and label in m.group(1) and m.group(3) == "Security Council"
    url = html.unescape(m.group(2))
    assert parse_qs(urlparse(url).query)["q"] == ["Security Council"]
    followed = client.get(url).get_data(as_text=True)
    total = re.search(r'data-total="(\d+)"', followed)
    assert total is not None and int(total.group(1)) > 10
    assert "did-you-mean" not in followed


@pytest.mark.parametrize("q", ['"', "SC>", "<大会", "安理会\"", "|", "联大" * 400, "SC " * 300,
                               "安理会 OR", "(安理会", "-安理会", "G-77 -G77", "Secutiry\x00Council",
                               "ODD:x", "朝鲜人权" * 50, "a" * 999])
def test_odd_input_is_200_or_400_never_500(client: FlaskClient, q: str) -> None:
    r = client.get("/api/search", query_string={"q": q})
    body = r.get_json()
    if r.status_code == 503:  # a long query on a busy machine: its time budget, documented
        assert body["error"]["code"] == "timeout", body
        return
    assert r.status_code in (200, 400), (q, r.status_code, r.get_data(as_text=True)[:200])
    assert ("error" in body) if r.status_code == 400 else isinstance(body["also_searched"], list)


def test_an_english_query_does_not_load_jieba(real_index: Path) -> None:
    """Expanding and correcting a query without Chinese never loads jieba's dictionary
    (half a second of a new process's first answer)."""
    code = ("import sys; from search import SearchEngine; e = SearchEngine(sys.argv[1]); "
            "r = e.search('UNDP country'); s = e.search('Secutiry Council'); "
            "print(r.also_searched, s.suggestion, 'jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(real_index)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "['United Nations Development Programme'] Security Council False"
