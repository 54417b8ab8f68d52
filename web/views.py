"""The HTML pages: home, results, document. Server-rendered; JavaScript only enhances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request, url_for

from search import SearchResults, country_code, country_name
from search.settings import MAX_RESULT_WINDOW

from .admission import run_search
from .citation import citation
from .params import SearchParams, parse_search, valid_doc_id
from .resources import get_engine, index_status

bp = Blueprint("pages", __name__)

EXAMPLES = ("大规模毁灭性武器", "安全理事会 1540", '"Security Council"', "S/2015/*")
FACET_SHOWN = 8  # values listed before "More"


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    url: str
    lang: str | None = None  # the value's language, for a lang attribute


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]


def _per_page_default() -> int:
    return int(current_app.config["PER_PAGE"])


def search_url(p: SearchParams, **changes: Any) -> str:
    """/search with ``p`` changed; a change of filter or sort goes back to page 1."""
    if "page" not in changes:
        changes["page"] = 1
    args = p.with_(**changes).query_args(_per_page_default())
    return f"{url_for('pages.search')}?{urlencode(args)}"


@bp.get("/")
def home() -> Any:
    status = index_status(get_engine())
    return render_template("home.html", status=status, examples=EXAMPLES, q="", lang=None)


@bp.get("/search")
def search() -> Any:
    q = request.args.get("q", "")
    if not q.strip() and not request.args.get("page"):
        return home()
    p = parse_search(request.args, default_per_page=_per_page_default())
    results = run_search(get_engine(), p.q, **p.engine_kwargs())
    return render_template(
        "results.html", q=p.q, p=p, results=results, facets=_facets(p, results),
        active=_active_filters(p), sorts=_sorts(p), groups=_groups(p),
        pages=_pagination(p, results), search_url=search_url, lang=p.lang,
        offset=(p.page - 1) * p.per_page,
    )


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str) -> Any:
    if not valid_doc_id(doc_id):
        abort(404)
    q = (request.args.get("q") or "").strip()[:1000] or None
    if request.args.get("with"):
        from .parallel_views import side_by_side

        return side_by_side(doc_id, q)
    doc = get_engine().document(doc_id, query=q)
    meta = doc.meta
    html = doc.paragraphs_html
    paragraphs = [(i, html[i - 1] if html else None, text)
                  for i, text in enumerate(doc.paragraphs, 1)]
    matches = [i for i, h, _ in paragraphs if h and "<mark>" in h]
    versions = sorted(doc.versions, key=lambda v: _LANG_ORDER.get(v["lang"], 99))
    back = url_for("pages.search", q=q) if q else None
    return render_template("document.html", doc=doc, meta=meta, paragraphs=paragraphs,
                           matches=matches, versions=versions, q=q or "", back=back,
                           lang=None, doc_url=_doc_url, citation=citation(meta, g.ui),
                           cite_url=request.host_url.rstrip("/") + url_for("pages.document", doc_id=doc_id))


_LANG_ORDER = {code: i for i, code in enumerate(("zh", "en", "fr", "es", "ru", "ar"))}


def _doc_url(doc_id: str, q: str | None = None) -> str:
    return url_for("pages.document", doc_id=doc_id, q=q or None)


# -- building the results page ----------------------------------------------------


def _facets(p: SearchParams, results: SearchResults) -> list[Facet]:
    t = g.t
    out: list[Facet] = []
    langs = [FacetValue(code, t.language(code), n, p.lang == code,
                        search_url(p, lang=None if p.lang == code else code))
             for code, n in results.facets.get("lang", {}).items()]
    organs = [FacetValue(name, t.organ(name), n, p.organ == name,
                         search_url(p, organ=None if p.organ == name else name))
              for name, n in results.facets.get("organ", {}).items()]
    years = []
    for year, n in results.facets.get("year", {}).items():
        y = int(year)
        active = p.year_from == y and p.year_to == y
        years.append(FacetValue(year, year, n, active,
                                search_url(p, year_from=None if active else y,
                                           year_to=None if active else y)))
    for name, title, values in (("lang", t("facet_lang"), langs), ("organ", t("facet_organ"), organs),
                                ("year", t("facet_year"), years),
                                ("country", t("facet_country"), _country_facet(p, results))):
        if values:
            out.append(Facet(name, title, values))
    return out


def _country_facet(p: SearchParams, results: SearchResults) -> list[FacetValue]:
    """Countries (keyed by English name in the library) named in the interface language;
    a click filters by the code."""
    chosen = country_code(p.country) if p.country else None
    out = []
    for name, n in results.facets.get("country", {}).items():
        code = country_code(name) or name
        active = code == chosen
        out.append(FacetValue(code, country_name(code, g.ui), n, active,
                              search_url(p, country=None if active else code)))
    return out


def _active_filters(p: SearchParams) -> list[tuple[str, str]]:
    """(label, URL without it) for each filter in force."""
    t = g.t
    out = []
    if p.lang:
        out.append((t.language(p.lang), search_url(p, lang=None)))
    if p.organ:
        out.append((t.organ(p.organ), search_url(p, organ=None)))
    if p.year_from is not None or p.year_to is not None:
        if p.year_from == p.year_to:
            label = str(p.year_from)
        else:
            label = f"{p.year_from or '…'}–{p.year_to or '…'}"
        out.append((label, search_url(p, year_from=None, year_to=None)))
    if p.country:
        out.append((country_name(country_code(p.country), g.ui), search_url(p, country=None)))
    return out


def _sorts(p: SearchParams) -> list[tuple[str, str, bool]]:
    t = g.t
    return [(t(key), search_url(p, sort=value), p.sort == value)
            for value, key in (("relevance", "sort_relevance"), ("-date", "sort_newest"),
                               ("date", "sort_oldest"))]


def _groups(p: SearchParams) -> list[tuple[str, str, bool]]:
    t = g.t
    return [(t(key), search_url(p, group=value), p.group == value)
            for value, key in (("doc", "group_doc"), ("para", "group_para"))]


@dataclass(frozen=True)
class Pagination:
    prev: str | None
    next: str | None
    pages: list[tuple[int | None, str | None, bool]]  # (number or None for a gap, url, current)
    last: int


def _pagination(p: SearchParams, results: SearchResults) -> Pagination | None:
    last = min(results.pages, MAX_RESULT_WINDOW // p.per_page)
    if last <= 1 and p.page == 1:
        return None
    numbers = sorted({1, last, *range(max(1, p.page - 2), min(last, p.page + 2) + 1)})
    pages: list[tuple[int | None, str | None, bool]] = []
    prev_n = 0
    for n in numbers:
        if n - prev_n > 1:
            pages.append((None, None, False))
        pages.append((n, search_url(p, page=n), n == p.page))
        prev_n = n
    return Pagination(
        prev=search_url(p, page=p.page - 1) if 1 < p.page <= last + 1 else None,
        next=search_url(p, page=p.page + 1) if p.page < last else None,
        pages=pages, last=last,
    )
