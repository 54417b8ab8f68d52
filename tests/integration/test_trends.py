"""Trends over the years on real General Debate statements (three sessions: 1946, 1975, 2019):
the library, the JSON/CSV API, the page and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, GD_SESSIONS, ROOT
from flask.testing import FlaskClient

from search import QueryError, SearchEngine

QUERIES = ["climate change", "nuclear weapons", "apartheid OR colonialism", '"self-determination"',
           "decolonization -apartheid", "title:China", "peace country:CHN"]


@pytest.fixture(scope="module")
def client(gd_index: Path) -> FlaskClient:
    from web import create_app

    return create_app({"INDEX_PATH": str(gd_index), "TESTING": True}).test_client()


def year_of(trends: Any, query: str, year: int) -> Any:
    series = next(s for s in trends.series if s.query == query)
    return next(y for y in series.years if y.year == year)


def test_climate_change_rose_more_than_tenfold_from_1975_to_2019(gd_engine: SearchEngine) -> None:
    trends = gd_engine.trends(["climate change"])
    y1975, y2019 = year_of(trends, "climate change", 1975), year_of(trends, "climate change", 2019)
    assert y1975.documents_in_year > 100 and y2019.documents_in_year > 100
    assert y2019.per_1000_documents > 10 * y1975.per_1000_documents
    assert y2019.per_10000_paragraphs > 10 * y1975.per_10000_paragraphs
    assert y2019.per_1000_documents == round(1000 * y2019.documents / y2019.documents_in_year, 3)


def test_documents_in_year_are_the_statements_of_that_session(gd_engine: SearchEngine) -> None:
    trends = gd_engine.trends(["peace"])
    years = {y.year: y.documents_in_year for y in trends.series[0].years}
    expected = {int(s[-4:]): len(list((CORPUS / "ungdc" / s).glob("*.txt"))) for s in GD_SESSIONS}
    assert years == expected


@pytest.mark.parametrize("filters", [{}, {"lang": "en"}, {"country": "中国"}, {"year_from": 1975},
                                     {"organ": "General Assembly", "year_to": 1975}])
def test_trend_counts_equal_the_year_facet_of_the_same_search(gd_engine: SearchEngine,
                                                              filters: dict[str, Any]) -> None:
    trends = gd_engine.trends(QUERIES[:5], **filters)
    for q in QUERIES[:5]:
        series = next(s for s in trends.series if s.query == q)
        results = gd_engine.search(q, **filters)
        assert series.total == results.total, q
        facet = {int(y): n for y, n in results.facets["year"].items()}
        assert {y.year: y.documents for y in series.years if y.documents} == facet, q
        para = gd_engine.search(q, group="para", **filters)
        assert series.paragraphs == para.total == sum(y.paragraphs for y in series.years), q


def test_queries_with_their_own_filters_agree_too(gd_engine: SearchEngine) -> None:
    trends = gd_engine.trends(QUERIES[5:])
    for series in trends.series:
        facet = {int(y): n for y, n in gd_engine.search(series.query).facets["year"].items()}
        assert {y.year: y.documents for y in series.years if y.documents} == facet
    china = trends.series[1]
    assert 0 < china.total <= 3  # China's statements of the three sessions


def test_filters_change_the_denominators(gd_engine: SearchEngine) -> None:
    everyone = gd_engine.trends(["climate change"])
    china = gd_engine.trends(["climate change"], country="CHN")
    # China spoke in each of the three sessions (CHN is the Republic of China in 1946).
    assert [y.documents_in_year for y in china.series[0].years] == [1, 1, 1]
    assert year_of(china, "climate change", 2019).per_1000_documents == 1000.0
    assert len(everyone.series[0].years) == 3
    since = gd_engine.trends(["climate change"], year_from=1975, year_to=2019)
    assert [y.year for y in since.series[0].years] == [1975, 2019]


@pytest.mark.parametrize("queries, message", [
    ([], "at least one"), (["   "], "at least one"), (["a", "b", "c", "d", "e", "f"], "at most 5"),
    (["peace", "(war"], "(war"), (["NOT"], "NOT"),
])
def test_bad_trends_are_query_errors(gd_engine: SearchEngine, queries: list[str], message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        gd_engine.trends(queries)


def test_bad_filters(gd_engine: SearchEngine) -> None:
    with pytest.raises(QueryError, match="unknown country"):
        gd_engine.trends(["peace"], country="Atlantis")
    with pytest.raises(QueryError, match="year_from is after year_to"):
        gd_engine.trends(["peace"], year_from=2019, year_to=1975)
    with pytest.raises(TypeError, match="unknown filter"):
        gd_engine.trends(["peace"], sort="date")


# -- the API ------------------------------------------------------------------------


def test_api_shape(client: FlaskClient) -> None:
    resp = client.get("/api/trends?q=climate+change&q=nuclear+weapons&country=China")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["unit"] == "year"
    assert [s["query"] for s in body["series"]] == ["climate change", "nuclear weapons"]
    s = body["series"][0]
    assert set(s) >= {"query", "total", "years"}
    assert set(s["years"][0]) == {"year", "documents", "paragraphs", "documents_in_year",
                                  "paragraphs_in_year", "per_1000_documents", "per_10000_paragraphs"}
    assert body["filters"]["country"] == "China"


def test_api_csv_download(client: FlaskClient) -> None:
    resp = client.get("/api/trends?q=climate+change&q=apartheid&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 * 3
    assert list(rows[0]) == ["query", "year", "documents", "paragraphs", "documents_in_year",
                             "paragraphs_in_year", "per_1000_documents", "per_10000_paragraphs"]
    api = client.get("/api/trends?q=climate+change&q=apartheid").get_json()
    by_key = {(r["query"], int(r["year"])): int(r["documents"]) for r in rows}
    assert by_key == {(s["query"], y["year"]): y["documents"] for s in api["series"] for y in s["years"]}


@pytest.mark.parametrize("url, code", [
    ("/api/trends", "missing_query"), ("/api/trends?q=+", "missing_query"),
    ("/api/trends?q=a&q=b&q=c&q=d&q=e&q=f", "bad_parameter"), ("/api/trends?q=(a", "bad_query"),
    ("/api/trends?q=a&country=Atlantis", "bad_parameter"), ("/api/trends?q=a&lang=de", "bad_parameter"),
    ("/api/trends?q=a&year_from=x", "bad_parameter"), ("/api/trends?q=a&format=xml", "bad_parameter"),
    ("/api/trends?q=a&year_from=2000&year_to=1990", "bad_parameter"),
    ("/api/trends?q=" + "a" * 1001, "query_too_long"),
])
def test_api_bad_input_is_a_400(client: FlaskClient, url: str, code: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400, resp.data[:200]
    assert resp.get_json()["error"]["code"] == code


# -- the page -----------------------------------------------------------------------


def test_page_has_a_chart_and_a_table(client: FlaskClient) -> None:
    resp = client.get("/trends?q=climate+change&q=nuclear+weapons&ui=en")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "<style" not in body and "style=" not in body  # nothing the CSP would block
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert svg.count('class="line reactive nofill"') == 2
    # Every point links to that year's search and has a native hover title with the figures.
    links = re.findall(r'<a target="_self" xlink:href="([^"]+)"><title>([^<]+)</title>', svg)
    assert len(links) == 2 * 3
    assert any("year_from=2019" in href and "2019: 168 of 195 documents" in title.replace("&amp;", "&")
               for href, title in links)
    table = body[body.index('id="trend-table"'):]
    assert re.search(r"<th scope=\"row\">2019</th><td>195</td>", table)
    assert 'id="download-csv"' in body and "format=csv" in body


def test_page_in_chinese_and_errors(client: FlaskClient) -> None:
    body = client.get("/trends?q=climate+change&ui=zh").get_data(as_text=True)
    assert "历年趋势" in body and "每千份文件" in body
    assert client.get("/trends").status_code == 200  # the form, with examples
    bad = client.get("/trends?q=(a&ui=en")
    assert bad.status_code == 400 and "(a" in bad.get_data(as_text=True)


def test_results_page_links_to_its_trend(client: FlaskClient) -> None:
    body = client.get("/search?q=climate+change&country=CHN&ui=en").get_data(as_text=True)
    m = re.search(r'<a href="([^"]+)" id="trend-link">', body)
    assert m
    href = m[1].replace("&amp;", "&")
    assert href.startswith("/trends?") and "q=climate+change" in href and "country=CHN" in href
    assert client.get(href).status_code == 200


# -- the CLI ------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_trends(gd_index: Path, gd_engine: SearchEngine) -> None:
    out = run_cli("trends", "climate change", "apartheid", "--index", str(gd_index), "--csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {(r["query"], r["year"]) for r in rows} == {(q, y) for q in ("climate change", "apartheid")
                                                       for y in ("1946", "1975", "2019")}
    lib = gd_engine.trends(["climate change", "apartheid"])
    assert [int(r["documents"]) for r in rows] == [y.documents for s in lib.series for y in s.years]
    js = run_cli("trends", "climate change", "--index", str(gd_index), "--json", "--country", "中国")
    china = gd_engine.search("climate change", country="CHN").total
    assert json.loads(js.stdout)["series"][0]["total"] == china
    text = run_cli("trends", "climate change", "--index", str(gd_index))
    assert text.returncode == 0 and "2019" in text.stdout and "‰" in text.stdout


def test_cli_trends_errors(gd_index: Path) -> None:
    bad = run_cli("trends", "(war", "--index", str(gd_index))
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    usage = run_cli("trends", "--index", str(gd_index))
    assert usage.returncode == 2


def test_the_chart_leaves_no_import_hook_behind(client: FlaskClient) -> None:
    # pygal installs one without find_spec(): any later failed import would warn (an error here).
    assert client.get("/trends?q=peace").status_code == 200
    assert not [f for f in sys.meta_path if type(f).__module__.startswith("pygal")]
    with pytest.raises(ImportError):
        __import__("_winapi")
