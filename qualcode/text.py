"""Turning bytes from disk into the one normalised text every offset in a project points into.

The offset rule: a coding's ``[start, end)`` are Python string indices into the document's stored text, so
the text is normalised exactly once, at import (BOM stripped, CRLF/CR to LF, Unicode NFC), and never edited.
Decoding is deliberately conservative: UTF-8, UTF-16/32 (with a BOM, or UTF-16 recognised by its zero
bytes) and Windows-1252 are accepted; anything else is refused with a message naming the file rather than
imported as mojibake.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

from .errors import QualcodeError

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# C0 controls other than tab, LF, VT, FF, CR; their presence in quantity means binary, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def decode_bytes(data: bytes, source: object, encoding: str | None = None) -> str:
    """Decode a transcript's bytes, or raise naming ``source``. The result is not yet normalised."""
    if not data:
        raise QualcodeError(f"{source}: empty file")
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            raise QualcodeError(f"{source}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise QualcodeError(
                f"{source}: not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise QualcodeError(
                    f"{source}: starts with a {codec} byte-order mark but is not valid {codec} "
                    f"(offset {exc.start + len(bom)})"
                ) from None
    text = _decode_unmarked(data, source)
    if _looks_binary(text):
        raise QualcodeError(f"{source}: binary file, not text")
    return text


def _decode_unmarked(data: bytes, source: object) -> str:
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise QualcodeError(f"{source}: binary file, not text")
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            raise QualcodeError(f"{source}: binary file, not text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise QualcodeError(
                f"{source}: not UTF-8, UTF-16 or Windows-1252 text (byte "
                f"0x{data[utf8_error.start]:02x} at offset {utf8_error.start}); "
                "convert it to UTF-8 or pass --encoding"
            ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly Latin script has a zero in every other byte; binary data does not."""
    sample = data[: 4096 - (min(len(data), 4096) % 2)]
    if len(sample) < 2:
        return None
    even_zeros = sample[0::2].count(0) / (len(sample) / 2)
    odd_zeros = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


def normalise(text: str) -> str:
    """The one normalisation: no BOM, LF line endings, NFC. Idempotent."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256(text: str) -> str:
    """The identity of a normalised text across projects (merge and re-import match on it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a range that cuts a word in two to the word's edges (exported quotes never start mid-word)."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def word_end(text: str, offset: int, step: int) -> int:
    """The end of the previous word (step < 0) or of the next one (step > 0): narrowing a selection by words."""
    p = offset
    if step < 0:
        while p > 0 and not text[p - 1].isspace():
            p -= 1
        while p > 0 and text[p - 1].isspace():
            p -= 1
    else:
        while p < len(text) and text[p].isspace():
            p += 1
        while p < len(text) and not text[p].isspace():
            p += 1
    return p


def word_start(text: str, offset: int, step: int) -> int:
    """The start of the previous word (step < 0) or of the next one (step > 0)."""
    p = offset
    if step < 0:
        while p > 0 and text[p - 1].isspace():
            p -= 1
        while p > 0 and not text[p - 1].isspace():
            p -= 1
    else:
        while p < len(text) and not text[p].isspace():
            p += 1
        while p < len(text) and text[p].isspace():
            p += 1
    return p


def file_safe(name: str, limit: int = 80) -> str:
    """A name usable as part of a file name anywhere: letters, digits and ``. _ -`` kept, any other run of
    characters (a slash in a group name, a colon, a space) one hyphen; never hidden, never empty."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:limit].strip(".-")
    return safe or "export"
