"""Reading REFI-QDA files from someone else, safely, and mapping their positions onto qualcode's text.

Safety: a .qdpx is a zip from another machine. Entries that escape the folder (``..``, absolute paths,
drive letters), symbolic links, more than ``MAX_ENTRIES`` entries, more than ``MAX_BYTES`` uncompressed or a
suspicious compression ratio (a zip bomb) are refused before anything is extracted or written; XML is parsed
with defusedxml (no entity expansion, no external entities, no DTDs).

Tolerance: any single ``*.qde`` at the root (ATLAS.ti names it after the project), ``sources/`` or
``Sources/``, a UTF-8 BOM before ``<?xml``, older namespaces (tags are read by their local names), GUIDs in
either case and with or without braces.

Positions: the spec counts Unicode code points; NVivo counts UTF-16 code units and CRLF as two; ATLAS.ti
counts a line break as one. ``PositionMap`` reads the source text as its bytes say (BOM stripped, line
endings untouched), counts in the origin tool's units, and maps every position onto the normalised text
qualcode stores (LF line endings, NFC).
"""

from __future__ import annotations

import bisect
import stat
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import QualcodeError
from .text import decode_bytes

MAX_ENTRIES = 20_000
MAX_BYTES = 2 * 1024**3  # uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for entries over 1 MB


def guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes, source: object) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise QualcodeError(f"{source}: refused: {error.__class__.__name__} (entities or a DTD in the XML)") from None
    except ParseError as error:
        raise QualcodeError(f"{source}: not well-formed XML ({error})") from None


class Archive:
    """A checked .qdpx: the project XML and its source files, by lower-cased path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise QualcodeError(f"{path}: not a .qdpx (zip) archive ({error})") from None
        with archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise QualcodeError(f"{path}: refused: {len(infos)} entries (at most {MAX_ENTRIES})")
            total = 0
            for info in infos:
                self._check(info)
                total += info.file_size
                if total > MAX_BYTES:
                    raise QualcodeError(f"{path}: refused: more than {MAX_BYTES // 1024**2} MB uncompressed")
            roots = [i for i in infos if "/" not in i.filename.strip("/") and i.filename.lower().endswith(".qde")]
            if len(roots) != 1:
                found = ", ".join(i.filename for i in roots) or "none"
                raise QualcodeError(f"{path}: expected one .qde project file at the top (found: {found})")
            self.qde_name = roots[0].filename
            self.xml = self._read(archive, roots[0])
            self.files = {
                i.filename.lower(): self._read(archive, i)
                for i in infos
                if not i.is_dir() and i.filename.lower().startswith("sources/")
            }

    def _check(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise QualcodeError(f"{self.path}: refused: entry {name!r} escapes the archive's folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise QualcodeError(f"{self.path}: refused: entry {name!r} is a symbolic link")
        if info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise QualcodeError(f"{self.path}: refused: entry {name!r} expands {info.file_size // 1024**2} MB "
                                f"from {info.compress_size} bytes (a zip bomb?)")  # fmt: skip

    def _read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        with archive.open(info) as handle:  # read no more than the header claims
            data = handle.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise QualcodeError(f"{self.path}: refused: entry {info.filename!r} is larger than it says")
        return data

    def source(self, plain_text_path: str) -> bytes | None:
        name = plain_text_path.removeprefix("internal://")
        return self.files.get(f"sources/{name}".lower())


class PositionMap:
    """The normalised text of a source, and its positions counted the origin tool's way mapped onto it.

    The mapping is linear except at "special" characters — a CRLF, a character outside the Basic
    Multilingual Plane for NVivo, a base character with combining marks that NFC composes — so only those
    are stored, and a position is found by binary search among them. A position inside one of them (between
    the two halves of a surrogate pair, say) lands on no character: None."""

    def __init__(self, data: bytes, source: object, convention: str = "codepoints") -> None:
        raw = decode_bytes(data, source)
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.convention = convention
        self.starts: list[int] = []  # each special character's position in the tool's units
        self.specials: list[tuple[int, int, int]] = []  # (width in units, index in the text, length in the text)
        out: list[str] = []
        at = length = 0
        i = 0
        while i < len(raw):
            char = raw[i]
            if char == "\r" and raw[i + 1 : i + 2] == "\n":
                cluster, width, i = "\n", (1 if convention == "atlas" else 2), i + 2
            elif char == "\r":
                cluster, width, i = "\n", 1, i + 1
            else:
                j = i + 1
                while j < len(raw) and unicodedata.combining(raw[j]):
                    j += 1
                original = raw[i:j]
                cluster = original if original.isascii() else unicodedata.normalize("NFC", original)
                width = len(original.encode("utf-16-le")) // 2 if convention == "utf16" else len(original)
                i = j
            if width != 1 or len(cluster) != 1:
                self.starts.append(at)
                self.specials.append((width, length, len(cluster)))
            out.append(cluster)
            at += width
            length += len(cluster)
        self.text = "".join(out)
        self.total = at

    def __call__(self, position: int) -> int | None:
        if position < 0 or position > self.total:
            return None
        n = bisect.bisect_right(self.starts, position) - 1
        if n < 0:
            return position  # before any special character the counts agree
        start = self.starts[n]
        width, index, size = self.specials[n]
        if position == start:
            return index
        if position < start + width:
            return None  # inside a character (or between the CR and LF of a CRLF)
        return index + size + (position - start - width)


def convention_for(origin: str | None) -> str:
    origin = (origin or "").lower()
    if "nvivo" in origin:
        return "utf16"
    if "atlas" in origin:
        return "atlas"
    return "codepoints"


def children(element: Any, name: str) -> list[Any]:
    return [child for child in element if local(child.tag) == name]


def child(element: Any, name: str) -> Any:
    found = children(element, name)
    return found[0] if found else None


def when(value: str | None) -> str:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00")).isoformat(timespec="seconds")
    except ValueError:
        return datetime.now(UTC).isoformat(timespec="seconds")
