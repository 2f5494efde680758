"""Which files of a folder are transcripts, and why the others are not imported.

A folder is searched recursively; hidden files and Office's "~$" lock files are passed over without a word,
and every other file that is not a transcript is named with the reason and what to do (a Word 97-2003 file,
audio or video, a spreadsheet, a REFI-QDA project). Two files that would be imported under one name are
refused, as is a name that is not valid UTF-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import QualcodeError
from ..project import limits
from .formats import FORMATS

_NOT_READ = {
    ".doc": "a Word 97-2003 file, which qualcode cannot read: open it in Word or LibreOffice and save it as .docx",
    ".csv": "a spreadsheet, not a transcript (a participants sheet? give it with --participants)",
    ".xlsx": "a spreadsheet, not a transcript (a participants sheet? give it with --participants)",
    ".qdpx": "a REFI-QDA project: use qualcode import-qdpx",
}
_MEDIA = {".mp3", ".m4a", ".wav", ".mp4", ".mov", ".webm", ".ogg", ".aac", ".flac", ".avi", ".mkv", ".wma"}
SUPPORTED = " ".join(FORMATS)


def why_not(path: Path) -> str:
    """Why a file in a folder is not imported, and what to do about it."""
    suffix = path.suffix.lower()
    if suffix in _MEDIA:
        return "audio or video: import its transcript instead (.vtt, .srt, .docx or .txt)"
    return _NOT_READ.get(suffix, f"unsupported file type, not a transcript format qualcode reads ({SUPPORTED})")


def collect_files(
    paths: Sequence[Path], skipped: list[tuple[str, str]] | None = None, quiet: Sequence[Path] = ()
) -> list[tuple[Path, str]]:
    """(path, document name) for every transcript named or inside a named folder, in a stable order. Every
    other file in a folder is added to ``skipped`` with the reason (hidden files, Office's "~$" lock files
    and the files in ``quiet``, such as the participants sheet, are passed over without a word)."""
    found: list[tuple[Path, str]] = []
    quiet_files = {p.resolve() for p in quiet}
    for path in paths:
        if not path.exists():
            raise QualcodeError(f"{path}: no such file or folder")
        if path.is_dir():
            inside = []
            for p in sorted(path.rglob("*")):
                if not p.is_file() or any(part.startswith((".", "~$")) for part in p.relative_to(path).parts):
                    continue
                if p.suffix.lower() in FORMATS:
                    inside.append(p)
                elif skipped is not None and p.resolve() not in quiet_files:
                    skipped.append((p.relative_to(path).as_posix(), why_not(p)))
            if not inside:
                raise QualcodeError(f"{path}: no transcripts ({SUPPORTED}) in this folder")
            found.extend((p, p.relative_to(path).as_posix()) for p in inside)
        else:
            if path.suffix.lower() not in FORMATS:
                raise QualcodeError(f"{path}: {why_not(path)}")
            limits.regular_file(path, "transcript")  # a pipe or a device would hang the import
            found.append((path, path.name))
    names: dict[str, Path] = {}
    for path, name in found:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise QualcodeError(f"{ascii(str(path))}: the file name is not valid UTF-8; rename the file") from None
        if name in names and names[name].resolve() != path.resolve():
            raise QualcodeError(f"{path}: another file in this import is also named {name!r} ({names[name]})")
        names[name] = path
    return list(dict((name, (path, name)) for path, name in found).values())
