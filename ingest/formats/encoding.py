"""Bytes to text: telling text from binary, and decoding text whose encoding nobody declared."""

from __future__ import annotations

import codecs

_SNIFF_BYTES = 8192
# Control bytes other than tab, newline, form feed and carriage return are rare in text of any encoding.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Western-European text decoded as cp1252 has few non-ASCII letters (French ~4%, German ~2%); Cyrillic or
# Greek bytes decoded as cp1252 turn almost every letter into one like "ê" or "Ð".
_MAX_NON_ASCII_LETTERS = 0.3


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` declares, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def looks_binary(data: bytes) -> bool:
    """True if the start of ``data`` is not text: NUL bytes (without a UTF-16/32 BOM) or many control bytes."""
    head = data[:_SNIFF_BYTES]
    if not head or bom_encoding(head) in ("utf-16", "utf-32"):
        return False
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([b])) for b in _CONTROL)
    return controls / len(head) > 0.05


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode text: BOM, declared charset, UTF-8, then cp1252 for Western text, else charset-normalizer.

    Never fails: a last resort of Latin-1 maps every byte to a character.
    """
    encoding = bom_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace")
    for candidate in (declared, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_ascii_letters(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return text if text is not None else data.decode("latin-1")


def _mostly_ascii_letters(text: str) -> bool:
    letters = [c for c in text[:20_000] if c.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for c in letters if not c.isascii())
    return non_ascii / len(letters) <= _MAX_NON_ASCII_LETTERS
