"""Searching a real index (statements + unpc-dev + un-charter) through the library API.

Most tests compare sets of hits, (doc_id, paragraph) with group="para", against what the
paragraph texts really contain, so they say "finds exactly what is there", not "finds something".
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import STATEMENTS, charter_paragraphs, first_line, skip_without_corpus, unpc_lines
from helpers import full_width, s2t, store_locked, write_jsonl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index import IndexNotFoundError, IndexVersionError, build_index, open_index
from index.analysis import HAN_RUN, fold
from index.layout import open_store
from search import QueryError, SearchEngine
from search.query import parse as parse_query

Key = tuple[str, int]
MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


# ---------------------------------------------------------------------------
# Helpers


@dataclass(frozen=True)
class Para:
    doc_id: str
    n: int
    text: str
    lang: str
    symbol: str | None
    title: str


@pytest.fixture(scope="module")
def paras(real_index: Path) -> list[Para]:
    """Every paragraph of the real index, read from its store."""
    gen, _meta, _ix = open_index(real_index)
    store = open_store(gen)
    try:
        out = []
        for m in store.documents():
            rev = store.current_rev(m["id"])
            for n, text in enumerate(store.paragraphs(m["id"], rev), 1):
                out.append(Para(m["id"], n, text, m["lang"], m.get("symbol"), m.get("title") or ""))
        return out
    finally:
        store.close()


@pytest.fixture(scope="module")
def zh_paras(paras: list[Para]) -> list[Para]:
    return [p for p in paras if p.lang == "zh"]


def all_hits(engine: Any, query: str, **kw: Any) -> list[Key]:
    """Every hit of a query, page after page (group="para" unless told)."""
    kw.setdefault("group", "para")
    out: list[Key] = []
    page = 1
    while True:
        r = engine.search(query, page=page, per_page=100, **kw)
        out.extend((h.doc_id, h.paragraph) for h in r)
        if page * 100 >= r.total:
            assert len(out) == r.total
            return out
        page += 1


def containing(paras: list[Para], needle: str, lang: str | None = None) -> set[Key]:
    """Paragraphs whose folded text contains the folded ``needle``."""
    f = fold(needle).text
    return {(p.doc_id, p.n) for p in paras if (lang is None or p.lang == lang) and f in fold(p.text).text}


def marks(snippet_html: str) -> list[str]:
    return [html.unescape(m) for m in MARK.findall(snippet_html)]


def plain(snippet_html: str) -> str:
    """The snippet's text: marks removed, entities unescaped, ellipses dropped."""
    return html.unescape(snippet_html.replace("<mark>", "").replace("</mark>", "")).strip("…")


def assert_escaped_with_marks_only(snippet_html: str) -> None:
    """Nothing but <mark> and </mark> is markup; everything else is escaped text."""
    rest = snippet_html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in rest and ">" not in rest, snippet_html
    assert snippet_html.count("<mark>") == snippet_html.count("</mark>")


# ---------------------------------------------------------------------------
# A tiny index of sentences written for these tests (plus a few real lines converted here)


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    skip_without_corpus()
    trad = s2t(first_line("zh", "安全理事会"))
    wide = full_width(first_line("zh", "第1970(2011)号决议"))
    filler = "The delegates then discussed the budget, the calendar of meetings and staffing."
    records: list[dict[str, Any]] = [
        # Ranking: the same words, together in one paragraph and scattered in the other.
        {"id": "near-en", "lang": "en", "title": "Note A", "date": "2019-01-10", "country": "FRA",
         "organ": "General Assembly",
         "paragraphs": ["At its long session the committee reviewed nuclear disarmament verification "
                        "in detail and adopted its report without a vote. " + filler]},
        {"id": "far-en", "lang": "en", "title": "Note B", "date": "2020-06-01", "country": "CHN",
         "organ": "General Assembly",
         "paragraphs": ["Nuclear questions came first; the committee spent the rest of the session on "
                        "many other matters before it turned to disarmament."]},
        {"id": "near-zh", "lang": "zh", "title": "说明甲",
         "paragraphs": ["委员会在本届会议上详细审议了核裁军核查问题，"
                        "并未经表决通过了报告，随后讨论了预算。"]},
        {"id": "far-zh", "lang": "zh", "title": "说明乙",
         "paragraphs": ["核裁军问题首先提出，委员会随后讨论了许多其他事项，最后谈到核查。"]},
        # Title weight: identical bodies, one title has the words.
        {"id": "title-yes", "lang": "en", "title": "Climate finance review",
         "paragraphs": ["The report reviews flows of climate finance to developing countries."]},
        {"id": "title-no", "lang": "en", "title": "Annual review",
         "paragraphs": ["The report reviews flows of climate finance to developing countries."]},
        # Markup in the text must come out escaped.
        {"id": "xss", "lang": "zh", "title": "<b>标题</b>",
         "paragraphs": ["<script>alert('安全理事会')</script> 安全理事会 & <i>x</i> \"q\" 's"]},
        # Latin words inside Chinese text.
        {"id": "us-may", "lang": "zh", "title": "代表团",
         "paragraphs": ["美国(US)代表团于5月(May)抵达纽约。"]},
        # Real lines, converted here: traditional script and full-width digits.
        {"id": "trad", "lang": "zh", "title": "繁體", "paragraphs": [trad]},
        {"id": "wide", "lang": "zh", "title": "全角", "paragraphs": [wide]},
    ]
    src = write_jsonl(tmp_path_factory.mktemp("tiny-src") / "tiny.jsonl", records)
    path = tmp_path_factory.mktemp("tiny") / "index"
    report = build_index([src], path, procs=1)
    assert report.documents == len(records) and not report.skipped
    return path


@pytest.fixture(scope="module")
def tiny(tiny_index: Path) -> Iterator[SearchEngine]:
    with SearchEngine.open(tiny_index) as eng:
        yield eng


def ids(results: Any) -> list[str]:
    return [h.doc_id for h in results]


# ---------------------------------------------------------------------------
# Chinese: phrases, sub-words, substrings


@pytest.mark.parametrize("phrase", ["安全理事会", "大规模毁灭性武器"])
def test_quoted_phrase_finds_every_paragraph_that_contains_it(engine: Any, paras: list[Para],
                                                              phrase: str) -> None:
    want = containing(paras, phrase)
    assert len(want) >= 5
    assert want <= set(all_hits(engine, f'"{phrase}"'))


@pytest.mark.parametrize("phrase", ["安全理事会", "大规模毁灭性武器"])
def test_quoted_phrase_finds_only_paragraphs_that_contain_it(engine: Any, paras: list[Para],
                                                             phrase: str) -> None:
    """Issue goal: "quoted phrases return only paragraphs that contain the phrase"."""
    hits = set(all_hits(engine, f'"{phrase}"'))
    extra = hits - containing(paras, phrase)
    assert not extra, f"{len(extra)} of {len(hits)} hits do not contain {phrase}: {sorted(extra)[:5]}"


def test_phrase_in_another_order_does_not_match(engine: Any, paras: list[Para]) -> None:
    only_right_order = containing(paras, "安全理事会") - containing(paras, "理事会安全")
    assert len(only_right_order) > 100
    hits = set(all_hits(engine, '"理事会安全"'))
    assert not hits & only_right_order


def test_sub_word_finds_the_long_word(engine: Any, paras: list[Para]) -> None:
    want = containing(paras, "大规模毁灭性武器")
    assert want <= set(all_hits(engine, "毁灭性武器"))
    assert want <= set(all_hits(engine, '"毁灭性武器"'))


def test_substring_inside_a_word_is_found(engine: Any, paras: list[Para]) -> None:
    want = containing(paras, "人民共和国")
    assert any("朝鲜民主主义人民共和国" in p.text for p in paras if (p.doc_id, p.n) in want)
    assert want <= set(all_hits(engine, "人民共和国"))
    assert want <= set(all_hits(engine, '"人民共和国"'))


def _random_substrings(zh_paras: list[Para], n: int, seed: int) -> list[tuple[str, Para]]:
    rng = random.Random(seed)
    out: list[tuple[str, Para]] = []
    while len(out) < n:
        p = rng.choice(zh_paras)
        runs = [r for r in HAN_RUN.findall(p.text) if len(r) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(2, min(6, len(run)))
        start = rng.randint(0, len(run) - size)
        out.append((run[start : start + size], p))
    return out


def _found(engine: Any, query: str, p: Para) -> bool:
    """Is paragraph p among the hits of query (restricted to p's document when it has a symbol)?"""
    if p.symbol:
        r = engine.search(f'{query} symbol:"{p.symbol}"', lang="zh", group="para", per_page=100)
        return (p.doc_id, p.n) in {(h.doc_id, h.paragraph) for h in r}
    return (p.doc_id, p.n) in set(all_hits(engine, query, lang="zh"))


def test_any_run_of_chinese_characters_finds_its_paragraph(engine: Any, zh_paras: list[Para]) -> None:
    missed = [(s, p.doc_id, p.n) for s, p in _random_substrings(zh_paras, 200, seed=1540)
              if not _found(engine, s, p)]
    assert not missed, f"{len(missed)} of 200 substrings did not find their paragraph: {missed[:10]}"


def test_any_quoted_run_of_chinese_characters_finds_its_paragraph(engine: Any,
                                                                  zh_paras: list[Para]) -> None:
    missed = [(s, p.doc_id, p.n) for s, p in _random_substrings(zh_paras, 100, seed=2004)
              if not _found(engine, f'"{s}"', p)]
    assert not missed, f"{len(missed)} of 100 quoted substrings missed: {missed[:10]}"


def test_chinese_substring_around_a_number_finds_its_paragraph(engine: Any,
                                                              zh_paras: list[Para]) -> None:
    """Arbitrary offsets with digits inside: "会准则第11节的规定" (from "委员会准则第11节的规定")."""
    rng = random.Random(11)
    pattern = re.compile(r"[\u4e00-\u9fff]{1,4}\d+[\u4e00-\u9fff]{1,4}")
    pool = [(m.group(), p) for p in zh_paras for m in pattern.finditer(p.text)]
    missed = [(s, p.doc_id, p.n) for s, p in rng.sample(pool, 50) if not _found(engine, s, p)]
    assert not missed, f"{len(missed)} of 50 did not find their paragraph: {missed[:8]}"


def test_traditional_and_full_width_queries_find_the_same(engine: Any, zh_paras: list[Para]) -> None:
    for s, _p in _random_substrings(zh_paras, 20, seed=7):
        trad = s2t(s)
        simple = [(h.doc_id, h.paragraph) for h in engine.search(s, group="para", per_page=20)]
        assert [(h.doc_id, h.paragraph) for h in engine.search(trad, group="para", per_page=20)] == simple
    assert ids(engine.search("安全理事會")) == ids(engine.search("安全理事会"))
    assert engine.search("安全理事會").total == engine.search("安全理事会").total
    line = first_line("zh", "第1970(2011)号决议")
    q = line[line.index("第1970") : line.index("号决议") + 3]
    assert ids(engine.search(full_width(q))) == ids(engine.search(q))


def test_full_width_resolution_number(engine: Any) -> None:
    wide = engine.search("１５４０（２００４）", group="para", per_page=50)
    half = engine.search("1540(2004)", group="para", per_page=50)
    assert wide.total == half.total > 5
    assert [(h.doc_id, h.paragraph) for h in wide] == [(h.doc_id, h.paragraph) for h in half]
    for h in half.hits[:5]:
        assert "1540" in plain(h.snippet_html) and "2004" in plain(h.snippet_html)


def test_chinese_with_a_resolution_number(engine: Any) -> None:
    r = engine.search("第1540（2004）号决议", group="para")
    assert r.total >= 5
    for h in r.hits[:3]:
        text = engine.document(h.doc_id).paragraphs[h.paragraph - 1]
        assert "1540(2004)号决议" in fold(text).text.replace(" ", "")


def test_chinese_with_an_english_word(engine: Any) -> None:
    line = first_line("zh", "Séleka武装分子")
    r = engine.search("Séleka武装分子", group="para")
    assert r.total >= 1
    top = engine.document(r.hits[0].doc_id).paragraphs[r.hits[0].paragraph - 1]
    assert top == line or "Séleka武装分子" in top
    statement = engine.search("2019 冠状病毒病 大流行", lang="zh")
    assert statement.hits and statement.hits[0].doc_id.startswith("000_")


def test_english_stop_word_inside_chinese_text_is_searchable(engine: Any) -> None:
    """The statement's stray 'and' in Chinese text (jieba's analyzer drops it)."""
    r = engine.search("and", lang="zh", group="para")
    assert any(h.doc_id.startswith("000_") for h in r)


def test_us_and_may_in_chinese_text(tiny: SearchEngine) -> None:
    for word in ("US", "May", "us", "may"):
        r = tiny.search(word, lang="zh")
        assert ids(r) == ["us-may"], word
        assert marks(r.hits[0].snippet_html) == [word.upper() if word.lower() == "us" else "May"]


def test_us_is_not_use(engine: Any, paras: list[Para]) -> None:
    """"US" in English text: the paragraphs about the US come before those about "use"."""
    us = {(p.doc_id, p.n) for p in paras if p.lang == "en" and re.search(r"\bUS\b", p.text)}
    assert len(us) >= 5
    r = engine.search("US", lang="en", group="para", per_page=len(us))
    assert {(h.doc_id, h.paragraph) for h in r} == us


# ---------------------------------------------------------------------------
# Symbols


@pytest.mark.parametrize("q", ["S/2015/77", "s/2015/77", "Ｓ/２０１５/７７"])
def test_symbol_puts_its_document_first(engine: Any, q: str) -> None:
    r = engine.search(q)
    assert r.hits[0].symbol == "S/2015/77"
    assert {h.symbol for h in r.hits[:6]} == {"S/2015/77"}
    assert engine.search(q, lang="zh").hits[0].doc_id == "S_2015_77-zh"


def test_symbol_with_dots(engine: Any) -> None:
    r = engine.search("A/AC.182/L.139", lang="en")
    assert r.hits[0].symbol == "A/AC.182/L.139"


# ---------------------------------------------------------------------------
# Other languages


def _forms_found(engine: Any, paras: list[Para], lang: str, query: str, other: str) -> None:
    """``query`` finds the paragraphs that only have the other form ``other`` of the word."""
    only_other = {(p.doc_id, p.n) for p in paras if p.lang == lang
                  and re.search(rf"(?<!\w){other}(?!\w)", p.text, re.I)
                  and not re.search(rf"(?<!\w){query}(?!\w)", p.text, re.I)}
    assert only_other, (lang, other)
    assert only_other <= set(all_hits(engine, query, lang=lang))


@pytest.mark.parametrize(
    ("lang", "query", "other"),
    [("en", "resolutions", "resolution"), ("en", "weapon", "weapons"),
     ("fr", "résolutions", "résolution"), ("es", "resoluciones", "resolución"),
     ("ru", "резолюции", "резолюция")],
)
def test_stemming_finds_other_forms(engine: Any, paras: list[Para], lang: str, query: str,
                                    other: str) -> None:
    _forms_found(engine, paras, lang, query, other)


def test_arabic_normalisation(engine: Any) -> None:
    # Alef with hamza below written as bare alef, alef maksura as yaa.
    assert engine.search("الي", lang="ar").total == engine.search("إلى", lang="ar").total > 100
    # Diacritics in the text: the bare word finds the line that has them, and vice versa.
    line, word = next((ln, m.group()) for ln in unpc_lines("ar")
                      if (m := re.search(r"[^\s،.]*[\u064b-\u0652][^\s،.]*", ln)))
    bare = re.sub("[\u064b-\u0652]", "", word)
    for q in (bare, word):
        r = engine.search(q, lang="ar", group="para", per_page=100)
        texts = [engine.document(h.doc_id).paragraphs[h.paragraph - 1] for h in r]
        assert any(line in t for t in texts), q
    # Tatweel in the query or the text does not matter.
    tatweel = next(m.group() for ln in unpc_lines("ar") if (m := re.search(r"\w*\u0640\w*", ln)))
    without = tatweel.replace("\u0640", "")
    assert engine.search(tatweel, lang="ar").total == engine.search(without, lang="ar").total > 0


# ---------------------------------------------------------------------------
# The query language over the index


def test_and_is_the_default(engine: Any) -> None:
    a, b = set(all_hits(engine, "安全理事会")), set(all_hits(engine, "决议"))
    both = set(all_hits(engine, "安全理事会 决议"))
    assert both == a & b == set(all_hits(engine, "安全理事会 AND 决议"))
    assert both


def test_or(engine: Any) -> None:
    a, b = set(all_hits(engine, "大规模毁灭性武器")), set(all_hits(engine, "人民共和国"))
    assert set(all_hits(engine, "大规模毁灭性武器 OR 人民共和国")) == a | b


@pytest.mark.parametrize("q", ["安全理事会 -主席", "安全理事会 NOT 主席"])
def test_not(engine: Any, q: str) -> None:
    a, b = set(all_hits(engine, "安全理事会")), set(all_hits(engine, "主席"))
    assert a & b
    assert set(all_hits(engine, q)) == a - b


def test_parentheses(engine: Any) -> None:
    a, b, c = (set(all_hits(engine, q)) for q in ("安全理事会", "大会", "决议"))
    assert set(all_hits(engine, "(安全理事会 OR 大会) 决议")) == (a | b) & c
    assert set(all_hits(engine, "安全理事会 OR 大会 决议")) == a | (b & c)


def test_lang_filter(engine: Any) -> None:
    r = engine.search("1540 lang:zh", per_page=100)
    assert r.total > 0 and {h.lang for h in r} == {"zh"}
    assert ids(r) == ids(engine.search("1540", lang="zh", per_page=100))
    assert r.facets["lang"] == {"zh": r.total}


def test_organ_filter(engine: Any) -> None:
    r = engine.search('1540 organ:"Security Council"', per_page=100)
    assert r.total > 0 and {h.organ for h in r} == {"Security Council"}
    everything = engine.search("1540", per_page=100)
    assert r.total < everything.total
    assert engine.search("1540 organ:安理会").total == r.total
    assert engine.search("1540", organ="Security Council").total == r.total


def test_symbol_prefix_filter(engine: Any, paras: list[Para]) -> None:
    want = {p.doc_id for p in paras if (p.symbol or "").startswith("S/2015/")}
    got = {d for d, _n in all_hits(engine, "symbol:S/2015/*", group="doc")}
    assert got == want
    r = engine.search("安全理事会 symbol:S/2015/*", per_page=100)
    assert r.total > 0 and all((h.symbol or "").startswith("S/2015/") for h in r)


def test_phrase_with_a_symbol_filter(engine: Any) -> None:
    # (The first document, the seed statement, has no symbol: the first one that has one.)
    hit = next(h for h in engine.search('"大规模毁灭性武器"', lang="zh") if h.symbol)
    for q in (f'"大规模毁灭性武器" symbol:"{hit.symbol}"', f"大规模毁灭性武器 symbol:{hit.symbol}",
              f'"大规模毁灭" symbol:"{hit.symbol}"'):
        r = engine.search(q, lang="zh", group="para")
        assert r.total >= 1 and {h.symbol for h in r} == {hit.symbol}, q


def test_year_and_date_filters(engine: Any) -> None:
    all_docs = engine.search("大规模毁灭性武器")
    statement = [h.doc_id for h in all_docs if h.year == 2020]
    assert statement and all_docs.total > len(statement)
    assert ids(engine.search("大规模毁灭性武器 year:2020")) == statement
    assert statement[0] not in ids(engine.search("大规模毁灭性武器 year:2015"))
    assert engine.search("大规模毁灭性武器 date:[2015 TO 2020]").total == all_docs.total
    assert ids(engine.search("大规模毁灭性武器 date:[2016 TO 2020]")) == statement
    assert ids(engine.search("大规模毁灭性武器 date:2020-05")) == statement
    assert ids(engine.search("大规模毁灭性武器 date:[2020-05-19 TO *]")) == statement
    assert engine.search("大规模毁灭性武器 date:[2020-05-20 TO *]").total == 0
    assert ids(engine.search("大规模毁灭性武器", year_from=2016)) == statement


def test_a_year_no_document_has_finds_nothing(engine: Any) -> None:
    wrong = {}
    for q in ("year:0000", "year:0001", "date:[0000 TO 0001]", "大规模毁灭性武器 year:0001"):
        try:
            r = engine.search(q)
        except QueryError:
            continue
        if r.total:
            wrong[q] = f"{r.total} results of years {r.facets['year']}"
    assert not wrong


def test_title_field_with_a_word_no_title_has(engine: Any) -> None:
    assert engine.search("title:安全理事会").total > 0
    for q in ("title:zzzqqq", "title:0", "安全理事会 title:zzzqqq", "title:zzzqqq OR 安全理事会"):
        r = engine.search(q)
        assert r.total == (engine.search("安全理事会").total if "OR" in q else 0), q


def test_lone_surrogate_in_a_query_is_ignored(engine: Any) -> None:
    """parse() drops lone surrogates; the rest of the search must not trip over them."""
    want = ids(engine.search("安全理事会"))
    assert ids(engine.search("安全理事会\ud800")) == want
    for h in engine.search("安全理事会\x00"):
        assert "%00" not in h.url


def test_country_filter(tiny: SearchEngine) -> None:
    assert ids(tiny.search("committee country:CHN")) == ["far-en"]
    assert ids(tiny.search("committee country:chn")) == ["far-en"]
    assert ids(tiny.search("committee country:FRA")) == ["near-en"]
    assert tiny.search("committee country:USA").total == 0


def test_bad_queries_raise_query_error(engine: Any) -> None:
    for q in ("", "(安全理事会", "lang:xx 安全", "year:15", "date:[2021 TO 2020] 安全", "-安全"):
        with pytest.raises(QueryError):
            engine.search(q)
    for kw in ({"lang": "xx"}, {"sort": "size"}, {"group": "all"}, {"page": 0}, {"per_page": 0},
               {"per_page": 101}, {"page": 1001, "per_page": 10}, {"year_from": 2020, "year_to": 2015}):
        with pytest.raises(QueryError):
            engine.search("安全", **kw)


def test_deeply_nested_query_is_a_query_error(engine: Any) -> None:
    """Within the 1,000-character limit: results or QueryError, never RecursionError (a 500)."""
    crashed = {}
    for q in ("-" * 998 + "安全", "+" * 998 + "安全", "(" * 400 + "安全" + ")" * 400):
        try:
            engine.search(q)
        except QueryError:
            pass
        except RecursionError:
            crashed[q[:12] + "…"] = "RecursionError"
    assert not crashed


# ---------------------------------------------------------------------------
# Ranking


def test_words_together_rank_above_scattered(tiny: SearchEngine) -> None:
    # near-en is the longer paragraph (BM25 favours far-en): closeness must outweigh that.
    assert ids(tiny.search("nuclear disarmament"))[:2] == ["near-en", "far-en"]
    assert ids(tiny.search("核裁军核查"))[:2] == ["near-zh", "far-zh"]
    assert ids(tiny.search("核裁军 核查"))[:2] == ["near-zh", "far-zh"]


def test_words_close_together_in_another_order_rank_above_scattered(tiny: SearchEngine) -> None:
    """The rule: the same words close together or in order score above the same words scattered."""
    assert ids(tiny.search("disarmament nuclear"))[:2] == ["near-en", "far-en"]


def test_words_together_rank_above_scattered_in_the_corpus(engine: Any) -> None:
    r = engine.search("国际 和平", group="para")
    assert r.total > 10
    for h in r.hits[:5]:
        assert "国际和平" in plain(h.snippet_html)


def test_title_matches_weigh_more(tiny: SearchEngine) -> None:
    assert ids(tiny.search("climate finance")) == ["title-yes", "title-no"]
    assert ids(tiny.search("climate")) == ["title-yes", "title-no"]


def test_exact_phrase_ranks_first(engine: Any) -> None:
    r = engine.search("大规模毁灭性武器", group="para")
    for h in r.hits[: min(5, r.total)]:
        assert "大规模毁灭性武器" in plain(h.snippet_html)


# Each of these came first only second to fourth before the word-order check (a heading,
# "bring the", "United" for "units", "2月17日，星期二", "第10和12段" behind "10. 委员会…").
WORD_ORDER = ["to measure", "bringing the", "of units under", "under section", "to preventing",
              "６月４日", "１７日星期二", "１０和", "停止这"]


@pytest.mark.parametrize("q", WORD_ORDER)
def test_the_words_as_typed_come_first(engine: Any, q: str) -> None:
    r = engine.search(q, group="para", per_page=5)
    assert r.total > 1
    h = r.hits[0]
    text = engine.document(h.doc_id).paragraphs[h.paragraph - 1]
    assert fold(q).text in fold(text).text, (q, text)


def test_the_typed_sequence_pattern() -> None:
    from search.query import positive_texts
    from search.wordorder import typed_sequence

    def found(q: str, text: str) -> bool:
        pattern = typed_sequence(positive_texts(parse_query(q)))
        assert pattern is not None, q
        return pattern.search(fold(text).text) is not None

    assert found("１７日星期二", "2019年9月17日星期二")
    assert not found("１７日星期二", "2月17日，星期二")
    assert found("６月４日", "撤至1967年 6 月 4 日的分界线")  # spaces between tokens typed together
    assert found("bringing the", "for Bringing the perpetrators")
    assert not found("bringing the", "bringing, the") and not found("of the", "of their")
    assert found("１０和", "第10和12段")  # Chinese and digits around it
    assert typed_sequence(positive_texts(parse_query("安全理事会"))) is None  # one Chinese word
    assert typed_sequence(positive_texts(parse_query("S/2015/77"))) is None  # a symbol


def _seed_statement() -> Path:
    """The statement of ../shared/corpus/statements wholly about weapons of mass destruction:
    the phrase in four of its paragraphs (issue 13's seed)."""
    for path in sorted(STATEMENTS.glob("*.txt")):
        paras_ = [p for p in path.read_text("utf-8").split("\n\n") if "大规模毁灭性武器" in p]
        if len(paras_) >= 4:
            return path
    raise AssertionError("no statement has 大规模毁灭性武器 in four paragraphs")


def test_a_document_about_the_query_ranks_above_one_sentence_mentions(engine: Any) -> None:
    seed = _seed_statement()
    q = '"大规模毁灭性武器"'
    r = engine.search(q, group="doc", per_page=100)
    by_source = {h.doc_id: Path(engine.document(h.doc_id).meta["source"]).name for h in r}
    assert list(by_source.values()).count(seed.name) == 1
    first = r.hits[0]
    assert by_source[first.doc_id] == seed.name, [(h.doc_id, h.score, h.more) for h in r]
    assert first.more == 3  # its four paragraphs: one shown, three more
    # The other documents mention it in one paragraph each, and follow.
    assert all(h.more == 0 for h in r.hits[1:]) and len(r.hits) > 1
    # Totals and facets are those of the matches, not of the ranking.
    by_para = all_hits(engine, q, group="para")
    assert r.total == len({d for d, _ in by_para}) == len(r.hits)
    assert sum(r.facets["lang"].values()) == r.total
    # The shown paragraph is the document's best by paragraph score.
    best = max((h for h in engine.search(q, group="para", per_page=100) if h.doc_id == first.doc_id),
               key=lambda h: h.score)
    assert first.paragraph == best.paragraph


def test_grouped_ranking_keeps_the_exact_words_first(engine: Any) -> None:
    """A document with many paragraphs of scattered words does not bury the paragraph that
    has them together (the bonus is bounded by the best paragraph)."""
    r = engine.search("大规模毁灭性武器扩散", group="doc", per_page=5)
    assert r.hits and "大规模毁灭性武器扩散" in plain(r.hits[0].snippet_html)


# ---------------------------------------------------------------------------
# Grouping, sorting, paging, facets


def test_group_doc_and_para(engine: Any) -> None:
    by_para = all_hits(engine, "大规模毁灭性武器", group="para")
    by_doc = engine.search("大规模毁灭性武器", group="doc", per_page=100)
    assert by_doc.total == len({d for d, _ in by_para}) == len(by_doc.hits)
    assert len(set(ids(by_doc))) == len(by_doc.hits)
    per_doc: dict[str, int] = {}
    for d, _n in by_para:
        per_doc[d] = per_doc.get(d, 0) + 1
    for h in by_doc:
        assert h.more == per_doc[h.doc_id] - 1
        assert (h.doc_id, h.paragraph) in by_para
    assert any(h.more > 0 for h in by_doc)
    assert all(h.more == 0 for h in engine.search("大规模毁灭性武器", group="para"))


@pytest.mark.parametrize("group", ["doc", "para"])
@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_pages_add_up_to_the_total(engine: Any, group: str, sort: str) -> None:
    first = engine.search("安全理事会", group=group, sort=sort, per_page=7)
    seen: list[Key] = []
    for page in range(1, first.pages + 1):
        r = engine.search("安全理事会", group=group, sort=sort, per_page=7, page=page)
        assert r.total == first.total
        assert len(r.hits) == (7 if page < first.pages else first.total - 7 * (first.pages - 1))
        seen.extend((h.doc_id, h.paragraph) for h in r)
    keys = [d for d, _ in seen] if group == "doc" else seen
    assert len(keys) == len(set(keys)) == first.total
    assert engine.search("安全理事会", group=group, sort=sort, page=first.pages + 1,
                         per_page=7).hits == []


def test_pages_in_relevance_order_are_one_list(engine: Any) -> None:
    whole = [(h.doc_id, h.paragraph) for h in engine.search("安全理事会", per_page=60)]
    paged = [(h.doc_id, h.paragraph) for p in range(1, 7)
             for h in engine.search("安全理事会", per_page=10, page=p)]
    assert paged == whole


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_by_date(engine: Any, sort: str) -> None:
    r = engine.search("安全理事会", sort=sort, per_page=100, page=2)
    r1 = engine.search("安全理事会", sort=sort, per_page=100)
    hits = list(r1) + list(r)
    dated = [h.date for h in hits if h.date]
    undated = [i for i, h in enumerate(hits) if not h.date]
    key = [d.ljust(10, "0") for d in dated]
    assert key == sorted(key, reverse=sort == "-date")
    assert all(i >= len(dated) for i in undated)  # undated documents last, both ways
    if sort == "-date":
        assert hits[0].date == "2020-05-19"


def test_facets_reflect_query_and_filters(engine: Any) -> None:
    r = engine.search("1540", per_page=100)
    assert sum(r.facets["lang"].values()) == r.total
    assert set(r.facets["lang"]) == {"zh", "en", "fr", "es", "ru", "ar"}
    assert sum(r.facets["year"].values()) == r.total
    lang_counts: dict[str, int] = {}
    for h in r:
        lang_counts[h.lang] = lang_counts.get(h.lang, 0) + 1
    assert r.facets["lang"] == dict(sorted(lang_counts.items(), key=lambda kv: (-kv[1], kv[0])))
    organs: dict[str, int] = {}
    for h in r:
        if h.organ:
            organs[h.organ] = organs.get(h.organ, 0) + 1
    assert r.facets["organ"] == dict(sorted(organs.items(), key=lambda kv: (-kv[1], kv[0])))
    zh = engine.search("1540", lang="zh")
    assert zh.facets["lang"] == {"zh": zh.total}
    y = engine.search("大规模毁灭性武器", year_from=2020)
    assert y.facets["year"] == {"2020": y.total}
    para = engine.search("1540", group="para")
    assert sum(para.facets["lang"].values()) == para.total > r.total
    assert engine.search("安全理事会").facets["lang"] == {"zh": engine.search("安全理事会").total}


def test_results_to_dict_is_the_json_api_shape(engine: Any) -> None:
    d = engine.search("安全理事会", lang="zh", per_page=3).to_dict()
    assert {"query", "total", "page", "per_page", "took_ms", "hits", "facets"} <= set(d)
    assert set(d["facets"]) == {"lang", "organ", "year", "country"}
    hit = d["hits"][0]
    assert {"doc_id", "symbol", "title", "organ", "date", "lang", "paragraph", "score",
            "snippet_html", "url"} <= set(hit)
    assert hit["url"].endswith(f"#p{hit['paragraph']}")
    json.dumps(d)


# ---------------------------------------------------------------------------
# Snippets: <mark> exactly around whole matched words, everything else escaped


def _check_snippet(engine: Any, h: Any) -> str:
    assert_escaped_with_marks_only(h.snippet_html)
    text = engine.document(h.doc_id).paragraphs[h.paragraph - 1]
    assert plain(h.snippet_html) in text
    return text


def test_snippet_marks_the_phrase(engine: Any) -> None:
    # Unquoted, the abbreviation 安理会 is searched and marked too (search/synonyms.py).
    for q, marked in (('"安全理事会"', {"安全理事会"}), ("安全理事会", {"安全理事会", "安理会"}),
                      ("安全理事會", {"安全理事会", "安理会"})):
        r = engine.search(q, group="para", per_page=30)
        for h in r:
            text = _check_snippet(engine, h)
            if "安全理事会" in text:
                assert "安全理事会" in marks(h.snippet_html), h.snippet_html
                assert set(marks(h.snippet_html)) <= marked, h.snippet_html


def test_snippet_marks_a_sub_word_match(engine: Any) -> None:
    r = engine.search("毁灭性武器", group="para", per_page=20)
    assert r.total
    for h in r:
        text = _check_snippet(engine, h)
        if "毁灭性武器" in text:  # (not a paragraph found by its document's title)
            assert set(marks(h.snippet_html)) == {"毁灭性武器"}
            assert "大规模<mark>毁灭性武器</mark>" in h.snippet_html


def _mark_spans(engine: Any, h: Any) -> tuple[str, list[tuple[int, int]]]:
    """The hit's paragraph and the (start, end) in it of every <mark>."""
    text = _check_snippet(engine, h)
    pieces = re.split(r"(</?mark>)", h.snippet_html.strip("…"))
    pos, start, out = text.index(plain(h.snippet_html)), -1, []
    for piece in pieces:
        if piece == "<mark>":
            start = pos
        elif piece == "</mark>":
            out.append((start, pos))
        else:
            pos += len(html.unescape(piece))
    return text, out


def _half_words(engine: Any, query: str) -> list[str]:
    """Marks that start or end inside a word, shown with their surroundings."""
    bad = []
    for h in engine.search(query, lang="en", group="para", per_page=100):
        text, spans_ = _mark_spans(engine, h)
        for s0, e0 in spans_:
            if (s0 > 0 and text[s0 - 1].isalnum()) or (e0 < len(text) and text[e0].isalnum()):
                bad.append(text[max(0, s0 - 10) : s0] + "[" + text[s0:e0] + "]" + text[e0 : e0 + 10])
    return bad


def test_snippet_marks_whole_words_in_english(engine: Any) -> None:
    for q in ("resolutions", "Security Council", "weapon", "develop", "in the"):
        assert not _half_words(engine, q), q
    marked = [text[s0:e0].lower() for h in engine.search("resolutions", lang="en", group="para")
              for text, spans_ in [_mark_spans(engine, h)] for s0, e0 in spans_]
    assert marked and set(marked) <= {"resolution", "resolutions"}


def test_snippet_marks_whole_phrases_in_english(engine: Any) -> None:
    """A quoted phrase is marked where its words are whole: not "with[in the]" or "[of the]ir"."""
    bad = {q: b[:3] for q in ('"in the"', '"of the"', '"at the"') if (b := _half_words(engine, q))}
    assert not bad


def _marked_as_phrase_only(engine: Any, doc_id: str, query: str, phrase: str) -> int:
    """On the document page, every mark is the whole phrase and every occurrence of it is
    marked; returns how many paragraphs lack it (and must have no mark at all)."""
    view = engine.document(doc_id, query=query)
    want = fold(phrase).text
    without = 0
    for text, marked in zip(view.paragraphs, view.paragraphs_html, strict=True):
        got = [fold(m).text for m in marks(marked)]
        folded = fold(text).text
        assert got == [want] * folded.count(want), (got, text[:120])
        without += want not in folded
    return without


def test_a_quoted_phrase_is_marked_only_where_it_is_whole(engine: Any) -> None:
    """For "weapons of mass destruction", no lone "of" in the paragraphs that lack it."""
    q = '"weapons of mass destruction"'
    r = engine.search(q, group="para", per_page=50)
    assert r.total >= 3
    for h in r:
        text = _check_snippet(engine, h)
        if "weapons of mass destruction" in text.lower():
            assert {m.lower() for m in marks(h.snippet_html)} == {"weapons of mass destruction"}
    lacking = sum(_marked_as_phrase_only(engine, h.doc_id, q, "weapons of mass destruction")
                  for h in engine.search(q, group="doc"))
    assert lacking > 5  # paragraphs with "of" (and "mass") that get no mark now


def test_a_quoted_chinese_phrase_is_marked_only_where_it_is_whole(engine: Any) -> None:
    seed = _seed_statement()
    doc_id = next(h.doc_id for h in engine.search('"大规模毁灭性武器"', per_page=100)
                  if Path(engine.document(h.doc_id).meta["source"]).name == seed.name)
    # 大规模毁灭性武器 is in four paragraphs, the phrase with 扩散 after it in one: the other
    # three mark nothing (neither 毁灭性武器 nor 扩散), also typed in traditional script.
    for q in ('"毁灭性武器扩散"', '"毀滅性武器擴散"'):
        assert _marked_as_phrase_only(engine, doc_id, q, "毁灭性武器扩散") >= 14
    # A resolution number typed full width: only where the whole phrase stands.
    assert _marked_as_phrase_only(engine, doc_id, '"第１５４０（２００４）号决议"', "第 1540(2004)号决议") > 0
    # Unquoted, the words are marked as words where the whole is not there.
    view = engine.document(doc_id, query="毁灭性武器扩散")
    assert any(marks(p) and "毁灭性武器扩散" not in t
               for t, p in zip(view.paragraphs, view.paragraphs_html, strict=True))


def test_unquoted_words_are_marked_as_words(engine: Any) -> None:
    r = engine.search("weapons of mass destruction", lang="en", group="para", per_page=20)
    got = {m.lower() for h in r for m in marks(h.snippet_html)}
    assert "of" in got and got <= {"weapon", "weapons", "of", "mass", "destruction"}, got


def test_snippet_of_traditional_text_marks_the_traditional_characters(tiny: SearchEngine) -> None:
    for q in ("安全理事会", "安全理事會", '"安全理事会"'):
        r = tiny.search(q)
        assert "trad" in ids(r), q
        h = next(h for h in r if h.doc_id == "trad")
        assert marks(h.snippet_html) and set(marks(h.snippet_html)) == {"安全理事會"}, h.snippet_html
        assert_escaped_with_marks_only(h.snippet_html)


def test_snippet_of_full_width_text_marks_the_full_width_characters(tiny: SearchEngine) -> None:
    for q in ("1970(2011)", "１９７０（２０１１）", "第1970(2011)号决议"):
        r = tiny.search(q)
        assert ids(r)[:1] == ["wide"], q
        got = marks(r.hits[0].snippet_html)
        assert got and all(m == full_width(unicodedata.normalize("NFKC", m)) for m in got), got
        assert "".join(unicodedata.normalize("NFKC", m) for m in got).replace("第", "").replace(
            "号决议", "") in ("1970(2011)", "19702011"), got


def test_snippet_escapes_markup(tiny: SearchEngine) -> None:
    r = tiny.search("安全理事会", lang="zh")
    h = next(h for h in r if h.doc_id == "xss")
    assert "<script>" not in h.snippet_html and "&lt;script&gt;" in h.snippet_html
    assert "&lt;i&gt;" in h.snippet_html and "&amp;" in h.snippet_html
    assert_escaped_with_marks_only(h.snippet_html)
    assert marks(h.snippet_html) == ["安全理事会", "安全理事会"]
    # A query that is itself markup finds the words and never echoes tags.
    for q in ("<script>", '"<i>x</i>"', "alert('安全理事会')"):
        for hit in tiny.search(q):
            assert_escaped_with_marks_only(hit.snippet_html)


def test_snippet_never_splits_a_letter_from_its_accent(engine: Any) -> None:
    """unpc-dev fr writes one "accompagné" as e + U+0301, ar has words ending in tanween
    ("أيضاً"): the mark covers the combining mark too."""
    split = []
    for q, lang in (("accompagné", "fr"), ("أيضا", "ar"), ("جميع", "ar")):
        for h in engine.search(q, lang=lang, group="para", per_page=50):
            if re.search("</mark>[\u0300-\u036f\u064b-\u0652]", h.snippet_html):
                split.append((q, h.doc_id, h.paragraph))
    assert not split


def test_snippet_html_for_a_long_paragraph_is_a_window(engine: Any) -> None:
    r = engine.search('"大规模毁灭性武器"', lang="zh", group="para", per_page=50)
    long = [(h, t) for h in r if len(t := engine.document(h.doc_id).paragraphs[h.paragraph - 1]) > 250]
    assert long
    for h, text in long:
        if "大规模毁灭性武器" in text:
            assert len(plain(h.snippet_html)) < len(text)
            assert "<mark>大规模毁灭性武器</mark>" in h.snippet_html
            assert h.snippet_html.startswith("…") or h.snippet_html.endswith("…")


# ---------------------------------------------------------------------------
# Documents, errors, versions


def test_document_api(engine: Any) -> None:
    d = engine.document("S_2015_77-zh")
    assert d.doc_id == "S_2015_77-zh"
    assert d.meta["symbol"] == "S/2015/77" and d.meta["lang"] == "zh"
    assert d.paragraphs and all(isinstance(p, str) and p for p in d.paragraphs)
    assert sorted(v["lang"] for v in d.versions) == ["ar", "en", "es", "fr", "ru"]
    out = d.to_dict()
    assert out["doc_id"] == "S_2015_77-zh" and out["paragraphs"] == d.paragraphs
    json.dumps(out)
    with pytest.raises(KeyError):
        engine.document("no-such-document")


def test_document_api_highlights_a_query(engine: Any) -> None:
    hit = engine.search("大规模毁灭性武器", lang="zh").hits[0]
    d = engine.document(hit.doc_id, query="大规模毁灭性武器")
    assert d.paragraphs_html is not None and len(d.paragraphs_html) == len(d.paragraphs)
    marked = [i + 1 for i, p in enumerate(d.paragraphs_html) if "<mark>" in p]
    assert hit.paragraph in marked
    for p_html, p in zip(d.paragraphs_html, d.paragraphs, strict=True):
        assert_escaped_with_marks_only(p_html)
        assert html.unescape(p_html.replace("<mark>", "").replace("</mark>", "")) == p


def test_charter_is_one_document_per_language(engine: Any) -> None:
    r = engine.search('"宗旨及原则"', lang="zh")
    charter = [h for h in r if "charter" in h.doc_id]
    assert len(charter) == 1
    d = engine.document(charter[0].doc_id)
    assert len(d.paragraphs) > 100 and d.meta["lang"] == "zh"
    assert any("宗旨及原则" in p for p in d.paragraphs)
    assert len(charter_paragraphs("zh")) > 100


def test_not_an_index(tmp_path: Path) -> None:
    for path in (tmp_path / "missing", tmp_path):
        with pytest.raises(IndexNotFoundError) as e:
            SearchEngine.open(path)
        assert "\n" not in str(e.value)
    (tmp_path / "junk.txt").write_text("not an index", "utf-8")
    with pytest.raises(IndexNotFoundError):
        SearchEngine.open(tmp_path)


def test_index_of_another_schema_version_is_refused(tiny_index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(tiny_index, copy, symlinks=True)
    meta_file = copy / "current" / "meta.json"
    meta = json.loads(meta_file.read_text("utf-8"))
    meta["schema_version"] = "0.0"
    meta_file.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(IndexVersionError) as e:
        SearchEngine.open(copy)
    assert "rebuild" in str(e.value)
    assert isinstance(e.value, IndexNotFoundError)
    with SearchEngine.open(tiny_index) as ok:  # the original is untouched
        assert ok.search("climate").total == 2


# ---------------------------------------------------------------------------
# Any string: results or QueryError, nothing else

FRAGMENTS = ['"', "'", "“", "”", "「", "」", "(", ")", "[", "]", "{", "}", "*", "?", ":", "\\", "-", "+",
             "AND", "OR", "NOT", "&&", "||", " TO ", "lang:", "organ:", "symbol:", "year:", "date:",
             "country:", "title:", "安全理事会", "S/2015/", "1540(2004)", "１５４０（", "\x00", "\ud800",
             " ", "~", "^", "/", "zh", "2015", "<mark>", "&amp;"]

query_strings = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=25).map("".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(q=query_strings)
@example(q="")
@example(q="\x00")
@example(q="\udfff\ud800")
@example(q='"')
@example(q="(")
@example(q=")")
@example(q="lang:")
@example(q="date:[")
@example(q="symbol:*")
@example(q="symbol:?")
@example(q="year:[2015 TO *] *")
@example(q="安全理事会" * 2000)
@example(q="a " * 5000)
@example(q="x" * 10_000)
def test_any_string_gives_results_or_query_error(engine: Any, q: str) -> None:
    try:
        r = engine.search(q)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert r.total >= len(r.hits)
    for h in r:
        assert_escaped_with_marks_only(h.snippet_html)


# ---------------------------------------------------------------------------
# The known-item evaluation (bench/eval_known_item.py), small, so relevance regressions fail CI


def test_known_item_evaluation(real_index: Path) -> None:
    from bench.eval_known_item import evaluate

    table = evaluate(n=20, seed=20, index=real_index, baseline=False)
    low = {cls: row["first_hit_contains"] for cls, row in table["ours"].items()
           if row["first_hit_contains"] < 0.9 and cls != "misspellings"}
    assert not low, f"first hit contains the string for < 90 % of queries: {low}"
    # A misspelling is only as good as its "Did you mean": words seen once or twice in this
    # small index have no correction to offer (the full corpus has more of them).
    typo = table["ours"]["misspellings"]
    assert typo["did_you_mean"] >= 0.7, typo
    assert typo["first_hit_contains"] >= 0.7, typo


# One engine, many threads: close() closes what every thread opened

def test_close_closes_the_document_store_of_every_thread(tiny_index: Path) -> None:
    import sqlite3
    import threading

    engine = SearchEngine.open(tiny_index)
    before = engine.search("climate finance").total
    stores: list[Any] = []

    def search_in_a_thread() -> None:
        assert engine.search("climate finance").total == before
        stores.append(engine._store())

    threads = [threading.Thread(target=search_in_a_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in stores}) == 3  # one store per thread
    engine.close()
    for store in stores:
        with pytest.raises(sqlite3.ProgrammingError):
            store.db.execute("SELECT 1")
    # A thread that searches after close() opens a store anew.
    assert engine.search("climate finance", per_page=3).total == before
    engine.close()


# A missing document is an error of the tree, still a KeyError for a mapping's callers

def test_a_missing_document_is_document_not_found(tiny: SearchEngine) -> None:
    from search.errors import DocumentNotFound

    with pytest.raises(DocumentNotFound) as e:
        tiny.document("no-such-document")
    assert isinstance(e.value, KeyError)
    assert (e.value.code, e.value.status) == ("not_found", 404)
    assert str(e.value) == "no document with id 'no-such-document'"


# The query plan: analysed once, shared by query building, phrase checks and highlighting

def test_the_plan_is_what_query_building_and_highlighting_analyse(tiny: SearchEngine) -> None:
    from index.model import LANGUAGES
    from search.highlight import Terms
    from search.plan import QueryPlan
    from search.query import positive_texts
    from search.translate import QueryBuilder

    text = '安全理事会决议1540 "Member States" climate finance'
    plan = QueryPlan.make(text)
    with tiny._searcher() as s:
        reader = s.reader()
        shared = QueryBuilder(reader, None, plan)
        base = shared.build(plan, proximity=False)
        full = shared.build(plan, proximity=True)
        # The same queries as a builder that analyses everything afresh.
        assert base == QueryBuilder(reader).build(QueryPlan.make(text), proximity=False)
        assert full == QueryBuilder(reader).build(QueryPlan.make(text), proximity=True)
    # Highlights mark the abbreviations' other forms too (安全理事会 → 安理会).
    assert plan.terms == Terms.from_texts(positive_texts(plan.tree))
    assert plan.terms != Terms.from_texts(plan.texts) and "安理会" in plan.also_searched
    # Every language's analysis of each text, and the highlighter's of the Chinese run
    # inside the mixed word, came from the plan's one analysis.
    analysed = set(plan._tokens)
    assert {("Member States", lang) for lang in LANGUAGES} <= analysed
    assert ("安全理事会决议", None) in analysed
    phrase = plan.phrases[0]  # "Member States": a stemmer changes "States"
    assert phrase.search("the member states") and not phrase.search("the member state ")


def test_a_symbol_typed_alone_weighs_as_before(engine: Any) -> None:
    """50 for a symbol in the query, 100 more when it is the whole query (the engine's old
    clause): 150 in all, written once as BOOST_SYMBOL."""
    from whoosh import query as wq

    from search.plan import QueryPlan
    from search.translate import BOOST_SYMBOL, QueryBuilder

    def symbol_boosts(query: str) -> list[float]:
        plan = QueryPlan.make(query)
        with engine._searcher() as s:
            q = QueryBuilder(s.reader(), None, plan).build(plan, proximity=True)
        return sorted(t.boost for t in q.leaves() if isinstance(t, wq.Term) and t.fieldname == "symbol")

    assert BOOST_SYMBOL == 50.0
    assert symbol_boosts("S/2015/77") == [50.0, 100.0]
    assert symbol_boosts("S/2015/77 climate") == [50.0]


def test_store_locked_by_another_process_is_busy_not_damaged(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """A thread that opens its document store while another process holds an exclusive
    lock on it gets StoreLockedError (503 index_busy over HTTP), never "damaged: rebuild",
    and the operator's log has the line that names the store."""
    from index import StoreLockedError

    src = write_jsonl(tmp_path / "src.jsonl", [
        {"id": "a", "lang": "en", "title": "Peace", "paragraphs": ["Peace and development."]}])
    build_index([src], tmp_path / "index", procs=1)
    store = (tmp_path / "index" / "current").resolve() / "docs.sqlite"
    with SearchEngine.open(tmp_path / "index") as eng:
        assert eng.search("peace").total == 1
        eng.close()  # the next search opens its store anew, as a forked worker does
        with store_locked(store):
            with pytest.raises(StoreLockedError, match="locked by another process") as caught:
                eng.search("development")
            assert str(store) in str(caught.value) and caught.value.status == 503
        assert f"the document store {store} is locked" in caplog.text
        assert eng.search("development").total == 1


def test_countries_saved_by_the_build_are_those_of_the_postings(gd_index: Path) -> None:
    """The build saves each segment's countries beside its side arrays, and the read side
    loads them instead of reading the country postings: the same column either way."""
    import numpy as np

    from index import _whoosh
    from index.columns import COUNTRY_CODES, FOLDER, load_columns

    gen, _meta, ix = open_index(gd_index)
    with ix.reader() as reader:
        for seg, _offset in _whoosh.leaves(reader):
            assert (gen / FOLDER / _whoosh.segment_id(seg) / COUNTRY_CODES).exists()
        saved, computed = load_columns(reader, gen), load_columns(reader)
    assert saved.country_names == computed.country_names and len(saved.country_names) > 20
    assert np.array_equal(saved.country, computed.country) and saved.country.any()
