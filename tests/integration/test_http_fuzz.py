"""Hostile queries and parameters over HTTP (property-based): never a 500, never a traceback."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import build_index

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the UN corpus is not at {CORPUS}")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from web import create_app

    index = tmp_path_factory.mktemp("fuzz") / "index"
    build_index([CORPUS / "statements", CORPUS / "un-charter"], index, procs=1)
    app = create_app({"INDEX_PATH": str(index), "TESTING": True})
    with app.test_client() as c:
        yield c


SYNTAX = ['"', "“", "(", ")", "[", "]", "{", "}", "*", "?", ":", "-", "+", "OR", "AND", "NOT",
          "lang:", "organ:", "symbol:", "year:", "date:", "country:", "title:", "TO", "\\", "/",
          "安全理事会", "1540(2004)", "S/2020/*", "\x00", "\ud800", "\udfff", "%", "&", "#", "<script>"]

queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(SYNTAX), max_size=12).map(" ".join),
    st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
    st.integers(min_value=900, max_value=10_000).map(lambda n: "安" * n),
    st.just("a " * 5000),
)
values = st.one_of(st.none(), st.text(max_size=8), st.integers(-10**12, 10**12).map(str),
                   st.sampled_from(["", "0", "-1", "1e9", "NaN", "101", "100", "date", "-date",
                                    "relevance", "doc", "para", "zh", "xx", "1.5", "２０１５"]))


def _url(path: str, params: dict[str, str | None]) -> str:
    parts = []
    for k, v in params.items():
        if v is None:
            continue
        # surrogates cannot be UTF-8 encoded: send what a broken client would, escaped bytes
        b = v.encode("utf-8", "surrogatepass")
        parts.append(f"{k}={quote(b, safe='')}")
    return path + "?" + "&".join(parts)


def _check(resp: Any) -> None:
    assert resp.status_code in (200, 400), (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_data(as_text=True)
    assert "Traceback" not in body
    if resp.status_code == 400 and resp.is_json:
        err = resp.get_json()["error"]
        assert err["code"] and err["message"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, page=values, per_page=values, year_from=values, year_to=values, sort=values,
       group=values, lang=values)
def test_api_search_never_500(client: Any, q: str, page: str | None, per_page: str | None,
                              year_from: str | None, year_to: str | None, sort: str | None,
                              group: str | None, lang: str | None) -> None:
    params = {"q": q, "page": page, "per_page": per_page, "year_from": year_from,
              "year_to": year_to, "sort": sort, "group": group, "lang": lang}
    _check(client.get(_url("/api/search", params)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, page=values, sort=values)
def test_search_page_never_500(client: Any, q: str, page: str | None, sort: str | None) -> None:
    resp = client.get(_url("/search", {"q": q, "page": page, "sort": sort}))
    assert resp.status_code in (200, 400), resp.status_code
    assert "Traceback" not in resp.get_data(as_text=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc_id=st.one_of(st.text(max_size=40), st.sampled_from(
    ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/", "....//", "/etc/passwd", "\x00",
     "a" * 5000])))
def test_document_routes_never_500(client: Any, doc_id: str) -> None:
    path = quote(doc_id.encode("utf-8", "surrogatepass"), safe=string.ascii_letters + "%/.")
    for prefix in ("/api/documents/", "/documents/"):
        resp = client.get(prefix + path)
        assert resp.status_code in (200, 404, 400, 308), (prefix, doc_id, resp.status_code)
        assert "Traceback" not in resp.get_data(as_text=True)
        if resp.status_code == 200:
            assert "root:" not in resp.get_data(as_text=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, lang=values, limit=values)
def test_api_suggest_never_500(client: Any, q: str, lang: str | None, limit: str | None) -> None:
    resp = client.get(_url("/api/suggest", {"q": q, "lang": lang, "limit": limit}))
    _check(resp)
    if resp.status_code == 200:
        assert all(set(s) == {"text", "kind", "count"} for s in resp.get_json()["suggestions"])
