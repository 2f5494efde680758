"""The input budget: every file qualcode reads comes from someone else, so each is bounded before it is read.

Files arrive from other organisations: transcripts, participants sheets, codebooks, redaction lists,
agreement tables, REFI-QDA archives. A small file must not be able to take gigabytes of memory or hours of
time, and a special file (a FIFO, ``/dev/zero``) must not hang a command. So:

- only regular files are read, and each kind has a size limit on disk, checked with ``stat`` first;
- zip-based formats (.docx, .xlsx, .qdpx) are checked from their central directory — the number of entries,
  each entry's and the total uncompressed size, and the compression ratio of the whole (a zip bomb expands a
  thousandfold) — before anything is decompressed; entries are then read through ``zipfile``, which stops at
  the declared size, or in chunks with the budget counted as they come;
- YAML is read by a safe loader that refuses aliases (``*name``: how a 419-byte file becomes gigabytes) and
  nesting deeper than ``YAML_DEPTH``;
- a code tree deeper than ``CODE_DEPTH`` levels is refused; every reader is linear in its input.

The numbers are in the README's "Safety" section; each refusal names the file and the limit.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import QualcodeError, located
from ..text import decode_bytes, normalise

MB = 1024**2
TEXT_FILE = 64 * MB  # a transcript, sheet, codebook or list on disk
TABLE_FILE = 512 * MB  # an agreement table (a million units and five coders is about 30 MB)
CHARACTERS = 20_000_000  # one transcript's text: about 3.5 million words
YAML_DEPTH = 100  # nested YAML collections (a code in a codebook nests two deep per level)
CODE_DEPTH = 64  # levels of codes under one another (logic models use about five)
SHEET_ROWS = 100_000  # rows in a participants sheet
RATIO_FROM = 16 * MB  # the compression ratio is judged once an archive expands to more than this


@dataclass(frozen=True)
class ZipBudget:
    kind: str
    suffix: str
    entries: int
    total: int  # uncompressed bytes, all entries read
    entry: int  # uncompressed bytes, one entry
    ratio: int  # uncompressed / compressed, for the whole, beyond RATIO_FROM


DOCX = ZipBudget("Word document", ".docx", 5_000, 256 * MB, 128 * MB, 100)
XLSX = ZipBudget("Excel workbook", ".xlsx", 1_000, 64 * MB, 64 * MB, 100)
QDPX = ZipBudget("REFI-QDA project", ".qdpx", 200_000, 2048 * MB, 256 * MB, 100)


def regular_file(path: Path, what: str, limit: int = TEXT_FILE) -> int:
    """The size of ``path`` if it is a regular file within ``limit``; a clear refusal otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise QualcodeError(f"{path}: no such {what}") from None
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise QualcodeError(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise QualcodeError(f"{path}: not a regular file (a pipe or a device?), so not a {what}")
    if info.st_size > limit:
        raise QualcodeError(f"{path}: {info.st_size / MB:,.1f} MB is more than a {what} may be ({limit // MB} MB)")
    return info.st_size


def read_bytes(path: Path, what: str, limit: int = TEXT_FILE) -> bytes:
    regular_file(path, what, limit)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # a file that grew since stat still stops at the limit
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read ({error.strerror})") from None
    if len(data) > limit:
        raise QualcodeError(f"{path}: more than a {what} may be ({limit // MB} MB)")
    return data


def read_utf8(path: Path, what: str, limit: int = TEXT_FILE, advice: str = "") -> str:
    """A UTF-8 text file within the budget (a byte-order mark is dropped); anything else, one line saying so."""
    try:
        return read_bytes(path, what, limit).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QualcodeError(f"{path}: not UTF-8 text (offset {error.start}){advice}") from None


def check_zip(path: Path, archive: zipfile.ZipFile, budget: ZipBudget, names: list[str] | None = None) -> None:
    """Refuse a zip whose central directory promises too much, before decompressing anything: too many
    entries, an entry or all of them (or just ``names``, the entries that will be read) too large, or a
    compression ratio only a bomb has."""
    infos = archive.infolist()
    if len(infos) > budget.entries:
        raise QualcodeError(f"{path}: refused: {len(infos):,} entries (a {budget.kind} may have {budget.entries:,})")
    chosen = infos if names is None else [archive.getinfo(n) for n in names]
    total = compressed = 0
    for info in chosen:
        if info.file_size > budget.entry:
            raise QualcodeError(
                f"{path}: refused: {info.filename!r} expands to {info.file_size / MB:,.0f} MB "
                f"(an entry of a {budget.kind} may have {budget.entry // MB} MB)"
            )
        total += info.file_size
        compressed += info.compress_size
    if total > budget.total:
        raise QualcodeError(
            f"{path}: refused: expands to {total / MB:,.0f} MB (a {budget.kind} may have {budget.total // MB} MB)"
        )
    if total > RATIO_FROM and total > budget.ratio * max(compressed, 1):
        raise QualcodeError(
            f"{path}: refused: {compressed / MB:,.1f} MB expand to {total / MB:,.0f} MB — more than "
            f"{budget.ratio} times, as only a zip bomb does"
        )


def read_entry(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: ZipBudget) -> bytes:
    """One entry, in chunks, never past its declared size or the budget; damaged, encrypted or unknown
    entries refused in one line."""
    limit = min(info.file_size, budget.entry)
    chunks, size = [], 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise QualcodeError(f"{path}: refused: {info.filename!r} is larger than it says")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # zlib: a damaged deflate stream
        raise QualcodeError(f"{path}: {info.filename!r} is damaged ({error.__class__.__name__})") from None
    except NotImplementedError:  # before RuntimeError, of which it is a kind
        raise QualcodeError(f"{path}: {info.filename!r} is compressed in a way qualcode cannot read") from None
    except RuntimeError as error:  # zipfile: "File ... is encrypted, password required for extraction"
        if "encrypted" in str(error):
            raise QualcodeError(f"{path}: {info.filename!r} is encrypted; export it again without a password") from None
        raise QualcodeError(f"{path}: {info.filename!r} cannot be read ({error})") from None
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read {info.filename!r} ({error})") from None
    return b"".join(chunks)


def verify_entries(path: Path, archive: zipfile.ZipFile, budget: ZipBudget) -> None:
    """Every entry inflated in chunks and checked against the size and checksum its directory declares, before
    a library that trusts the directory (python-docx, openpyxl) reads it: an entry that understates its size is
    refused after at most its declared size plus one chunk, never after a gigabyte."""
    for info in archive.infolist():
        if not info.is_dir():
            read_entry(path, archive, info, budget)


def checked_zip(path: Path, budget: ZipBudget, limit: int) -> None:
    """A zip-based file a library will open: size on disk, directory and every entry's true size checked."""
    with open_zip(path, budget, limit) as archive:
        verify_entries(path, archive, budget)


def open_zip(path: Path, budget: ZipBudget, limit: int) -> zipfile.ZipFile:
    """A zip-based file opened after its size on disk and its central directory are checked."""
    regular_file(path, budget.kind, limit)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise QualcodeError(f"{path}: not a readable {budget.suffix} file ({error})") from None
    try:
        check_zip(path, archive, budget)
    except BaseException:
        archive.close()
        raise
    return archive


def read_text_file(path: Path, encoding: str | None = None, what: str = "text file") -> str:
    """Read (within the input budget), decode and normalise a text file; refuse files with no text in them."""
    text = normalise(decode_bytes(read_bytes(path, what), path, encoding))
    if not text.strip():
        raise QualcodeError(f"{path}: no text in file")
    return text


# -- YAML --------------------------------------------------------------------------------------------


class YamlRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, and with nesting bounded: a document of a few hundred bytes
    cannot expand to gigabytes or recurse without end."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused(event.start_mark.line + 1, f"YAML aliases (*{event.anchor}) are not allowed here")
        self.depth += 1
        if self.depth > YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise YamlRefused(mark.line + 1, f"nested more than {YAML_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_yaml(text: str, source: object, loader: type[SafeLoader] = SafeLoader, first_line: int = 1,
              what: str = "") -> Any:  # fmt: skip
    """One YAML document (``what``: "front matter", for messages), refused with FILE:LINE if it is not valid
    or not safe."""
    named = f"{what} is " if what else ""
    try:
        reader = loader(text)  # reading starts here: a control character is refused at once
    except yaml.YAMLError as error:
        raise QualcodeError(f"{source}: {named}not valid YAML: {getattr(error, 'reason', error)}") from None
    reader.name = str(source)
    try:
        return reader.get_single_data()
    except YamlRefused as error:
        raise located(source, error.line + first_line - 1, f"{what} refused: {error}" if what else str(error)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        raise located(source, line, f"{named}not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise QualcodeError(f"{source}: {named}not valid YAML: {error}") from None
    except ValueError as error:  # a number of thousands of digits: Python refuses to read it, and so do we
        mark = getattr(reader, "mark", None) or reader.get_mark()
        line = mark.line + first_line if mark else None
        raise located(source, line, f"{named}refused: a number too long to read ({str(error)[:60]})") from None
    finally:
        reader.dispose()
