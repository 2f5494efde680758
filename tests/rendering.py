"""Reading a Word file as its reader sees it: rendered to PDF by LibreOffice (headless), its text taken back with
pdftotext, and every word of every table cell looked for whole — a heading or a number broken across lines
("Document" then "s") is not found. Used by the render test (skipped where LibreOffice is not installed; CI
need not have it) and by ``bench/render_findings.py``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
_EDGES = "“”\"'.,;:"


def render(path: Path, out: Path) -> Path:
    """``path`` (a .docx) as a PDF in ``out``."""
    subprocess.run([OFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    return out / (path.stem + ".pdf")


def table_words(path: Path) -> set[str]:
    """Every word in every table cell of a Word file."""
    found: set[str] = set()
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                found.update(w.strip(_EDGES) for w in cell.text.split() if w.strip(_EDGES))
    return found


def pdf_words(pdf: Path) -> set[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=300).stdout  # fmt: skip
    return {w.strip(_EDGES) for w in text.split()}


def broken_words(path: Path, out: Path) -> list[str]:
    """The table words of ``path`` that its rendering does not show whole."""
    shown = pdf_words(render(path, out))
    return sorted(w for w in table_words(path) if w not in shown and not _at_hyphens(w, shown))


def _at_hyphens(word: str, shown: set[str]) -> bool:
    """A hyphenated word set across two lines at its hyphen ("non-" then "criminal"), as type is set."""
    parts = word.split("-")
    return len(parts) > 1 and all(p + "-" in shown for p in parts[:-1]) and parts[-1] in shown
