"""Reading REFI-QDA files from someone else, safely, and mapping their positions onto qualcode's text.

Safety: a .qdpx is a zip from another machine, held to the input budget (``limits.QDPX``). Entries that
escape the folder (``..``, absolute paths, drive letters) or are symbolic links are refused; the project XML
and then the text sources it names are checked as a whole from the central directory (count, sizes,
compression ratio: a zip bomb) before any is read, and read in memory in bounded chunks — nothing is
unpacked to disk, so no transcript is left behind. Media entries (audio, video) are never read. XML is
parsed with defusedxml (no entity expansion, no external entities, no DTDs).

Tolerance: any single ``*.qde`` at the root (ATLAS.ti names it after the project), ``sources/`` or
``Sources/``, a UTF-8 BOM before ``<?xml``, older namespaces (tags are read by their local names), GUIDs in
either case and with or without braces.

Positions: the spec counts code points, as QualCoder does; NVivo (and qualcode) count UTF-16
code units and CRLF as two; ATLAS.ti counts a line break as one. ``PositionMap`` reads the source text as its
bytes say (BOM stripped, line endings untouched), counts in the origin tool's units, and maps every position
onto the normalised text qualcode stores (LF line endings, NFC).
"""

from __future__ import annotations

import bisect
import re
import stat
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import QualcodeError
from ..project import limits
from ..text import decode_bytes

ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # a character outside the Basic Multilingual Plane
ARCHIVE_FILE = 64 * 1024 * limits.MB  # on disk: projects can carry audio and video, which are never read


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
    """A checked .qdpx, open for reading: its project XML, and its text sources on request. Use as a context
    manager (the zip stays open while sources are read)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        limits.regular_file(path, "REFI-QDA project (.qdpx)", ARCHIVE_FILE)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise QualcodeError(f"{path}: not a .qdpx (zip) archive ({error})") from None
        try:
            infos = self.zip.infolist()
            if len(infos) > limits.QDPX.entries:
                raise QualcodeError(f"{path}: refused: {len(infos):,} entries (a .qdpx may have "
                                    f"{limits.QDPX.entries:,})")  # fmt: skip
            for info in infos:
                self._check(info)
            roots = [i for i in infos if "/" not in i.filename.strip("/") and i.filename.lower().endswith(".qde")]
            if len(roots) != 1:
                found = ", ".join(i.filename for i in roots) or "none"
                raise QualcodeError(f"{path}: expected one .qde project file at the top (found: {found})")
            self.qde_name = roots[0].filename
            limits.check_zip(path, self.zip, limits.QDPX, [self.qde_name])
            self.xml = limits.read_entry(path, self.zip, roots[0], limits.QDPX)
            self.sources = {i.filename.lower(): i for i in infos if not i.is_dir()
                            and i.filename.lower().startswith("sources/")}  # fmt: skip
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def _check(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise QualcodeError(f"{self.path}: refused: entry {name!r} escapes the archive's folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise QualcodeError(f"{self.path}: refused: entry {name!r} is a symbolic link")
        if info.file_size > limits.RATIO_FROM and info.file_size > limits.QDPX.ratio * max(info.compress_size, 1):
            raise QualcodeError(f"{self.path}: refused: {name!r} expands {info.compress_size:,} bytes to "
                                f"{info.file_size / limits.MB:,.0f} MB, as only a zip bomb does")  # fmt: skip

    def entry(self, plain_text_path: str) -> str | None:
        """The archive entry behind a source's plainTextPath, or None."""
        info = self.sources.get(f"sources/{plain_text_path.removeprefix('internal://')}".lower())
        return info.filename if info else None

    def check_sources(self, names: list[str]) -> None:
        """The project XML and these sources, held to the budget as a whole, and each source to a transcript's
        size on disk, before any source is read."""
        for name in dict.fromkeys(names):
            size = self.zip.getinfo(name).file_size
            if size > limits.TEXT_FILE:
                raise QualcodeError(f"{self.path}: refused: source {name!r} is {size / limits.MB:,.0f} MB (a "
                                    f"transcript may be {limits.TEXT_FILE // limits.MB} MB)")  # fmt: skip
        limits.check_zip(self.path, self.zip, limits.QDPX, [self.qde_name, *dict.fromkeys(names)])

    def source(self, name: str) -> bytes:
        return limits.read_entry(self.path, self.zip, self.zip.getinfo(name), limits.QDPX)


class PositionMap:
    """The normalised text of a source, and its positions counted the origin tool's way mapped onto it.

    The mapping is linear except at "special" characters — a CRLF, a character outside the Basic
    Multilingual Plane for NVivo, a base character with combining marks that NFC composes — so only those
    are stored, and a position is found by binary search among them. A position inside one of them (between
    the two halves of a surrogate pair, say) lands on no character: None."""

    def __init__(self, data: bytes, source: object, convention: str = "codepoints") -> None:
        raw = decode_bytes(data, source) if data else ""  # an empty source: NVivo writes media and notes so
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.convention, self.source = convention, source
        self.starts: list[int] = []  # each special character's position in the tool's units
        self.specials: list[tuple[int, int, int]] = []  # (width in units, index in the text, length in the text)
        if "\r" not in raw and unicodedata.is_normalized("NFC", raw) and (
                convention != "utf16" or not ASTRAL.search(raw)):  # fmt: skip
            self.text, self.total = raw, len(raw)  # nothing special: every position is itself (most sources)
            return
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
    """How the tool named in a project's ``origin`` counts positions (see ``exchange.turns``): NVivo, and
    qualcode since it says "UTF-16 positions", in UTF-16 units; ATLAS.ti with a line break as one; else code
    points, as the standard's own examples and QualCoder count."""
    origin = (origin or "").lower()
    if "nvivo" in origin or ("qualcode" in origin and "utf-16" in origin):
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
