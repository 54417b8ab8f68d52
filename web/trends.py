"""Trends over the years: ``/trends`` (chart, table, downloads) and ``/api/trends``.

Also the template helpers that name countries in the interface language, used by every
page (titles, hits, the document page, facets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, render_template, request, url_for

from search import Trends, country_name
from search.countries import display_title
from search.errors import ParamError
from search.request import check_q, check_trend_queries, one_of
from search.settings import MAX_TREND_QUERIES

from .chart import MEASURES, trend_svg
from .params import parse_filters, text_arg
from .resources import get_engine

bp = Blueprint("trends", __name__)

EXAMPLES = (("climate change", "nuclear weapons", "apartheid"), ("气候变化", "可持续发展"))


@dataclass(frozen=True)
class TrendParams:
    queries: list[str]
    lang: str | None = None
    organ: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    measure: str = "per_1000_documents"
    fmt: str = "json"

    def engine_kwargs(self) -> dict[str, Any]:
        return {"lang": self.lang, "organ": self.organ, "country": self.country,
                "year_from": self.year_from, "year_to": self.year_to}

    def args(self, **changes: Any) -> list[tuple[str, str]]:
        """These parameters as URL arguments (defaults left out)."""
        values = {"measure": self.measure, **self.engine_kwargs(), **changes}
        out = [("q", q) for q in values.pop("queries", self.queries)]
        for k, v in values.items():
            if v is not None and not (k == "measure" and v == "per_1000_documents"):
                out.append((k, str(v)))
        return out


def parse_trends(args: Any) -> TrendParams:
    """Check every /trends and /api/trends parameter; ParamError names the first bad one."""
    raw = [check_q(q, "one to five queries, q=…&q=…") for q in check_trend_queries(args.getlist("q"))]
    lang, organ, country, year_from, year_to = parse_filters(args)
    measure = one_of("measure", text_arg(args, "measure") or "per_1000_documents", MEASURES)
    fmt = text_arg(args, "format") or "json"
    if fmt not in ("json", "csv"):
        raise ParamError(f"format must be json or csv, not {fmt[:20]!r}")
    return TrendParams(queries=[q.strip() for q in raw], lang=lang, organ=organ, country=country,
                       year_from=year_from, year_to=year_to, measure=measure, fmt=fmt)


@bp.get("/api/trends")
def api_trends() -> Any:
    p = parse_trends(request.args)
    trends = get_engine().trends(p.queries, **p.engine_kwargs())
    if p.fmt == "csv":
        return Response("\ufeff" + trends.to_csv(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="trends.csv"'})
    return jsonify(trends.to_dict())


@bp.get("/trends")
def page() -> Any:
    t = g.t
    if not any(q.strip() for q in request.args.getlist("q")):
        return render_template("trends.html", p=None, trends=None, examples=_examples(), q="", lang=None,
                               slots=[""] * 3)
    p = parse_trends(request.args)
    trends = get_engine().trends(p.queries, **p.engine_kwargs())
    measure_label = t(f"measure_{p.measure}")
    svg = trend_svg(trends, p.measure, year_url=lambda q, y: _year_search(p, q, y),
                    point_title=lambda q, y: _point_title(q, y), y_title=measure_label,
                    chart_title=t("trends_chart_title", queries=" · ".join(p.queries),
                                  measure=measure_label))
    return render_template(
        "trends.html", p=p, trends=trends, svg=svg, rows=_table(p, trends), measure_label=measure_label,
        measures=[(m, t(f"measure_{m}"), _url(p, measure=m), m == p.measure) for m in MEASURES],
        csv_url=f"{url_for('trends.api_trends')}?{urlencode(p.args(measure=None, format='csv'))}",
        json_url=f"{url_for('trends.api_trends')}?{urlencode(p.args(measure=None))}",
        search_links=[(q, _search(p, q)) for q in p.queries],
        slots=p.queries + [""] * (MAX_TREND_QUERIES - len(p.queries)), q="", lang=None, examples=_examples(),
    )


def _url(p: TrendParams, **changes: Any) -> str:
    return f"{url_for('trends.page')}?{urlencode(p.args(**changes))}"


def _search_args(p: TrendParams, q: str) -> dict[str, str]:
    args = {"q": q}
    for k in ("lang", "organ", "country", "year_from", "year_to"):
        v = getattr(p, k)
        if v is not None:
            args[k] = str(v)
    return args


def _search(p: TrendParams, q: str) -> str:
    return f"{url_for('pages.search')}?{urlencode(_search_args(p, q))}"


def _year_search(p: TrendParams, q: str, year: int) -> str:
    args = {**_search_args(p, q), "year_from": str(year), "year_to": str(year)}
    return f"{url_for('pages.search')}?{urlencode(args)}"


def _point_title(q: str, y: Any) -> str:
    t = g.t
    return t("trends_point", q=q, year=y.year, documents=f"{y.documents:,}",
             documents_in_year=f"{y.documents_in_year:,}", per_1000=f"{y.per_1000_documents:,.1f}",
             paragraphs=f"{y.paragraphs:,}", per_10000=f"{y.per_10000_paragraphs:,.1f}")


@dataclass(frozen=True)
class Row:
    year: int
    documents_in_year: int
    cells: list[tuple[Any, str]]  # (TrendYear, URL of that year's search) per query


def _table(p: TrendParams, trends: Trends) -> list[Row]:
    series = trends.series
    return [Row(y.year, y.documents_in_year,
                [(s.years[i], _year_search(p, s.query, y.year)) for s in series])
            for i, y in enumerate(series[0].years if series else [])]


def _examples() -> list[tuple[str, str]]:
    out = []
    for qs in EXAMPLES:
        out.append((" · ".join(qs), f"{url_for('trends.page')}?{urlencode([('q', q) for q in qs])}"))
    return out


# -- country names in every template ----------------------------------------------


@bp.app_context_processor
def _country_helpers() -> dict[str, Any]:
    ui = g.get("ui", "en")

    def title_of(title: str | None, country: str | None) -> str:
        return display_title(title or "", country, ui)

    def country_label(code: str | None) -> str:
        return country_name(code, ui) if code else ""

    def trend_url(q: str, args: Mapping[str, Any] | None = None) -> str:
        keep = [(k, str(v)) for k, v in (args or {}).items()
                if k in ("lang", "organ", "country") and v is not None]
        return f"{url_for('trends.page')}?{urlencode([('q', q), *keep])}"

    return {"title_of": title_of, "country_label": country_label, "trend_url": trend_url}
