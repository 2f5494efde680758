"""Reading one transcript file of any supported format into normalised text and speaker turns.

Every reader ends in the same place: a ``Transcript`` whose ``text`` is what the project stores and whose
turns are ranges into it. Plain text and Markdown may open with YAML front matter (title, kind, date,
participants, interviewers, any other key becomes a document attribute). Word files contribute their
paragraphs and table rows in order. Caption files (WebVTT from Teams/Zoom, SubRip) become one line per turn,
``Speaker: words``, consecutive cues of one speaker merged, with the first and last cue times kept.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QualcodeError, located
from ..project import limits
from ..project.limits import read_text_file
from ..text import decode_bytes, normalise
from . import readers
from .turns import ClockError, RawTurn, find_turns, is_wrapped, match_speaker, parse_clock, trim

MAX_CHARACTERS = limits.CHARACTERS
FORMATS = {".txt": "text", ".md": "markdown", ".docx": "docx", ".odt": "odt", ".rtf": "rtf", ".pdf": "pdf",
           ".vtt": "vtt", ".srt": "srt"}  # fmt: skip
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_CUE_TIME = re.compile(r"^\s*(?P<a>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<b>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
# A tag never holds "<" (or "{" a brace tag) and is short: so each attempt to match stops at the next "<", and
# a line of 100,000 "<" is read in linear time, not quadratic.
_VOICE = re.compile(r"<v(?:\.[^\s<>]{0,100})?\s+([^<>]{0,200})>")
_TAG = re.compile(r"</?[^<>\n]{0,500}>|\{\\[^{}]{0,500}\}")
_TABLE_HEADERS = {"speaker", "name", "text", "transcript", "time", "timestamp", "utterance", "words"}


@dataclass
class Transcript:
    name: str
    source_format: str
    text: str
    turns: list[RawTurn]
    meta: dict[str, Any] = field(default_factory=dict)
    wrapped: bool = False  # hard-wrapped prose: a single line break is not a paragraph (``turns.is_wrapped``)


def read_transcript(path: Path, name: str, patterns: Any = None, encoding: str | None = None) -> Transcript:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise QualcodeError(f"{path}: unsupported file type {suffix or '(none)'} (use {' '.join(FORMATS)})")
    readers.sniff(path, readers.first_bytes(path))  # an RTF named .txt is refused, not imported as code
    if suffix in (".vtt", ".srt"):
        text, turns = _captions(path, encoding, patterns)
        return _checked(Transcript(name, FORMATS[suffix], text, turns), path)
    meta: dict[str, Any] = {}
    if suffix in (".txt", ".md"):
        text, meta = split_front_matter(read_text_file(path, encoding, "transcript"), path)
    elif suffix in (".docx", ".odt"):
        readers.check_zip_kind(path)
        text = _docx_text(path) if suffix == ".docx" else readers.odt_text(path)
    elif suffix == ".pdf":
        text = readers.pdf_text(path)
    else:
        text = readers.rtf_text(path, encoding)
    wrapped = is_wrapped(text)
    turns = find_turns(text, patterns, path, wrapped)
    return _checked(Transcript(name, FORMATS[suffix], text, turns, meta, wrapped), path)


def transcript_from_text(
    text: str, name: str, patterns: Any = None, turns: list[RawTurn] | None = None, detect: bool = True
) -> Transcript:
    """A transcript whose text is already in memory (a REFI-QDA source), kept whole: no front matter is
    split off, since the source's positions count from its first character. ``turns`` given (from a foreign
    project's cases) are used as they are; with ``detect`` off the text is one unattributed turn. An empty
    text is an empty transcript (a foreign project's media or notes), not an error."""
    text = normalise(text)
    if not text.strip():
        return Transcript(name, "text", text, [])
    wrapped = is_wrapped(text)
    if turns is None:
        whole = trim(text, RawTurn(0, len(text), None))
        turns = find_turns(text, patterns, name, wrapped) if detect else [whole] if whole else []
    return _checked(Transcript(name, "text", text, turns, wrapped=wrapped), name)


def _checked(transcript: Transcript, source: object) -> Transcript:
    text = transcript.text
    if not text.strip() or not transcript.turns:
        raise QualcodeError(f"{source}: no text in file")
    if len(text) > MAX_CHARACTERS:
        raise QualcodeError(
            f"{source}: {len(text):,} characters is too large for one transcript (limit {MAX_CHARACTERS:,}); split it"
        )
    return transcript


def split_front_matter(text: str, path: Path) -> tuple[str, dict[str, Any]]:
    """Separate YAML front matter from the body. The body is the document text."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return text, {}
    meta = limits.load_yaml(found.group(1) or "", path, first_line=2, what="front matter") or {}
    if not isinstance(meta, dict):
        raise located(path, 2, "front matter must be a mapping of keys to values")
    return text[found.end() :], meta


# -- Word ----------------------------------------------------------------------------------------


def _docx_text(path: Path) -> str:
    import docx  # python-docx: imported here so that `qualcode --help` stays fast
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    limits.checked_zip(path, limits.DOCX, limits.TEXT_FILE)  # a zip bomb is refused before python-docx
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise QualcodeError(f"{path}: not a readable .docx file ({exc.__class__.__name__})") from None
    except Exception as exc:  # python-docx raises its own types for damaged packages
        raise QualcodeError(f"{path}: not a readable .docx file ({exc})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_table_lines(block))
    return normalise("\n".join(lines))


def _table_lines(table: Any) -> list[str]:
    """Transcripts laid out as tables: [time |] speaker | words  ->  '[time] speaker: words'. Each row's cells
    are read as they are written (``w:tc``), not laid out on the table's grid: a span or a merge says nothing
    about the words, and a span of a billion columns would otherwise be a billion cells."""
    from docx.table import _Cell

    lines = []
    for row_number, tr in enumerate(table._tbl.tr_lst):
        cells: list[str] = []
        for tc in tr.tc_lst:
            value = _Cell(tc, table).text.strip()
            if not cells or value != cells[-1]:  # merged cells repeat their text
                cells.append(value)
        if row_number == 0 and all(c.lower() in _TABLE_HEADERS for c in cells if c):
            continue
        if len(cells) >= 2 and all(len(c) <= 40 for c in cells[:-1]):
            times = [c for c in cells[:-1] if re.fullmatch(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?[.,\d]*[\])]?", c)]
            names = [c for c in cells[:-1] if c and c not in times]
            prefix = (f"[{times[0].strip('[]()')}] " if times else "") + (f"{names[0]}: " if names else "")
            lines.append(prefix + cells[-1])
        else:
            lines.append(" ".join(c for c in cells if c))
    return lines


# -- captions ------------------------------------------------------------------------------------


def _captions(path: Path, encoding: str | None, patterns: Any) -> tuple[str, list[RawTurn]]:
    source = normalise(decode_bytes(limits.read_bytes(path, "transcript"), path, encoding))
    cues = _cues(source, path, patterns)
    merged: list[list[Any]] = []  # [speaker, [words...], start, end]
    for speaker, words, start, end in cues:
        if speaker is None and merged:
            speaker = merged[-1][0]
        if merged and merged[-1][0] == speaker:
            merged[-1][1].append(words)
            merged[-1][3] = end
        else:
            merged.append([speaker, [words], start, end])
    parts: list[str] = []
    turns: list[RawTurn] = []
    position = 0
    for speaker, words, start, end in merged:
        prefix = f"{speaker}: " if speaker else ""
        body = " ".join(words)
        parts.append(prefix + body)
        turns.append(RawTurn(position + len(prefix), position + len(prefix) + len(body), speaker, start, end))
        position += len(prefix) + len(body) + 1
    text = "\n".join(parts)
    return text, [t for t in (trim(text, t) for t in turns) if t is not None]


def _cues(source: str, path: Path, patterns: Any) -> list[tuple[str | None, str, float, float]]:
    is_vtt = path.suffix.lower() == ".vtt"
    if is_vtt and not source.lstrip().startswith("WEBVTT"):
        raise located(path, 1, "a WebVTT file must start with WEBVTT")
    cues = []
    line_number, counted_to = 1, 0  # lines counted as the blocks go by: linear in the file
    for found_block in re.finditer(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*", source):
        block = found_block.group()
        line_number += source.count("\n", counted_to, found_block.start())
        counted_to = found_block.start()
        if not block.strip():
            continue
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines[:3]) if "-->" in line), None)
        if timing is not None:
            found = _CUE_TIME.match(lines[timing])
            if not found:
                raise located(path, line_number + timing, f"cannot read cue timing {lines[timing].strip()!r}")
            try:
                speaker, words = _cue_words(lines[timing + 1 :], patterns)
            except ClockError as error:
                raise located(path, line_number + timing + 1, str(error)) from None
            if words:
                cues.append((speaker, words, parse_clock(found["a"]), parse_clock(found["b"])))
        elif not is_vtt or not re.match(r"(WEBVTT|NOTE|STYLE|REGION)\b", block.lstrip()):
            raise located(path, line_number, "expected a cue with a timing line (00:00:01.000 --> ...)")
    return cues


def _cue_words(lines: list[str], patterns: Any) -> tuple[str | None, str]:
    payload = " ".join(line.strip() for line in lines if line.strip())
    voice = _VOICE.search(payload)
    speaker = voice.group(1).strip() if voice else None
    words = html.unescape(_TAG.sub("", payload)).replace("\u200e", "").replace("\u200f", "")
    words = re.sub(r"\s+", " ", words.replace("\xa0", " ")).strip()
    if speaker is None:
        found = match_speaker(words, patterns)
        if found:
            speaker = found[0]
            words = words[found[2] :].strip()
    return speaker or None, words
