"""Decoding and normalisation: what an offset points into must be settled once, at import."""

from __future__ import annotations

import codecs

import pytest

from qualcode.errors import QualcodeError
from qualcode.project.limits import read_text_file
from qualcode.text import count_words, decode_bytes, normalise, sha256

TEXT = "Café – naïve “quotes” and £5"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM: recognised by its zero bytes
        TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1252"],
)
def test_decodes_common_encodings(data: bytes) -> None:
    assert decode_bytes(data, "f.txt") == TEXT


def test_refuses_binary_with_the_file_name() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(QualcodeError, match=r"^pic\.txt: binary file"):
        decode_bytes(png, "pic.txt")


def test_refuses_control_character_soup_without_nul() -> None:
    with pytest.raises(QualcodeError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 50, "x.txt")


def test_refuses_undecodable_bytes_naming_offset() -> None:
    data = b"hello \x81\x8d\x8f\x90\x9d world \xff\xfe\xfa"
    with pytest.raises(QualcodeError, match=r"x\.txt: not UTF-8, UTF-16 or Windows-1252"):
        decode_bytes(data[:6] + b"\x81\x9d", "x.txt")


def test_empty_and_blank_files(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(QualcodeError, match="empty.txt: empty file"):
        read_text_file(empty)
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \r\n\t\n")
    with pytest.raises(QualcodeError, match="blank.txt: no text"):
        read_text_file(blank)


def test_forced_encoding_errors_are_clear() -> None:
    with pytest.raises(QualcodeError, match="unknown encoding"):
        decode_bytes(b"abc", "f.txt", "no-such-codec")
    with pytest.raises(QualcodeError, match=r"not valid ascii \(byte 0xc3"):
        decode_bytes("é".encode(), "f.txt", "ascii")


def test_normalise_line_endings_bom_and_nfc() -> None:
    raw = "\ufeffa\r\nb\rc\nCafe\u0301"
    assert normalise(raw) == "a\nb\nc\nCafé"
    assert normalise(normalise(raw)) == normalise(raw)


def test_hash_and_words() -> None:
    assert sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert count_words("I didn't trust her, at first. 😀") == 6


def test_word_steps_for_narrowing_a_selection() -> None:
    from qualcode.text import word_end, word_start

    text = "I got  a flat, in May."
    assert word_end(text, len(text), -1) == text.index(" May.")  # back over "May." to the end of "in"
    assert word_end(text, 0, 1) == 1 and word_end(text, 1, 1) == 5  # "I", then "got"
    assert word_start(text, 0, 1) == 2 and word_start(text, 2, 1) == 7  # past "I ", past "got  "
    assert word_start(text, 7, -1) == 2 and word_start(text, 0, -1) == 0
    assert word_end(text, len(text), 1) == len(text)
