"""The trend chart: server-rendered SVG made with pygal, inlined in the page.

Why pygal: it draws the axes, scales, legend and one line per series as plain SVG on
the server, so the page needs no JavaScript charting library, no CDN and no npm, and
works offline and without JavaScript.  Its hover tooltips need its own script (served
from a CDN by default); we switch that off and give every point a native SVG
``<title>`` instead, which every browser shows on hover, and a link to that year's
search.  The page's Content-Security-Policy allows no inline style, so pygal's
``<style>`` block and style attributes are dropped and ``static/style.css`` colours the
chart through pygal's classes (``.color-0`` …).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from search import Trends

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

MEASURES = ("per_1000_documents", "per_10000_paragraphs", "documents", "paragraphs")


def trend_svg(trends: Trends, measure: str, *, year_url: Callable[[str, int], str],
              point_title: Callable[[str, Any], str], y_title: str, chart_title: str) -> str:
    """One line per query, one point per year; ``year_url(query, year)`` is where a click on
    a point goes, ``point_title(query, year)`` what hovering over it shows."""
    pygal = _pygal()
    years = [y.year for y in trends.series[0].years] if trends.series else []
    # An XY chart, not a Line chart of year labels: years are spaced as time is, also when
    # a filter leaves gaps between them.
    chart = pygal.XY(
        js=[], css=[], disable_xml_declaration=True, no_prefix=True, explicit_size=False,
        width=900, height=420, margin=10, margin_right=28, spacing=12, dots_size=3,
        stroke_style={"width": 2}, show_legend=True, legend_at_bottom=True,
        legend_at_bottom_columns=min(len(trends.series), 3) or 1, truncate_legend=40, y_title=y_title,
        title=None, include_x_axis=True, print_values=False, allow_interruptions=False,
        x_value_formatter=lambda x: str(int(x)),
        x_labels=_year_ticks(years), min_scale=4, max_scale=8,
    )
    for s in trends.series:
        chart.add(s.query, [
            {"value": (y.year, getattr(y, measure)), "label": point_title(s.query, y),
             "xlink": {"href": year_url(s.query, y.year), "target": "_self"}}
            for y in s.years
        ])
    return _clean(chart.render(is_unicode=True), chart_title)


def _pygal() -> Any:
    """pygal, without the legacy import hook it puts on sys.meta_path for its optional
    ``pygal.maps.*`` plugins (unused here): the hook has no find_spec(), so every later failed
    import anywhere in the process would raise an ImportWarning."""
    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]
    return pygal


def _year_ticks(years: list[int]) -> list[int]:
    """Round years (every 5, 10 or 20) across the span, or the years themselves if few."""
    if len(years) <= 8:
        return years
    lo, hi = years[0], years[-1]
    step = next(s for s in (5, 10, 20, 50) if (hi - lo) / s <= 9)
    return list(range(-(-lo // step) * step, hi + 1, step))


def _clean(svg: str, chart_title: str) -> str:
    """pygal's SVG made fit for a strict CSP page: no <style>, no style attributes, no
    comments; a <title> on each point's link (from pygal's ``desc.label``) and on the chart."""
    root = ET.fromstring(svg)
    root.attrib.pop("id", None)
    root.set("class", "pygal-chart trend-chart")
    root.set("role", "img")
    root.set("aria-labelledby", "trend-chart-title")
    title = ET.Element(f"{{{SVG_NS}}}title", {"id": "trend-chart-title"})
    title.text = chart_title
    root.insert(0, title)
    for old in root.findall(f"{{{SVG_NS}}}title")[1:]:
        root.remove(old)  # pygal's own, "Pygal"
    parents = {child: parent for parent in root.iter() for child in parent}
    for el in list(root.iter()):
        el.attrib.pop("style", None)
        if el.tag == f"{{{SVG_NS}}}style" or el.tag == f"{{{SVG_NS}}}script":
            parents[el].remove(el)
    for a in root.iter(f"{{{SVG_NS}}}a"):
        label = a.find(f"{{{SVG_NS}}}desc[@class='label']")
        if label is not None and label.text:
            t = ET.Element(f"{{{SVG_NS}}}title")
            t.text = label.text
            a.insert(0, t)
    # The tooltip box pygal's script would move around: without the script it only gets in the way.
    for g in list(root.iter(f"{{{SVG_NS}}}g")):
        if "tooltip-overlay" in (g.get("class") or ""):
            parents[g].remove(g)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)

