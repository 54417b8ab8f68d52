"""Known-item evaluation over ../shared/corpus/unpc-dev, unsearch against jieba's stock analyzer.

Queries are drawn from the corpus text itself, with a fixed seed; the *known item* of a query
is the paragraph (doc_id, paragraph) it was drawn from.  Classes:

  zh-words      2-4 consecutive Chinese words typed without spaces
  zh-substring  a Chinese substring at an arbitrary offset (2-8 characters)
  zh-quoted     2-4 consecutive Chinese words in double quotes
  zh-trad       zh-words converted to traditional script (OpenCC s2t)
  zh-trad-quoted zh-quoted in traditional script
  zh-fullwidth  2-4 consecutive words, one of them ASCII digits/Latin (第1970(2011)号决议), typed
                without spaces and with the ASCII full-width
  zh-fullwidth-substring  a substring at arbitrary offsets with Chinese on both sides of ASCII
                digits/Latin, full-width (会准则第１１节的规)
  en-words      2-4 consecutive English words
  en-quoted     2-4 consecutive English words in double quotes
  abbreviations a paragraph (Chinese or English) with the full form of an entry of
                index/data/abbreviations.tsv, searched by an abbreviation of it and the word
                after it (安理会决议 for 安全理事会决议, "UNDP country" for "United Nations
                Development Programme country")
  misspellings  en-words with one word misspelt by a random edit (a letter dropped, added,
                changed or two swapped, never the first); a system that offers a corrected
                query ("Did you mean") is measured on the corrected query, as a user who
                follows the link

Both systems search paragraphs (group="para" for unsearch).  Reported per class and system:

  success@10          the known item is among the first 10 hits
  MRR@10              mean reciprocal rank of the known item (0 when not in the first 10)
  first-hit-contains  the first hit's paragraph contains the drawn string (both sides folded:
                      width, case, traditional → simplified), the issue's main goal (≥ 95 %)
  abbreviations: first-hit-contains means the first hit has the word and one of the
                      entry's forms (the abbreviation or its full form)
  did-you-mean        misspellings: the share of queries whose suggestion is the query as drawn
  phrase-precision    quoted classes: of the first 100 hits, the share that contain the phrase
                      (the goal is 1.0: quoted phrases return only paragraphs that contain it)

The baseline is what the issue compares against: a plain Whoosh schema, paragraphs as
documents, ``jieba.analyse.ChineseAnalyzer()`` on Chinese, Whoosh's ``StemmingAnalyzer`` on
the other languages, one writer, Whoosh's default query parser (AND group) over both fields.

Run from the project root:

    .venv/bin/python -m bench.eval_known_item [--n 100] [--seed 1]

Both indexes are built in a temporary folder (about two minutes on two cores).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import full_width, s2t

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("UNSEARCH_CORPUS") or ROOT.parent / "shared" / "corpus")

CLASSES = ("zh-words", "zh-substring", "zh-quoted", "zh-trad", "zh-trad-quoted", "zh-fullwidth",
           "zh-fullwidth-substring", "en-words", "en-quoted", "abbreviations", "misspellings")
QUOTED = frozenset({"zh-quoted", "zh-trad-quoted", "en-quoted"})
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
FULLWIDTH_SOURCE = re.compile(
    r"[\u4e00-\u9fff]{1,4}[0-9A-Za-z][0-9A-Za-z()./-]*[0-9A-Za-z)][\u4e00-\u9fff]{1,4}")
EN_WORD = re.compile(r"[A-Za-z]+")

Key = tuple[str, int]


@dataclass(frozen=True)
class Query:
    cls: str
    text: str  # what is typed
    drawn: str  # the string it was drawn from (simplified, half-width, unquoted)
    item: Key  # the paragraph it was drawn from
    # abbreviations: the first hit must hold ``drawn`` (the word) and one of these forms
    forms: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Drawing queries


def load_paragraphs(corpus: Path) -> dict[Key, tuple[str, str]]:
    """(doc_id, paragraph number) → (language, text) for unpc-dev, as unsearch reads it."""
    from index.model import Skipped
    from index.sources import iter_sources

    out: dict[Key, tuple[str, str]] = {}
    for doc in iter_sources([corpus / "unpc-dev"]):
        if isinstance(doc, Skipped):
            raise SystemExit(f"cannot read {doc.path}: {doc.reason}")
        for n, text in enumerate(doc.paragraphs, 1):
            out[(doc.id, n)] = (doc.lang, text)
    return out


def _zh_words(rng: random.Random, text: str) -> str | None:
    import jieba

    runs = [r for r in HAN_RUN.findall(text) if len(r) >= 4]
    if not runs:
        return None
    words = jieba.lcut(rng.choice(runs), HMM=False)
    if len(words) < 2:
        return None
    k = rng.randint(2, min(4, len(words)))
    i = rng.randint(0, len(words) - k)
    s = "".join(words[i : i + k])
    return s if len(s) >= 3 else None


def _zh_substring(rng: random.Random, text: str) -> str | None:
    runs = [r for r in HAN_RUN.findall(text) if len(r) >= 2]
    if not runs:
        return None
    run = rng.choice(runs)
    size = rng.randint(2, min(8, len(run)))
    start = rng.randint(0, len(run) - size)
    return run[start : start + size]


def _zh_fullwidth(rng: random.Random, text: str) -> str | None:
    """2-4 consecutive jieba words with no space between them, one of them ASCII letters/digits."""
    import jieba

    spans, pos = [], 0
    for w in jieba.lcut(text, HMM=False):
        spans.append((w, pos))
        pos += len(w)
    ascii_at = [i for i, (w, _p) in enumerate(spans) if w.isascii() and w.isalnum()]
    if not ascii_at:
        return None
    i = rng.choice(ascii_at)
    k = rng.randint(2, 4)
    first = rng.randint(max(0, i - k + 1), i)
    chosen = spans[first : first + k]
    s = "".join(w for w, _p in chosen)
    if len(chosen) < 2 or not all(HAN_RUN.fullmatch(w) or (w.isascii() and w.isalnum()) for w, _p in chosen):
        return None
    return s if HAN_RUN.search(s) and len(s) >= 3 else None


def _zh_fullwidth_substring(rng: random.Random, text: str) -> str | None:
    found = FULLWIDTH_SOURCE.findall(text)
    return rng.choice(found) if found else None


def _en_words(rng: random.Random, text: str) -> str | None:
    words = text.split()
    if len(words) < 2:
        return None
    k = rng.randint(2, min(4, len(words)))
    for _ in range(10):
        i = rng.randint(0, len(words) - k)
        span = words[i : i + k]
        if all(EN_WORD.fullmatch(w) for w in span) and sum(len(w) for w in span) >= 8:
            return " ".join(span)
    return None


def _abbreviation_rows() -> dict[str, list[tuple[str, list[str]]]]:
    """Per language: (full form, the abbreviations that search it) of the list's entries."""
    from search.synonyms import read_table

    out: dict[str, list[tuple[str, list[str]]]] = {}
    for row in read_table():
        full = row[0]
        short = [f.text for f in row[1:] if f.leads and f.text != full.text]
        if short and full.led and row[0].lang in ("zh", "en"):
            out.setdefault(row[0].lang, []).append((full.text, short))
    return out


def _abbreviation(rng: random.Random, lang: str, text: str,
                  rows: dict[str, list[tuple[str, list[str]]]]) -> tuple[str, str, tuple[str, ...]] | None:
    """(typed, the word beside the form, the entry's forms) for a paragraph with a full form."""
    import jieba

    present = [(full, short) for full, short in rows[lang]
               if (full in text if lang == "zh" else re.search(rf"\b{re.escape(full)}\b", text))]
    if not present:
        return None
    full, short = rng.choice(present)
    abbr = rng.choice(short)
    at = text.index(full) if lang == "zh" else re.search(rf"\b{re.escape(full)}\b", text).start()  # type: ignore[union-attr]
    after = text[at + len(full):]
    if lang == "zh":
        words = jieba.lcut(after[:20], HMM=False)
        word = words[0] if words and HAN_RUN.fullmatch(words[0]) and len(words[0]) >= 2 else None
        return (abbr + word, word, (full, *short)) if word else None
    m = re.match(r"\s+([A-Za-z]{4,})\b", after)
    return (f"{abbr} {m.group(1)}", m.group(1), (full, *short)) if m else None


def _misspell(rng: random.Random, words: str) -> str | None:
    """One word of 5 letters or more with one random edit (not its first letter)."""
    parts = words.split()
    long_ = [i for i, w in enumerate(parts) if len(w) >= 5]
    if not long_:
        return None
    i = rng.choice(long_)
    w = parts[i]
    j = rng.randint(1, len(w) - 1)
    edit = rng.choice(("drop", "add", "change", "swap"))
    letters = "abcdefghijklmnopqrstuvwxyz"
    if edit == "drop":
        w = w[:j] + w[j + 1:]
    elif edit == "add":
        w = w[:j] + rng.choice(letters) + w[j:]
    elif edit == "change":
        w = w[:j] + rng.choice(letters.replace(w[j].lower(), "")) + w[j + 1:]
    elif j < len(w) - 1 and w[j] != w[j + 1]:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    else:
        return None
    parts[i] = w
    return " ".join(parts)


def draw_queries(paragraphs: dict[Key, tuple[str, str]], n: int, seed: int,
                 classes: tuple[str, ...] = CLASSES) -> list[Query]:
    by_lang: dict[str, list[Key]] = {}
    for key, (lang, _text) in sorted(paragraphs.items()):
        by_lang.setdefault(lang, []).append(key)
    out: list[Query] = []
    for cls in classes:
        rng = random.Random(f"{seed}:{cls}")
        pool = by_lang["en" if cls.startswith("en") or cls == "misspellings" else "zh"]
        if cls == "abbreviations":
            out.extend(_draw_abbreviations(rng, paragraphs, by_lang, n))
            continue
        if cls.startswith("zh-fullwidth"):
            pool = [k for k in pool if FULLWIDTH_SOURCE.search(paragraphs[k][1])]
        drawer = {"zh-substring": _zh_substring, "zh-fullwidth": _zh_fullwidth,
                  "zh-fullwidth-substring": _zh_fullwidth_substring,
                  "en-words": _en_words, "en-quoted": _en_words,
                  "misspellings": _en_words}.get(cls, _zh_words)
        got = 0
        tries = 0
        while got < n and tries < 100 * n:
            tries += 1
            key = rng.choice(pool)
            drawn = drawer(rng, paragraphs[key][1])
            if not drawn:
                continue
            typed = drawn
            if cls.startswith("zh-trad"):
                typed = s2t(drawn)
            elif cls.startswith("zh-fullwidth"):
                typed = full_width(drawn, punctuation=False)
            if cls in QUOTED:
                typed = f'"{typed}"'
            if cls == "misspellings":
                typed = _misspell(rng, drawn) or ""
                if not typed:
                    continue
            out.append(Query(cls, typed, drawn, key))
            got += 1
    return out


def _draw_abbreviations(rng: random.Random, paragraphs: dict[Key, tuple[str, str]],
                       by_lang: dict[str, list[Key]], n: int) -> list[Query]:
    """Half Chinese, half English paragraphs holding a full form of the list."""
    rows = _abbreviation_rows()
    out: list[Query] = []
    for lang, want in (("zh", n - n // 2), ("en", n // 2)):
        pool = [k for k in by_lang[lang]
                if any(full in paragraphs[k][1] for full, _short in rows[lang])]
        tries = 0
        got = 0
        while got < want and tries < 100 * n and pool:
            tries += 1
            key = rng.choice(pool)
            drawn = _abbreviation(rng, lang, paragraphs[key][1], rows)
            if drawn is None:
                continue
            typed, word, forms = drawn
            out.append(Query("abbreviations", typed, word, key, forms))
            got += 1
    return out


# ---------------------------------------------------------------------------
# The two systems


class Ours:
    name = "unsearch"

    def __init__(self, index: Path) -> None:
        from search import SearchEngine

        self.engine = SearchEngine.open(index)
        self._docs: dict[str, list[str]] = {}

    def text(self, key: Key) -> str:
        doc_id, n = key
        if doc_id not in self._docs:
            self._docs[doc_id] = self.engine.document(doc_id).paragraphs
        return self._docs[doc_id][n - 1]

    def search(self, q: str, limit: int) -> list[Key]:
        from search import QueryError

        try:
            r = self.engine.search(q, group="para", per_page=limit)
        except QueryError:
            return []
        return [(h.doc_id, h.paragraph) for h in r]

    def corrected(self, q: str) -> str | None:
        """The "Did you mean" query offered for ``q``, if any."""
        from search import QueryError

        try:
            r = self.engine.search(q, group="para", per_page=10)
        except QueryError:
            return None
        return getattr(r, "suggestion", None)


class Baseline:
    """jieba's stock Whoosh analyzer on a plain schema: what the issue measures us against."""

    name = "jieba+whoosh"

    def __init__(self, folder: Path, paragraphs: dict[Key, tuple[str, str]]) -> None:
        import logging

        import jieba
        from jieba.analyse import ChineseAnalyzer
        from whoosh import index as whoosh_index
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import MultifieldParser

        jieba.setLogLevel(logging.WARNING)
        schema = Schema(key=ID(stored=True, unique=True),
                        zh=TEXT(analyzer=ChineseAnalyzer()),
                        other=TEXT(analyzer=StemmingAnalyzer()))
        folder.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(folder), schema)
        writer = self.ix.writer(limitmb=256)
        for (doc_id, n), (lang, text) in paragraphs.items():
            field = "zh" if lang == "zh" else "other"
            writer.add_document(key=f"{doc_id}\t{n}", **{field: text})
        writer.commit()
        self.parser = MultifieldParser(["zh", "other"], schema)  # default group: AND
        self.searcher = self.ix.searcher()
        self.paragraphs = paragraphs

    def text(self, key: Key) -> str:
        return self.paragraphs[key][1]

    def search(self, q: str, limit: int) -> list[Key]:
        hits = self.searcher.search(self.parser.parse(q), limit=limit)
        out = []
        for h in hits:
            doc_id, n = h["key"].split("\t")
            out.append((doc_id, int(n)))
        return out

    def corrected(self, q: str) -> str | None:
        return None  # Whoosh's default parser offers no correction

    def close(self) -> None:
        self.searcher.close()


# ---------------------------------------------------------------------------
# Measuring


def _contains(system: Any, key: Key, drawn: str) -> bool:
    from index.analysis import fold

    return fold(drawn).text in fold(system.text(key)).text


def _first_hit_ok(system: Any, q: Query, hits: list[Key]) -> bool:
    if not hits:
        return False
    if not q.forms:
        return _contains(system, hits[0], q.drawn)
    return _has_word(system, hits[0], q.drawn) and any(_contains(system, hits[0], f) for f in q.forms)


def _has_word(system: Any, key: Key, word: str) -> bool:
    """Chinese: the word is in the text; English: a word of the same stem (both systems
    stem English: "resolutions" finds "resolution")."""
    if not word.isascii():
        return _contains(system, key, word)
    from whoosh.lang.porter import stem

    return stem(word.lower()) in {stem(w.lower()) for w in EN_WORD.findall(system.text(key))}


def measure(system: Any, queries: list[Query]) -> dict[str, dict[str, float | int | None]]:
    from index.analysis import fold

    rows: dict[str, dict[str, Any]] = {}
    for q in queries:
        row = rows.setdefault(q.cls, {"queries": 0, "success": 0, "rr": 0.0, "first": 0,
                                      "phrase_hits": 0, "phrase_ok": 0, "right": 0})
        row["queries"] += 1
        typed = q.text
        if q.cls == "misspellings":
            suggestion = system.corrected(q.text)
            if suggestion is not None:
                typed = suggestion
                row["right"] += fold(suggestion).text == fold(q.drawn).text
        hits = system.search(typed, 10)
        if q.item in hits:
            row["success"] += 1
            row["rr"] += 1.0 / (hits.index(q.item) + 1)
        if _first_hit_ok(system, q, hits):
            row["first"] += 1
        if q.cls in QUOTED:
            many = system.search(q.text, 100)
            row["phrase_hits"] += len(many)
            row["phrase_ok"] += sum(1 for k in many if _contains(system, k, q.drawn))
    out: dict[str, dict[str, float | int | None]] = {}
    for cls, row in rows.items():
        n = row["queries"]
        out[cls] = {
            "queries": n,
            "success_at_10": round(row["success"] / n, 4),
            "mrr_at_10": round(row["rr"] / n, 4),
            "first_hit_contains": round(row["first"] / n, 4),
            "phrase_precision": (round(row["phrase_ok"] / row["phrase_hits"], 4)
                                 if cls in QUOTED and row["phrase_hits"] else None),
            "did_you_mean": round(row["right"] / n, 4) if cls == "misspellings" else None,
        }
    return out


def evaluate(n: int = 100, seed: int = 1, *, index: str | os.PathLike[str] | None = None,
             baseline: bool = True, corpus: str | os.PathLike[str] | None = None,
             workdir: str | os.PathLike[str] | None = None,
             log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the evaluation; returns {"ours": {class: row}, "baseline": {…} or None, …}.

    ``index``: an existing unsearch index that contains unpc-dev (else one is built in
    ``workdir``, a temporary folder by default).  ``baseline=False`` skips jieba's analyzer.
    """
    say = log or (lambda _msg: None)
    corpus_dir = Path(corpus) if corpus else DEFAULT_CORPUS
    if not (corpus_dir / "unpc-dev").is_dir():
        raise SystemExit(f"no unpc-dev under {corpus_dir} (set UNSEARCH_CORPUS)")
    with _workdir(workdir) as tmp:
        paragraphs = load_paragraphs(corpus_dir)
        queries = draw_queries(paragraphs, n, seed)
        timings: dict[str, float] = {}
        result: dict[str, Any] = {"n": n, "seed": seed, "ours": None, "baseline": None}
        if baseline:
            # First, while this process runs stock Whoosh: unsearch's fixes to Whoosh are
            # applied when it builds or opens an index (index/_whoosh.py), below.
            _require_stock_whoosh()
            say("building the jieba+whoosh baseline …")
            t = time.monotonic()
            base = Baseline(tmp / "baseline", paragraphs)
            timings["build_baseline_s"] = round(time.monotonic() - t, 1)
            t = time.monotonic()
            result["baseline"] = measure(base, queries)
            timings["search_baseline_s"] = round(time.monotonic() - t, 1)
            base.close()
            _require_stock_whoosh()
        if index is None:
            from index import build_index

            say("building the unsearch index …")
            t = time.monotonic()
            index = tmp / "unsearch"
            # One writer process: the multi-process writer's split of the documents decides
            # their numbers, and so the order of equal scores; two such builds of the same
            # code differ by 0.01-0.02 in some classes. One process gives the same figures
            # on every run.
            build_index([corpus_dir / "unpc-dev"], index, procs=1)
            timings["build_unsearch_s"] = round(time.monotonic() - t, 1)
        say(f"searching {len(queries)} queries with unsearch …")
        t = time.monotonic()
        ours = Ours(Path(index))
        result["ours"] = measure(ours, queries)
        timings["search_unsearch_s"] = round(time.monotonic() - t, 1)
        result["timings"] = timings
        result["examples"] = {cls: next(q.text for q in queries if q.cls == cls) for cls in CLASSES}
        return result


def _require_stock_whoosh() -> None:
    from index import _whoosh

    if _whoosh.applied():
        raise RuntimeError("the baseline must run stock Whoosh, but this process has applied "
                           "unsearch's fixes (it opened or built an index): run the evaluation "
                           "in a fresh process")


class _workdir:
    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            return self.path
        self._tmp = tempfile.TemporaryDirectory(prefix="unsearch-eval-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def format_table(result: dict[str, Any]) -> str:
    def cell(v: float | None) -> str:
        return "–" if v is None else f"{v:.2f}"

    head = (f"{'class':<23} {'system':<13} {'success@10':>10} {'MRR@10':>7} {'first-hit':>9} "
            f"{'phrase-prec':>11} {'did-you-mean':>12}")
    lines = [head, "-" * len(head)]
    systems = [("unsearch", result["ours"])]
    if result.get("baseline"):
        systems.append(("jieba+whoosh", result["baseline"]))
    for cls in CLASSES:
        for i, (name, rows) in enumerate(systems):
            row = rows.get(cls)
            if row is None:
                continue
            lines.append(f"{cls if i == 0 else '':<23} {name:<13} {cell(row['success_at_10']):>10} "
                         f"{cell(row['mrr_at_10']):>7} {cell(row['first_hit_contains']):>9} "
                         f"{cell(row['phrase_precision']):>11} {cell(row.get('did_you_mean')):>12}")
    return "\n".join(lines)


def _iter_examples(result: dict[str, Any]) -> Iterator[str]:
    for cls, q in result.get("examples", {}).items():
        yield f"  {cls:<23} {q}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.eval_known_item", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100, help="queries per class (default 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", default=None, help=f"corpus folder (default {DEFAULT_CORPUS})")
    ap.add_argument("--index", default=None, help="use this unsearch index instead of building one")
    ap.add_argument("--no-baseline", action="store_true", help="skip jieba's stock analyzer")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    result = evaluate(args.n, args.seed, index=args.index, baseline=not args.no_baseline,
                      corpus=args.corpus, log=lambda m: print(m, file=sys.stderr))
    if args.json:
        import json

        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"Known-item evaluation over unpc-dev: {args.n} queries per class, seed {args.seed}")
    print()
    print(format_table(result))
    print()
    print("Example queries:")
    print("\n".join(_iter_examples(result)))
    print()
    print("Timings (s): " + ", ".join(f"{k} {v}" for k, v in result["timings"].items()))
    print("Goal: first-hit ≥ 0.95 in every class; phrase-prec = 1.00 for quoted classes.")
    print(f"Reproduce: .venv/bin/python -m bench.eval_known_item --n {args.n} --seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
