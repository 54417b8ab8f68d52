"""Reading a source file's bytes and decoding them, or saying in a few words why not."""

from __future__ import annotations

import codecs

from ..model import Skipped

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
         (codecs.BOM_UTF8, "utf-8"))


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """(codec, length of the mark) if ``data`` starts with a byte-order mark."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def os_reason(e: OSError) -> str:
    msg = (e.strerror or str(e)).strip()
    return msg[:1].lower() + msg[1:] if msg else type(e).__name__


def load(path: str) -> bytes | Skipped:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return Skipped(path, os_reason(e))
    if not data:
        return Skipped(path, "empty file")
    return data


def decode(path: str, data: bytes) -> str | Skipped:
    """UTF-8 (with or without BOM); UTF-16/32 only with a BOM, which makes them unambiguous."""
    bom = sniff_bom(data)
    if bom is not None and bom[0] != "utf-8":
        codec = bom[0]
        try:
            return normalise_newlines(data.decode(codec))
        except UnicodeDecodeError as e:
            return Skipped(path, f"not valid {codec.upper()} text (bad bytes at offset {e.start})")
    offset = bom[1] if bom is not None else 0
    if b"\x00" in data[:8192]:
        return Skipped(path, "binary file")
    try:
        text = data[offset:].decode("utf-8") if offset else data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = (data[offset:] if offset else data)[e.start]
        return Skipped(path, f"not UTF-8 text (invalid byte 0x{bad:02x} at offset {e.start + offset})")
    if "\x00" in text:
        return Skipped(path, "binary file")
    return normalise_newlines(text)


def read_text(path: str) -> str | Skipped:
    """The file's text, or why it cannot be read."""
    data = load(path)
    return data if isinstance(data, Skipped) else decode(path, data)


def normalise_newlines(text: str) -> str:
    text = text.replace("\ufeff", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = text.replace("\f", "\n\n")  # a form feed is a page break
    return text
