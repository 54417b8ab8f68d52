"""Every analysis rule (README, "How the analysis works"), on real UN text from ../shared/corpus.

Token offsets are always checked against the ORIGINAL string: ``text[t.start:t.end]``.
"""

from __future__ import annotations

import pickle
import re
import unicodedata

import pytest
from conftest import CHARTER, STATEMENTS, UNPC, UNPC_STEM, charter_paragraphs, first_line, unpc_lines
from helpers import full_width, s2t

from index.analysis import (
    Tok,
    analyze,
    bigram_analyzer,
    bigrams,
    fold,
    stemmer,
    un_analyzer,
)

LANGS = ("zh", "en", "fr", "es", "ru", "ar")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def texts(text: str, lang: str | None = None, mode: str = "query") -> list[str]:
    return [t.text for t in analyze(text, lang, mode)]


def spans(text: str, toks: list[Tok]) -> list[tuple[str, str]]:
    """(token, the original characters it came from)."""
    return [(t.text, text[t.start : t.end]) for t in toks]


def index_of(toks: list[Tok], text: str, kind: str | None = None) -> Tok:
    for t in toks:
        if t.text == text and (kind is None or t.kind == kind):
            return t
    raise AssertionError(f"no token {text!r} ({kind}) in {[t.text for t in toks]}")


# ---------------------------------------------------------------------------
# Positions and segmentation


def test_positions_are_ordinal_in_chinese() -> None:
    line = first_line("zh", "大规模毁灭性武器")
    toks = analyze(line, "zh", "query")
    assert [t.pos for t in toks] == list(range(len(toks)))
    # Index mode adds sub-words at their parent's position: the positions stay 0..n-1.
    idx = analyze(line, "zh", "index")
    assert sorted({t.pos for t in idx}) == list(range(len(toks)))
    assert [t.pos for t in idx] == sorted(t.pos for t in idx)


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ru", "ar"])
def test_positions_are_ordinal_in_every_language(lang: str) -> None:
    line = unpc_lines(lang)[2]  # a long sentence in every language
    toks = analyze(line, lang, "index")
    assert len(toks) > 10
    assert [t.pos for t in toks] == list(range(len(toks)))


def test_exact_mode_segmentation_keeps_the_sentence() -> None:
    """Segmentation loses no Han character and words come out in text order."""
    line = first_line("zh", "大规模毁灭性武器")
    toks = analyze(line, "zh", "query")
    han = [t for t in toks if t.kind == "han"]
    assert "".join(t.text for t in han) == "".join(HAN.findall(line))
    assert all(line[t.start : t.end] == t.text for t in han)  # simplified text: same characters
    i = [t.text for t in toks].index("大规模毁灭性武器")
    assert [t.text for t in toks[i - 1 : i + 2]] == ["关于", "大规模毁灭性武器", "的"]


def test_sub_words_at_their_parents_position() -> None:
    line = first_line("zh", "大规模毁灭性武器")
    toks = analyze(line, "zh", "index")
    parent = index_of(toks, "大规模毁灭性武器", "han")
    subs = {t.text: t for t in toks if t.kind == "sub" and t.pos == parent.pos}
    assert {"毁灭性武器", "大规模", "武器"} <= set(subs)
    for t in subs.values():
        assert line[t.start : t.end] == t.text
        assert parent.start <= t.start < t.end <= parent.end
    # Only words strictly inside the parent, never the parent itself.
    assert "大规模毁灭性武器" not in subs
    # Query mode has no sub-words: a query is a plain sequence of positions.
    assert not [t for t in analyze(line, "zh", "query") if t.kind == "sub"]


def test_long_country_name_has_its_sub_words() -> None:
    line = first_line("zh", "朝鲜民主主义人民共和国")
    toks = analyze(line, "zh", "index")
    parent = next(t for t in toks if t.kind == "han" and "人民共和国" in t.text)
    subs = [t.text for t in toks if t.kind == "sub" and t.pos == parent.pos]
    assert "人民共和国" in subs or "共和国" in subs


@pytest.mark.parametrize("term", ["安全理事会", "大规模毁灭性武器", "古特雷斯"])
def test_user_dictionary_terms_stay_one_token(term: str) -> None:
    if term == "古特雷斯":  # not in the corpus: the name in a real sentence about the Secretary-General
        line = first_line("zh", "潘基文秘书长").replace("潘基文", term)
    else:
        line = first_line("zh", term)
    toks = analyze(line, "zh", "query")
    t = index_of(toks, term, "han")
    assert line[t.start : t.end] == term


# ---------------------------------------------------------------------------
# Folding: width, case, script


def test_nfkc_full_width_equals_half_width() -> None:
    assert texts("１５４０（２００４）", "zh") == texts("1540(2004)", "zh") == ["1540", "2004"]
    line = first_line("zh", "第1970(2011)号决议")
    wide = full_width(line)
    assert wide != line
    assert texts(wide, "zh") == texts(line, "zh")
    toks = analyze(wide, "zh", "index")
    t = index_of(toks, "1970")
    assert wide[t.start : t.end] == "１９７０"
    t = index_of(toks, "2011")
    assert wide[t.start : t.end] == "２０１１"


def test_full_width_latin_is_folded_and_offsets_point_at_it() -> None:
    line = first_line("zh", "MDMA")
    wide = full_width(line)
    toks = analyze(wide, "zh", "query")
    t = index_of(toks, "mdma")
    assert wide[t.start : t.end] == "ＭＤＭＡ"


def test_case_folding() -> None:
    line = first_line("en", "Security Council")
    assert texts(line, "en") == texts(line.lower(), "en")
    # All capitals: the same words, except that short ones are also kept as acronyms.
    upper = [t.text for t in analyze(line.upper(), "en") if t.kind != "acro"]
    assert upper == [t.text for t in analyze(line, "en")]
    toks = analyze(line, "en")
    t = index_of(toks, "council")
    assert line[t.start : t.end] == "Council"


def test_traditional_folds_to_simplified() -> None:
    assert texts("安全理事會", "zh") == texts("安全理事会", "zh") == ["安全理事会"]
    line = first_line("zh", "大规模毁灭性武器")
    trad = s2t(line)
    assert trad != line and len(trad) == len(line)
    assert texts(trad, "zh", "index") == texts(line, "zh", "index")
    for tok, orig in spans(trad, analyze(trad, "zh", "index")):
        assert fold(orig).text == tok
    t = index_of(analyze(trad, "zh"), "大规模毁灭性武器")
    assert trad[t.start : t.end] == "大規模毀滅性武器"


def test_charter_first_paragraphs_in_traditional_script() -> None:
    """The Charter's opening, written in traditional script, analyses to simplified tokens.

    The corpus's zh Charter is in simplified script, so its traditional form is made here.
    """
    for para in charter_paragraphs("zh")[:8]:
        trad = s2t(para)
        toks = analyze(trad, "zh", "index")
        assert [t.text for t in toks] == texts(para, "zh", "index")
        for t in toks:
            assert fold(trad[t.start : t.end]).text == t.text


def test_ideographic_space_indent_of_the_charter_is_not_a_token() -> None:
    para = next(p for p in charter_paragraphs("zh") if p.startswith("\u3000\u3000"))
    toks = analyze(para, "zh", "query")
    assert toks[0].start == 2
    assert all(t.text.strip() for t in toks)


def test_fold_keeps_an_offset_map_for_expanding_characters() -> None:
    # NFKC expands some characters (a ligature, a parenthesised ideograph): offsets still point
    # at the original character.
    text = "ﬁnance ㈠ 安全理事會"
    toks = analyze(text, "en", "query")
    assert spans(text, toks)[0] == ("financ", "ﬁnance")
    assert ("一", "㈠") in spans(text, toks)
    assert spans(text, toks)[-1] == ("安全理事会", "安全理事會")


# ---------------------------------------------------------------------------
# Symbols, numbers, Latin words in Chinese text


def _symbols_from_ids() -> list[str]:
    ids = (UNPC / f"{UNPC_STEM}.ids").read_text("utf-8").split("\n")
    out = []
    for line in ids:
        if line:
            path = line.split()[0].split("/", 1)[1]
            out.append(path.upper().replace("_", "."))
    return out


@pytest.mark.parametrize("symbol", ["S/2015/77", "A/AC.182/L.139", "S/2020/405"])
def test_document_symbols_stay_whole(symbol: str) -> None:
    if symbol != "S/2020/405":
        assert symbol in _symbols_from_ids()
    line = first_line("zh", "请将本函")
    text = f"{line} {symbol}"
    toks = analyze(text, "zh", "query")
    assert toks[-1].text == symbol.lower()
    assert toks[-1].kind == "sym"
    assert text[toks[-1].start : toks[-1].end] == symbol
    # In the index its parts are findable too, at the symbol's position.
    parts = [t for t in analyze(text, "zh", "index") if t.kind == "part"]
    assert [t.text for t in parts] == re.findall(r"[a-z]+|\d+", symbol.lower())
    assert {t.pos for t in parts} == {toks[-1].pos}


def test_symbol_in_full_width_is_the_same_symbol() -> None:
    assert texts(full_width("S/2015/77"), "zh") == ["s/2015/77"]


def test_numbers_stay_whole() -> None:
    line = first_line("en", "100,000")
    t = index_of(analyze(line, "en"), "100,000", "num")
    assert line[t.start : t.end] == "100,000"
    line = first_line("zh", "23.5兆瓦")
    toks = analyze(line, "zh", "query")
    t = index_of(toks, "23.5", "num")
    assert line[t.start : t.end] == "23.5"
    i = toks.index(t)
    assert toks[i + 1].text in ("兆瓦", "兆")
    line = first_line("zh", "第1970(2011)号决议")
    assert "1970" in texts(line, "zh") and "2011" in texts(line, "zh")


@pytest.mark.parametrize("word", ["US", "May"])
def test_english_words_in_chinese_text_are_not_dropped(word: str) -> None:
    line = first_line("zh", "美国")
    text = f"{line}{word}"
    toks = analyze(text, "zh", "query")
    # An acronym is kept as written (so "US" is not "us"); other words are lower-cased.
    assert toks[-1].text == (word if word.isupper() else word.lower())
    assert text[toks[-1].start : toks[-1].end] == word


def test_stray_english_word_in_the_statement_is_kept() -> None:
    """The statement has a stray 'and' inside Chinese text; jieba's analyzer drops it as a stop word."""
    text = next(STATEMENTS.glob("*.txt")).read_text("utf-8")
    line = next(ln for ln in text.split("\n") if " and " in ln and HAN.search(ln))
    toks = analyze(line, "zh", "query")
    t = index_of(toks, "and", "word")
    assert line[t.start : t.end] == "and"


def test_latin_names_in_chinese_text_keep_their_case_folded_form() -> None:
    line = first_line("zh", "Seongmee Yoon")
    toks = analyze(line, "zh", "query")
    assert ("seongme", "Seongmee") not in spans(line, toks)  # not stemmed in a Chinese field
    assert ("seongmee", "Seongmee") in spans(line, toks)


# ---------------------------------------------------------------------------
# Stemming per language


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("en", ["resolutions", "resolution"]),
        ("en", ["weapons", "weapon"]),
        ("fr", ["résolutions", "résolution"]),
        ("es", ["resoluciones", "resolución"]),
        ("ru", ["резолюции", "резолюция"]),
        ("ru", ["государств", "государства"]),
    ],
)
def test_stemming_merges_real_word_forms(lang: str, forms: list[str]) -> None:
    lines = unpc_lines(lang)
    stems = set()
    for form in forms:
        line = next(ln for ln in lines if re.search(rf"(?<!\w){form}(?!\w)", ln, re.IGNORECASE))
        m = re.search(rf"(?<!\w){form}(?!\w)", line, re.IGNORECASE)
        assert m is not None
        t = next(t for t in analyze(line, lang) if t.start == m.start())
        assert t.end == m.end()  # the token spans the whole original word
        stems.add(t.text)
    assert len(stems) == 1, stems


def test_stemming_is_per_field_language() -> None:
    assert texts("resolutions", "en") == ["resolut"]
    assert texts("resolutions", "zh") == ["resolutions"]  # no stemmer in Chinese fields
    assert texts("resolutions", "ar") == ["resolutions"]
    assert stemmer("zh") is None and stemmer("ar") is None


def test_digits_are_never_stemmed() -> None:
    line = first_line("en", "1970 (2011)")
    assert "1970" in texts(line, "en") and "2011" in texts(line, "en")


# ---------------------------------------------------------------------------
# Arabic


def _arabic_word(needle: str) -> tuple[str, re.Match[str]]:
    for line in unpc_lines("ar"):
        m = re.search(rf"\S*{needle}\S*", line)
        if m:
            return line, m
    raise AssertionError(needle)


def test_arabic_alef_variants_fold() -> None:
    line = first_line("ar", " إلى ")
    toks = analyze(line, "ar")
    i = line.index(" إلى ") + 1
    t = next(t for t in toks if t.start == i)
    assert line[t.start : t.end] == "إلى"
    assert t.text == "الي"  # hamza-alef → alef, alef maksura → yaa
    for variant in ("أن", "إن", "آن", "ان"):
        assert texts(variant, "ar") == ["ان"]


def test_arabic_taa_marbuta_and_diacritics_fold() -> None:
    line, m = _arabic_word("[\u064b-\u0652]")
    word = re.sub(r"[،.:؛]$", "", m.group())
    toks = [t for t in analyze(line, "ar") if m.start() <= t.start < m.end()]
    assert len(toks) == 1, spans(line, toks)  # diacritics do not break the word
    t = toks[0]
    assert not re.search("[\u064b-\u0652]", t.text)
    bare = re.sub("[\u064b-\u0652]", "", word)
    assert t.text == texts(bare, "ar")[0]
    assert texts("مدرسة", "ar") == texts("مدرسه", "ar")  # taa marbuta


def test_arabic_tatweel_is_removed_and_offsets_cover_it() -> None:
    line, m = _arabic_word("\u0640")
    toks = [t for t in analyze(line, "ar") if m.start() <= t.start < m.end()]
    assert len(toks) == 1
    assert "\u0640" not in toks[0].text
    assert "\u0640" in line[toks[0].start : toks[0].end]
    assert toks[0].text == texts(line[toks[0].start : toks[0].end].replace("\u0640", ""), "ar")[0]


def test_arabic_files_never_crash() -> None:
    lines = unpc_lines("ar") + (CHARTER / "raw_un_charter_ar.txt").read_text("utf-8").split("\n")
    n = 0
    for line in lines:
        for t in analyze(line, "ar", "index"):
            assert 0 <= t.start < t.end <= len(line)
            n += 1
    assert n > 50_000


# ---------------------------------------------------------------------------
# Offsets into the original text, for every line of the six unpc-dev files


def _check_offsets(line: str, lang: str) -> None:
    stem = stemmer(lang)
    last_pos = -1
    for t in analyze(line, lang, "index"):
        assert 0 <= t.start < t.end <= len(line), (t, line)
        assert t.pos >= last_pos
        last_pos = t.pos
        span = line[t.start : t.end]
        orig = fold(span).text
        if t.kind == "acro":  # US, WHO: kept as written
            assert t.text == span and span.isupper(), (t, span)
        elif t.kind in ("word", "part") and span.isupper() and span.isalpha() and span.isascii():
            # the plain form of an acronym at its position, or a part of a symbol
            assert t.text in (orig, stem(orig) if stem is not None else orig), (t, span)
        elif t.kind == "word" and stem is not None and not orig.isdigit():
            assert stem(orig) == t.text, (t, span)
        elif any(len(fold(c).text) > 1 for c in span):
            # One character that folds to several ("㈡" → "(二)"): the token is part of it.
            assert t.text in orig, (t, span)
        else:
            assert orig == t.text, (t, span)
        # A token never starts or ends in the middle of a word of letters/digits.
        if t.kind in ("word", "num", "sym"):
            assert t.start == 0 or not _word_char(line[t.start - 1]), (t, line)
            assert t.end == len(line) or not _word_char(line[t.end]), (t, line)


def _word_char(c: str) -> bool:
    """A letter or digit that would continue a non-Han word (tatweel is only decoration)."""
    return c.isalnum() and not HAN.match(c) and c != "\u0640"


@pytest.mark.parametrize("lang", LANGS)
def test_every_token_points_into_the_original_text(lang: str) -> None:
    for line in unpc_lines(lang):
        _check_offsets(line, lang)


def test_every_token_points_into_the_original_traditional_text() -> None:
    for line in unpc_lines("zh")[:1000]:
        _check_offsets(s2t(line), "zh")


# ---------------------------------------------------------------------------
# Combining marks (real text: an NFD "é" in French, a stress mark in Russian)


def test_combining_stress_mark_does_not_split_a_russian_word() -> None:
    """unpc-dev ru has "временны́х" (U+0301 stress mark): it is one word, "временных"."""
    line = next(ln for ln in unpc_lines("ru") if "\u0301" in ln)
    i = line.index("\u0301")
    start = max(j for j in range(i) if not line[j - 1].isalpha()) if i else 0
    toks = [t for t in analyze(line, "ru") if t.start <= i + 1 and t.end >= start]
    word = re.match(r"[\w\u0301]+", line[start:]).group()  # type: ignore[union-attr]
    assert len(toks) == 1, spans(line, toks)
    assert line[toks[0].start : toks[0].end] == word
    assert toks[0].text == texts(word.replace("\u0301", ""), "ru")[0]


def test_combining_marks_after_a_word_stay_inside_its_token() -> None:
    """A mark that folds away at the end of a word belongs to the word's span, or a highlight
    cuts it off: fr "accompagne" + U+0301 (NFD é); ar words ending in tanween or shadda."""
    outside = []
    for lang in ("fr", "ar"):
        for line in unpc_lines(lang):
            for t in analyze(line, lang):
                if t.end < len(line) and unicodedata.category(line[t.end]) == "Mn":
                    outside.append((lang, line[t.start : t.end + 1]))
    assert not outside, f"{len(outside)} tokens leave a combining mark out: {outside[:5]}"


# ---------------------------------------------------------------------------
# The bigram analyzer


def test_bigrams_of_a_real_sentence() -> None:
    line = first_line("zh", "朝鲜民主主义人民共和国")
    grams = bigrams(line)
    i = next(k for k, t in enumerate(grams) if t.text == "人民")
    run = [t.text for t in grams[i : i + 4]]
    assert run == ["人民", "民共", "共和", "和国"]
    assert [t.pos for t in grams[i : i + 4]] == list(range(grams[i].pos, grams[i].pos + 4))
    for t in grams:
        assert line[t.start : t.end] == t.text
        assert len(t.text) in (1, 2)


def test_bigrams_leave_a_gap_between_han_runs() -> None:
    line = first_line("zh", "第1970(2011)号决议")
    grams = bigrams(line)
    i = next(k for k, t in enumerate(grams) if line[t.start :].startswith("号决"))
    before = grams[i - 1]
    assert before.end <= line.index("1970")
    assert grams[i].pos > before.pos + 1  # a phrase never runs across the number


def test_bigrams_fold_traditional_and_point_at_it() -> None:
    line = first_line("zh", "安全理事会")
    trad = s2t(line)
    assert [t.text for t in bigrams(trad)] == [t.text for t in bigrams(line)]
    for t in bigrams(trad):
        assert fold(trad[t.start : t.end]).text == t.text


def test_lone_han_character_is_its_own_token() -> None:
    assert [t.text for t in bigrams("第 1540 号")] == ["第", "号"]


# ---------------------------------------------------------------------------
# Whoosh glue


def test_whoosh_tokenizer_matches_analyze() -> None:
    line = first_line("zh", "大规模毁灭性武器")
    ana = un_analyzer("zh")
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in ana(line, positions=True, chars=True)]
    assert got == [(t.text, t.pos, t.start, t.end) for t in analyze(line, "zh", "index")]
    q = [t.text for t in ana(line, mode="query")]
    assert q == texts(line, "zh", "query")
    got_b = [(t.text, t.pos) for t in bigram_analyzer()(line, positions=True)]
    assert got_b == [(t.text, t.pos) for t in bigrams(line)]


def test_whoosh_tokenizer_start_offsets() -> None:
    line = first_line("en", "Security Council")
    # The tokenizer reuses one Token object: copy what is needed while iterating.
    got = [(t.pos, t.startchar) for t in un_analyzer("en")(line, positions=True, chars=True,
                                                           start_pos=10, start_char=100)]
    assert got == [(10 + t.pos, 100 + t.start) for t in analyze(line, "en")]


def test_analyzers_pickle_with_the_schema() -> None:
    for ana in (un_analyzer("zh"), un_analyzer("en"), un_analyzer(None)):
        assert pickle.loads(pickle.dumps(ana)) == ana
    b = pickle.loads(pickle.dumps(bigram_analyzer()))
    assert [t.text for t in b("中华人民")] == ["中华", "华人", "人民"]



_DICTIONARY_PROBE = """
import json, sys
from index import analysis
tk = analysis._jieba()
print(json.dumps({"n": len(tk.FREQ), "total": tk.total, "hash": hash(tuple(sorted(tk.FREQ.items()))),
                  "cut": tk.lcut(sys.argv[1], HMM=False)}))
"""


def test_jieba_dictionary_from_its_cache_is_the_same_dictionary(tmp_path) -> None:
    """The finished dictionary (jieba's, our UN terms, the abbreviations) is saved in the
    cache folder by the first process and loaded from it by the next, word for word; a
    damaged cache file is ignored and written again."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONHASHSEED": "0"}
    line = first_line("zh", "安全理事会")

    def probe() -> dict:
        out = subprocess.run([sys.executable, "-c", _DICTIONARY_PROBE, line], cwd=root, env=env,
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    first = probe()
    saved = list((tmp_path / "unsearch").glob("jieba-*.pickle"))
    assert len(saved) == 1
    second = probe()  # from the cache
    assert second == first and first["n"] > 400_000
    assert "安全理事会" in first["cut"] or "安理会" in first["cut"]
    saved[0].write_bytes(b"not a pickle")
    assert probe() == first
    assert saved[0].stat().st_size > 1_000_000  # written again


_COMPACT_PROBE = """
import json, sys
from index import analysis
lines = json.loads(sys.stdin.read())
tk = analysis._jieba()
before = [tk.lcut(s, HMM=False) for s in lines]
words = {w: tk.FREQ.get(w) for s in before for w in s}
assert analysis.compact_dictionary() and isinstance(tk.FREQ, analysis.CompactFreq)
after = [tk.lcut(s, HMM=False) for s in lines]
same_counts = all(tk.FREQ.get(w) == n for w, n in words.items())
try:
    tk.FREQ["新词"] = 1
    writable = True
except TypeError:
    writable = False
print(json.dumps({"same": before == after, "counts": same_counts, "writable": writable,
                  "BP": ["BP" in tk.FREQ, "\\u5042" in tk.FREQ, tk.FREQ.get("\\u5042 x", -1)],
                  "han": [tk.lcut(s, HMM=False) for s in lines[:2]],
                  "analysed": [t.text for t in analysis.analyze(lines[0], "zh", "query")][:20]}))
"""


def test_compact_dictionary_segments_real_text_as_the_dict_does() -> None:
    """A server's jieba dictionary as two arrays of hashes and counts: every line of the UN
    parallel corpus's Chinese side (here a thousand) is cut exactly as with jieba's dict,
    and each word has the same count. Strings whose bytes are alike ("BP" and U+5042) stay
    apart; the compact dictionary refuses new words."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    lines = unpc_lines("zh")[:1000]
    assert len(lines) == 1000
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", _COMPACT_PROBE], cwd=root, input=json.dumps(lines),
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["same"] and got["counts"] and not got["writable"]
    assert got["BP"] == [True, True, -1]
    assert any(len(w) > 1 for cut in got["han"] for w in cut) and got["analysed"]
