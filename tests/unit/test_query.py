"""The query parser: fast unit tests, no index."""

from __future__ import annotations

import pytest

from search.query import (
    And,
    Filter,
    Not,
    Or,
    QueryError,
    Range,
    Text,
    parse,
    parse_date_bound,
    positive_texts,
    symbol_query,
)
from search.settings import MAX_QUERY_CHARS


def w(text: str) -> Text:
    return Text(text)


def ph(text: str) -> Text:
    return Text(text, phrase=True)


# ---------------------------------------------------------------------------
# Words, phrases, boolean operators


def test_one_word() -> None:
    assert parse("安全理事会") == w("安全理事会")


def test_and_is_implied() -> None:
    assert parse("安全理事会 决议") == And((w("安全理事会"), w("决议")))
    assert parse("安全理事会 AND 决议") == parse("安全理事会 决议")
    assert parse("安全理事会 && 决议") == parse("安全理事会 决议")


def test_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == Or((And((w("a"), w("b"))), w("c")))
    assert parse("a OR b c") == Or((w("a"), And((w("b"), w("c")))))
    assert parse("a || b") == Or((w("a"), w("b")))


def test_parentheses_group() -> None:
    assert parse("(安全理事会 OR 大会) 决议") == And((Or((w("安全理事会"), w("大会"))), w("决议")))
    assert parse("((a))") == w("a")
    assert parse("a (b (c OR d))") == And((w("a"), And((w("b"), Or((w("c"), w("d")))))))


@pytest.mark.parametrize("q", ["-核武器 安全理事会", "NOT 核武器 安全理事会"])
def test_not_and_minus(q: str) -> None:
    assert parse(q) == And((Not(w("核武器")), w("安全理事会")))


def test_plus_is_required_which_is_the_default() -> None:
    assert parse("+安全理事会 +决议") == parse("安全理事会 决议")


def test_hyphen_inside_a_word_is_not_not() -> None:
    assert parse("COVID-19") == w("COVID-19")
    assert parse("nuclear-weapon-free") == w("nuclear-weapon-free")


def test_lowercase_and_or_not_are_words() -> None:
    assert parse("war and peace") == And((w("war"), w("and"), w("peace")))
    assert parse("to be or not") == And((w("to"), w("be"), w("or"), w("not")))


@pytest.mark.parametrize(
    ("q", "text"),
    [
        ('"大规模毁灭性武器"', "大规模毁灭性武器"),
        ("“安全 理事会”", "安全 理事会"),
        ("「安全理事会」", "安全理事会"),
        ("『安全理事会』", "安全理事会"),
        ("＂安全理事会＂", "安全理事会"),
        ('"Security Council', "Security Council"),  # an unclosed quote runs to the end
    ],
)
def test_quoted_phrases(q: str, text: str) -> None:
    assert parse(q) == ph(text)


def test_phrase_next_to_words() -> None:
    assert parse('安全理事会 "大规模毁灭性武器" -核武器') == And(
        (w("安全理事会"), ph("大规模毁灭性武器"), Not(w("核武器"))))


@pytest.mark.parametrize(
    "q", ["1540(2004)", "第1540（2004）号决议", "第１５４０（２００４）号决议", "S/2015/77"])
def test_brackets_and_slashes_inside_a_word_belong_to_it(q: str) -> None:
    assert parse(q) == w(q)


def test_a_word_with_brackets_inside_a_group() -> None:
    assert parse("(1540(2004) OR 1373(2001))") == Or((w("1540(2004)"), w("1373(2001)")))


# ---------------------------------------------------------------------------
# Fields


def test_filters() -> None:
    assert parse("lang:zh 安全理事会") == And((Filter("lang", "zh"), w("安全理事会")))
    assert parse('organ:"Security Council" 1540') == And(
        (Filter("organ", "Security Council", quoted=True), w("1540")))
    assert parse("symbol:S/2015/*") == Filter("symbol", "S/2015/*")
    assert parse("year:2015") == Filter("year", "2015")
    assert parse("country:CHN") == Filter("country", "CHN")
    assert parse("date:2015-02") == Filter("date", "2015-02")


def test_field_names_ignore_case() -> None:
    assert parse("LANG:zh a") == parse("lang:zh a")


def test_ranges() -> None:
    assert parse("date:[2015 TO 2020]") == Range("date", "2015", "2020")
    assert parse("year:[2015 to *]") == Range("year", "2015", None)
    assert parse("date:[* TO 2020-05-19]") == Range("date", None, "2020-05-19")
    assert parse("year:{2015 TO 2016}") == Range("year", "2015", "2016")


def test_title_field_is_text() -> None:
    assert parse("title:climate") == Text("climate", field="title")
    assert parse('title:"climate change"') == Text("climate change", phrase=True, field="title")


def test_a_field_name_inside_a_word_is_a_word() -> None:
    assert parse("xlang:zh") == w("xlang:zh")
    assert parse("http://un.org") == w("http://un.org")
    assert parse("a:b") == w("a:b")


def test_negated_filter() -> None:
    assert parse("安全理事会 -lang:en") == And((w("安全理事会"), Not(Filter("lang", "en"))))


# ---------------------------------------------------------------------------
# Errors: a message a person understands, never another exception


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("(安全理事会", "'('"),
        ("安全理事会)", "')'"),
        ("(((", "'('"),
        ("lang:xx 安全", "unknown language"),
        ("lang:", "needs a value"),
        ("year:15", "not a year"),
        ("date:2015-13-01", "not a date"),
        ("date:[2015]", "TO"),
        ("date:[2015 TO 2020", "closing"),
        ("organ:[2015 TO 2016]", "ranges work on year and date"),
        ("date:[2020-13 TO 2021]", "not a year or date"),
        ("-核武器", "only excludes"),
        ("NOT lang:zh", "only excludes"),
        ("a" * (MAX_QUERY_CHARS + 1), "too long"),
    ],
)
def test_query_errors(q: str, words: str) -> None:
    with pytest.raises(QueryError) as e:
        parse(q)
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_a_query_with_nothing_in_it_says_so() -> None:
    """Empty quotes or brackets look for nothing; they exclude nothing either."""
    wrong = {}
    for q in ('""', '"   "', "()", "OR", "AND"):
        with pytest.raises(QueryError) as e:
            parse(q)
        if "excludes" in str(e.value):
            wrong[q] = str(e.value)
    assert not wrong


def test_trailing_operators_are_forgiven() -> None:
    assert parse("安全理事会 OR") == w("安全理事会")
    assert parse("安全理事会 AND") == w("安全理事会")
    assert parse("安全理事会 NOT") == w("安全理事会")
    assert parse("OR 安全理事会") == w("安全理事会")


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    assert parse("安全\x00理事会") == w("安全理事会")
    assert parse("安全理事会\ud800") == w("安全理事会")
    with pytest.raises(QueryError):
        parse("\x00\x01\ud800")


def test_not_a_string() -> None:
    with pytest.raises(QueryError):
        parse(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Helpers


def test_positive_texts_leave_out_excluded_words() -> None:
    tree = parse('安全理事会 -核武器 ("大规模毁灭性武器" OR 大会) lang:zh')
    assert positive_texts(tree) == [w("安全理事会"), ph("大规模毁灭性武器"), w("大会")]


@pytest.mark.parametrize(
    ("q", "symbol"),
    [("S/2015/77", "S/2015/77"), (" A/AC.182/L.139 ", "A/AC.182/L.139"), ("s/2020/405", "s/2020/405"),
     ("安全理事会", None), ("and/or", None), ("S/2015/77 安全", None)],
)
def test_symbol_query(q: str, symbol: str | None) -> None:
    assert symbol_query(q) == symbol


def test_date_bounds() -> None:
    assert parse_date_bound("2015", end=False) == 20150000
    assert parse_date_bound("2015", end=True) == 20151231
    assert parse_date_bound("2020-05", end=True) == 20200531
    assert parse_date_bound("2020-05-19", end=False) == 20200519
    assert parse_date_bound("2020-13", end=False) is None
    assert parse_date_bound("May 2020", end=False) is None
