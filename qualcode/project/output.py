"""Files qualcode writes for other people: whole or not at all, and unable to act when opened.

A quote bank half-written is still a quote bank: every output file is written in a private scratch folder
beside its destination (``scratch``) and renamed into place only when complete, so a failed, cancelled or
killed export never leaves half a file, and a planted symbolic link is replaced, never followed.

Spreadsheets are opened by people who never saw the transcripts, so no cell may act: text that a spreadsheet
would take for a formula (starting ``= + - @``, a tab or a carriage return: OWASP's CSV injection list) gets
a leading apostrophe in CSV and is a plain string cell, never a formula, in XLSX; characters XML cannot hold
(a vertical tab or form feed pasted into a transcript) become spaces in XLSX and DOCX.

JSON, printed or written, is JSON: it has no NaN or Infinity, so a number that is not finite is ``null``
(``json_text``, the one way qualcode writes JSON for others).

These helpers sit below every writer (codebooks, REFI-QDA files, reports, the findings pack) so that each
obeys the same rules.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from .scratch import private_folder

_ACTIVE = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text XML can hold (and so XLSX and DOCX): control characters other than tab and newline as spaces."""
    return _NOT_XML.sub(" ", text)


# "<" is what every HTML tag starts with: as "&lt;" no tag can start ("Outcomes > Housing" keeps its ">"). A
# link needs "](", "][" or "]:" (a reference): a backslash there unmakes it, and "[mentor]" stays as it is.
_MARKDOWN = re.compile(r"<|\](?=[(\[:])|\||\r\n|[\r\n]")
_MARKDOWN_AS = {"<": "&lt;", "]": "]\\", "|": "\\|", "\r\n": " ", "\r": " ", "\n": " "}


def md(text: Any) -> str:
    """A value as inert Markdown text on one line: HTML (``<script>``, ``<img onerror>``) shown, not run, once
    the Markdown becomes HTML; no link (``[x](javascript:...)``) made; no table cell broken by "|". Every
    Markdown writer puts every value through this."""
    return _MARKDOWN.sub(lambda m: _MARKDOWN_AS[m.group()], str(text))


def inert(value: Any) -> Any:
    """A CSV cell that cannot act: text starting like a formula gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(_ACTIVE) else value


def append_row(sheet: Any, values: list[Any]) -> None:
    """An XLSX row whose text cells are strings, never formulas, holding only what XML can."""
    sheet.append([xml_safe(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl makes "=..." a formula; a report reader's copy must not compute


def write_atomically(path: Path, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write in a private scratch folder beside the target and rename into place, so that a failed, cancelled
    or killed export never leaves half a file (or a readable partial one), and a planted symbolic link is
    replaced, never followed. A full disk is one line."""
    suffix = path.suffix.lower()
    if suffix not in writers:
        raise QualcodeError(f"{path}: export as one of {', '.join(writers)}")
    if not path.parent.is_dir():
        raise QualcodeError(f"{path.parent}: no such folder")
    try:
        with private_folder(path.parent) as folder:
            partial = folder / f"partial{suffix}"
            writers[suffix](partial)
            os.replace(partial, path)
    except OSError as error:
        why = "the disk is full" if error.errno == errno.ENOSPC else error.strerror or str(error)
        raise QualcodeError(f"{path}: not written ({why})") from None


def json_text(value: Any, indent: int | None = 2) -> str:
    """``value`` as strict JSON: a float that is not finite (nan, inf) is null, never bare NaN, which JSON
    readers refuse; anything JSON has no type for is written as its text."""
    return json.dumps(_finite(value), ensure_ascii=False, indent=indent, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
