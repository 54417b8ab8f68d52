"""The numpy fast path (search/vector.py over index/postings.py) against plain Whoosh.

Every query here is translated to a Whoosh query exactly as SearchEngine.search does it, then
matched and scored twice: by Whoosh's own matchers (``searcher.search(q, limit=None)``) and
by the numpy evaluator. The matching sets must be identical and the scores equal up to the
order of floating-point additions. The queries are real: words, phrases and substrings of the
corpus's own sentences in every language, plus every construct of the query language.
"""

from __future__ import annotations

import pickle
import random
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CHARTER, skip_without_corpus, unpc_lines
from helpers import write_jsonl
from whoosh.formats import Positions

from index import build_index, update_index
from index.analysis import analyze, fold
from index.columns import lang_name
from index.postings import FOLDER, SegmentPostings, decode_positions, read_term
from search import SearchEngine
from search.plan import QueryPlan
from search.query import And, Text, parse
from search.rank import Ranker
from search.translate import QueryBuilder
from search.vector import SurfacePhrase, top

FIXED = [
    "the", "of the", "united nations", '"United Nations"', '"international peace and security"',
    "development", "small island developing States", '"Member States"', "human rights",
    "安全理事会", "大规模毁灭性武器扩散", '"大规模毁灭性武器"', "人民共和国", "第１５４０（２００４）号决议",
    "安全理事會", "S/2015/77", "symbol:A/69/*", "peace -war", "refugees OR migrants",
    "(peace OR security) -nuclear", '"climate change" adaptation', "year:2015 development",
    "date:[2015 TO 2016] 会员国", "lang:fr résolutions", "organ:\"General Assembly\" budget",
    "title:charter", "Article 1", "第一条", "peace NOT war", "la paix", "Организации Объединенных Наций",
    "الأمم المتحدة", "Naciones Unidas", "self-determination", "1540(2004)",
]


def _corpus_queries(n: int, seed: int) -> list[str]:
    """Word sequences and quoted phrases from unpc-dev sentences, in every language."""
    rng = random.Random(seed)
    out = []
    for lang in ("en", "fr", "es", "ru", "ar"):
        lines = [line for line in unpc_lines(lang) if len(line.split()) >= 6]
        for line in rng.sample(lines, n):
            words = line.split()
            i = rng.randrange(0, len(words) - 3)
            seq = " ".join(w.strip(".,;:()\"«»") for w in words[i:i + rng.choice((1, 2, 3))])
            if seq.strip():
                out += [seq, f'"{seq}"']
    zh = [line for line in unpc_lines("zh") if len(line) >= 12]
    for line in rng.sample(zh, n):
        i = rng.randrange(0, len(line) - 6)
        chunk = line[i:i + rng.choice((2, 3, 4, 6))]
        out += [chunk, f'"{chunk}"']
    return out


def typed_phrase_in(text: str, lang: str, phrase: str) -> bool:
    """The definition of a quoted phrase matching as typed, from the analysis itself: at
    consecutive positions, each word's stem, in the form it was typed in."""
    by_pos: dict[int, set[tuple[str, str | None]]] = defaultdict(set)
    for t in analyze(text, lang, "index"):
        by_pos[t.pos].add((t.text, fold(text[t.start:t.end]).text))
    want = [(t.text, fold(phrase[t.start:t.end]).text if t.kind == "word" else None)
            for t in analyze(phrase, lang, "query")]
    return any(all(any(stem == w and form in (None, surface)
                       for stem, surface in by_pos.get(start + i, ()))
                   for i, (w, form) in enumerate(want))
               for start in list(by_pos))


def _required_phrases(tree: Any) -> list[str]:
    items = tree.items if isinstance(tree, And) else (tree,)
    return [x.text for x in items if isinstance(x, Text) and x.phrase and not x.field
            and len(x.text.split()) > 1]


def _has_surface(q: Any) -> bool:
    return isinstance(q, SurfacePhrase) or any(_has_surface(c) for c in q.children())


def _compare(engine: SearchEngine, queries: list[str]) -> int:
    """Assert numpy == Whoosh for every query (with and without the proximity bonus);
    returns how many queries matched something. A quoted phrase in a stemmed language is
    Whoosh's phrase of stems, kept where the words stand as typed (checked on the text)."""
    nonempty = 0
    with engine._searcher() as s:
        key = (str(engine._gen), s.reader().generation())
        cols = engine._columns_for(s)
        for text in queries:
            tree = parse(text)
            plan = QueryPlan.make(text)
            for prox in (False, True):
                q = QueryBuilder(s.reader(), None, plan).build(plan, proximity=prox)
                got = engine._evaluator(s, key).run(q)
                want = {h.docnum: float(h.score or 0.0) for h in s.search(q, limit=None)}
                ids = np.array(sorted(want), dtype=np.int64)
                typed = _has_surface(q)
                if typed:
                    assert set(got.ids.tolist()) <= set(want), (text, prox)
                    phrases = _required_phrases(tree)
                    if not phrases:
                        continue
                    ranker = Ranker(s, engine._evaluator(s, key), cols, engine._store())
                    texts = ranker.texts(ids.tolist())
                    ids = np.array([d for d in ids.tolist() if all(
                        typed_phrase_in(texts[d], lang_name(int(cols.lang[d])), p) for p in phrases)],
                        dtype=np.int64)
                assert np.array_equal(got.ids, ids), (text, prox, len(got.ids), len(ids))
                assert got.scores is not None
                expected = np.array([want[d] for d in ids.tolist()])
                assert np.allclose(got.scores, expected, rtol=1e-9, atol=1e-12), (text, prox)
                # The top ten in the same order (ties by document number, as Whoosh).
                if len(ids) and not prox and not typed:
                    whoosh_top = [h.docnum for h in s.search(q, limit=10)]
                    numpy_top = [d for d, _s in top(got.ids, got.scores, 10)]
                    assert _same_ranking(whoosh_top, numpy_top, want), (text, whoosh_top, numpy_top)
                nonempty += bool(len(ids))
    return nonempty


def _same_ranking(a: list[int], b: list[int], score: dict[int, float]) -> bool:
    """The same documents in the same order, except that documents whose scores differ only
    in the last bits (ties) may change places."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x != y and not np.isclose(score[x], score[y], rtol=1e-12):
            return False
    return True


def test_the_real_index_has_side_arrays(real_index: Path) -> None:
    folders = list((real_index / "current" / FOLDER).iterdir())
    assert len(folders) == 1  # one segment, one writer process
    side = SegmentPostings.load(real_index / "current", folders[0].name)
    assert side is not None and len(side.terms) > 1000
    with SearchEngine.open(real_index) as e, e._searcher() as s:
        seg = s.reader()
        btext = s.schema["text_en"].to_bytes("secur")  # "security", stemmed
        ids, tf, pos = side.get("text_en", btext)  # type: ignore[misc]
        assert len(ids) == seg.doc_frequency("text_en", btext) and (tf >= 1).all()
        assert len(pos) == int(tf.sum())
        # The compact arrays (gaps, one-byte counts with escapes) decode to Whoosh's postings.
        for (field, text), _i in list(side.terms.items())[::50]:
            got, want = side.get(field, text), read_term(seg.leaf_readers()[0][0], field, text)
            assert got is not None and want is not None
            for a, b in zip(got, want, strict=True):
                assert np.array_equal(np.asarray(a, dtype=np.int64), b), (field, text)


def test_fixed_queries_match_and_score_as_whoosh(engine: SearchEngine) -> None:
    assert _compare(engine, FIXED) >= len(FIXED) - 3


def test_phrases_in_chunks_of_rows_match_as_whoosh(engine: SearchEngine,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Words in a row are found in chunks of candidate rows (vector.ADJACENT_CHUNK positions
    at a time): chunks of a few positions give Whoosh's matches and scores too."""
    import search.vector

    monkeypatch.setattr(search.vector, "ADJACENT_CHUNK", 7)
    phrases = [q for q in FIXED if q.startswith('"')] + ["of the", "united nations", "human rights"]
    assert _compare(engine, phrases) >= len(phrases) - 1


def test_positions_are_read_from_each_segment_as_from_their_concatenation(engine: SearchEngine) -> None:
    """A common word's positions are read from each segment's array in place (TermData.take),
    never concatenated for a phrase: the same values as the concatenation. A real word's
    positions, cut into three segments' worth."""
    from search.vector import TermData

    with engine._searcher() as s:
        key = (str(engine._gen), s.reader().generation())
        real = engine._evaluator(s, key).term_data("text_en", b"the")
    assert real is not None and real.n_positions > 10_000
    whole = np.asarray(real.positions)
    n = len(whole)
    parts = [whole[: n // 3], whole[n // 3: n // 3 + 1], whole[n // 3 + 1:]]
    td = TermData(ids=real.ids, tf=real.tf, _pos_parts=parts)
    assert td.n_positions == n
    rng = np.random.default_rng(5)
    for flat in (np.sort(rng.choice(n, 5_000, replace=False)), np.arange(n - 3, n),
                 np.arange(0, 4), np.arange(n // 3 - 1, n // 3 + 3), np.zeros(0, dtype=np.int64)):
        assert np.array_equal(td.take(flat), whole[flat])
    assert td._pos is None  # nothing was concatenated
    assert np.array_equal(td.doc_positions(len(td.ids) - 1), whole[n - int(td.tf[-1]):])


def test_corpus_queries_match_and_score_as_whoosh(engine: SearchEngine) -> None:
    queries = _corpus_queries(8, seed=3)
    assert _compare(engine, queries) >= len(queries) * 0.8


def test_search_results_are_the_same_without_side_arrays(real_index: Path, tmp_path: Path) -> None:
    """Removing the side arrays (an old or interrupted build) changes no answer."""
    copy = tmp_path / "copy"
    shutil.copytree(real_index, copy, symlinks=True)
    shutil.rmtree(copy / "current" / FOLDER)
    queries = ["united nations", '"Member States"', "安全理事会", "peace -war", "和平 安全 发展"]
    with SearchEngine.open(real_index) as a, SearchEngine.open(copy) as b:
        for q in queries:
            for kw in ({}, {"group": "para"}, {"sort": "-date"}, {"page": 2, "per_page": 5}):
                ra, rb = a.search(q, **kw), b.search(q, **kw)
                assert ra.total == rb.total and ra.facets == rb.facets, (q, kw)
                assert [(h.doc_id, h.paragraph) for h in ra] == [(h.doc_id, h.paragraph) for h in rb]


def test_after_an_update_deleted_and_new_paragraphs_are_right(tmp_path: Path) -> None:
    """An update deletes the old paragraphs of a changed document (they stay in the side
    arrays of the old segment) and writes a new segment: both must be seen as Whoosh sees them."""
    skip_without_corpus()
    index = tmp_path / "ix"
    extra = tmp_path / "extra"
    write_jsonl(extra / "a.jsonl", [{"id": "note-1", "lang": "en", "paragraphs": [
        "The Security Council and the United Nations: international peace and security.",
        # 300 times in one paragraph: more than the side arrays' one-byte count holds.
        " ".join(["peoples"] * 300)]}])
    build_index([CHARTER, extra], index, procs=1, postings_min_df=5)
    queries = ["united nations", '"international peace and security"', "security council",
               "Charter -peace", "nations OR peoples", '"peoples peoples"']
    with SearchEngine.open(index) as e:
        assert _compare(e, queries) >= 5
        before = {q: e.search(q, group="para", per_page=50).total for q in queries}
    write_jsonl(extra / "a.jsonl", [{"id": "note-1", "lang": "en", "paragraphs": [
        "A note that no longer mentions the organization at all."]}])
    update_index([extra], index)
    with SearchEngine.open(index) as e:
        assert _compare(e, queries) >= 4
        after = {q: e.search(q, group="para", per_page=50).total for q in queries}
    assert after["united nations"] == before["united nations"] - 1
    assert after['"international peace and security"'] == before['"international peace and security"'] - 1


def test_positions_decode_as_whoosh_encodes_them() -> None:
    """Every shape of Whoosh's Positions encoding: one position, many, deltas of 256 and
    more (a two-byte pickle opcode), a list long enough to be pickled in batches."""
    fmt = Positions()
    lists = [[0], [5], [1, 2, 3], [0, 300, 301], [7, 70000], list(range(0, 3000, 2)), [255, 511]]
    values = [fmt.encode(p) for p in lists]
    counts, positions = decode_positions(values)
    assert counts.tolist() == [len(p) for p in lists]
    assert positions.tolist() == [x for p in lists for x in p]
    for v, p in zip(values, lists, strict=True):
        assert pickle.loads(v[4:]) == [b - a for a, b in zip([0, *p], p, strict=False)]


def test_a_damaged_side_folder_is_ignored(real_index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(real_index, copy, symlinks=True)
    for folder in (copy / "current" / FOLDER).iterdir():
        (folder / "terms.pickle").write_bytes(b"not a pickle")
    with SearchEngine.open(real_index) as a, SearchEngine.open(copy) as b:
        ra, rb = a.search('"United Nations"'), b.search('"United Nations"')
        assert ra.total == rb.total > 0
        assert [h.doc_id for h in ra] == [h.doc_id for h in rb]


def test_quoted_phrases_match_as_typed_at_any_size(engine: SearchEngine, real_index: Path) -> None:
    """"Member States" is not "Member State": the form codes decide, for every match."""
    plural = engine.search('"Member States"', group="para", per_page=100)
    singular = engine.search('"Member State"', group="para", per_page=100)
    stems = engine.search("member states", group="para", per_page=100)
    assert plural.total > 50 and singular.total >= 2
    assert plural.total + singular.total <= stems.total
    for hit in plural:
        text = engine.document(hit.doc_id).paragraphs[hit.paragraph - 1]
        assert typed_phrase_in(text, hit.lang, "Member States"), text
    folders = list((real_index / "current" / FOLDER).iterdir())
    assert (folders[0] / "forms.npy").is_file()


def test_an_updated_segment_without_form_codes_is_checked_on_its_text(tmp_path: Path) -> None:
    skip_without_corpus()
    index, extra = tmp_path / "ix", tmp_path / "extra"
    write_jsonl(extra / "a.jsonl", [{"id": "old", "lang": "en", "paragraphs": ["Nothing here."]}])
    build_index([CHARTER, extra], index, procs=1, postings_min_df=5)
    write_jsonl(extra / "b.jsonl", [{"id": "new", "lang": "en", "paragraphs": [
        "Each Member State shall act.", "All Member States shall act."]}])
    update_index([extra], index)
    with SearchEngine.open(index) as e:
        got = {(h.doc_id, h.paragraph) for h in e.search('"Member States"', group="para", per_page=100)}
        assert ("new", 2) in got and ("new", 1) not in got
        singular = {(h.doc_id, h.paragraph) for h in e.search('"Member State"', group="para")}
        assert ("new", 1) in singular and ("new", 2) not in singular
        assert _compare(e, ["member states", "united nations"]) == 4
