"""The readers (index/sources/) on the real corpus in ../shared/corpus and on broken input.

Real-corpus tests skip with a reason when the corpus is absent (it is read-only and never
copied into the repo); everything else writes its own small files into tmp_path.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import statistics
import time
from pathlib import Path

import pytest
from conftest import CORPUS

from index.dates import parse_date
from index.model import LANGUAGES, Document, Skipped
from index.sources import DEMO_CORPUS, iter_sources
from index.sources.langdetect import detect_language
from index.sources.paragraphs import MAX_PARAGRAPH_CHARS
from index.vocab import organ_from_symbol

STATEMENT = ("statements", "000_c2f375ad9e690389.txt")
GD_1995 = ("ungdc", "Session 50 - 1995", "AFG_50_1995.txt")
GD_2015 = ("ungdc", "Session 70 - 2015", "FRA_70_2015.txt")


def corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real UN corpus not found at {path} (set UNSEARCH_CORPUS to ../shared/corpus)")
    return path


def read_all(*paths: str | os.PathLike[str]) -> tuple[list[Document], list[Skipped]]:
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for item in iter_sources(paths):
        (skipped if isinstance(item, Skipped) else docs).append(item)  # type: ignore[arg-type]
    return docs, skipped


def only_doc(path: str | os.PathLike[str]) -> Document:
    docs, skipped = read_all(path)
    assert not skipped, skipped
    assert len(docs) == 1, docs
    return docs[0]


def check_invariants(doc: Document) -> None:
    assert doc.paragraphs, doc.id
    for p in doc.paragraphs:
        assert isinstance(p, str) and p and p == p.strip(), (doc.id, p[:80])
        assert len(p) <= MAX_PARAGRAPH_CHARS
    assert doc.lang in LANGUAGES
    assert doc.title
    assert doc.year is None or isinstance(doc.year, int)
    assert doc.id and "/" not in doc.id


# ---------------------------------------------------------------------------
# UN document text: the Security Council statement


@pytest.fixture(scope="module")
def statement() -> Document:
    return only_doc(corpus(*STATEMENT))


def test_statement_header_metadata(statement: Document) -> None:
    check_invariants(statement)
    assert statement.organ == "Security Council"
    assert statement.date == "2020-05-19"
    assert statement.year == 2020
    assert statement.lang == "zh"
    assert statement.original_lang == "en"
    assert statement.symbol is None  # the file carries none
    assert statement.id == "000_c2f375ad9e690389-zh"
    assert statement.extra.get("distribution") == "General"
    assert statement.source == str(corpus(*STATEMENT))


def test_statement_title_is_first_line_after_header(statement: Document) -> None:
    raw = corpus(*STATEMENT).read_text(encoding="utf-8").splitlines()
    after_original = next(i for i, line in enumerate(raw) if line.startswith("Original:"))
    expected = next(line.strip() for line in raw[after_original + 1:] if line.strip())
    assert statement.title == expected
    assert statement.title.endswith("的信")


def test_statement_header_lines_are_not_paragraphs(statement: Document) -> None:
    header = {"安全理事会", "Distr.: General", "19 May 2020", "Chinese", "Original: English"}
    assert not header & set(statement.paragraphs)
    assert not any(p.startswith(("Distr.", "Original:")) for p in statement.paragraphs)


def test_statement_markdown_residue_is_cleaned(statement: Document) -> None:
    text = "\n".join(statement.paragraphs)
    assert "1540(2004)" in text
    assert "第 1540(2004)号决议" in statement.paragraphs[1]  # the one that was a Markdown link
    for residue in ("\\(", "\\)", "](#)", "[1540"):
        assert residue not in text


def test_statement_page_boundary_paragraph_is_joined(statement: Document) -> None:
    lines = corpus(*STATEMENT).read_text(encoding="utf-8").splitlines()
    # The paragraph cut by the page break: a long body line ending mid-sentence ("…工业和").
    cut = next(i for i, line in enumerate(lines) if line.rstrip().endswith("工业和"))
    rest = next(line.strip() for line in lines[cut + 1:] if line.strip())
    first_half, second_half = lines[cut].strip()[-15:], rest[:15]
    joined = [p for p in statement.paragraphs if first_half in p]
    assert len(joined) == 1
    assert first_half + second_half in joined[0]  # Chinese: joined with no space
    assert not any(p.startswith(second_half) for p in statement.paragraphs)


def test_statement_signature_lines_are_not_glued_to_paragraphs(statement: Document) -> None:
    assert "大使" in statement.paragraphs


# ---------------------------------------------------------------------------
# UN Parallel Corpus


@pytest.fixture(scope="module")
def unpc() -> tuple[list[Document], list[Skipped]]:
    return read_all(corpus("unpc-dev"))


def test_unpc_one_document_per_symbol_and_language(unpc: tuple[list[Document], list[Skipped]]) -> None:
    docs, skipped = unpc
    assert skipped == []
    assert len(docs) == 4392
    assert len({d.symbol for d in docs}) == 732
    assert len({(d.symbol, d.lang) for d in docs}) == 4392
    assert {d.lang for d in docs} == set(LANGUAGES)
    assert len({d.id for d in docs}) == 4392
    for d in docs:
        check_invariants(d)
        assert d.year == 2015 and d.date == "2015"
        assert d.source == str(corpus("unpc-dev"))


def test_unpc_symbols_and_organs(unpc: tuple[list[Document], list[Skipped]]) -> None:
    by_key = {(d.symbol, d.lang): d for d in unpc[0]}
    l139 = by_key[("A/AC.182/L.139", "en")]
    assert l139.organ == "General Assembly"
    assert l139.id == "A_AC.182_L.139-en"
    assert by_key[("A/AC.182/L.139", "zh")].organ == "General Assembly"
    assert by_key[("S/2015/77", "fr")].organ == "Security Council"
    assert by_key[("S/2015/77", "zh")].id == "S_2015_77-zh"


def test_unpc_paragraphs_follow_the_ids(unpc: tuple[list[Document], list[Skipped]]) -> None:
    """Sentences of one paragraph number are joined; paragraphs come in (para, sent) order."""
    ids_lines = corpus("unpc-dev", "UNv1.0.devset.ids").read_text(encoding="utf-8").splitlines()
    zh_lines = corpus("unpc-dev", "UNv1.0.devset.zh").read_text(encoding="utf-8").splitlines()
    rows = [(int(m[1]), int(m[2]), i) for i, line in enumerate(ids_lines)
            if line.split()[0] == "2015/a/ac_182/l_139" and (m := re.search(r"zh:(\d+):(\d+)", line))]
    rows.sort()
    expected: list[str] = []
    last = None
    for para, _sent, i in rows:
        if para == last:
            expected[-1] += zh_lines[i].strip()
        else:
            expected.append(zh_lines[i].strip())
        last = para
    doc = next(d for d in unpc[0] if d.symbol == "A/AC.182/L.139" and d.lang == "zh")
    assert doc.paragraphs == expected
    assert doc.title == expected[0]  # short first paragraph


def test_unpc_language_files_are_not_read_as_text(unpc: tuple[list[Document], list[Skipped]]) -> None:
    assert not any(Path(d.source).suffix.lstrip(".") in LANGUAGES for d in unpc[0])


def test_unpc_single_language_file(tmp_path: Path) -> None:
    docs, skipped = read_all(corpus("unpc-dev", "UNv1.0.devset.ru"))
    assert not skipped
    assert len(docs) == 732 and {d.lang for d in docs} == {"ru"}


# ---------------------------------------------------------------------------
# General Debate


def test_general_debate_hard_wrapped_statement_is_rejoined() -> None:
    path = corpus(*GD_1995)
    doc = only_doc(path)
    check_invariants(doc)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert statistics.median(len(line) for line in lines) < 75  # it really is wrapped
    assert len(doc.paragraphs) * 4 < len(lines)
    assert statistics.median(len(p) for p in doc.paragraphs) > 200
    # Page numbers are furniture, not paragraphs; nothing starts mid-sentence.
    assert not any(p.isdigit() for p in doc.paragraphs)
    assert not any(p[0].islower() for p in doc.paragraphs)


def test_general_debate_page_break_inside_a_paragraph_is_joined() -> None:
    path = corpus(*GD_1995)
    lines = path.read_text(encoding="utf-8").splitlines()
    # A page number line between two halves of one sentence.
    i = next(i for i, line in enumerate(lines) if line.strip().isdigit())
    before = lines[i - 1].strip()
    after = next(line.strip() for line in lines[i + 1:] if line.strip())
    assert after[0].islower()
    doc = only_doc(path)
    assert any(f"{before} {after}" in p for p in doc.paragraphs)


def test_general_debate_metadata_from_path() -> None:
    doc = only_doc(corpus(*GD_1995))
    assert doc.country == "AFG"
    assert doc.year == 1995 and doc.date == "1995"
    assert doc.extra == {"session": 50}
    assert doc.organ == "General Assembly"
    assert doc.lang == "en"
    assert doc.title == "General debate, 50th session (1995): AFG"
    assert doc.id == "AFG_50_1995-en"
    assert doc.symbol is None


def test_general_debate_one_paragraph_per_line() -> None:
    path = corpus(*GD_2015)
    doc = only_doc(path)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) * 0.8 <= len(doc.paragraphs) <= len(lines)
    assert doc.title == "General debate, 70th session (2015): FRA"


def test_general_debate_two_letter_code() -> None:
    doc = only_doc(corpus("ungdc", "Session 70 - 2015", "EU_70_2015.txt"))
    assert doc.country == "EU" and doc.extra == {"session": 70}


# ---------------------------------------------------------------------------
# The Charter (plain text, no header) and language detection


def test_charter_zh_plain_text() -> None:
    path = corpus("un-charter", "raw_un_charter_zh.txt")
    doc = only_doc(path)
    check_invariants(doc)
    assert doc.lang == "zh"
    assert doc.organ is None and doc.symbol is None and doc.date is None
    assert doc.id == "raw_un_charter_zh-zh"
    first_line = path.read_text(encoding="utf-8").splitlines()[0].strip()
    assert doc.title == first_line
    assert "\u3000\u3000" in path.read_text(encoding="utf-8")  # the source is indented…
    assert not any(p.startswith("\u3000") for p in doc.paragraphs)  # …the paragraphs are not
    assert "第一条" in doc.paragraphs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_detect_language_on_charter(lang: str) -> None:
    text = corpus("un-charter", f"raw_un_charter_{lang}.txt").read_text(encoding="utf-8")
    assert detect_language(text) == lang
    assert detect_language(text[:400]) == lang


def test_detect_language_defaults() -> None:
    assert detect_language("") == "en"
    assert detect_language("1540 (2004) 2020/405") == "en"
    assert detect_language("安全理事會第1540(2004)號決議") == "zh"  # traditional is zh too
    assert detect_language("El Consejo de Seguridad aprobó la resolución por unanimidad y los") == "es"


def test_detect_language_counts_what_analysis_calls_chinese() -> None:
    """One definition of a Chinese character (index.analysis.HAN_CHARS) for detection and
    segmentation: a name in a supplementary-plane ideograph (𠮷, U+20BB7) counts as Chinese,
    as the analysis segments it as a Han run, not as an unknown letter."""
    from index.analysis import HAN_RUN

    name = "\U00020bb7\U00020bb7\U0002a6a5"
    assert HAN_RUN.fullmatch(name)
    assert detect_language(f"{name} the") == "zh"  # three Han characters outweigh one word
    assert detect_language("the " + "\U0001f600" * 3) == "en"  # emoji are not Han

# ---------------------------------------------------------------------------
# Synthetic UN document text: header variants, Markdown, wrapping


@pytest.mark.parametrize(("date_line", "iso"), [
    ("19 May 2020", "2020-05-19"),
    ("2020年5月19日", "2020-05-19"),
    ("19 mai 2020", "2020-05-19"),
    ("19 de mayo de 2020", "2020-05-19"),
    ("19 мая 2020 года", "2020-05-19"),
    ("19 أيار/مايو 2020", "2020-05-19"),
])
def test_header_dates_in_six_languages(tmp_path: Path, date_line: str, iso: str) -> None:
    f = tmp_path / "doc.txt"
    f.write_text(f"Conseil de sécurité\n\nDistr. générale\n{date_line}\nFrançais\nOriginal : anglais\n\n"
                 "S/2020/405\n\nTitre du document\n\nPremier paragraphe du texte.\n", encoding="utf-8")
    doc = only_doc(f)
    assert doc.date == iso and doc.year == 2020
    assert doc.organ == "Security Council"
    assert doc.lang == "fr" and doc.original_lang == "en"
    assert doc.symbol == "S/2020/405" and doc.id == "S_2020_405-fr"
    assert doc.title == "Titre du document"
    assert doc.paragraphs == ["Titre du document", "Premier paragraphe du texte."]


def test_organ_names_and_symbol_fallback(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Генеральная Ассамблея\n\nRussian\n\nЗаголовок\n\nТекст.\n",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("E/CN.4/2005/L.10\n\nTitle\n\nText of the draft.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("A/RES/70/1\n\nTitle\n\nText.\n", encoding="utf-8")
    docs = {d.source: d for d in read_all(tmp_path)[0]}
    a, b, c = (docs[str(tmp_path / n)] for n in ("a.txt", "b.txt", "c.txt"))
    assert a.organ == "General Assembly" and a.lang == "ru"
    assert b.organ == "Economic and Social Council" and b.symbol == "E/CN.4/2005/L.10"
    assert c.organ == "General Assembly" and c.id == "A_RES_70_1-en"
    assert organ_from_symbol("ST/SGB/2019/8") == "Secretariat"
    assert organ_from_symbol("T/1234") == "Trusteeship Council"
    assert organ_from_symbol("UNEP/GC/1") is None


def test_markdown_residue(tmp_path: Path) -> None:
    f = tmp_path / "doc.md"
    f.write_text("# A **bold** title\n\nSee resolution [1540\\(2004\\)](#) and \\[sic\\] a\\_b "
                 "[the Charter](https://un.org/charter).\n\n## Part two\n\nMore text.\n", encoding="utf-8")
    doc = only_doc(f)
    assert doc.title == "A bold title"
    assert doc.paragraphs == ["A bold title", "See resolution 1540(2004) and [sic] a_b the Charter.",
                              "Part two", "More text."]


def test_chinese_page_break_join_and_hard_wrap(tmp_path: Path) -> None:
    body = "这是一个很长的段落，" * 6 + "解决相关工业和"
    f = tmp_path / "zh.txt"
    wrapped = "第二个段落的第一行比较长，因为它是从文件中抽取出来的，\n被硬换行的部分。"
    f.write_text(f"安全理事会\n\n标题\n\n{body}\n\n其他非政府部门中的问题，" + "我们需要继续努力。" * 5
                 + f"\n\n{wrapped}\n大使\n（签名）\n", encoding="utf-8")
    doc = only_doc(f)
    assert doc.lang == "zh"
    assert doc.paragraphs[0] == "标题"
    assert doc.paragraphs[1].startswith(body + "其他非政府部门中")
    assert doc.paragraphs[2:] == [wrapped.replace("\n", ""), "大使", "（签名）"]


def test_english_hard_wrapped_text(tmp_path: Path) -> None:
    words = ("the quick brown fox jumps over the lazy dog and then some inter- national "
             "co-operation continues with more words").split()
    para = " ".join(words * 3) + "."

    def wrap(text: str, width: int = 50) -> list[str]:
        out, line = [], ""
        for w in text.split():
            if line and len(line) + 1 + len(w) > width:
                out.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        return out + [line]

    text = "\n".join(wrap("First " + para) + ["12"] + wrap("Second " + para) + wrap("Third " + para))
    f = tmp_path / "wrapped.txt"
    f.write_text(text + "\n", encoding="utf-8")
    doc = only_doc(f)
    assert len(doc.paragraphs) == 3
    assert [p.split()[0] for p in doc.paragraphs] == ["First", "Second", "Third"]
    assert "12" not in doc.paragraphs[0].split()  # page number dropped
    assert "co-operation" in doc.paragraphs[0]


def test_hyphen_at_line_end(tmp_path: Path) -> None:
    lines = ["We spoke of international law and of peace-keeping in the region and", "more.",
             "", "Then the inter-", "national community and the peace-", "keeping forces and the land-",
             "mines were discussed at length."]
    f = tmp_path / "h.txt"
    f.write_text("\n".join(lines), encoding="utf-8")
    text = "\n".join(only_doc(f).paragraphs)
    assert "international community" in text  # the file spells "international"
    assert "peace-keeping forces" in text  # …and "peace-keeping"
    assert "land-mines" in text  # unknown either way: keep the hyphen


# ---------------------------------------------------------------------------
# JSON Lines


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    good = [
        {"symbol": "S/2020/405", "lang": "zh", "date": "2020-05-19",
         "paragraphs": ["第一段。", " ", "第二段。"], "speaker": "X", "topic": "wmd"},
        {"id": "custom-1", "text": "First paragraph\nwrapped.\n\nSecond paragraph.", "date": "2021-03"},
        {"text": "Le Conseil de sécurité a adopté la résolution et les États membres", "date": "2019"},
    ]
    lines = [json.dumps(g, ensure_ascii=False) for g in good[:2]] + [
        "{not json",
        "[1, 2]",
        json.dumps({"paragraphs": []}),
        json.dumps({"paragraphs": "not a list"}),
        json.dumps({"text": "ok", "date": "2020-13-01"}),
        json.dumps({"text": "ok", "lang": "de"}),
        json.dumps({"text": "ok", "title": 5}),
        "",
        json.dumps(good[2], ensure_ascii=False),
    ]
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, skipped = read_all(f)
    assert [d.id for d in docs] == ["S_2020_405-zh", "custom-1", "feed-11"]
    a, b, c = docs
    assert a.paragraphs == ["第一段。", "第二段。"]
    assert a.organ == "Security Council" and a.year == 2020 and a.speaker == "X"
    assert a.extra == {"topic": "wmd"}
    assert a.title == "第一段。"
    assert b.paragraphs == ["First paragraph wrapped.", "Second paragraph."]
    assert b.lang == "en" and b.date == "2021-03" and b.year == 2021
    assert c.lang == "fr" and c.year == 2019
    assert all(d.source == str(f) for d in docs)
    assert [s.path for s in skipped] == [f"{f}:{n}" for n in range(3, 10)]
    assert "malformed JSON at line 3" in skipped[0].reason
    assert "not a JSON object" in skipped[1].reason
    assert "date" in skipped[4].reason and "lang" in skipped[5].reason and "title" in skipped[6].reason


def test_jsonl_whole_file_problems(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"\n  \n")
    (tmp_path / "bin.jsonl").write_bytes(b"\x00\x01\x02{}")
    (tmp_path / "bad.jsonl").write_bytes(b'{"text": "caf\xe9"}\n{"text": "fine"}\n')
    docs, skipped = read_all(tmp_path)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["empty.jsonl"].startswith("empty file")
    assert reasons["bin.jsonl"] == "binary file"
    assert "not UTF-8" in reasons["bad.jsonl:1"]
    assert [d.paragraphs for d in docs] == [["fine"]]


# ---------------------------------------------------------------------------
# Broken input never aborts; everything is reported with path and reason


def test_broken_files_are_reported_and_good_ones_still_read(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text("Security Council\n\nA title\n\nA paragraph.\n", encoding="utf-8")
    (root / "random.txt").write_bytes(bytes(range(256)) * 8)
    (root / "latin1.txt").write_bytes("Déclaration du président".encode("latin-1"))
    (root / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + "宪章全文\n\n第二段。\n".encode("utf-16-le"))
    (root / "utf8bom.md").write_bytes(codecs.BOM_UTF8 + b"Title\n\nBody text.\n")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text(" \n\t\n", encoding="utf-8")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "self.txt").symlink_to(root / "self.txt")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")  # ignored inside a folder
    (root / ".hidden.txt").write_text("secret", encoding="utf-8")  # hidden: ignored
    explicit_pdf = root / "notes.pdf"
    missing = tmp_path / "missing.txt"

    docs, skipped = read_all(root, missing, explicit_pdf)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["random.txt"] == "binary file"
    assert reasons["latin1.txt"] == "not UTF-8 text (invalid byte 0xe9 at offset 1)"
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"].startswith("empty file")
    assert "loop" in reasons["loop"]
    assert "symbolic links" in reasons["self.txt"]
    assert reasons["missing.txt"] == "no such file or directory"
    assert reasons["notes.pdf"].startswith("unsupported file type '.pdf'")
    assert len(skipped) == 8
    by_name = {Path(d.source).name: d for d in docs}
    assert set(by_name) == {"good.txt", "utf16.txt", "utf8bom.md"}
    assert by_name["good.txt"].organ == "Security Council"
    assert by_name["utf16.txt"].lang == "zh"
    assert by_name["utf16.txt"].paragraphs == ["宪章全文", "第二段。"]
    assert by_name["utf8bom.md"].title == "Title"


def test_each_file_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Text one.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    docs, skipped = read_all(tmp_path, tmp_path / "a.txt")
    assert len(docs) == 1 and not skipped


def test_huge_single_line_file(tmp_path: Path) -> None:
    f = tmp_path / "huge.txt"
    chunk = b"The Security Council adopted resolution 1540 (2004) on that day. "
    with open(f, "wb") as out:
        out.write(chunk * (50 * 1024 * 1024 // len(chunk)))
    started = time.monotonic()
    doc = only_doc(f)
    elapsed = time.monotonic() - started
    assert elapsed < 25, f"reading 50 MB took {elapsed:.1f}s: not linear?"
    assert doc.lang == "en"
    assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in doc.paragraphs)
    assert sum(len(p) + 1 for p in doc.paragraphs) >= f.stat().st_size - len(chunk)
    assert doc.paragraphs[0].startswith("The Security Council adopted") and doc.paragraphs[0].endswith(".")


# ---------------------------------------------------------------------------
# Helpers and the demo corpus


def test_parse_date() -> None:
    assert parse_date("2020") == ("2020", 2020)
    assert parse_date("2020-02") == ("2020-02", 2020)
    assert parse_date("2020-02-29") == ("2020-02-29", 2020)
    for bad in ("2019-02-29", "2020-1-1", "20200101", "May 2020", ""):
        assert parse_date(bad) is None


def test_demo_corpus() -> None:
    docs, skipped = read_all(DEMO_CORPUS)
    assert not skipped
    assert len(docs) >= 12
    assert {d.lang for d in docs} == {"zh", "en"}
    assert len({d.id for d in docs}) == len(docs)
    for d in docs:
        check_invariants(d)
        assert "Illustrative" in d.title or "示例" in d.title, d.title  # labelled, not official
    text = "\n".join(p for d in docs for p in d.paragraphs)
    for term in ("安全理事会", "大规模毁灭性武器", "第１５４０（２００４）号决议", "中华人民共和国",
                 "古特雷斯", "可持续发展", "climate change", "resolutions", "Security Council",
                 "COVID-19 大流行", "安全理事會"):
        assert term in text, term
    assert {d.organ for d in docs} >= {"Security Council", "General Assembly", "Economic and Social Council",
                                       "Human Rights Council", "Secretariat"}
