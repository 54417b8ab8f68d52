"""Readers: turn files and folders of UN text into :class:`Document`\\ s (or :class:`Skipped`).

Four layouts are recognised (see DESIGN.md, "Sources the indexer reads"):

* the UN Parallel Corpus line-aligned layout (``X.ids`` plus ``X.zh``, ``X.en`` …);
* the General Debate layout ``Session NN - YYYY/ISO3_NN_YYYY.txt``;
* UN document text (``.txt``/``.md``) with an optional UN header (organ, ``Distr.``, date,
  language, ``Original:``, symbol), or plain text without one;
* JSON Lines (``.jsonl``), one document per line.

Nothing here raises for bad input: every unreadable file (or JSONL line) comes out as a
``Skipped(path, reason)`` and the other documents keep flowing.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .model import LANGUAGES, Document, Skipped, make_doc_id

DEMO_CORPUS = Path(__file__).parent / "demo"

TEXT_SUFFIXES = frozenset({".txt", ".md"})
JSONL_SUFFIXES = frozenset({".jsonl"})
UNPC_IDS_SUFFIX = ".ids"

# A paragraph longer than this is cut (at a sentence end or a space): it keeps ranking units
# comparable (some OCR'd statements lost all paragraph breaks) and means one pathological
# input (a 50 MB file with no line breaks) cannot produce a single 50 MB index entry.
MAX_PARAGRAPH_CHARS = 5_000

Item = Document | Skipped

__all__ = [
    "DEMO_CORPUS",
    "MAX_PARAGRAPH_CHARS",
    "detect_language",
    "iter_sources",
    "organ_from_symbol",
    "parse_date",
]


# ---------------------------------------------------------------------------
# Walking paths


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | Skipped]:
    """Yield every document found under ``paths`` (files or folders), in a stable order.

    Unreadable inputs are yielded as :class:`Skipped` with a short reason; this never raises
    for bad input. Each real file or folder is read at most once, so symlinks (and symlink
    loops) and overlapping paths do not duplicate documents.
    """
    if isinstance(paths, (str, os.PathLike)):  # one path, not an iterable of characters
        paths = [paths]
    visited: set[str] = set()
    for p in paths:
        yield from _iter_path(str(p), explicit=True, visited=visited, ancestors=())


def _iter_path(path: str, *, explicit: bool, visited: set[str],
               ancestors: tuple[str, ...]) -> Iterator[Item]:
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            yield Skipped(path, "broken symbolic link")
        else:
            yield Skipped(path, "no such file or directory")
        return
    except OSError as e:  # ELOOP for a self-referencing link, EACCES, …
        yield Skipped(path, _os_reason(e))
        return
    real = os.path.realpath(path)
    if os.path.isdir(path):
        if real in ancestors:
            yield Skipped(path, "symbolic link loop (points back to a parent folder)")
            return
        if real in visited:
            return
        visited.add(real)
        yield from _iter_dir(path, visited, ancestors + (real,))
        return
    if real in visited:
        return
    if not os.path.isfile(path):
        if explicit:
            yield Skipped(path, "not a regular file")
        return
    yield from _iter_file(path, real, explicit=explicit, visited=visited)


def _iter_dir(path: str, visited: set[str], ancestors: tuple[str, ...]) -> Iterator[Item]:
    try:
        with os.scandir(path) as it:
            names = sorted(e.name for e in it if not e.name.startswith("."))
    except OSError as e:
        yield Skipped(path, _os_reason(e))
        return
    # UNPC sets first: their language files are claimed so they are never read as text.
    claimed: set[str] = set()
    name_set = set(names)
    for name in names:
        if name.endswith(UNPC_IDS_SUFFIX) and os.path.isfile(os.path.join(path, name)):
            stem = name[: -len(UNPC_IDS_SUFFIX)]
            claimed.add(name)
            claimed.update(f"{stem}.{lang}" for lang in LANGUAGES if f"{stem}.{lang}" in name_set)
            ids_path = os.path.join(path, name)
            ids_real = os.path.realpath(ids_path)
            if ids_real in visited:
                continue
            visited.add(ids_real)
            yield from _read_unpc(ids_path, langs=None, visited=visited)
    for name in names:
        if name in claimed:
            continue
        child = os.path.join(path, name)
        if os.path.isdir(child):
            yield from _iter_path(child, explicit=False, visited=visited, ancestors=ancestors)
        elif Path(name).suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES or os.path.islink(child):
            # Links are followed to learn what they point at (and to report loops).
            yield from _iter_path(child, explicit=False, visited=visited, ancestors=ancestors)


def _iter_file(path: str, real: str, *, explicit: bool, visited: set[str]) -> Iterator[Item]:
    """Read one file, turning a reader bug on strange input into a Skipped (a build of ten
    thousand files must not die on one), after whatever documents it already yielded."""
    try:
        yield from _read_file(path, real, explicit=explicit, visited=visited)
    except Exception as e:
        yield Skipped(path, f"could not parse: {type(e).__name__}: {e}")


def _read_file(path: str, real: str, *, explicit: bool, visited: set[str]) -> Iterator[Item]:
    suffix = Path(path).suffix.lower()
    if suffix == UNPC_IDS_SUFFIX:
        visited.add(real)
        yield from _read_unpc(path, langs=None, visited=visited)
        return
    lang_suffix = suffix.lstrip(".")
    if lang_suffix in LANGUAGES:
        ids_path = str(Path(path).with_suffix(UNPC_IDS_SUFFIX))
        if os.path.isfile(ids_path):
            # One language file of a UNPC set: read the set for that language only.
            yield from _read_unpc(ids_path, langs=(lang_suffix,), visited=visited)
            return
    if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
        if explicit:
            what = f"'{suffix}'" if suffix else "(no extension)"
            yield Skipped(path, f"unsupported file type {what}: expected .txt, .md, .jsonl or .ids")
        return
    visited.add(real)
    data, reason = _read_bytes(path)
    if data is None:
        yield Skipped(path, reason or "unreadable")
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, data)
        return
    text, reason = _decode(data)
    del data  # the text is all we need now; a big file should not be held twice
    if text is None:
        yield Skipped(path, reason or "unreadable")
        return
    if not text.strip():
        yield Skipped(path, "empty file (whitespace only)")
        return
    gd = _GD_NAME.match(os.path.basename(path))
    yield _read_general_debate(path, text, gd) if gd else _read_un_text(path, text)


def _os_reason(e: OSError) -> str:
    msg = (e.strerror or str(e)).strip()
    return msg[:1].lower() + msg[1:] if msg else type(e).__name__


def _read_bytes(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, _os_reason(e)
    if not data:
        return None, "empty file"
    return data, None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """UTF-8 (with or without BOM); UTF-16/32 only with a BOM, which makes them unambiguous."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _normalise_newlines(data.decode(codec)), None
            except UnicodeDecodeError as e:
                return None, f"not valid {codec.upper()} text (bad bytes at offset {e.start})"
    offset = 0
    if data.startswith(codecs.BOM_UTF8):
        offset = len(codecs.BOM_UTF8)
    if b"\x00" in data[:8192]:
        return None, "binary file"
    try:
        text = data[offset:].decode("utf-8") if offset else data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = (data[offset:] if offset else data)[e.start]
        return None, f"not UTF-8 text (invalid byte 0x{bad:02x} at offset {e.start + offset})"
    if "\x00" in text:
        return None, "binary file"
    return _normalise_newlines(text), None


def _normalise_newlines(text: str) -> str:
    text = text.replace("\ufeff", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = text.replace("\f", "\n\n")  # a form feed is a page break
    return text


# ---------------------------------------------------------------------------
# Language detection

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD = re.compile(r"[a-z\u00e0-\u024f]+")

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is that for it with as on be by this are we our have which "
                    "has was not will an its their all been would should".split()),
    "fr": frozenset("le la les des et est une du pour dans qui pas sur nous au aux sont ce cette "
                    "avec l d qu un ses leur été être ont nos".split()),
    "es": frozenset("el los las del y que por con una para es se al como sus su nuestro más "
                    "este esta lo han ha nuestra también".split()),
}


def _sample(text: str, size: int = 4_000) -> str:
    """Detection looks at a bounded sample, so a 50 MB file costs the same as a small one."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2
    return text[:size] + " " + text[mid : mid + size] + " " + text[-size:]


def _language_scores(text: str) -> dict[str, float]:
    s = _sample(text)
    # A Han character carries about a word, a Latin letter about a fifth of one.
    scores = {
        "zh": 3.0 * len(_HAN.findall(s)),
        "ar": float(len(_ARABIC.findall(s))),
        "ru": float(len(_CYRILLIC.findall(s))),
    }
    words = Counter(_LATIN_WORD.findall(s.lower()))
    latin = sum(len(w) * n for w, n in words.items())
    if latin > max(scores.values()):
        counts = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
        total = sum(counts.values()) or 1
        for lang, n in counts.items():
            scores[lang] = latin * n / total
        if not any(counts.values()):
            scores["en"] = float(latin)
    return scores


def detect_language(text: str) -> str:
    """The UN language ``text`` is written in: one of ``zh en fr es ru ar`` ("en" if unsure).

    Script decides zh/ar/ru; Latin-script text is told apart by counting stop words.

    >>> detect_language("安全理事会第1540（2004）号决议")
    'zh'
    >>> detect_language("Le Conseil de sécurité a adopté la résolution et les États membres")
    'fr'
    """
    scores = _language_scores(text)
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else "en"


def _detect_clear(text: str, default: str) -> str:
    """Like detect_language, but keeps ``default`` unless another language clearly wins."""
    scores = _language_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if best != default and scores[best] > 2 * scores.get(default, 0.0):
        return best
    return default


# ---------------------------------------------------------------------------
# Metadata helpers

_SYMBOL_ORGANS = {
    "S": "Security Council",
    "A": "General Assembly",
    "E": "Economic and Social Council",
    "T": "Trusteeship Council",
    "ST": "Secretariat",
}


def organ_from_symbol(symbol: str | None) -> str | None:
    """The principal organ a document symbol belongs to, from its first element.

    >>> organ_from_symbol("S/2020/405")
    'Security Council'
    >>> organ_from_symbol("A/HRC/45/1")
    'Human Rights Council'
    """
    if not symbol:
        return None
    parts = symbol.strip().upper().split("/")
    if parts[0] == "A" and len(parts) > 1 and parts[1] == "HRC":
        return "Human Rights Council"
    return _SYMBOL_ORGANS.get(parts[0])


_DATE_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: str) -> tuple[str, int] | None:
    """Validate an ISO date ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; return (date, year).

    >>> parse_date("2020-05-19")
    ('2020-05-19', 2020)
    >>> parse_date("2020-13") is None
    True
    """
    m = _DATE_ISO.match(value.strip())
    if not m:
        return None
    y = int(m[1])
    try:
        _dt.date(y, int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None
    return (value.strip(), y) if y >= 1000 else None


_MONTH_NAMES = (
    "january february march april may june july august september october november december",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "يناير فبراير مارس أبريل مايو يونيه يوليه أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
    # Levantine month names, which Arabic UN documents pair with the Egyptian ones: "أيار/مايو".
    "كانون_الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين_الأول تشرين_الثاني كانون_الأول",
)
_MONTHS: dict[str, int] = {
    name.replace("_", " "): i for names in _MONTH_NAMES for i, name in enumerate(names.split(), 1)
}
_MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9, "ابريل": 4, "يونيو": 6,
                "يوليو": 7, "اكتوبر": 10, "sept": 9, "sep": 9, "jan": 1, "feb": 2, "mar": 3,
                "apr": 4, "jun": 6, "jul": 7, "aug": 8, "oct": 10, "nov": 11, "dec": 12})

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_DATE_DMY = re.compile(r"^(\d{1,2})(?:er)?\.?\s+(?:de\s+)?(.{2,30}?),?\s+(?:de\s+)?(\d{4})"
                       r"(?:\s*(?:года|г\.|م))?\.?$", re.I)
_DATE_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_DATE_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def _parse_header_date(line: str) -> str | None:
    """A date line in any of the six languages → ISO ``YYYY-MM-DD`` (None if it is not one)."""
    s = line.strip().translate(_ARABIC_DIGITS)
    if len(s) > 60:
        return None
    day = month = year = None
    if m := _DATE_ZH.match(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DATE_DMY.match(s):
        name = m[2].strip().lower()
        # Arabic UN documents give both month names: "أيار/مايو".
        month = next((_MONTHS[p.strip()] for p in name.split("/") if p.strip() in _MONTHS), None)
        day, year = int(m[1]), int(m[3])
    elif m := _DATE_MDY.match(s):
        month = _MONTHS.get(m[1].lower())
        day, year = int(m[2]), int(m[3])
    if not (day and month and year):
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


_LANG_NAMES: dict[str, str] = {name: code for code, names in {
    "en": "english anglais inglés ingles английский الإنكليزية الإنجليزية الانكليزية 英文 英语 英語",
    "zh": "chinese chinois chino китайский الصينية 中文 汉语 漢語",
    "fr": "french français francais francés frances французский الفرنسية 法文 法语 法語",
    "es": "spanish espagnol español espanol испанский الإسبانية الاسبانية 西班牙文 西班牙语 西班牙語",
    "ru": "russian russe ruso русский الروسية 俄文 俄语 俄語",
    "ar": "arabic arabe árabe арабский العربية 阿拉伯文 阿拉伯语 阿拉伯語",
}.items() for name in names.split()}

_ORGAN_NAMES: dict[str, str] = {name.casefold(): organ for organ, names in {
    "Security Council": ["Security Council", "安全理事会", "安全理事會", "Conseil de sécurité",
                         "Consejo de Seguridad", "Совет Безопасности", "مجلس الأمن"],
    "General Assembly": ["General Assembly", "大会", "大會", "Assemblée générale", "Asamblea General",
                         "Генеральная Ассамблея", "الجمعية العامة"],
    "Economic and Social Council": ["Economic and Social Council", "经济及社会理事会", "經濟及社會理事會",
                                    "Conseil économique et social", "Consejo Económico y Social",
                                    "Экономический и Социальный Совет", "المجلس الاقتصادي والاجتماعي"],
    "Human Rights Council": ["Human Rights Council", "人权理事会", "人權理事會",
                             "Conseil des droits de l'homme", "Conseil des droits de l’homme",
                             "Consejo de Derechos Humanos", "Совет по правам человека",
                             "مجلس حقوق الإنسان"],
    "Trusteeship Council": ["Trusteeship Council", "托管理事会", "託管理事會", "Conseil de tutelle",
                            "Consejo de Administración Fiduciaria", "Совет по Опеке", "مجلس الوصاية"],
    "Secretariat": ["Secretariat", "秘书处", "秘書處", "Secrétariat", "Secretaría", "Секретариат",
                    "الأمانة العامة"],
}.items() for name in names}

_UN_NAMES = {n.casefold() for n in ("United Nations", "联合国", "聯合國", "Nations Unies",
                                    "Naciones Unidas", "Организация Объединенных Наций",
                                    "الأمم المتحدة")}

_DISTR = re.compile(r"^distr\.?\s*[:：]?\s*(general|générale|generale|limited|limitée|limitee|limitada|"
                    r"restricted|restreinte|reservada)\b", re.I)
_DISTR_NORM = {"général": "General", "générale": "General", "generale": "General", "general": "General",
               "limited": "Limited", "limitée": "Limited", "limitee": "Limited", "limitada": "Limited",
               "restricted": "Restricted", "restreinte": "Restricted", "reservada": "Restricted"}
_ORIGINAL = re.compile(r"^(?:original|原文|оригинал|الأصل)\s*[:：]\s*(\S.{0,60})$", re.I)
_SYMBOL_ONE = r"[A-Z]{1,8}(?:/[A-Za-z0-9.()\-]{1,30}){1,8}"
_SYMBOL_LINE = re.compile(rf"^({_SYMBOL_ONE})\*?(?:\s*[–—-]\s*({_SYMBOL_ONE})\*?)*$")
_SESSION_LINE = re.compile(
    r"^(?:[\w-]{3,30} (?:session|special session|emergency special session)|第.{1,8}届(?:特别)?会议|"
    r".{3,30} período (?:extraordinario )?de sesiones|[\w-]{3,30} сессия|الدورة .{2,30})$", re.I)
_AGENDA_LINE = re.compile(r"^(?:(?:provisional )?agenda items? .{1,60}|items? \d.{0,40}|议程项目.{1,40}|"
                          r"points? .{1,30} de l.ordre du jour.*|temas? .{1,30} del programa.*|"
                          r"пункты? .{1,30} повестки дня.*|البند .{1,40} من جدول الأعمال.*)$", re.I)


def _lang_from_name(value: str) -> str | None:
    for token in re.split(r"[\s/,;、和及]+|\band\b|\bet\b|\by\b|\bи\b", value.strip().casefold()):
        token = token.strip(" .:()")
        if token in _LANG_NAMES:
            return _LANG_NAMES[token]
    return None


def _symbol_of(line: str) -> list[str] | None:
    m = _SYMBOL_LINE.match(line)
    if not m or not re.search(r"\d", line):
        return None
    return re.findall(_SYMBOL_ONE, line)


# ---------------------------------------------------------------------------
# Text clean-up and paragraph building

_MD_LINK = re.compile(r"(?<!\\)!?\[((?:\\.|[^\[\]\\\n]){0,500})\]\((?:\\.|[^)\\\n]){0,1000}\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,1000}?)(?<=\S)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+([^\n]*?)[ \t#]*$", re.M)
_MD_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)


def _clean_markdown(text: str) -> str:
    """Remove PDF→Markdown residue but keep the words: ``[1540\\(2004\\)](#)`` → ``1540(2004)``."""
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "**" in text or "__" in text:
        text = _MD_BOLD.sub(r"\2", text)
    if "#" in text:
        # A heading stands alone: blank lines around it keep it out of its neighbours.
        text = _MD_HEADING.sub(lambda m: f"\n{m[1]}\n", text)
    text = _MD_RULE.sub("", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text


def _is_wide(ch: str) -> bool:
    """CJK ideographs, kana, hangul, CJK and full-width punctuation: joined without spaces."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0xAC00 <= o <= 0xD7AF or 0x20000 <= o <= 0x2FA1F)


# Sentence-final: Latin . ! ? : ; …, Chinese 。！？；：, Arabic ؛ ؟ ۔, optionally followed by closing quotes
# or brackets; a bare Chinese closing quote also ends a sentence.
_ENDS_FINAL = re.compile(r"(?:[.!?:;…。！？；：．؛؟۔]+[\"'”’»」』）)\]]*|[”」』])$")
_OPENERS = "\"'“‘«([¿¡"
_NUMBERED = re.compile(r"^\d{1,3}\.(?:\s|\t)+\S")
_HEADING_START = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?\s|\(?[a-zA-Z]{1,4}\)\s|[IVXLC]{1,6}\.\s|"
    r"第[一二三四五六七八九十百〇零\d０-９]+[章条條節节款部编編]|[一二三四五六七八九十]+、|"
    r"（[一二三四五六七八九十\d０-９]+）|附件|附录|"
    r"(?:Article|Chapter|Annex|Appendix|Part|Chapitre|Annexe|Artículo|Capítulo|Anexo|Статья|Глава|"
    r"Приложение|المادة|الفصل|المرفق)\b)")
_LIST_START = re.compile(r"^(?:\(?[a-z]{1,4}\)|[a-z]\.)\s")
# Page furniture: page numbers, UN job numbers (95-85614), barcodes, "Page 3", "3/12", running
# meeting-record headers (A/50/PV.5).
_FURNITURE = re.compile(
    r"^(?:[-–—\s]*\d{1,4}[-–—\s]*|\d{1,4}\s+\d{2}-\d{5}|\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{1,6})*|"
    r"\*\d{6,8}\*|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}|"
    r"A/\d{1,3}/PV\.\d{1,4}|[-=_*·•.\s]{3,})$", re.I)
# Interpretation notes in meeting records ("(spoke in French)") stand alone as paragraphs.
_NOTE = re.compile(r"^\((?:spoke|interpretation|interprétation|habla|говорит)[^()]{1,60}\)$", re.I)
# Only whitespace that changes: runs, and single tabs or exotic spaces (a single ASCII space
# is left alone, so a 50 MB paragraph is not rebuilt from ten million one-space pieces).
_WS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f]")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060]")
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HAS_ALNUM = re.compile(r"[^\W_]")

_SOFT = "\x00soft"  # marks a page-furniture line: a page boundary, not a paragraph break


class _Vocab:
    """The file's own words, built lazily, to decide whether ``inter-`` + ``national`` lost a
    real hyphen or only a line-break one."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: set[str] | None = None

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            self._words = {w.lower() for w in _WORDS.findall(self._text)}
        return word in self._words


_TRAILING_WORD = re.compile(r"([^\W\d_]+)-$")
_LEADING_WORD = re.compile(r"^([^\W\d_]+)")


def _append(pieces: list[str], b: str, vocab: _Vocab | None) -> None:
    """Add ``b`` to a paragraph being assembled from ``pieces`` (joined once at the end, so a
    paragraph of a million lines still costs linear time).

    No space goes between two CJK characters. A line-end hyphen is dropped only when the file
    itself spells the joined word without it (``land-`` + ``mines`` stays ``land-mines`` unless
    ``landmines`` occurs in the file and ``land-mines`` does not); before an upper-case
    continuation it is always kept (``anti-`` + ``Semitism``).
    """
    if not pieces:
        pieces.append(b)
        return
    a = pieces[-1]
    if a[-1] == "\u00ad":  # soft hyphen: a break opportunity, never a real hyphen
        pieces[-1] = a[:-1]
        pieces.append(b)
        return
    if a[-1] == "-" and vocab is not None:
        left, right = _TRAILING_WORD.search(a[-100:]), _LEADING_WORD.match(b)
        if left and right:
            if right[1][0].islower():
                joined = (left[1] + right[1]).lower()
                hyphenated = f"{left[1]}-{right[1]}".lower()
                if joined in vocab and hyphenated not in vocab:
                    pieces[-1] = a[:-1]
            pieces.append(b)
            return
    if not (_is_wide(a[-1]) and _is_wide(b[0])):
        pieces.append(" ")
    pieces.append(b)


def _wrap_width(lengths: list[int], cjk: bool) -> int | None:
    """The width a file was hard-wrapped at, or None if its lines are not wrapped.

    Wrapped text has most lines bunched just under one width (a line breaks when the next
    word does not fit); a file of one paragraph per line has long, scattered line lengths.
    """
    if len(lengths) < 8:
        return None
    s = sorted(lengths)
    width = s[int(len(s) * 0.9)]
    lo, hi = (12, 70) if cjk else (30, 130)
    if not lo <= width <= hi:
        return None
    near = sum(1 for n in lengths if 0.7 * width <= n <= width + 4)
    if near < 0.5 * len(lengths):
        return None
    # The break test asks whether the next word would have fitted: measure against the
    # (nearly) longest lines, not the typical one.
    return s[int(len(s) * 0.95)]


def _first_word_len(line: str) -> int:
    line = line.lstrip()
    i = line.find(" ")
    return len(line) if i < 0 else i


def _starts_sentence(b: str) -> bool:
    head = b.lstrip(_OPENERS)[:1]
    return bool(head) and (head.isupper() or head.isdigit() or _is_wide(head))


def _is_wrap_break(a: str, b_raw: str, c: str | None, width: int, indent_signal: bool) -> bool:
    """In hard-wrapped text, does a paragraph end between lines ``a`` and ``b``?

    Only where ``a`` ends a sentence and ``b`` starts one, and then when ``a`` broke early
    (``b``'s first word would have fitted on it: the paragraph ended there), or ``b`` is
    indented or numbered, or ``b`` itself broke early while ``c`` carries on its sentence
    (its shortness is a first-line indent that the text extraction dropped).
    """
    if not _ENDS_FINAL.search(a[-8:]):
        return False
    b = b_raw.lstrip()
    if not _starts_sentence(b):
        return False
    if indent_signal and b_raw[:1].isspace():
        return True
    if _NUMBERED.match(b):
        return True
    if _is_wide(a[-1]):
        return len(a) < 0.9 * width
    if len(a) + 1 + _first_word_len(b) <= width:
        return True
    if c is not None and c[:1].islower() and not _ENDS_FINAL.search(b[-8:]):
        # A small margin: proportional fonts make character counts a noisy measure of width.
        return len(b) + 1 + _first_word_len(c) <= width - 3
    return False


def _wraps_on(a: str, b: str) -> bool:
    """In a file that is not hard-wrapped as a whole, does line ``b`` carry on line ``a`` of the
    same block? Only after a long line cut mid-sentence, and never into a heading or list item
    (so a signature block or "Article 1" / "The Purposes…" keep their lines)."""
    if (_ENDS_FINAL.search(a[-8:]) or _HEADING_START.match(a) or _HEADING_START.match(b)
            or _LIST_START.match(b) or _NOTE.match(b) or (b.isupper() and len(b) < 60)):
        return False
    return len(a) >= (20 if _is_wide(a[-1]) else 60)


class _Para:
    """A paragraph being assembled: pieces plus what the page-break test needs to know."""

    __slots__ = ("pieces", "length", "clause_punct", "closed")

    def __init__(self, text: str, closed: bool = False) -> None:
        self.pieces = [text]
        self.length = len(text)
        self.clause_punct = any(c in text for c in "，,；、،")
        # Nothing is ever joined onto a closed paragraph (a title, an interpretation note).
        self.closed = closed or bool(_NOTE.match(text))

    @property
    def tail(self) -> str:
        return self.pieces[-1]

    def text(self) -> str:
        return "".join(self.pieces)


_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_DANGLING = frozenset(
    "the a an of to in on at by for from with and or but nor as than that which who whose whom "
    "its their our his her my your this these those is are was were be been has have had will "
    "would shall should can could may might must not also into upon between among against "
    "de la le les des du et au aux un une pour par sur dans avec que qui "
    "el los las del y en con por para una unos que al "
    "и в во на с со к по о об от из за для не что как".split())


def _continues(prev: _Para, nxt: str) -> bool:
    """Is ``nxt`` the rest of ``prev``, cut by a page boundary (or a stray blank line)?"""
    tail = prev.tail
    if (prev.closed or _ENDS_FINAL.search(tail[-8:]) or _HEADING_START.match(nxt)
            or _NOTE.match(nxt)):
        return False
    last, first = tail[-1], nxt[0]
    if _is_wide(last) or _is_wide(first):
        # Chinese: both sides look like body text — prev long with clause punctuation in it,
        # nxt long or a finished sentence — so a heading is never glued to a paragraph.
        return (_is_wide(first) and prev.length >= 60 and prev.clause_punct
                and (len(nxt) >= 40 or bool(_ENDS_FINAL.search(nxt[-8:]))))
    if first.islower() and first.isalpha():
        return not _LIST_START.match(nxt)
    # Before a capital, only a dangling comma, dash or function word proves the cut: a heading
    # or a title ends in a noun, never in "of the".
    if _LIST_START.match(nxt) or len(nxt) < 20:
        return False
    if last in ",-–—":
        return prev.length >= 40
    m = _LAST_WORD.search(tail[-30:])
    return m is not None and m[1].lower() in _DANGLING


def _split_long(p: str) -> list[str]:
    if len(p) <= MAX_PARAGRAPH_CHARS:
        return [p]
    out: list[str] = []
    start, n = 0, len(p)
    while n - start > MAX_PARAGRAPH_CHARS:
        end = start + MAX_PARAGRAPH_CHARS
        window_lo = start + MAX_PARAGRAPH_CHARS // 2
        cut = max(p.rfind(". ", window_lo, end), p.rfind("。", window_lo, end))
        if cut < 0:
            cut = p.rfind(" ", window_lo, end)
        cut = end if cut < 0 else cut + 1
        out.append(p[start:cut].strip())
        start = cut
    out.append(p[start:].strip())
    return [x for x in out if x]


def _clean_paragraph(p: str) -> str:
    if _INVISIBLE.search(p):
        p = _INVISIBLE.sub("", p)
    if "  " in p or _ODD_SPACE.search(p):
        p = _WS.sub(" ", p)
    return p.strip()


def _build_paragraphs(lines: list[str], full_text: str, *, cjk: bool,
                      drop: Callable[[str], bool] | None = None,
                      first_is_title: bool = False) -> list[str]:
    """Lines → paragraphs: blank lines separate paragraphs; hard-wrapped lines are re-joined;
    page furniture is dropped; paragraphs cut by a page boundary are joined back.
    ``first_is_title``: the first paragraph is a title, never joined to the next one."""
    marked: list[str] = []
    for raw in lines:
        s = raw.strip()
        if not s:
            marked.append("")
        elif len(s) <= 40 and (_FURNITURE.match(s) or (drop is not None and drop(s))):
            marked.append(_SOFT)
        else:
            marked.append(raw.rstrip())
    body = [m for m in marked if m and m is not _SOFT]
    width = _wrap_width([len(m.strip()) for m in body], cjk)
    vocab = _Vocab(full_text)
    # Leading indentation marks new paragraphs only if not every line is indented.
    indented = sum(1 for m in body if m[:1].isspace())
    indent_signal = 0 < indented < 0.5 * len(body)

    paras: list[list[str]] = []
    cur: list[str] | None = None
    prev_line = ""
    gap_hard = False  # a run of blank lines since the last text line
    gap_soft = False  # the run included page furniture
    body_i = 0
    for m in marked:
        if m == "":
            gap_hard = True
            continue
        if m is _SOFT:
            gap_soft = True
            continue
        body_i += 1
        s = m.strip()
        if _NOTE.match(s):
            if cur is not None:
                paras.append(cur)
            paras.append([s])
            cur = None
        elif cur is None:
            cur = [s]
        elif width is None and not gap_hard and _wraps_on(prev_line, s):
            _append(cur, s, vocab)
        elif width is None or (gap_hard and not gap_soft):
            # One paragraph per line, or a blank line: a new paragraph.
            paras.append(cur)
            cur = [s]
        elif _is_wrap_break(prev_line, m, body[body_i].strip() if body_i < len(body) else None,
                            width, indent_signal):
            paras.append(cur)
            cur = [s]
        else:
            _append(cur, s, vocab)
        prev_line = s
        gap_hard = gap_soft = False
    if cur is not None:
        paras.append(cur)

    merged: list[_Para] = []
    for pieces in paras:
        p = _clean_paragraph("".join(pieces))
        if not p:
            continue
        if merged and _continues(merged[-1], p):
            prev = merged[-1]
            _append(prev.pieces, p, vocab)
            prev.length += len(p) + 1
            prev.clause_punct = prev.clause_punct or any(c in p for c in "，,；、،")
        else:
            merged.append(_Para(p, closed=first_is_title and not merged))
    out: list[str] = []
    for para in merged:
        text = para.text()
        if _HAS_ALNUM.search(text):
            out.extend(_split_long(text))
    return out


def _display_len(s: str) -> int:
    """Length with CJK characters counted double: 120 of them make no title."""
    return len(s) + sum(1 for c in s if _is_wide(c))


def _short_title(paragraphs: list[str], fallback: str, first_line: str = "", limit: int = 200) -> str:
    """The first paragraph if it is title-sized, else the first line, else a cut."""
    if not paragraphs:
        return fallback
    t = paragraphs[0]
    if len(t) > limit and first_line and len(first_line) <= limit:
        return first_line
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------
# UN document text (.txt / .md)

_LANG_IN_NAME = re.compile(r"(?:^|[_.\-])(zh|en|fr|es|ru|ar)(?:[_-](?:hans|hant|cn|tw|hk))?$", re.I)


def _read_un_text(path: str, text: str) -> Document | Skipped:
    text = _clean_markdown(text)
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    body_start = 0
    seen_nonblank = 0
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s:
            continue
        seen_nonblank += 1
        if seen_nonblank > 20 or not _header_line(s, meta, extra):
            body_start = i
            break
    else:
        body_start = len(lines)
    body = lines[body_start:]

    symbol = meta.get("symbol")
    stem = Path(path).stem
    lang = meta.get("lang")
    if lang is None:
        m = _LANG_IN_NAME.search(stem)
        lang = m[1].lower() if m else detect_language(text)
    cjk = lang == "zh"

    def running_header(s: str) -> bool:
        return symbol is not None and s == symbol

    paragraphs = _build_paragraphs(body, text, cjk=cjk, drop=running_header,
                                   first_is_title=bool(meta or extra))
    if not paragraphs:
        return Skipped(path, "no paragraphs (only a header)" if meta else "no text paragraphs")
    organ = meta.get("organ") or organ_from_symbol(symbol)
    date = meta.get("date")
    return Document(
        id=make_doc_id(symbol=symbol, lang=lang) if symbol else make_doc_id(stem=stem, lang=lang),
        paragraphs=paragraphs,
        lang=lang,
        symbol=symbol,
        title=_short_title(paragraphs, symbol or stem,
                           next((_clean_paragraph(x) for x in body if x.strip()), "")),
        organ=organ,
        date=date,
        year=int(date[:4]) if date else None,
        original_lang=meta.get("original_lang"),
        source=path,
        extra=extra,
    )


def _header_line(s: str, meta: dict[str, Any], extra: dict[str, Any]) -> bool:
    """Recognise one UN header line, recording what it says; False for anything else."""
    if len(s) > 120:
        return False
    key = s.casefold().rstrip(" .")
    if key in _ORGAN_NAMES and "organ" not in meta:
        meta["organ"] = _ORGAN_NAMES[key]
        return True
    if key in _UN_NAMES:
        return True
    if m := _DISTR.match(s):
        extra["distribution"] = _DISTR_NORM.get(m[1].lower(), m[1].capitalize())
        return True
    if m := _ORIGINAL.match(s):
        if (code := _lang_from_name(m[1])) is not None:
            meta["original_lang"] = code
            return True
        return False
    if key in _LANG_NAMES and "lang" not in meta:
        meta["lang"] = _LANG_NAMES[key]
        return True
    if "date" not in meta and (date := _parse_header_date(s)):
        meta["date"] = date
        return True
    if "symbol" not in meta and (symbols := _symbol_of(s)):
        meta["symbol"] = symbols[0]
        if len(symbols) > 1:
            extra["symbols"] = symbols
        return True
    if meta and _SESSION_LINE.match(s):
        extra["session_label"] = s
        return True
    if meta and _AGENDA_LINE.match(s):
        extra["agenda_item"] = s
        return True
    return False


# ---------------------------------------------------------------------------
# General Debate layout: Session NN - YYYY/ISO3_NN_YYYY.txt

_GD_NAME = re.compile(r"^([A-Z]{2,4})_(\d{1,3})_(\d{4})\.txt$")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _read_general_debate(path: str, text: str, m: re.Match[str]) -> Document | Skipped:
    country, session, year = m[1], int(m[2]), int(m[3])
    lang = _detect_clear(text, "en")
    paragraphs = _build_paragraphs(text.split("\n"), text, cjk=lang == "zh")
    if not paragraphs:
        return Skipped(path, "no text paragraphs")
    return Document(
        id=make_doc_id(stem=Path(path).stem, lang=lang),
        paragraphs=paragraphs,
        lang=lang,
        title=f"General debate, {_ordinal(session)} session ({year}): {country}",
        organ="General Assembly",
        date=str(year),
        year=year,
        country=country,
        source=path,
        extra={"session": session},
    )


# ---------------------------------------------------------------------------
# UN Parallel Corpus: X.ids + X.<lang>

_IDS_PATH = re.compile(r"^(\d{4})/(\S+)$")


def _unpc_symbol(symbol_path: str) -> str:
    """``s/res/2203__2015_`` → ``S/RES/2203 (2015)``; ``a/ac_182/l_139`` → ``A/AC.182/L.139``.

    In the corpus's paths ``__x_`` stands for `` (x)`` (a space and brackets).
    """
    m = re.search(r"__(.+?)_$", symbol_path)
    suffix = ""
    if m:
        suffix = " (" + m.group(1).replace("_", " ").upper() + ")"
        symbol_path = symbol_path[: m.start()]
    return symbol_path.upper().replace("_", ".") + suffix


def _read_unpc(ids_path: str, *, langs: tuple[str, ...] | None,
               visited: set[str]) -> Iterator[Item]:
    folder = os.path.dirname(ids_path) or "."
    stem = os.path.basename(ids_path)[: -len(UNPC_IDS_SUFFIX)]
    data, reason = _read_bytes(ids_path)
    text = None
    if data is not None:
        text, reason = _decode(data)
    if text is None:
        yield Skipped(ids_path, reason or "unreadable")
        return
    ids_lines = text.split("\n")
    if ids_lines and ids_lines[-1] == "":
        ids_lines.pop()
    # Per ids line: (symbol, year, {lang: (para, sent)}); None for a malformed line.
    rows: list[tuple[str, int, dict[str, tuple[int, int]]] | None] = []
    bad = 0
    for lineno, line in enumerate(ids_lines, 1):
        parts = line.split()
        m = _IDS_PATH.match(parts[0]) if parts else None
        pos: dict[str, tuple[int, int]] = {}
        ok = m is not None
        for part in parts[1:]:
            bits = part.split(":")
            if len(bits) == 3 and bits[0] in LANGUAGES and bits[1].isdigit() and bits[2].isdigit():
                pos[bits[0]] = (int(bits[1]), int(bits[2]))
            else:
                ok = False
        if not ok or m is None:
            rows.append(None)
            bad += 1
            if bad <= 5:
                yield Skipped(f"{ids_path}:{lineno}", "malformed ids line")
            continue
        rows.append((_unpc_symbol(m[2]), int(m[1]), pos))
    if bad > 5:
        yield Skipped(ids_path, f"{bad} malformed ids lines in all")

    for lang in langs or LANGUAGES:
        lang_path = os.path.join(folder, f"{stem}.{lang}")
        if not os.path.isfile(lang_path):
            continue
        lang_real = os.path.realpath(lang_path)
        if lang_real in visited:
            continue
        visited.add(lang_real)
        data, reason = _read_bytes(lang_path)
        ltext = None
        if data is not None:
            ltext, reason = _decode(data)
        if ltext is None:
            yield Skipped(lang_path, reason or "unreadable")
            continue
        sents = ltext.split("\n")
        if sents and sents[-1] == "":
            sents.pop()
        if len(sents) != len(rows):
            yield Skipped(lang_path, f"has {len(sents)} lines but {os.path.basename(ids_path)} "
                                     f"has {len(rows)}: not aligned")
            continue
        groups: dict[str, list[tuple[int, int, int]]] = {}
        years: dict[str, int] = {}
        for i, row in enumerate(rows):
            if row is None or lang not in row[2]:
                continue
            symbol, year, pos = row
            para, sent = pos[lang]
            groups.setdefault(symbol, []).append((para, sent, i))
            years.setdefault(symbol, year)
        for symbol, items in groups.items():
            items.sort()
            paragraphs: list[str] = []
            # The ids lines (0-based) of each paragraph's sentences: sentence i of every
            # language is the translation of sentence i, so index/align.py links paragraphs
            # exactly through these.
            lines: list[list[int]] = []
            last_para: int | None = None
            for para, _sent, i in items:
                s = _clean_paragraph(sents[i])
                if not s:
                    continue
                if paragraphs and para == last_para:
                    paragraphs[-1] = (paragraphs[-1] + s if lang == "zh"
                                      else paragraphs[-1] + " " + s)
                    lines[-1].append(i)
                else:
                    paragraphs.append(s)
                    lines.append([i])
                last_para = para
            if not paragraphs:
                continue
            year = years[symbol]
            first = paragraphs[0]
            yield Document(
                id=make_doc_id(symbol=symbol, lang=lang),
                paragraphs=paragraphs,
                lang=lang,
                symbol=symbol,
                title=first if _display_len(first) < 120 else symbol,
                organ=organ_from_symbol(symbol),
                date=str(year),
                year=year,
                source=folder,
                extra={"unpc_lines": lines},
            )


# ---------------------------------------------------------------------------
# JSON Lines

_JSONL_KNOWN = ("id", "symbol", "title", "lang", "original_lang", "organ", "date", "year", "country",
                "speaker", "paragraphs", "text")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n")


def _read_jsonl(path: str, data: bytes) -> Iterator[Item]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, reason = _decode(data)
        if text is None:
            yield Skipped(path, reason or "unreadable")
            return
        raw_lines: list[bytes | str] = list(text.split("\n"))
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        if b"\x00" in data[:8192]:
            yield Skipped(path, "binary file")
            return
        raw_lines = list(data.split(b"\n"))
    if not any(line.strip() for line in raw_lines):
        yield Skipped(path, "empty file (whitespace only)")
        return
    stem = Path(path).stem
    for lineno, raw in enumerate(raw_lines, 1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield Skipped(f"{path}:{lineno}", f"not UTF-8 text (invalid byte 0x{raw[e.start]:02x})")
                continue
        else:
            line = raw
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            msg = e.msg if isinstance(e, json.JSONDecodeError) else "nested too deeply"
            yield Skipped(f"{path}:{lineno}", f"malformed JSON at line {lineno}: {msg}")
            continue
        result = _jsonl_document(obj, path=path, stem=stem, lineno=lineno)
        if isinstance(result, str):
            yield Skipped(f"{path}:{lineno}", result)
        else:
            yield result


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ValueError(f"'{key}' must be a string, not {type(v).__name__}")
    v = v.strip()
    return v or None


def _jsonl_document(obj: Any, *, path: str, stem: str, lineno: int) -> Document | str:
    """One JSONL record → Document, or the reason it was refused."""
    if not isinstance(obj, dict):
        return f"line {lineno} is not a JSON object"
    try:
        if "paragraphs" in obj and obj["paragraphs"] is not None:
            raw = obj["paragraphs"]
            if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
                return "'paragraphs' must be a list of strings"
            pieces = raw
        elif "text" in obj and obj["text"] is not None:
            if not isinstance(obj["text"], str):
                return "'text' must be a string"
            pieces = _BLANK_LINES.split(_normalise_newlines(obj["text"]))
        else:
            return "no 'paragraphs' or 'text'"
        paragraphs: list[str] = []
        for piece in pieces:
            parts: list[str] = []
            for ln in _normalise_newlines(piece).split("\n"):
                ln = ln.strip()
                if ln:
                    _append(parts, ln, None)
            joined = _clean_paragraph("".join(parts))
            if joined:
                paragraphs.extend(_split_long(joined))
        if not paragraphs:
            return "no paragraphs (empty 'paragraphs'/'text')"

        doc_id, symbol = _opt_str(obj, "id"), _opt_str(obj, "symbol")
        title, organ = _opt_str(obj, "title"), _opt_str(obj, "organ")
        country, speaker = _opt_str(obj, "country"), _opt_str(obj, "speaker")
        lang = _opt_str(obj, "lang")
        if lang is not None:
            lang = lang.lower()
            if lang not in LANGUAGES:
                return f"unknown lang {obj['lang']!r} (expected one of {' '.join(LANGUAGES)})"
        else:
            lang = detect_language("\n".join(paragraphs[:50]))
        original = _opt_str(obj, "original_lang")
        if original is not None:
            original = original.lower()
            if original not in LANGUAGES:
                return f"unknown original_lang {obj['original_lang']!r}"
        date: str | None = None
        year: int | None = None
        if obj.get("date") is not None:
            if not isinstance(obj["date"], str) or (parsed := parse_date(obj["date"])) is None:
                return f"bad date {obj['date']!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)"
            date, year = parsed
        elif obj.get("year") is not None:
            y = obj["year"]
            if isinstance(y, bool) or not isinstance(y, int) or not 1000 <= y <= 9999:
                return f"bad year {y!r}"
            date, year = str(y), y
    except ValueError as e:
        return str(e)

    if doc_id is None:
        doc_id = make_doc_id(symbol=symbol, lang=lang) if symbol else f"{stem}-{lineno}"
    extra = {k: v for k, v in obj.items() if k not in _JSONL_KNOWN}
    if isinstance(extra.get("extra"), dict):  # a feed that already nests its metadata
        extra.update(extra.pop("extra"))
    return Document(
        id=doc_id,
        paragraphs=paragraphs,
        lang=lang,
        symbol=symbol,
        title=title or _short_title(paragraphs, symbol or doc_id),
        organ=organ or organ_from_symbol(symbol),
        date=date,
        year=year,
        original_lang=original,
        country=country,
        speaker=speaker,
        source=path,
        extra=extra,
    )
