"""Trends, country columns and downloads on an existing index: prints figures.

    .venv/bin/python -m bench.trends --index DIR [--repeats 5]

- the cost of loading the columns (the country array included) when an index is opened;
- ``SearchEngine.trends`` of 3 and of 5 common queries: "cold" (a new engine with the
  columns loaded but no posting list cached: what the first user of a query waits) and
  warm (the same trend again), median of ``--repeats``;
- that every series agrees with the year facet and total of the same search;
- ``SearchEngine.export`` of up to 10,000 rows plus their paragraph texts (a CSV download).

The index is only read.  Not a test: nothing here fails on a slow figure.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import ROOT  # noqa: F401  (puts the project on sys.path)

SETS = {
    "3 common": ["climate change", "nuclear weapons", "human rights"],
    "5 mixed": ["climate change", "nuclear weapons", "apartheid", '"sustainable development"', "terrorism"],
    "3 very common": ["united nations", "peace", "development"],
}


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    from index.columns import load_columns
    from search import SearchEngine

    with SearchEngine.open(args.index) as e, e._searcher() as s:
        loads = []
        for _ in range(3):
            t = time.perf_counter()
            cols = load_columns(s.reader())
            loads.append(_ms(t))
        print(f"columns (with country) for {len(cols):,} paragraphs: median {statistics.median(loads)} ms")

    out: dict[str, Any] = {}
    for name, queries in SETS.items():
        cold, warm = [], []
        for _ in range(args.repeats):
            with SearchEngine.open(args.index) as e:
                with e._searcher() as s:
                    e._columns_for(s)  # opening the index, not the trend
                t = time.perf_counter()
                trends = e.trends(queries)
                cold.append(_ms(t))
                t = time.perf_counter()
                e.trends(queries)
                warm.append(_ms(t))
        out[name] = (statistics.median(cold), statistics.median(warm))
        print(f"trend of {name} ({', '.join(queries)}): cold median {out[name][0]} ms "
              f"(max {max(cold)}), warm median {out[name][1]} ms")
        with SearchEngine.open(args.index) as e:
            for series in trends:
                r = e.search(series.query)
                facet = {int(y): n for y, n in r.facets["year"].items()}
                mine = {y.year: y.documents for y in series.years if y.documents}
                ok = r.total == series.total and facet == mine
                print(f"  {series.query!r}: {series.total:,} documents; equals search()'s total and "
                      f"year facet: {ok}")
    with SearchEngine.open(args.index) as e:
        t = time.perf_counter()
        res = e.export("climate change")
        texts = e.paragraph_texts(res.hits)
        print(f"export 'climate change': {len(res.hits):,} rows with paragraph texts in {_ms(t)} ms "
              f"({sum(map(len, texts)) / 1e6:.1f} MB of text)")


if __name__ == "__main__":
    main()
