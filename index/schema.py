"""The Whoosh schema: one Whoosh document per paragraph.

Document metadata and paragraph text live in SQLite beside the index
(:mod:`index.store`); Whoosh keeps only what it needs to find, filter,
facet and rank paragraphs.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, NUMERIC, TEXT, Schema

from .analysis import ANALYSIS_VERSION, bigram_analyzer, un_analyzer
from .model import LANGUAGES
from .postings import POSTINGS_VERSION

#: Stored in every index; an index with another version is refused.
SCHEMA_VERSION = f"6.{ANALYSIS_VERSION}.{POSTINGS_VERSION}"

TEXT_FIELDS = {lang: f"text_{lang}" for lang in LANGUAGES}
BIGRAM_FIELD = "cjk"
TITLE_FIELD = "title"


def make_schema() -> Schema:
    fields = {
        "doc_id": ID(sortable=True),
        # Columns only (not indexed), read in bulk by index.columns for grouping,
        # facets and sorting, or per hit (rev).
        "rev": COLUMN(VarBytesColumn()),
        "para": COLUMN(NumericColumn("I")),
        "doc_key": COLUMN(NumericColumn("q")),
        "lang_code": COLUMN(NumericColumn("B")),
        "organ_key": COLUMN(NumericColumn("I")),
        "year_col": COLUMN(NumericColumn("H")),
        "date_col": COLUMN(NumericColumn("I")),
        # Indexed for filtering.
        "lang": ID(),
        "organ": ID(),
        # shift_step 8: 2-4 range terms per value instead of 4-8 (a third of a build's postings)
        "year": NUMERIC(int, bits=16, signed=False, shift_step=8),
        "date": NUMERIC(int, bits=32, signed=False, shift_step=8),  # YYYYMMDD
        "country": ID(),
        "symbol": ID(),  # lower-cased on the way in
        TITLE_FIELD: TEXT(analyzer=un_analyzer(None), phrase=True),
        BIGRAM_FIELD: TEXT(analyzer=bigram_analyzer(), phrase=True),
    }
    for lang, name in TEXT_FIELDS.items():
        fields[name] = TEXT(analyzer=un_analyzer(lang), phrase=True)
    return Schema(**fields)

