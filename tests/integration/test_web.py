"""The web app in-process (Flask's test client) over real indexes on disk.

Most tests use the session's ``real_index`` (tests/conftest.py: real UN text from
../shared/corpus); the XSS, 503 and update tests build tiny JSONL indexes in tmp.
"""

from __future__ import annotations

import ast
import gc
import html
import json
import logging
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT
from flask import Flask
from flask.testing import FlaskClient
from helpers import write_jsonl

from index import build_index, update_index
from web import create_app

WEB = ROOT / "web"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app(real_index: Path) -> Flask:
    return create_app({"INDEX_PATH": str(real_index), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def api(client: FlaskClient, url: str, status: int = 200) -> Any:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.data[:300])
    assert resp.mimetype == "application/json"
    return resp.get_json()


def page(client: FlaskClient, url: str, status: int = 200, **kw: Any) -> str:
    resp = client.get(url, **kw)
    assert resp.status_code == status, (url, resp.status_code, resp.data[:300])
    assert resp.mimetype == "text/html"
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text
    return text


def facet_links(text: str, facet: str) -> dict[str, str]:
    """{value: href} of one facet's links on a results page."""
    section = re.search(rf'data-facet="{facet}">(.*?)</section>', text, re.S)
    assert section, f"no {facet} facet"
    return {html.unescape(v): html.unescape(h) for h, v in
            re.findall(r'<a href="([^"]+)" class="facet-value[^"]*" data-value="([^"]+)"', section.group(1))}


def total_on(text: str) -> int:
    m = re.search(r'id="result-count" data-total="(\d+)"', text)
    assert m, "no result count"
    return int(m.group(1))


# -- pages ---------------------------------------------------------------------------


def test_home_has_a_focused_search_box_and_local_assets(client: FlaskClient) -> None:
    text = page(client, "/?ui=en")
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', text)
    assert '<label for="q"' in text and 'role="search"' in text
    assert '<a class="skip-link" href="#main">' in text and '<main id="main"' in text
    assert '<meta name="viewport"' in text
    assert re.search(r"\d[\d,]* documents", text)
    # Every asset is served by us: no CDN, no web fonts, no inline script or style.
    for url in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert not url.startswith(("http:", "https:", "//")), url
    assert "<script>" not in text and "<style" not in text and " style=" not in text
    for name in ("style.css", "app.js", "favicon.svg"):
        with client.get(f"/static/{name}") as resp:  # a file response: close it
            assert resp.status_code == 200


def test_results_page_highlights_the_words(client: FlaskClient) -> None:
    text = page(client, "/search?q=安全理事会&ui=en")
    assert total_on(text) > 10
    assert "<mark>安全理事会</mark>" in text
    assert re.search(r"[\d,]+ results", text) and re.search(r"in \d+\.\d+ s", text)
    # The first hit with a symbol (the Charter, about the Security Council, may come first).
    hits = re.findall(r'<li class="hit" data-lang="(\w+)">(.*?)</li>\s*(?=<li|</ol)', text, re.S)
    assert hits and hits[0][0] == "zh"
    hit = next(h for lang, h in hits if 'class="symbol"' in h)
    assert 'class="symbol"' in hit and "Security Council" in hit and "Chinese" in hit
    assert re.search(r'<a href="/documents/[^"]+\?q=[^"]+#p\d+">', hit)
    assert 'lang="zh"' in hit


def test_more_paragraphs_link(client: FlaskClient) -> None:
    text = page(client, "/search?q=安全理事会&ui=en")
    assert re.search(r"\+\d+ more paragraphs? in this document", text)


def test_facet_link_narrows_and_removes(client: FlaskClient) -> None:
    text = page(client, "/search?q=1540&ui=en")
    total = total_on(text)
    links = facet_links(text, "lang")
    assert len(links) >= 3, links
    narrowed = page(client, links["en"])
    assert 0 < total_on(narrowed) < total
    assert set(re.findall(r'<li class="hit" data-lang="(\w+)"', narrowed)) == {"en"}
    # The active value is marked and its link removes the filter.
    again = facet_links(narrowed, "lang")
    assert "lang" not in parse_qs(urlsplit(again["en"]).query)
    assert 'aria-current="true"' in narrowed
    chips = re.findall(r'<a class="chip" href="([^"]+)"', narrowed)
    assert chips and "lang" not in parse_qs(urlsplit(html.unescape(chips[0])).query)


def test_year_and_organ_facets_narrow(client: FlaskClient) -> None:
    text = page(client, "/search?q=1540&ui=en")
    years = facet_links(text, "year")
    assert "2020" in years
    narrowed = page(client, years["2020"])
    assert total_on(narrowed) < total_on(text)
    assert set(parse_qs(urlsplit(years["2020"]).query)) >= {"year_from", "year_to"}
    organs = facet_links(text, "organ")
    organ, url = next(iter(organs.items()))
    data = api(client, "/api/search?" + urlsplit(url).query)
    assert data["total"] == json.loads(client.get("/api/search?q=1540").data)["facets"]["organ"][organ]


def test_sort_links_and_date_order(client: FlaskClient) -> None:
    text = page(client, "/search?q=1540&ui=en")
    assert re.search(r'<strong aria-current="true">Relevance</strong>', text)
    newest = re.search(r'<a href="([^"]+)">Newest</a>', text)
    assert newest and "sort=-date" in html.unescape(newest.group(1))
    newest_page = page(client, html.unescape(newest.group(1)))
    assert '<strong aria-current="true">Newest</strong>' in newest_page
    for sort, reverse in (("-date", True), ("date", False)):
        hits = api(client, f"/api/search?q=1540&sort={sort}&per_page=100")["hits"]
        dates = [h["date"] for h in hits if h["date"]]
        assert dates == sorted(dates, reverse=reverse), sort
    assert api(client, "/api/search?q=1540&sort=-date")["hits"][0]["date"].startswith("2020")


def test_pagination(client: FlaskClient) -> None:
    one = api(client, "/api/search?q=安全理事会&per_page=5")
    two = api(client, "/api/search?q=安全理事会&per_page=5&page=2")
    assert one["total"] == two["total"] > 10
    assert len(one["hits"]) == len(two["hits"]) == 5
    assert not {h["doc_id"] for h in one["hits"]} & {h["doc_id"] for h in two["hits"]}
    past = api(client, "/api/search?q=安全理事会&page=999")
    assert past["hits"] == [] and past["total"] == one["total"]

    text = page(client, "/search?q=安全理事会&per_page=5&ui=en")
    nxt = re.search(r'<a class="next" rel="next" href="([^"]+)"', text)
    assert nxt and "page=2" in html.unescape(nxt.group(1))
    second = page(client, html.unescape(nxt.group(1)))
    assert re.search(r'<span class="current" aria-current="page"[^>]*>2</span>', second)
    assert 'rel="prev"' in second and '<ol class="hits" start="6">' in second
    assert "past the last one" in page(client, "/search?q=安全理事会&page=999&ui=en")


def test_group_para_lists_paragraphs(client: FlaskClient) -> None:
    docs = api(client, "/api/search?q=安全理事会&per_page=100")
    paras = api(client, "/api/search?q=安全理事会&group=para&per_page=100")
    assert paras["group"] == "para" and paras["total"] > docs["total"]
    ids = [h["doc_id"] for h in paras["hits"]]
    assert len(ids) > len(set(ids))  # several paragraphs of one document
    assert len({h["doc_id"] for h in docs["hits"]}) == len(docs["hits"])
    assert "matching paragraphs" in page(client, "/search?q=安全理事会&group=para&ui=en")


def test_no_results_page_helps(client: FlaskClient) -> None:
    text = page(client, "/search?q=zzqxv&lang=fr&ui=en")
    assert total_on(text) == 0
    assert 'id="no-results"' in text
    assert "script" in text and "fewer" in text
    assert re.search(r'<a class="chip" href="/search\?q=zzqxv"', text)  # drop the filter


def test_bad_query_gets_a_400_page_with_the_search_box(client: FlaskClient) -> None:
    text = page(client, "/search?q=NOT&ui=en", 400)
    assert 'id="error-message"' in text and "type some words" in text
    assert '<input id="q" name="q" type="search" value="NOT"' in text
    for url in ("/search?q=a&page=0", "/search?q=a&per_page=101", "/search?q=a&sort=up",
                "/search?q=" + "a" * 1001, "/search?q=a&year_from=abc"):
        assert 'id="error-message"' in page(client, url, 400)


def test_empty_search_shows_the_home_page(client: FlaskClient) -> None:
    assert "autofocus" in page(client, "/search?q=")


def test_document_page(client: FlaskClient) -> None:
    hit = api(client, "/api/search?q=冠状病毒病")["hits"][0]
    assert hit["paragraph"] > 3
    text = page(client, hit["url"].split("#")[0] + "&ui=en")
    n = len(api(client, f"/api/documents/{hit['doc_id']}")["paragraphs"])
    assert [int(x) for x in re.findall(r'<div class="para[^"]*" id="p(\d+)">', text)] == list(range(1, n + 1))
    assert f'id="p{hit["paragraph"]}"' in text
    assert "<mark>冠状病毒病</mark>" in text
    assert re.search(r'<section class="doc-text"[^>]*lang="zh"', text)
    back = re.search(r'<a href="([^"]+)" id="back-to-results"', text)
    assert back and parse_qs(urlsplit(html.unescape(back.group(1))).query) == {"q": ["冠状病毒病"]}
    assert "Original language" in text and "English" in text


def test_document_links_to_its_other_languages(client: FlaskClient) -> None:
    hits = api(client, "/api/search?q=symbol:S/PRST/2015/5")["hits"]
    zh = next(h for h in hits if h["lang"] == "zh")
    text = page(client, f"/documents/{zh['doc_id']}?ui=en")
    versions = dict(re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang', text))
    assert sorted(versions.values()) == ["ar", "en", "es", "fr", "ru"]
    for url in versions:
        assert client.get(html.unescape(url)).status_code == 200


def test_document_without_query_and_unknown_document(client: FlaskClient) -> None:
    doc_id = api(client, "/api/search?q=安全理事会")["hits"][0]["doc_id"]
    text = page(client, f"/documents/{doc_id}")
    assert "<mark>" not in text and "back-to-results" not in text
    page(client, "/documents/no-such-document-zh", 404)
    err = api(client, "/api/documents/no-such-document-zh", 404)
    assert err["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", [
    "/documents/../../etc/passwd",
    "/documents/..%2F..%2Fetc%2Fpasswd",
    "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/documents/%2E%2E/%2E%2E/index/current",
    "/documents/..",
    "/documents/a/../../b",
    "/documents/..%5c..%5cwindows",
    "/documents/%00",
    "/api/documents/..%2F..%2Fetc%2Fpasswd",
    "/api/documents/%2e%2e%2fcurrent",
    "/static/..%2f..%2fweb%2fapp.py",
])
def test_path_traversal_is_404(client: FlaskClient, path: str) -> None:
    with client.get(path) as resp:
        assert resp.status_code == 404, (path, resp.status_code)
        assert b"Traceback" not in resp.data and b"root:" not in resp.data


# -- the JSON API ---------------------------------------------------------------------


def test_api_search_shape(client: FlaskClient) -> None:
    data = api(client, "/api/search?q=安全理事会&per_page=3")
    assert {"query", "total", "page", "per_page", "took_ms", "hits", "facets"} <= set(data)
    assert data["query"] == "安全理事会" and data["page"] == 1 and data["per_page"] == 3
    assert len(data["hits"]) == 3 and set(data["facets"]) == {"lang", "organ", "year", "country"}
    for hit in data["hits"]:
        assert {"doc_id", "symbol", "title", "organ", "date", "lang", "paragraph", "score",
                "snippet_html", "url"} <= set(hit)
        assert "<mark>" in hit["snippet_html"]
        assert hit["url"].startswith(f"/documents/{hit['doc_id']}?q=")
        assert hit["url"].endswith(f"#p{hit['paragraph']}")
    # UTF-8, not \\u escapes, and the facets keep the library's order (biggest first).
    resp = client.get("/api/search?q=1540")
    assert b"1540" in resp.data and resp.headers["Content-Type"].startswith("application/json")
    counts = list(resp.get_json()["facets"]["lang"].values())
    assert counts == sorted(counts, reverse=True)


def test_api_filters_narrow(client: FlaskClient) -> None:
    everything = api(client, "/api/search?q=1540")
    for lang, n in everything["facets"]["lang"].items():
        narrowed = api(client, f"/api/search?q=1540&lang={lang}&per_page=100")
        assert narrowed["total"] == n
        assert {h["lang"] for h in narrowed["hits"]} == {lang}
    years = api(client, "/api/search?q=1540&year_from=2016&year_to=2030&per_page=100")
    assert years["total"] == everything["facets"]["year"]["2020"]
    # Words found nowhere find nothing, with or without a filter.
    for filters in ("", "&lang=fr", "&organ=Security%20Council", "&year_from=2000"):
        nothing = api(client, f"/api/search?q=zzqxv{filters}")
        assert nothing["total"] == 0 and nothing["hits"] == [], filters


def test_api_document(client: FlaskClient) -> None:
    hit = api(client, "/api/search?q=冠状病毒病")["hits"][0]
    doc = api(client, f"/api/documents/{hit['doc_id']}")
    assert doc["doc_id"] == hit["doc_id"] and doc["lang"] == "zh"
    assert "冠状病毒病" in doc["paragraphs"][hit["paragraph"] - 1]
    assert "versions" in doc and "rev" not in doc and "source" not in doc


@pytest.mark.parametrize("query, code", [
    ("", "missing_query"),
    ("q=", "missing_query"),
    ("q=%20%20", "missing_query"),
    ("q=" + "a" * 1001, "query_too_long"),
    ("q=a&page=x", "bad_parameter"),
    ("q=a&page=0", "bad_parameter"),
    ("q=a&page=-1", "bad_parameter"),
    ("q=a&page=1.5", "bad_parameter"),
    ("q=a&page=99999999999999999999", "bad_parameter"),
    ("q=a&page=%D9%A3", "bad_parameter"),  # an Arabic-Indic 3: int() would take it
    ("q=a&per_page=101", "bad_parameter"),
    ("q=a&per_page=0", "bad_parameter"),
    ("q=a&per_page=ten", "bad_parameter"),
    ("q=a&page=200&per_page=100", "bad_parameter"),
    ("q=a&sort=newest", "bad_parameter"),
    ("q=a&group=docs", "bad_parameter"),
    ("q=a&lang=de", "bad_parameter"),
    ("q=a&lang=%3Cscript%3E", "bad_parameter"),
    ("q=a&year_from=abc", "bad_parameter"),
    ("q=a&year_to=20x5", "bad_parameter"),
    ("q=a&year_from=0", "bad_parameter"),
    ("q=a&year_from=2020&year_to=2010", "bad_parameter"),
    ("q=a&organ=" + "x" * 201, "bad_parameter"),
    ("q=NOT", "bad_query"),
    ("q=-a", "bad_query"),
    ("q=year:abc", "bad_query"),
    ("q=a%00b", "bad_query"),
])
def test_api_bad_parameters_are_400_json(client: FlaskClient, query: str, code: str) -> None:
    data = api(client, f"/api/search?{query}", 400)
    assert data["error"]["code"] == code
    assert isinstance(data["error"]["message"], str) and data["error"]["message"]
    assert "Traceback" not in data["error"]["message"]


def test_api_limits_that_pass(client: FlaskClient) -> None:
    assert len(api(client, "/api/search?q=2015&per_page=100")["hits"]) == 100
    assert api(client, "/api/search?q=" + "联合国 " * 250)["query"]  # 1,000 characters
    assert api(client, "/api/search?q=a&lang=&organ=&year_from=&sort=&group=")["page"] == 1


def test_api_unknown_route_and_method(client: FlaskClient) -> None:
    assert api(client, "/api/nothing", 404)["error"]["code"] == "not_found"
    resp = client.post("/api/search?q=a")
    assert resp.status_code == 405 and resp.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def test_healthz(client: FlaskClient) -> None:
    data = api(client, "/healthz")
    assert data["status"] == "ok" and data["documents"] > 1000 and data["paragraphs"] > data["documents"]
    assert data["generation"].startswith("gen-")


# -- headers, interface language --------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search?q=安全理事会", "/api/search?q=a", "/healthz",
                                 "/documents/nope", "/api/search?q=", "/static/style.css"])
def test_security_headers(client: FlaskClient, url: str) -> None:
    with client.get(url) as resp:
        headers = resp.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def test_accept_language_chooses_the_interface(client: FlaskClient) -> None:
    zh = page(client, "/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hans">' in zh and "检索" in zh and "Search tips" not in zh
    en = page(client, "/", headers={"Accept-Language": "fr-FR,en;q=0.8"})
    assert '<html lang="en">' in en and "Search tips" in en
    assert client.get("/").headers["Vary"].count("Accept-Language") == 1


def test_ui_switch_is_remembered(client: FlaskClient) -> None:
    zh_browser = {"Accept-Language": "zh-CN"}
    text = page(client, "/search?q=安全理事会&ui=en", headers=zh_browser)
    assert "Search tips" not in text and "results" in text and '<html lang="en">' in text
    # The cookie keeps English on the next page, whatever the browser says.
    assert '<html lang="en">' in page(client, "/", headers=zh_browser)
    switch = re.search(r'<a href="([^"]+)" lang="zh-Hans" hreflang="zh-Hans" id="ui-switch"', text)
    assert switch
    url = html.unescape(switch.group(1))
    assert parse_qs(urlsplit(url).query) == {"q": ["安全理事会"], "ui": ["zh"]}
    zh = page(client, url)
    assert '<html lang="zh-Hans">' in zh and "个结果" in zh and "安全理事会" in zh
    assert '<html lang="zh-Hans">' in page(client, "/")
    # An unknown ?ui= is ignored (the cookie still says zh).
    assert '<html lang="zh-Hans">' in page(client, "/?ui=xx")


def test_ui_strings_exist_in_both_languages() -> None:
    from web.i18n import STRINGS

    assert set(STRINGS["en"]) == set(STRINGS["zh"])
    templates = "".join(p.read_text("utf-8") for p in (WEB / "templates").glob("*.html"))
    python = "".join(p.read_text("utf-8") for p in WEB.glob("*.py"))
    used = set(re.findall(r"\bt\('(\w+)'", templates)) | set(re.findall(r"\bt\(\"(\w+)\"", python))
    used |= {f"{k}_{n}" for k in re.findall(r"\bt\.plural\(['\"](\w+)['\"]", templates + python)
             for n in ("one", "other")}
    used -= {"results_count_para", "key"}  # an expression in results.html; i18n.py's docstring
    assert used - set(STRINGS["en"]) == set()


# -- XSS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xss_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    tmp = tmp_path_factory.mktemp("xss")
    write_jsonl(tmp / "src" / "evil.jsonl", [
        {"id": "evil/<b>1</b>", "symbol": f"S/{XSS_IMG}", "title": f"Evil {XSS_SCRIPT} title",
         "lang": "en", "organ": f"Organ {XSS_IMG}", "date": "2021-05-04", "country": XSS_IMG,
         "paragraphs": [f"The payload {XSS_SCRIPT} sits here with zanzibar.",
                        f"Another zanzibar {XSS_IMG} and & ampersands < less > more."]},
        {"symbol": "S/2021/1", "title": "Plain", "lang": "en",
         "paragraphs": ["A zanzibar paragraph with nothing evil."]},
    ])
    build_index([tmp / "src"], tmp / "index")
    app = create_app({"INDEX_PATH": str(tmp / "index"), "TESTING": True})
    return app.test_client()


def assert_no_raw_payload(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text and "onerror=alert(1)>" not in text.replace("&gt;", "")
    assert not re.search(r"<img\b", text)


def test_xss_in_documents_is_escaped(xss_client: FlaskClient) -> None:
    text = page(xss_client, "/search?q=zanzibar&ui=en")
    assert total_on(text) == 2
    assert_no_raw_payload(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<mark>zanzibar</mark>" in text
    href = re.search(r'<h2 class="hit-title"[^>]*><a href="([^"]+)">Evil', text)
    assert href
    doc = page(xss_client, html.unescape(href.group(1)))
    assert_no_raw_payload(doc)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc and "<mark>zanzibar</mark>" in doc
    assert "&amp; ampersands &lt; less &gt; more" in doc


def test_xss_in_json_is_escaped(xss_client: FlaskClient) -> None:
    resp = xss_client.get("/api/search?q=zanzibar")
    assert b"<script>" not in resp.data and b"<img" not in resp.data
    hits = resp.get_json()["hits"]
    evil = next(h for h in hits if h["title"].startswith("Evil"))
    assert evil["title"] == f"Evil {XSS_SCRIPT} title"  # the data itself is intact
    assert "&lt;script&gt;" in evil["snippet_html"] or "&lt;img" in evil["snippet_html"]
    assert "<script>" not in evil["snippet_html"] and "<img" not in evil["snippet_html"]
    doc = xss_client.get(f"/api/documents/{evil['doc_id']}")
    assert doc.status_code == 200 and b"<script>" not in doc.data
    assert doc.get_json()["title"] == f"Evil {XSS_SCRIPT} title"


@pytest.mark.parametrize("payload", [XSS_SCRIPT, XSS_IMG, "zanzibar " + XSS_IMG])
def test_xss_in_the_query_is_escaped(xss_client: FlaskClient, payload: str) -> None:
    for url in (f"/search?q={payload}", f"/search?q={payload}&lang=en&organ={payload}",
                f"/documents/evil%2F%3Cb%3E1%3C%2Fb%3E?q={payload}"):
        resp = xss_client.get(url)
        assert resp.status_code in (200, 400)
        assert_no_raw_payload(resp.get_data(as_text=True))
    resp = xss_client.get(f"/api/search?q={payload}")
    assert b"<script>" not in resp.data and b"<img" not in resp.data
    assert resp.status_code in (200, 400)
    if resp.status_code == 200:
        assert resp.get_json()["query"] == payload


def test_document_ids_with_slashes_and_brackets(xss_client: FlaskClient) -> None:
    hits = json.loads(xss_client.get("/api/search?q=zanzibar").data)["hits"]
    evil = next(h for h in hits if h["doc_id"] == "evil/<b>1</b>")
    assert evil["url"].startswith("/documents/evil%2F%3Cb%3E1%3C%2Fb%3E?q=zanzibar")
    assert xss_client.get(evil["url"]).status_code == 200
    assert xss_client.get("/api/documents/evil%2F%3Cb%3E1%3C%2Fb%3E").status_code == 200


# -- no index, a broken index, an updated index ---------------------------------------------


def tiny_records(word: str, n: int = 2) -> list[dict[str, Any]]:
    return [{"id": f"{word}-{i}", "title": f"{word} {i}", "lang": "en", "date": "2022",
             "paragraphs": [f"The {word} paragraph number {i}.", "A second paragraph."]}
            for i in range(n)]


def test_503_without_an_index_then_serves_it_once_built(tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "index"
    app = create_app({"INDEX_PATH": str(path)})
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="web.resources"):
        for url in ("/", "/search?q=a", "/documents/x"):
            text = page(client, url + ("&" if "?" in url else "?") + "ui=en", 503)
            assert "Search is unavailable" in text and str(tmp_path) not in text
        err = api(client, "/api/search?q=a", 503)["error"]
        assert err["code"] == "index_unavailable" and str(tmp_path) not in err["message"]
        assert api(client, "/api/documents/x", 503)["error"]["code"] == "index_unavailable"
        assert api(client, "/healthz", 503)["status"] == "unavailable"
    assert any("index unavailable" in r.getMessage() for r in caplog.records)  # the reason, for operators
    with client.get("/static/style.css") as resp:
        assert resp.status_code == 200

    write_jsonl(tmp_path / "a" / "a.jsonl", tiny_records("quokka"))
    build_index([tmp_path / "a"], path)
    assert api(client, "/healthz")["documents"] == 2
    assert api(client, "/api/search?q=quokka")["total"] == 2


def test_503_for_a_broken_or_other_version_index(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a" / "a.jsonl", tiny_records("quokka"))
    path = tmp_path / "index"
    build_index([tmp_path / "a"], path)
    gen = (path / "current").resolve()
    meta = json.loads((gen / "meta.json").read_text("utf-8"))
    schema = meta["schema_version"]
    meta["schema_version"] = "0.0-other"
    (gen / "meta.json").write_text(json.dumps(meta), "utf-8")
    client = create_app({"INDEX_PATH": str(path)}).test_client()
    assert api(client, "/api/search?q=quokka", 503)["error"]["code"] == "index_unavailable"
    assert "Search is unavailable" in page(client, "/?ui=en", 503)
    api(client, "/healthz", 503)

    # Damaged segment files: the health check itself must notice, not only a search.
    meta["schema_version"] = schema
    (gen / "meta.json").write_text(json.dumps(meta), "utf-8")
    for seg in gen.glob("*.seg"):
        with open(seg, "r+b") as f:
            f.truncate(seg.stat().st_size // 3)
    # Whoosh leaves the segment file open when it fails to read it (a leak in the read
    # side, reported), and the engine's log record of the error keeps it alive until the
    # test ends: silence that logger and let the ResourceWarning go here, where it is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        search_log = logging.getLogger("unsearch.search")
        search_log.disabled = True
        try:
            client = create_app({"INDEX_PATH": str(path)}).test_client()
            assert api(client, "/healthz", 503)["error"]["code"] == "index_unavailable"
            assert "Search is unavailable" in page(client, "/search?q=quokka&ui=en", 503)
            del client
            gc.collect()
        finally:
            search_log.disabled = False

    (path / "current").unlink()
    (path / "current").symlink_to("gen-missing")
    client = create_app({"INDEX_PATH": str(path)}).test_client()
    assert api(client, "/api/search?q=quokka", 503)["error"]["code"] == "index_unavailable"
    (path / "elsewhere").mkdir()
    client = create_app({"INDEX_PATH": str(path / "elsewhere")}).test_client()
    api(client, "/healthz", 503)


def test_follows_rebuilds_and_updates_without_restart(tmp_path: Path) -> None:
    path = tmp_path / "index"
    write_jsonl(tmp_path / "a" / "a.jsonl", tiny_records("quokka"))
    build_index([tmp_path / "a"], path)
    built_at = time.time()
    client = create_app({"INDEX_PATH": str(path)}).test_client()
    first = api(client, "/healthz")
    assert api(client, "/api/search?q=quokka")["total"] == 2

    write_jsonl(tmp_path / "a" / "a.jsonl", tiny_records("quokka", 3))
    update_index([tmp_path / "a"], path)
    assert api(client, "/api/search?q=quokka")["total"] == 3
    updated = api(client, "/healthz")
    assert updated["documents"] == 3 and updated["generation"] == first["generation"]

    write_jsonl(tmp_path / "b" / "b.jsonl", tiny_records("wombat", 4))
    # index/build.py names a generation gen-<second>-<pid>: a second build in the same
    # second of the same process collides with the first (a library bug, reported).
    time.sleep(max(0.0, 1.05 - (time.time() - built_at)))
    build_index([tmp_path / "b"], path)
    assert api(client, "/api/search?q=wombat")["total"] == 4
    assert api(client, "/api/search?q=quokka")["total"] == 0
    rebuilt = api(client, "/healthz")
    assert rebuilt["documents"] == 4 and rebuilt["generation"] != first["generation"]
    assert "wombat" in page(client, "/search?q=wombat")


# -- errors, settings, package hygiene -------------------------------------------------------


def test_500_never_shows_a_traceback(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app({"INDEX_PATH": str(tmp_path)})

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        text = page(client, "/boom?ui=en", 500)
        data = api(client, "/api/boom", 500)
    assert "Something went wrong" in text and "secret internals" not in text
    assert data == {"error": {"code": "internal_error",
                              "message": "the server could not answer this request"}}
    assert client.get("/boom").headers["Content-Security-Policy"]
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)
    assert not app.debug


def test_settings_defaults_environment_then_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSEARCH_INDEX", str(tmp_path / "from-env"))
    monkeypatch.setenv("UNSEARCH_PER_PAGE", "25")
    monkeypatch.setenv("UNSEARCH_UI_LANG", "zh")
    app = create_app()
    assert app.config["INDEX_PATH"] == str(tmp_path / "from-env")
    assert app.config["PER_PAGE"] == 25 and app.config["DEFAULT_UI_LANG"] == "zh"
    app = create_app({"INDEX_PATH": str(tmp_path / "given"), "PER_PAGE": 5})
    assert app.config["INDEX_PATH"] == str(tmp_path / "given") and app.config["PER_PAGE"] == 5
    assert '<html lang="zh-Hans">' in page(app.test_client(), "/", 503)  # no index there
    monkeypatch.setenv("UNSEARCH_PER_PAGE", "500")
    with pytest.raises(ValueError, match="UNSEARCH_PER_PAGE"):
        create_app()
    monkeypatch.delenv("UNSEARCH_INDEX")
    monkeypatch.delenv("UNSEARCH_PER_PAGE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert create_app().config["INDEX_PATH"] == str(tmp_path / "xdg" / "unsearch" / "index")


def test_per_page_setting_is_used_by_the_pages(real_index: Path) -> None:
    client = create_app({"INDEX_PATH": str(real_index), "PER_PAGE": 3}).test_client()
    text = page(client, "/search?q=安全理事会")
    assert len(re.findall(r'<li class="hit"', text)) == 3


def test_importing_web_is_cheap() -> None:
    code = ("import sys, web, web.cli; "
            "print(sorted(m for m in ('flask', 'whoosh', 'jieba', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=WEB.parent)
    assert out.stdout.strip() == "[]"
    import web

    assert web.__all__ == ["create_app"]


def test_web_never_imports_whoosh() -> None:
    for path in WEB.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "whoosh" for n in names), path


# One validator, one message; one error handler

@pytest.mark.parametrize("args", [
    {"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": 2000}, {"sort": "new"},
    {"group": "x"}, {"lang": "de"}, {"year_from": 2020, "year_to": 2010}, {"year_from": 0},
    {"country": "Atlantis"}, {"organ": "x" * 201},
])
def test_the_library_and_the_api_say_the_same_about_a_bad_argument(
        client: FlaskClient, real_index: Path, args: dict[str, Any]) -> None:
    from search import SearchEngine
    from search.errors import ParamError

    resp = client.get("/api/search", query_string={"q": "climate", **args})
    err = resp.get_json()["error"]
    with SearchEngine.open(real_index) as eng, pytest.raises(ParamError) as e:
        eng.search("climate", **args)
    assert resp.status_code == 400 and err["code"] == "bad_parameter"
    assert err["message"] == str(e.value)


def test_routes_leave_errors_to_the_one_handler() -> None:
    """No route catches an error of the tree or writes an error answer itself."""
    for name in ("views.py", "api.py", "trends.py", "parallel_views.py"):
        tree = ast.parse((WEB / name).read_text("utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Try)], name
        calls = {n.func.id for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not calls & {"error_json", "error_page"}, name


def test_every_setting_and_limit_is_in_one_table_and_in_the_readme() -> None:
    from index.settings import ENVIRONMENT
    from search.settings import LIMITS
    from web.settings import SETTINGS, TABLE

    readme = (WEB.parent / "README.md").read_text("utf-8")
    assert TABLE == (*SETTINGS, *LIMITS, *ENVIRONMENT)
    for s in (*SETTINGS, *ENVIRONMENT):
        assert s.env is None or f"`{s.env}`" in readme, s.env
        assert s.help
