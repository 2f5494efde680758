"""What every Word and Excel file qualcode writes has in common, so that a writer can paste from it: A4 pages
(US Letter on request) with sensible margins and the title, author and whose codings in the file's
properties; sheets with columns as wide as their contents, long text wrapped, the header row frozen and
filterable.
"""

from __future__ import annotations

import re
from typing import Any

from ..project.output import xml_safe

PAPER = {"a4": (210, 297), "letter": (215.9, 279.4)}  # millimetres
_NUMBER = re.compile(r"-?[\d.,]+(?:/\d+)?(?: \(\d+%\))?%?")
WRAPPED = 60  # a column wider than this many characters wraps instead


def word_page(document: Any, paper: str = "a4") -> float:
    """A4 (or Letter) with 2.5 cm margins; returns the width between the margins, in centimetres."""
    from docx.shared import Cm, Mm

    section = document.sections[0]
    width, height = PAPER.get(paper, PAPER["a4"])
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    return (width - 50) / 10


def word_properties(document: Any, title: str, author: str, comments: str = "", subject: str = "") -> None:
    properties = document.core_properties
    properties.title = xml_safe(title)
    properties.author = xml_safe(author or "qualcode")
    properties.last_modified_by = properties.author
    properties.subject = xml_safe(subject)
    properties.comments = xml_safe(comments)


def shade(cell: Any, colour: str) -> None:
    """A Word table cell's background (``colour`` as RRGGBB)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def word_table(document: Any, header: list[str], rows: list[list[str]], widths: list[float], style: Any = None) -> Any:
    """A plain grid with a shaded, bold heading row and fixed column widths (centimetres)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = xml_safe(text)
    for values in rows:
        cells = table.add_row().cells
        for n, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = xml_safe(str(text))
            if n and _numeric(str(text)):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for n, column in enumerate(table.columns):  # the grid, which LibreOffice and Word lay out from
        column.width = Cm(widths[n])
    for row in table.rows:
        for n, cell in enumerate(row.cells):
            cell.width = Cm(widths[n])
            if style is not None:
                for paragraph in cell.paragraphs:
                    paragraph.style = style
    for cell in table.rows[0].cells:
        shade(cell, "DCE6F0")
        for run in cell.paragraphs[0].runs:
            run.bold = True
    return table


def _numeric(text: str) -> bool:
    """A cell to right-align: a count, "3/9", "3/9 (33%)", "0.75"."""
    return bool(_NUMBER.fullmatch(text))


def tidy_sheet(sheet: Any, header_rows: int = 1) -> None:
    """Columns as wide as their contents (long text wrapped at ``WRAPPED`` characters), the header row bold,
    frozen and with a filter on every column."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not sheet.max_row or not sheet.max_column:
        return
    rows, columns = sheet.max_row, sheet.max_column  # before reading: openpyxl makes the cells it is asked for
    for column in range(1, columns + 1):
        letter = get_column_letter(column)
        longest = 0
        for (cell,) in sheet.iter_rows(max_row=min(rows, 2000), min_col=column, max_col=column):  # enough to size by
            value = cell.value
            longest = max(longest, len(str(value)) if value is not None else 0)
        wrapped = longest > WRAPPED
        sheet.column_dimensions[letter].width = min(longest, WRAPPED) + 2 if longest else 8
        if wrapped:
            for (cell,) in sheet.iter_rows(min_row=header_rows + 1, max_row=rows, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[header_rows]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_rows + 1, column=1).coordinate
    sheet.auto_filter.ref = f"A{header_rows}:{get_column_letter(columns)}{rows}"


def titled_document(title: str, about: str, landscape: bool = False) -> tuple[Any, float]:
    import docx
    from docx.enum.section import WD_ORIENT

    document = docx.Document()
    usable = word_page(document)
    if landscape:  # many groups side by side: the page turned, so their headings need not break
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        usable = (section.page_width.mm - 50) / 10
    word_properties(document, title, "", about, title)
    document.add_heading(title, level=0)
    if about:
        document.add_paragraph(about).runs[0].italic = True
    return document, usable
