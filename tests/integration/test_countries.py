"""Countries by name: pycountry's names and translations, our table for the codes it lacks,
the country filter and facet, on real General Debate statements."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import CORPUS
from flask.testing import FlaskClient

from search import QueryError, SearchEngine, country_code, country_name
from search.countries import display_title


@pytest.fixture(scope="module")
def client(gd_index: Path) -> FlaskClient:
    from web import create_app

    return create_app({"INDEX_PATH": str(gd_index), "TESTING": True}).test_client()


def corpus_codes() -> set[str]:
    folder = CORPUS / "ungdc"
    if not folder.is_dir():
        pytest.skip("no ungdc in the shared corpus")
    return {p.name.split("_", 1)[0] for p in folder.glob("Session */*.txt")}


def test_every_code_of_the_general_debate_corpus_has_a_name_in_both_languages() -> None:
    for code in sorted(corpus_codes()):
        en, zh = country_name(code), country_name(code, "zh")
        assert en != code, code
        assert zh != code and re.search(r"[\u4e00-\u9fff]", zh), (code, zh)
        assert country_code(en) in (code, "CSK"), (code, en)  # CZK and CSK are both Czechoslovakia
        assert country_code(zh) in (code, "CSK"), (code, zh)


@pytest.mark.parametrize("code, en, zh", [
    ("CHN", "China", "中国"), ("MUS", "Mauritius", "毛里求斯"), ("USA", "United States", "美国"),
    ("BOL", "Bolivia", "玻利维亚"), ("YUG", "Yugoslavia", "南斯拉夫"), ("DDR", "German Democratic Republic",
                                                                  "德意志民主共和国"),
    ("EU", "European Union", "欧洲联盟"), ("SUN", "Soviet Union", "苏联"),
])
def test_names(code: str, en: str, zh: str) -> None:
    assert country_name(code) == en
    assert country_name(code, "zh").startswith(zh)
    assert country_code(en) == country_code(zh) == country_code(code.lower()) == code


def test_titles_name_the_country() -> None:
    title = "General debate, 66th session (2011): MUS"
    assert display_title(title, "MUS") == "General debate, 66th session (2011): Mauritius"
    assert display_title(title, "MUS", "zh") == "一般性辩论，第66届会议（2011年）：毛里求斯"
    assert display_title("Statement by MUS", "MUS") == "Statement by MUS"  # not a title we made


def test_hits_and_documents_carry_the_name(gd_engine: SearchEngine) -> None:
    hit = next(iter(gd_engine.search("Mauritius", country="MUS")))
    assert hit.title.endswith("(2019): Mauritius") or hit.title.endswith("(1975): Mauritius")
    assert hit.country == "MUS"
    assert gd_engine.document(hit.doc_id).meta["title"] == hit.title


@pytest.mark.parametrize("query", ["development", "climate change", '"General Assembly"'])
def test_filtering_by_name_and_by_code_gives_the_same_total(gd_engine: SearchEngine, query: str) -> None:
    totals = {gd_engine.search(query, country=c).total for c in ("CHN", "chn", "China", "中国")}
    totals |= {gd_engine.search(f"{query} country:{c}").total for c in ("CHN", "China", "中国")}
    assert len(totals) == 1 and totals.pop() > 0
    usa = gd_engine.search(query, country="USA").total
    assert gd_engine.search(query, country="United States").total == usa
    assert gd_engine.search(f'{query} country:"United States"').total == gd_engine.search(
        query, country="美国").total


def test_historical_states(gd_engine: SearchEngine) -> None:
    # Czechoslovakia is CZK in the corpus's first sessions and CSK later (1975 here): the name,
    # and either code, finds both.
    both = gd_engine.search("peace", country="Czechoslovakia")
    assert {h.country for h in both} == {"CZK", "CSK"}
    assert both.total == gd_engine.search("peace country:CZK").total == gd_engine.search(
        "peace", country="捷克斯洛伐克").total == 2
    yugoslavia = gd_engine.search("peace country:YUG").total
    assert gd_engine.search("peace", country="南斯拉夫").total == yugoslavia > 0


def test_country_facet_is_keyed_by_name(gd_engine: SearchEngine) -> None:
    results = gd_engine.search("climate change")
    facet = results.facets["country"]
    assert sum(facet.values()) == results.total
    assert "China" in facet and "CHN" not in facet
    assert facet["China"] == gd_engine.search("climate change", country="CHN").total


def test_unknown_country(gd_engine: SearchEngine) -> None:
    with pytest.raises(QueryError, match="unknown country"):
        gd_engine.search("peace", country="Atlantis")


# -- pages and API -------------------------------------------------------------------


def test_api_facet_and_filter(client: FlaskClient) -> None:
    by_code = client.get("/api/search?q=climate+change&country=CHN").get_json()
    by_zh = client.get("/api/search?q=climate+change&country=中国").get_json()
    by_en = client.get("/api/search?q=climate+change&country=china").get_json()
    assert by_code["total"] == by_zh["total"] == by_en["total"] > 0
    assert {h["country"] for h in by_code["hits"]} == {"CHN"}
    assert all(h["title"].endswith(": China") for h in by_code["hits"])
    everyone = client.get("/api/search?q=climate+change").get_json()
    assert everyone["facets"]["country"]["China"] == by_code["total"]
    bad = client.get("/api/search?q=climate+change&country=Atlantis")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_parameter"


@pytest.mark.parametrize("ui, name, title", [("en", "China", "General debate, 74th session (2019): China"),
                                             ("zh", "中国", "一般性辩论，第74届会议（2019年）：中国")])
def test_pages_name_countries_in_the_interface_language(client: FlaskClient, ui: str, name: str,
                                                        title: str) -> None:
    body = html.unescape(client.get(f"/search?q=climate+change&ui={ui}").get_data(as_text=True))
    facet = body[body.index('data-facet="country"'):]
    assert re.search(r'data-value="CHN"[^>]*>\s*<span class="facet-label">' + name, facet)
    url = f"/search?q=climate+change&country=CHN&ui={ui}"
    filtered = html.unescape(client.get(url).get_data(as_text=True))
    assert title in filtered
    assert f'<span class="country" data-country="CHN">{name}</span>' in filtered
    assert 'class="chip"' in filtered and name in filtered[filtered.index('class="chips"'):]
    doc = html.unescape(client.get(f"/documents/CHN_74_2019-en?ui={ui}").get_data(as_text=True))
    assert title in doc and f'<dd data-country="CHN">{name}</dd>' in doc


def test_facet_link_filters_by_code(client: FlaskClient) -> None:
    body = client.get("/search?q=climate+change&ui=en").get_data(as_text=True)
    href = html.unescape(re.search(r'<a href="([^"]+)" class="facet-value" data-value="CHN"', body)[1])
    assert "country=CHN" in href
    filtered = client.get(href).get_data(as_text=True)
    assert 'data-total="1"' in filtered
