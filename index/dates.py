"""Dates: the one parser of ISO dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) and of the date
lines of UN document headers, in the six languages.

The readers validate a document's date with it (:func:`parse_date`), the schema turns it into
the ``YYYYMMDD`` number the index filters and sorts by (:func:`date_number`), and the query
language turns ``date:2020-05`` into the bounds of a range (:func:`parse_date_bound`).
"""

from __future__ import annotations

import datetime as _dt
import re

from .vocab import MONTHS

_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def split_date(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of an ISO date, month and day None where absent; None if ``value``
    is not one (a year before 1000, a month over 12, a day over 31).

    >>> split_date("2020-05")
    (2020, 5, None)
    >>> split_date("May 2020") is None
    True
    """
    m = _ISO.fullmatch(value.strip())
    if not m:
        return None
    y = int(m[1])
    mo = int(m[2]) if m[2] else None
    d = int(m[3]) if m[3] else None
    if y < 1000 or mo is not None and not 1 <= mo <= 12 or d is not None and not 1 <= d <= 31:
        return None
    return y, mo, d


def parse_date(value: str) -> tuple[str, int] | None:
    """Validate a document's date, ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (two-digit month
    and day, a day of the calendar); return (date, year).

    >>> parse_date("2020-05-19")
    ('2020-05-19', 2020)
    >>> parse_date("2020-13") is None
    True
    """
    value = value.strip()
    parts = split_date(value)
    if parts is None or any(len(p) != 2 for p in value.split("-")[1:]):
        return None
    y, mo, d = parts
    try:
        _dt.date(y, mo or 1, d or 1)
    except ValueError:
        return None
    return value, y


def date_number(date: str | None) -> int | None:
    """'2020-05-19' → 20200519, '2020-05' → 20200500, '2020' → 20200000."""
    return parse_date_bound(date, end=False) if date else None


def parse_date_bound(value: str, *, end: bool) -> int | None:
    """'2015' → 20150000 (start) or 20151231 (end); '2020-05' → 20200500 / 20200531."""
    parts = split_date(value)
    if parts is None:
        return None
    y, mo, d = parts
    if end:
        return y * 10000 + (mo or 12) * 100 + (d or 31)
    return y * 10000 + (mo or 0) * 100 + (d or 0)


_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_DATE_DMY = re.compile(r"^(\d{1,2})(?:er)?\.?\s+(?:de\s+)?(.{2,30}?),?\s+(?:de\s+)?(\d{4})"
                       r"(?:\s*(?:года|г\.|م))?\.?$", re.I)
_DATE_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DATE_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def parse_header_date(line: str) -> str | None:
    """A date line in any of the six languages → ISO ``YYYY-MM-DD`` (None if it is not one).

    >>> parse_header_date("2015年6月10日"), parse_header_date("10 juin 2015")
    ('2015-06-10', '2015-06-10')
    """
    s = line.strip().translate(_ARABIC_DIGITS)
    if len(s) > 60:
        return None
    day = month = year = None
    if m := _DATE_ZH.match(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DATE_DMY.match(s):
        name = m[2].strip().lower()
        # Arabic UN documents give both month names: "أيار/مايو".
        month = next((MONTHS[p.strip()] for p in name.split("/") if p.strip() in MONTHS), None)
        day, year = int(m[1]), int(m[3])
    elif m := _DATE_MDY.match(s):
        month = MONTHS.get(m[1].lower())
        day, year = int(m[2]), int(m[3])
    if not (day and month and year):
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None
