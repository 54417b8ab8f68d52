"""Taking results away: CSV and JSON Lines downloads, `unsearch search --csv`, citable paragraphs;
on real General Debate statements."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from flask.testing import FlaskClient

from search import SearchEngine

COLUMNS = ["doc_id", "symbol", "title", "organ", "country", "date", "lang", "paragraph", "text", "url"]


@pytest.fixture(scope="module")
def client(gd_index: Path) -> FlaskClient:
    from web import create_app

    return create_app({"INDEX_PATH": str(gd_index), "TESTING": True}).test_client()


def read_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    return rows


def test_csv_download_parses_and_matches_the_search(client: FlaskClient, gd_engine: SearchEngine) -> None:
    resp = client.get("/api/search?q=climate+change&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff")  # spreadsheets read the Chinese right
    rows = read_csv(body)
    results = gd_engine.search("climate change", per_page=20)
    assert len(rows) == results.total  # every matching document, best first
    assert [r["doc_id"] for r in rows[:20]] == [h.doc_id for h in results]
    first, hit = rows[0], results.hits[0]
    assert first["paragraph"] == str(hit.paragraph) and first["country"] == hit.country
    assert first["title"] == hit.title and first["title"].startswith("General debate, ")
    assert first["url"] == "http://localhost" + hit.url
    # The whole paragraph, as plain text: the same as the document page's.
    doc = gd_engine.document(hit.doc_id)
    assert first["text"] == doc.paragraphs[hit.paragraph - 1]
    assert "climate change" in first["text"].lower()


def test_jsonl_download_with_filters_and_paragraphs(client: FlaskClient, gd_engine: SearchEngine) -> None:
    resp = client.get("/api/search?q=nuclear+weapons&format=jsonl&group=para&year_from=1975&year_to=1975")
    assert resp.status_code == 200 and resp.mimetype == "application/x-ndjson"
    lines = resp.get_data(as_text=True).splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == gd_engine.search("nuclear weapons", group="para", year_from=1975, year_to=1975).total
    assert all(list(r) == COLUMNS and r["date"].startswith("1975") for r in rows)
    limited = client.get("/api/search?q=nuclear+weapons&format=jsonl&limit=3").get_data(as_text=True)
    assert len(limited.splitlines()) == 3


@pytest.mark.parametrize("url", ["/api/search?q=peace&format=xml", "/api/search?q=peace&format=csv&limit=0",
                                 "/api/search?q=peace&format=csv&limit=10001",
                                 "/api/search?q=peace&format=csv&limit=x", "/api/search?q=(peace&format=csv",
                                 "/api/search?format=csv"])
def test_bad_downloads_are_400s(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"]


def test_results_page_offers_the_downloads(client: FlaskClient) -> None:
    body = client.get("/search?q=climate+change&country=CHN&ui=en").get_data(as_text=True)
    href = html.unescape(re.search(r'<a href="([^"]+)" id="download-csv"', body)[1])
    assert "format=csv" in href and "country=CHN" in href
    rows = read_csv(client.get(href).get_data(as_text=True))
    assert {r["country"] for r in rows} == {"CHN"}


def test_cli_search_csv(gd_index: Path, gd_engine: SearchEngine) -> None:
    out = subprocess.run([sys.executable, "-m", "web.cli", "search", "apartheid", "--index", str(gd_index),
                          "--csv", "--country", "South Africa"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    rows = read_csv(out.stdout)
    assert len(rows) == gd_engine.search("apartheid", country="ZAF").total > 0
    assert {r["country"] for r in rows} == {"ZAF"}
    both = subprocess.run([sys.executable, "-m", "web.cli", "search", "x", "--index", str(gd_index), "--csv",
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert both.returncode == 2


def test_document_page_cites_each_paragraph(client: FlaskClient, gd_engine: SearchEngine) -> None:
    doc = gd_engine.document("CHN_74_2019-en")
    body = html.unescape(client.get("/documents/CHN_74_2019-en?ui=en").get_data(as_text=True))
    links = re.findall(r'<a class="cite-link" href="([^"]+)"', body)
    n_paras = len(doc.paragraphs)
    assert links == [f"http://localhost/documents/CHN_74_2019-en#p{n}" for n in range(1, n_paras + 1)]
    cites = re.findall(r'data-citation="([^"]+)"', body)
    assert cites[2] == ("General debate, 74th session (2019): China, General Assembly, 2019, para. 3, "
                        "http://localhost/documents/CHN_74_2019-en#p3")
    zh = html.unescape(client.get("/documents/CHN_74_2019-en?ui=zh").get_data(as_text=True))
    assert "一般性辩论，第74届会议（2019年）：中国, 大会, 2019, 第3段" in zh
    assert "<script>" not in body and 'src="/static/cite.js"' in body
