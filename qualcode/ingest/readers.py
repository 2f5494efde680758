"""Text out of PDF, OpenDocument and RTF transcripts, and the check that a file's content is what its name says.

Each reader keeps paragraph breaks as line breaks, so speaker detection works as it does on plain text:
- PDF through pypdf (the text layer; a scanned PDF without one is refused with that reason). Its lines are
  the page's lines, so a PDF transcript is usually hard-wrapped; ``turns.is_wrapped`` sees to that.
- ODT (LibreOffice, Google Docs) from its ``content.xml``, read with defusedxml inside the zip budget:
  paragraphs, headings, list items and table rows, with ``text:s``/``text:tab``/``text:line-break`` honoured.
- RTF (WordPad, TextEdit, Word's "Rich Text") through striprtf, which turns ``\\par`` into line breaks.
Word 97-2003 ``.doc`` has no well-kept pure-Python reader, so it is refused with how to convert it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import QualcodeError
from ..project import limits
from ..text import decode_bytes, normalise

ODT = limits.ZipBudget("OpenDocument text", ".odt", 5_000, 256 * limits.MB, 128 * limits.MB, 100)
_MAGIC = (
    (b"%PDF-", ".pdf", "a PDF"),
    (b"{\\rtf", ".rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc", "a Word 97-2003 file or a password-protected Office file"),
    (b"PK\x03\x04", ".zip", "a zip-based file (.docx, .odt, .xlsx...)"),
)
_ZIP_KINDS = {".docx": "word/document.xml", ".odt": "content.xml"}
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def sniff(path: Path, head: bytes) -> None:
    """Refuse a file whose first bytes say it is something other than its extension says."""
    suffix = path.suffix.lower()
    for magic, kind_suffix, what in _MAGIC:
        if not head.startswith(magic):
            continue
        if kind_suffix == ".doc" and suffix in (".docx", ".odt"):
            raise QualcodeError(f"{path}: password-protected or an old Word file: save it as .docx, unprotected")
        if kind_suffix == ".zip" and suffix in _ZIP_KINDS:
            return
        if kind_suffix != suffix:
            raise QualcodeError(f"{path}: the content is {what}, not what the {suffix} extension says; "
                                "rename it with the right extension (or save it again in that format)")  # fmt: skip
        return
    if suffix in (".pdf", ".rtf", ".docx", ".odt"):
        raise QualcodeError(f"{path}: not a {suffix} file (its content does not start as one); "
                            "it may be damaged or saved in another format")  # fmt: skip


def first_bytes(path: Path, count: int = 8) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read ({error.strerror or error})") from None


_PDF_FAULTS = (ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError, IndexError,
               ZeroDivisionError, AssertionError, OverflowError, MemoryError)  # what a damaged PDF makes pypdf raise


PAGE_CONTENT = 16 * limits.MB  # a page's content stream: a printed page of text is a few kilobytes


def pdf_text(path: Path) -> str:
    import logging
    import warnings

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

    data = limits.read_bytes(path, "PDF transcript")
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings can quote the page's words
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise QualcodeError(f"{path}: the PDF is password-protected; save an unprotected copy")
            pages, size = [], 0
            for number, page in enumerate(reader.pages, start=1):
                contents = page.get_contents()
                drawn = len(contents.get_data()) if contents is not None else 0
                if drawn > PAGE_CONTENT:  # a page of tens of megabytes of text: refused before extracting it
                    held = f"{drawn / limits.MB:,.0f} MB"
                    raise QualcodeError(f"{path}: refused: page {number} holds {held} of drawing and text (a page "
                                        f"may hold {PAGE_CONTENT // limits.MB} MB)")  # fmt: skip
                text = page.extract_text() or ""
                size += len(text)
                if size > limits.CHARACTERS:
                    raise QualcodeError(f"{path}: more than {limits.CHARACTERS:,} characters of text; split it")
                pages.append(text)
    except QualcodeError:
        raise
    except (DependencyError, NotImplementedError):  # AES-256 without the cryptography package, unknown handlers
        raise QualcodeError(f"{path}: the PDF is encrypted in a way qualcode cannot open; save an unprotected "
                            "copy (File > Save As, without a password) or export the text") from None  # fmt: skip
    except LimitReachedError:
        raise QualcodeError(f"{path}: refused: the PDF goes past the reader's limits (a stream or a font's "
                            "character map too large)") from None  # fmt: skip
    except (PyPdfError, *_PDF_FAULTS) as error:
        raise QualcodeError(f"{path}: not a readable PDF ({error.__class__.__name__})") from None
    text = normalise("\n".join(p.strip("\n") for p in pages))
    if not text.strip():
        raise QualcodeError(
            f"{path}: the PDF has no text layer (a scanned document?); run it through OCR, or import the "
            "transcript as typed (.docx, .txt)"
        )
    return text


def odt_text(path: Path) -> str:
    from defusedxml.ElementTree import fromstring

    with limits.open_zip(path, ODT, limits.TEXT_FILE) as archive:
        try:
            info = archive.getinfo("content.xml")
        except KeyError:
            raise QualcodeError(f"{path}: not an OpenDocument text (no content.xml)") from None
        data = limits.read_entry(path, archive, info, ODT)
    try:
        root = fromstring(data)
    except Exception as error:  # defusedxml raises its own types for entities and DTDs
        raise QualcodeError(f"{path}: content.xml is not readable XML ({error.__class__.__name__})") from None
    body = root.find(f"{{{_NS_OFFICE}}}body/{{{_NS_OFFICE}}}text")
    lines: list[str] = []
    try:
        _odt_blocks(body if body is not None else root, lines, 0)
    except QualcodeError as error:
        raise QualcodeError(f"{path}: {error}") from None
    return normalise("\n".join(lines))


SPACES = 10_000  # one text:s element's spaces: far more than any transcript has


def _odt_blocks(element: object, lines: list[str], depth: int, size: list[int] | None = None) -> None:
    """Paragraphs as lines; ``size`` counts the characters so far, refused past ``limits.CHARACTERS``."""
    size = size if size is not None else [0]
    if depth > limits.YAML_DEPTH:
        raise QualcodeError(f"refused: elements nested more than {limits.YAML_DEPTH} deep")
    for block in element:  # type: ignore[attr-defined]
        tag = block.tag
        if tag in (f"{{{_NS_TEXT}}}p", f"{{{_NS_TEXT}}}h"):
            lines.append(_odt_inline(block, depth, size))
        elif tag == f"{{{_NS_TABLE}}}table-row":
            cells = [" ".join(_odt_inline(p, depth, size) for p in cell.iter(f"{{{_NS_TEXT}}}p")) for cell in block]
            cells = [c.strip() for c in cells if c.strip()]
            if len(cells) >= 2 and all(len(c) <= 40 for c in cells[:-1]):
                lines.append(f"{cells[-2]}: {cells[-1]}")
            elif cells:
                lines.append(" ".join(cells))
        else:
            _odt_blocks(block, lines, depth + 1, size)


def _odt_inline(element: object, depth: int, size: list[int]) -> str:
    if depth > limits.YAML_DEPTH:
        raise QualcodeError(f"refused: elements nested more than {limits.YAML_DEPTH} deep")
    parts: list[str] = [element.text or ""]  # type: ignore[attr-defined]
    for node in element:  # type: ignore[attr-defined]
        tag = node.tag
        if tag == f"{{{_NS_TEXT}}}s":
            count = node.get(f"{{{_NS_TEXT}}}c", "1") or "1"
            spaces = int(count) if count.isdigit() and len(count) < 10 else -1
            if not 0 <= spaces <= SPACES:
                raise QualcodeError(f"refused: text:s c={count[:20]!r} (a count of spaces from 0 to {SPACES:,})")
            parts.append(" " * spaces)
        elif tag == f"{{{_NS_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_NS_TEXT}}}line-break":
            parts.append("\n")
        elif tag not in (f"{{{_NS_OFFICE}}}annotation", f"{{{_NS_TEXT}}}note"):
            parts.append(_odt_inline(node, depth + 1, [0]))  # counted once, in the paragraph it is in
        parts.append(node.tail or "")
    text = "".join(parts)
    size[0] += len(text)
    if size[0] > limits.CHARACTERS:
        raise QualcodeError(f"refused: more than {limits.CHARACTERS:,} characters of text; split it")
    return text


def rtf_text(path: Path, encoding: str | None) -> str:
    from striprtf.striprtf import rtf_to_text

    source = decode_bytes(limits.read_bytes(path, "RTF transcript"), path, encoding or "latin-1")
    try:
        text = rtf_to_text(source, errors="replace")
    except (ValueError, IndexError, RecursionError) as error:
        raise QualcodeError(f"{path}: not a readable RTF document ({error.__class__.__name__})") from None
    return normalise(text)


def check_zip_kind(path: Path) -> None:
    """A .docx that is really an .odt (or the other way round) is refused by what it holds."""
    wanted = _ZIP_KINDS.get(path.suffix.lower())
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says so, with the reason
    if wanted and wanted not in names:
        other = next((s for s, entry in _ZIP_KINDS.items() if entry in names), None)
        what = f"a {other} file" if other else "a zip file that is not a document"
        raise QualcodeError(f"{path}: the content is {what}, not {path.suffix.lower()}; rename or save it again")
