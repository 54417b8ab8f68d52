"""Country names for the ISO 3166 alpha-3 codes the corpus carries, in the UI language.

Names and their translations come from pycountry (ISO 3166-1 and its gettext
catalogues); the few codes it lacks (the European Union, states that no longer
exist) come from ``_EXTRA``.  Names are made at display time from the stored code, so
an index never has to be rebuilt for a better name or another language.

>>> country_name("MUS")
'Mauritius'
>>> country_name("CHN", "zh")
'中国'
>>> country_name("YUG", "zh")
'南斯拉夫'
>>> [country_code(s) for s in ("China", "中国", "chn", "Soviet Union", "玻利维亚", "Atlantis")]
['CHN', 'CHN', 'CHN', 'SUN', 'BOL', None]
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache
from typing import Any

import numpy as np
import pycountry

from index.columns import Columns

#: UI language -> the gettext catalogue of pycountry's translations.
_LOCALES = {"zh": "zh_CN"}

#: Codes the General Debate corpus (and UN usage) has that ISO 3166-1 does not:
#: code -> (English name, Chinese name).  CZK is how the corpus spells Czechoslovakia
#: in its first two sessions.
_EXTRA: dict[str, tuple[str, str]] = {
    "EU": ("European Union", "欧洲联盟"),
    "CSK": ("Czechoslovakia", "捷克斯洛伐克"),
    "CZK": ("Czechoslovakia", "捷克斯洛伐克"),
    "DDR": ("German Democratic Republic", "德意志民主共和国"),
    "YMD": ("Democratic Yemen", "民主也门"),
    "YUG": ("Yugoslavia", "南斯拉夫"),
    "SUN": ("Soviet Union", "苏联"),
}


def _english(c: Any) -> str:
    # common_name where ISO's is a mouthful: "Bolivia", not "Bolivia, Plurinational State of".
    return str(getattr(c, "common_name", None) or c.name)


@cache
def _translator(ui: str) -> gettext.NullTranslations:
    locale = _LOCALES.get(ui)
    if locale is None:
        return gettext.NullTranslations()
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:  # a pycountry without this catalogue: English names
        return gettext.NullTranslations()


@cache
def country_name(code: str | None, ui: str = "en") -> str:
    """The country's name in the UI language (``en`` or ``zh``); an unknown code as it is."""
    if not code:
        return ""
    code = code.upper()
    if code in _EXTRA:
        en, zh = _EXTRA[code]
        return zh if ui == "zh" else en
    c = pycountry.countries.get(alpha_3=code) or pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    if ui == "en":
        return _english(c)
    t = _translator(ui)
    # The catalogues translate ISO's name and, for some countries, the common name too.
    name = t.gettext(c.name)
    return name if name != c.name else t.gettext(_english(c))


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s.,'’()\-]+", " ", text).strip()


@cache
def _by_name() -> dict[str, str]:
    """Every name we know (English ISO, common and official names, Chinese) -> code."""
    names: dict[str, str] = {}
    zh = _translator("zh")
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(_key(value), c.alpha_3)
                names.setdefault(_key(zh.gettext(value)), c.alpha_3)
    for code, (en, zh_name) in _EXTRA.items():
        names.setdefault(_key(en), code)
        names.setdefault(_key(zh_name), code)
    return names


def country_code(text: str) -> str | None:
    """The code for a code or a name in English or Chinese (case and spacing ignored);
    None if it is neither."""
    text = text.strip()
    if not text:
        return None
    upper = text.upper()
    if upper in _EXTRA or (len(upper) == 3 and upper.isascii() and upper.isalpha()
                           and pycountry.countries.get(alpha_3=upper)):
        return upper
    key = _key(text)
    names = _by_name()
    if key in names:
        return names[key]
    if re.fullmatch(r"[\u4e00-\u9fff]{2,}", key):
        # The catalogue's Chinese names are often official ones (玻利维亚共和国): a short
        # name that begins exactly one of them is that country.
        found = {code for name, code in names.items() if name.startswith(key)}
        if len(found) == 1:
            return found.pop()
    return None


def country_codes(text: str) -> list[str]:
    """Every code ``text`` may stand for: Czechoslovakia is both CSK and CZK in the corpus."""
    code = country_code(text)
    if code is None:
        return []
    if code in _EXTRA:
        en = _EXTRA[code][0]
        return sorted(c for c, (name, _zh) in _EXTRA.items() if name == en)
    return [code]


# -- over the index's columns ----------------------------------------------------


def resolve_country(value: str | None) -> list[str] | None:
    """The codes a ``country=`` argument stands for (None: no filter); QueryError if
    it is neither a code nor a name we know."""
    if value is None or not str(value).strip():
        return None
    codes = country_codes(str(value))
    if not codes:
        from .errors import QueryError

        raise QueryError(f"unknown country {value!r}: use a code such as CHN or a name such as "
                         "China or 中国")
    return codes


def country_mask(cols: Columns, codes: list[str], mask: np.ndarray | None) -> np.ndarray:
    """``mask`` narrowed to paragraphs of these countries."""
    wanted = [i for i, c in enumerate(cols.country_names) if c in codes and i]
    m = np.isin(cols.country, np.asarray(wanted, dtype=np.uint16)) if wanted else \
        np.zeros(len(cols), dtype=bool)
    return m if mask is None else (mask & m)


def country_facet(cols: Columns, rep: np.ndarray) -> dict[str, int]:
    """Matching documents per country, keyed by the English name, most first."""
    if not len(rep) or len(cols.country) != len(cols):
        return {}
    counts: dict[str, int] = {}
    values, n = np.unique(cols.country[rep], return_counts=True)
    for v, k in zip(values.tolist(), n.tolist(), strict=True):
        if v:
            name = country_name(cols.country_names[v])
            counts[name] = counts.get(name, 0) + k
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# -- titles ------------------------------------------------------------------------

_GD_TITLE = re.compile(r"^General debate, (\d+)\w* session \((\d{4})\): (.+)$")


def display_title(title: str, country: str | None, ui: str = "en") -> str:
    """A title that ends with the document's country code names the country instead, in the
    UI language; a General Debate title is said in that language too.

    >>> display_title("General debate, 66th session (2011): MUS", "MUS")
    'General debate, 66th session (2011): Mauritius'
    >>> display_title("General debate, 66th session (2011): Mauritius", "MUS", "zh")
    '一般性辩论，第66届会议（2011年）：毛里求斯'
    >>> display_title("Letter dated 19 May 2020", "MUS")
    'Letter dated 19 May 2020'
    """
    if not country or not title:
        return title
    code = country.upper()
    names = {code, country_name(code), country_name(code, "zh")}
    m = _GD_TITLE.match(title)
    if m and m[3] in names:
        if ui == "zh":
            return f"一般性辩论，第{m[1]}届会议（{m[2]}年）：{country_name(code, 'zh')}"
        return f"{title[:m.start(3)]}{country_name(code, ui)}"
    for name in names:
        if title.endswith(": " + name):
            return f"{title[:-len(name)]}{country_name(code, ui)}"
    return title
