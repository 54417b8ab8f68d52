"""The ``unsearch`` command: a thin layer over ``index``, ``search`` and ``web``.

Exit codes: 0 success, 1 failure (one line, no traceback), 2 usage error,
3 a build or update that finished but skipped some sources.

It lives in ``web/`` because ``unsearch serve`` runs the web app: with the layers
web → search → index, only the top one may import all three, and the top level of the
repository holds only index/ search/ web/ tests/ bench/ .ci/. It imports them lazily, in
each command, so that ``unsearch --help`` answers at once: this is also why the click
options spell the limits (100 per page, 10,000 rows) that ``search.settings`` defines and
``search.request`` checks again.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

EXIT_PARTIAL = 3


def _index_dir(value: str | None) -> Path:
    from index import default_index_dir

    return Path(value) if value else default_index_dir()


wait_option = click.option(
    "--wait", "lock_timeout", type=click.FloatRange(0, None), default=30.0, show_default=True,
    metavar="SECONDS", help="How long to wait for another build or update to finish.",
)

index_option = click.option(
    "--index", "index_path", metavar="DIR", default=None,
    help="Index directory (default: $UNSEARCH_INDEX, else the per-user data directory).",
)


class _Fail(click.ClickException):
    """One line on stderr and exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"unsearch: {self.format_message()}", err=True)


def _guard(fn: Any) -> Any:
    """Turn our errors into one-line messages and Ctrl-C into a clean exit."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from index import UnsearchError

        try:
            return fn(*args, **kwargs)
        except UnsearchError as e:
            raise _Fail(str(e)) from None
        except KeyboardInterrupt:
            click.echo("unsearch: interrupted; the index being served is unchanged", err=True)
            sys.exit(130)
        except OSError as e:
            raise _Fail(f"{e.strerror or e}: {e.filename}" if e.filename else str(e)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="unsearch")
def main() -> None:
    """Full-text search over United Nations documents, Chinese first.

    Example: unsearch index build && unsearch search 安全理事会
    """


@main.group("index")
def index_group() -> None:
    """Build, update and inspect the index.

    Example: unsearch index build ../shared/corpus/statements --index var/index
    """


class _ProgressBar:
    """tqdm over the bytes of the sources on a terminal; silent otherwise."""

    def __init__(self, total: int, desc: str) -> None:
        self.bar: Any = None
        from .settings import setting

        if sys.stderr.isatty() and not setting("NO_PROGRESS"):
            from tqdm import tqdm

            self.bar = tqdm(total=total or None, unit="B", unit_scale=True, desc=desc,
                            dynamic_ncols=True, file=sys.stderr)
        self.last = 0

    def __call__(self, docs: int, done_bytes: int) -> None:
        if self.bar is None:
            return
        if done_bytes > self.last:
            self.bar.update(done_bytes - self.last)
            self.last = done_bytes
        if docs % 50 == 0:
            self.bar.set_postfix_str(f"{docs:,} docs", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_report(report: Any, verb: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        langs = ", ".join(f"{k} {v:,}" for k, v in sorted(report.languages.items())) or "none"
        rate = report.paragraphs / report.seconds if report.seconds else 0.0
        click.echo(f"{verb} {report.documents:,} documents, {report.paragraphs:,} paragraphs "
                   f"in {report.seconds:.1f} s ({rate:,.0f} paragraphs/s); languages: {langs}")
        if verb == "Updated":
            click.echo(f"  added {report.added:,}, replaced {report.replaced:,}, "
                       f"removed {report.removed:,}, unchanged {report.unchanged:,}")
        click.echo(f"  index: {report.path}")
    if report.skipped:
        click.echo(f"Skipped {len(report.skipped)} source(s):", err=True)
        for s in report.skipped:
            click.echo(f"  {s.path}: {s.reason}", err=True)


@index_group.command("build")
@click.argument("sources", nargs=-1, type=click.Path())
@index_option
@click.option("--procs", type=click.IntRange(1, 64), default=None,
              help="Writer processes (default: the number of cores, at most 4).")
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_guard
def index_build(sources: tuple[str, ...], index_path: str | None, procs: int | None,
                lock_timeout: float, as_json: bool) -> None:
    """Rebuild the index from SOURCE files and folders; swap it in atomically.

    With no SOURCE, index the built-in demo corpus. Formats: UN document text
    (.txt/.md), the General Debate layout, the UN Parallel Corpus layout, JSON Lines.

    Example: unsearch index build ../shared/corpus/statements ../shared/corpus/unpc-dev
    """
    from index import build_index
    from index.build import source_size
    from index.sources import DEMO_CORPUS

    srcs: list[str] = list(sources) or [str(DEMO_CORPUS)]
    root = _index_dir(index_path)
    bar = _ProgressBar(source_size(srcs), "indexing")
    try:
        report = build_index(srcs, root, progress=bar, procs=procs, lock_timeout=lock_timeout)
    finally:
        bar.close()
    _print_report(report, "Indexed", as_json)
    if report.partial:
        sys.exit(EXIT_PARTIAL)


@index_group.command("update")
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@index_option
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_guard
def index_update(sources: tuple[str, ...], index_path: str | None, lock_timeout: float,
                 as_json: bool) -> None:
    """Add new, replace changed and drop deleted documents of SOURCE.

    Only documents whose content changed are re-indexed; documents that came
    from under a SOURCE folder and are no longer there are removed.

    Example: unsearch index update ../shared/corpus/statements
    """
    from index import update_index

    report = update_index(list(sources), _index_dir(index_path), lock_timeout=lock_timeout)
    _print_report(report, "Updated", as_json)
    if report.partial:
        sys.exit(EXIT_PARTIAL)


@index_group.command("info")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_guard
def index_info_cmd(index_path: str | None, as_json: bool) -> None:
    """Counts, languages, size, build time and schema version of the index.

    Example: unsearch index info --index /srv/unsearch/index
    """
    from index import index_info

    info = index_info(_index_dir(index_path))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    langs = ", ".join(f"{k} {v:,}" for k, v in sorted((info["languages"] or {}).items()))
    click.echo(f"index:          {info['path']} ({info['generation']})")
    click.echo(f"schema version: {info['schema_version']}")
    click.echo(f"documents:      {info['documents']:,}")
    click.echo(f"paragraphs:     {info['paragraphs']:,}")
    click.echo(f"languages:      {langs}")
    click.echo(f"size:           {info['size_bytes'] / 1e6:,.1f} MB in {info['segments']} segment(s)")
    click.echo(f"built:          {info['built']} in {info['build_seconds']} s")
    if info.get("updated"):
        click.echo(f"updated:        {info['updated']}")
    if info.get("skipped"):
        click.echo(f"skipped:        {len(info['skipped'])} source(s) at the last build")


@main.command("search")
@click.argument("query")
@index_option
@click.option("--lang", type=click.Choice(["zh", "en", "fr", "es", "ru", "ar"]), default=None,
              help="Only documents in this language.")
@click.option("--organ", default=None, help='Only this organ, e.g. "Security Council".')
@click.option("--year-from", type=int, default=None, help="Only documents from this year on.")
@click.option("--year-to", type=int, default=None, help="Only documents up to this year.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance")
@click.option("--group", type=click.Choice(["doc", "para"]), default="doc",
              help="One hit per document (doc) or every matching paragraph (para).")
@click.option("--country", default=None, help="Only this country: a code or a name (CHN, China, 中国).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=None,
              help="Number of hits (1-100; with --csv up to 10,000, default all up to 10,000).")
@click.option("--page", type=click.IntRange(1, None), default=1)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON API's result.")
@click.option("--csv", "as_csv", is_flag=True,
              help="Print the hits as CSV: doc_id, symbol, title, organ, country, date, lang, "
                   "paragraph, text, url.")
@_guard
def search_cmd(query: str, index_path: str | None, lang: str | None, organ: str | None,
               year_from: int | None, year_to: int | None, sort: str, group: str, country: str | None,
               limit: int | None, page: int, as_json: bool, as_csv: bool) -> None:
    """Search the index and print ranked results with the matches highlighted.

    Example: unsearch search '"大规模毁灭性武器" lang:zh' --limit 5

    Example: unsearch search 'climate change' --country China --csv > china.csv
    """
    from search import SearchEngine

    if as_json and as_csv:
        raise click.UsageError("use one of --json and --csv")
    if limit is not None and limit > 100 and not as_csv:
        raise click.UsageError("--limit is at most 100 (up to 10,000 with --csv)")
    kwargs: dict[str, Any] = {"lang": lang, "organ": organ, "year_from": year_from, "year_to": year_to,
                              "sort": sort, "group": group, "country": country}
    with SearchEngine.open(_index_dir(index_path)) as engine:
        if as_csv:
            from web.export import csv_lines, hit_row

            results = engine.export(query, limit=limit or 10_000, **kwargs)
            texts = engine.paragraph_texts(results.hits)
            rows = (hit_row(h, text=t) for h, t in zip(results.hits, texts, strict=True))
            for chunk in csv_lines(rows, bom=False):
                click.echo(chunk, nl=False)
            return
        limit = limit or 10
        results = engine.search(query, page=page, per_page=limit, **kwargs)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    color = sys.stdout.isatty()
    click.echo(f"{results.total:,} result(s) for {query!r} ({results.took_ms:.0f} ms)")
    for i, hit in enumerate(results, (page - 1) * limit + 1):
        head = " · ".join(x for x in (hit.symbol, hit.organ, hit.date, hit.lang) if x)
        click.echo("")
        click.echo(click.style(f"{i}. {hit.title or hit.doc_id}", bold=True) if color
                   else f"{i}. {hit.title or hit.doc_id}")
        click.echo(f"   {head} · ¶{hit.paragraph}" + (f" (+{hit.more} more)" if hit.more else ""))
        click.echo("   " + hit.snippet_text(color=color))


@main.command("trends")
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@index_option
@click.option("--lang", type=click.Choice(["zh", "en", "fr", "es", "ru", "ar"]), default=None,
              help="Only documents in this language (the shares too).")
@click.option("--organ", default=None, help='Only this organ, e.g. "General Assembly".')
@click.option("--country", default=None, help="Only this country: a code or a name (CHN, China, 中国).")
@click.option("--year-from", type=int, default=None, help="From this year on.")
@click.option("--year-to", type=int, default=None, help="Up to this year.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON API's result (/api/trends).")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per query and year.")
@_guard
def trends_cmd(queries: tuple[str, ...], index_path: str | None, lang: str | None, organ: str | None,
               country: str | None, year_from: int | None, year_to: int | None, as_json: bool,
               as_csv: bool) -> None:
    """Matching documents and paragraphs per year for up to five QUERYs, and their share
    of each year's documents (per 1,000) and paragraphs (per 10,000).

    Example: unsearch trends 'climate change' 'nuclear weapons' --year-from 1980
    """
    from search import SearchEngine

    if as_json and as_csv:
        raise click.UsageError("use one of --json and --csv")
    with SearchEngine.open(_index_dir(index_path)) as engine:
        trends = engine.trends(list(queries), lang=lang, organ=organ, country=country,
                               year_from=year_from, year_to=year_to)
    if as_json:
        click.echo(json.dumps(trends.to_dict(), ensure_ascii=False, indent=2))
        return
    if as_csv:
        click.echo(trends.to_csv(), nl=False)
        return
    for s in trends.series:
        click.echo(f"{s.query}: {s.total:,} document(s), {s.paragraphs:,} paragraph(s)")
    click.echo("")
    head = f"{'year':>4}  {'docs':>6}  " + "  ".join(f"{q[:18]:>18}" for q in queries)
    click.echo(head)
    for i, y in enumerate(trends.series[0].years):
        cells = "  ".join(f"{s.years[i].documents:>7,} {s.years[i].per_1000_documents:>8.1f}‰"[-18:].rjust(18)
                          for s in trends.series)
        click.echo(f"{y.year:>4}  {y.documents_in_year:>6,}  {cells}")


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes (default: the number of cores).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Threads per server process (searches are CPU work: more threads add "
                   "memory, not throughput).")
@_guard
def serve_cmd(index_path: str | None, host: str, port: int, workers: int | None,
              threads: int) -> None:
    """Serve the web interface and JSON API: gunicorn worker processes (waitress where
    gunicorn cannot run). SIGTERM stops it gracefully: requests in flight finish.

    Example: unsearch serve --index var/demo-index --port 8000 --workers 2
    """
    import logging

    from web import create_app
    from web.server import check_port, gunicorn_available, serve, serve_workers

    logging.basicConfig(level=logging.INFO, format="unsearch: %(message)s")
    root = _index_dir(index_path)
    # WARM_UP opens the index and loads the analysers now, not on the first request;
    # with no index yet the server still starts and answers 503 until one is built.
    try:
        app = create_app({"INDEX_PATH": str(root), "WARM_UP": True})
    except ValueError as e:  # a bad UNSEARCH_* setting
        raise _Fail(str(e)) from None
    n = workers or _cores()
    check_port(host, port)
    if gunicorn_available():
        click.echo(f"unsearch: serving {root} on http://{host}:{port}/ "
                   f"({n} worker process(es), {threads} threads each)", err=True)
        serve_workers(app, host=host, port=port, workers=n, threads=threads)
    else:
        click.echo(f"unsearch: serving {root} on http://{host}:{port}/ (waitress, one process)",
                   err=True)
        serve(app, host=host, port=port, threads=threads)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@main.command("translate")
@click.argument("query")
@click.option("--from", "source", required=True, type=click.Choice(["zh", "en", "fr", "es", "ru", "ar"]),
              help="The language of QUERY.")
@click.option("--to", "target", required=True, type=click.Choice(["zh", "en", "fr", "es", "ru", "ar"]),
              help="The language to find its renderings in.")
@index_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, help="Number of renderings (1-100).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON API's result.")
@_guard
def translate_cmd(query: str, source: str, target: str, index_path: str | None, limit: int,
                  as_json: bool) -> None:
    """How QUERY was rendered in another language, from aligned paragraphs: the likeliest
    renderings, with the pairs they occur in and an example each.

    Example: unsearch translate 大规模毁灭性武器 --from zh --to en
    """
    from search import SearchEngine

    with SearchEngine.open(_index_dir(index_path)) as engine:
        tr = engine.translations(query, source, target, limit=limit)
    if as_json:
        click.echo(json.dumps(tr.to_dict(), ensure_ascii=False, indent=2))
        return
    if not tr.pairs:
        click.echo(f"no aligned {source}-{target} paragraphs contain {query!r}")
        return
    click.echo(f"{query!r} {source}->{target}: {tr.pairs:,} aligned pair(s)")
    for i, r in enumerate(tr, 1):
        click.echo(f"{i:>3}. {r.text}  ({r.count} pairs, {r.share:.0%})")
        if r.examples:
            ex = r.examples[0]
            target_text = re.sub(r"<[^>]+>", "", ex["target_html"])
            click.echo(f"     {ex['doc_id']} ¶{ex['paragraph']}: {html.unescape(target_text)[:160]}")


if __name__ == "__main__":
    main()
