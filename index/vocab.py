"""The UN's own vocabulary: its organs, its six languages and the months, as each language
writes them.

One table each. The readers recognise document headers with them (:mod:`index.sources`),
the query language resolves ``organ:sc`` with them (:mod:`search.translate`) and the interface
names organs and languages with them (:mod:`web.i18n`); each derives what it needs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import LANGUAGES


@dataclass(frozen=True)
class Organ:
    name: str  # as the index stores it (English)
    zh: str  # in Chinese, for the interface and for queries
    #: how a document header writes it besides ``name`` and ``zh`` (the other languages,
    #: traditional Chinese); none: never recognised in a header
    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # short forms a query may type: ``organ:sc``
    symbol: str | None = None  # the first element(s) of its document symbols: ``S``, ``A/HRC``


ORGANS: tuple[Organ, ...] = (
    Organ("Security Council", "安全理事会",
          ("安全理事會", "Conseil de sécurité", "Consejo de Seguridad", "Совет Безопасности",
           "مجلس الأمن"), ("sc", "安理会"), "S"),
    Organ("General Assembly", "大会",
          ("大會", "Assemblée générale", "Asamblea General", "Генеральная Ассамблея",
           "الجمعية العامة"), ("ga", "联合国大会"), "A"),
    Organ("Economic and Social Council", "经济及社会理事会",
          ("經濟及社會理事會", "Conseil économique et social", "Consejo Económico y Social",
           "Экономический и Социальный Совет", "المجلس الاقتصادي والاجتماعي"), ("ecosoc",), "E"),
    Organ("Human Rights Council", "人权理事会",
          ("人權理事會", "Conseil des droits de l'homme", "Conseil des droits de l’homme",
           "Consejo de Derechos Humanos", "Совет по правам человека", "مجلس حقوق الإنسان"),
          ("hrc",), "A/HRC"),
    Organ("Trusteeship Council", "托管理事会",
          ("託管理事會", "Conseil de tutelle", "Consejo de Administración Fiduciaria",
           "Совет по Опеке", "مجلس الوصاية"), (), "T"),
    Organ("Secretariat", "秘书处",
          ("秘書處", "Secrétariat", "Secretaría", "Секретариат", "الأمانة العامة"), (), "ST"),
    Organ("International Court of Justice", "国际法院"),
)

#: Organ name (English) → its name in Chinese.
ORGAN_NAMES_ZH: dict[str, str] = {o.name: o.zh for o in ORGANS}

#: A header line (case-folded) → the organ it names.
ORGAN_HEADERS: dict[str, str] = {n.casefold(): o.name for o in ORGANS if o.names
                                 for n in (o.name, o.zh, *o.names)}

#: What ``organ:`` may be given besides the organ's own name: short forms and Chinese names.
ORGAN_ALIASES: dict[str, str] = {a: o.name for o in ORGANS for a in (*o.aliases, o.zh)}

_SYMBOL_ORGANS = {o.symbol: o.name for o in ORGANS if o.symbol}


def organ_from_symbol(symbol: str | None) -> str | None:
    """The principal organ a document symbol belongs to, from its first element(s).

    >>> organ_from_symbol("S/2020/405")
    'Security Council'
    >>> organ_from_symbol("A/HRC/45/1")
    'Human Rights Council'
    """
    if not symbol:
        return None
    parts = symbol.strip().upper().split("/")
    return _SYMBOL_ORGANS.get("/".join(parts[:2])) or _SYMBOL_ORGANS.get(parts[0])


#: "United Nations" in the six languages (a header line that says nothing else).
UN_NAMES = frozenset(n.casefold() for n in (
    "United Nations", "联合国", "聯合國", "Nations Unies", "Naciones Unidas",
    "Организация Объединенных Наций", "الأمم المتحدة"))


@dataclass(frozen=True)
class Language:
    code: str
    en: str  # its English name
    zh: str  # its Chinese name
    native: str  # its own name
    #: how a header's language and ``Original:`` lines write it besides those three
    names: tuple[str, ...] = ()


LANGUAGE_TABLE: tuple[Language, ...] = (
    Language("zh", "Chinese", "中文", "中文", ("chinois", "chino", "китайский", "الصينية", "汉语",
                                             "漢語")),
    Language("en", "English", "英文", "English",
             ("anglais", "inglés", "ingles", "английский", "الإنكليزية", "الإنجليزية",
              "الانكليزية", "英语", "英語")),
    Language("fr", "French", "法文", "Français", ("francais", "francés", "frances", "французский",
                                                 "الفرنسية", "法语", "法語")),
    Language("es", "Spanish", "西班牙文", "Español",
             ("espagnol", "espanol", "испанский", "الإسبانية", "الاسبانية", "西班牙语", "西班牙語")),
    Language("ru", "Russian", "俄文", "Русский", ("russe", "ruso", "الروسية", "俄语", "俄語")),
    Language("ar", "Arabic", "阿拉伯文", "العربية", ("arabe", "árabe", "арабский", "阿拉伯语",
                                                   "阿拉伯語")),
)
assert tuple(lang.code for lang in LANGUAGE_TABLE) == LANGUAGES

#: A language's name (case-folded) in any of the six languages → its code.
LANGUAGE_HEADERS: dict[str, str] = {n.casefold(): lang.code for lang in LANGUAGE_TABLE
                                    for n in (lang.en, lang.zh, lang.native, *lang.names)}

_MONTH_NAMES = (
    "january february march april may june july august september october november december",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "يناير فبراير مارس أبريل مايو يونيه يوليه أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
    # Levantine month names, which Arabic UN documents pair with the Egyptian ones: "أيار/مايو".
    "كانون_الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين_الأول تشرين_الثاني كانون_الأول",
)
#: A month's name (lower case) in any of the six languages, or a common short form → 1-12.
MONTHS: dict[str, int] = {
    name.replace("_", " "): i for names in _MONTH_NAMES for i, name in enumerate(names.split(), 1)
}
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9, "ابريل": 4, "يونيو": 6,
               "يوليو": 7, "اكتوبر": 10, "sept": 9, "sep": 9, "jan": 1, "feb": 2, "mar": 3,
               "apr": 4, "jun": 6, "jul": 7, "aug": 8, "oct": 10, "nov": 11, "dec": 12})
