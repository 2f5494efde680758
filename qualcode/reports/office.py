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
    """The file's properties: the author is the coders whose codings it counts (never the program)."""
    properties = document.core_properties
    properties.title = xml_safe(title)
    properties.author = xml_safe(author)
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


INDENT = 0.4  # centimetres a sub-code is set in from its parent
PADDING = 0.45  # centimetres: a cell's margins (0.19 cm each side in Word and LibreOffice) and borders
# Character widths in ems of DejaVu Sans (printable ASCII, from the font's own metrics), the wide font
# LibreOffice falls back to when Calibri is missing: a column sized by them holds its words in Word (Calibri
# is narrower) and LibreOffice alike. Other characters count as 0.8 em; bold sets 12% wider.
_WIDTHS = (0.32, 0.4, 0.46, 0.84, 0.64, 0.95, 0.78, 0.27, 0.39, 0.39, 0.5, 0.84, 0.32, 0.36, 0.32, 0.34, 0.64, 0.64,
           0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34, 0.84, 0.84, 0.84, 0.53, 1.0, 0.68, 0.69, 0.7,
           0.77, 0.63, 0.58, 0.77, 0.75, 0.29, 0.29, 0.66, 0.56, 0.86, 0.75, 0.79, 0.6, 0.79, 0.69, 0.63, 0.61, 0.73,
           0.68, 0.99, 0.69, 0.61, 0.69, 0.39, 0.34, 0.39, 0.84, 0.5, 0.5, 0.61, 0.63, 0.55, 0.63, 0.62, 0.35, 0.63,
           0.63, 0.28, 0.28, 0.58, 0.28, 0.97, 0.63, 0.61, 0.63, 0.63, 0.41, 0.52, 0.39, 0.63, 0.59, 0.82, 0.59, 0.59,
           0.52, 0.64, 0.34, 0.64, 0.84)  # fmt: skip


def text_cm(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` sets at ``size`` points, in centimetres (an upper estimate)."""
    ems = sum(_WIDTHS[ord(ch) - 32] if 32 <= ord(ch) < 127 else 0.8 for ch in text)
    return ems * size * 0.03528 * (1.12 if bold else 1.0) * 1.03  # and 3% for rounding in the layout


def _breakable(text: str) -> list[str]:
    """The pieces a line may not break inside: words, and the parts of a hyphenated word (each with its hyphen)."""
    return [part for word in (text.split() or [text]) for part in re.findall(r"[^-]+-?|-", word) or [word]]


def fitted_widths(
    header: list[str], rows: list[list[Any]], usable: float, size: float = 9, indents: list[int] | None = None
) -> list[float] | None:
    """Column widths (centimetres) laid out from the content: each column at least as wide as its longest
    heading word and its longest number (numbers never wrap), the rest of the page shared out to the columns
    with longer text; None when even that does not fit ``usable``."""
    least, wanted = [], []
    for n, heading in enumerate(header):
        cells = [str(r[n]) for r in rows]
        words = [text_cm(w, size, bold=True) for w in heading.split() or [""]]
        inset = [INDENT * d if n == 0 else 0.0 for d in (indents or [0] * len(rows))]  # a sub-code's indent
        words += [text_cm(c if _numeric(c) else w, size) + i for c, i in zip(cells, inset, strict=True)
                  for w in _breakable(c)]  # fmt: skip
        least.append(max(words) + PADDING)
        longest = max([text_cm(heading, size, bold=True)] + [text_cm(c, size) + i for c, i in zip(cells, inset,
                                                                                                  strict=True)])
        wanted.append(min(longest + PADDING, usable / 2))
    if sum(least) > usable:
        return None
    widths = list(least)
    spare = usable - sum(widths)
    growth = [max(0.0, w - m) for w, m in zip(wanted, least, strict=True)]
    if sum(growth):
        share = min(1.0, spare / sum(growth))
        widths = [m + g * share for m, g in zip(least, growth, strict=True)]
        spare = usable - sum(widths)
    widths[0] += spare  # the first column (a name) takes what is left
    return widths


def word_table(
    document: Any,
    header: list[str],
    rows: list[list[Any]],
    widths: list[float],
    style: Any = None,
    indents: list[int] | None = None,
) -> Any:
    """A plain grid with a shaded, bold heading row repeated on every page, fixed column widths (centimetres),
    numbers right-aligned and never wrapped, rows never split across pages; ``indents`` sets the first cell of
    each row in by that many steps (a sub-code under its parent), as a paragraph indent."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = xml_safe(text)
    for number, values in enumerate(rows):
        cells = table.add_row().cells
        for n, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = xml_safe(str(text))
            if n and _numeric(str(text)):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _flag(cell._tc.get_or_add_tcPr(), "w:noWrap")
        if indents and indents[number]:
            cells[0].paragraphs[0].paragraph_format.left_indent = Cm(INDENT * indents[number])
    for n, column in enumerate(table.columns):  # the grid, which LibreOffice and Word lay out from
        column.width = Cm(widths[n])
    for row in table.rows:
        _flag(row._tr.get_or_add_trPr(), "w:cantSplit")
        for n, cell in enumerate(row.cells):
            cell.width = Cm(widths[n])
            if style is not None:  # by id: python-docx's setter rescans every style on each call
                for paragraph in cell.paragraphs:
                    paragraph._p.style = style.style_id
    _flag(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
    for cell in table.rows[0].cells:
        shade(cell, "DCE6F0")
        for run in cell.paragraphs[0].runs:
            run.bold = True
    return table


def _flag(parent: Any, tag: str) -> None:
    from docx.oxml import OxmlElement

    parent.append(OxmlElement(tag))


def page_turned(document: Any, landscape: bool) -> float:
    """A new section from here on, landscape or portrait (a wide table's page); the width between its margins."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = document.add_section(WD_SECTION.NEW_PAGE)
    wide = section.page_width > section.page_height
    if wide != landscape:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = section.page_height, section.page_width
    return (section.page_width.mm - 50) / 10


def fitting_table(
    document: Any, header: list[str], rows: list[list[Any]], usable: float, style: Any = None,
    indents: list[int] | None = None,
) -> Any:  # fmt: skip
    """``word_table`` with widths from ``fitted_widths`` for the size of type the cells are set in (``style``'s,
    else the document's body text); where the columns do not fit, set a point smaller; failing that, equal
    shares (the caller turns the page for such a table: ``needs_turning``)."""
    size = type_size(document, style)
    widths = fitted_widths(header, rows, usable, size, indents)
    smaller = widths is None and fitted_widths(header, rows, usable, size - 1, indents)
    widths = widths or smaller or [usable / len(header)] * len(header)
    table = word_table(document, header, rows, widths, style, indents)
    if smaller:
        from docx.shared import Pt

        for run in (r for row in table.rows for cell in row.cells for p in cell.paragraphs for r in p.runs):
            run.font.size = Pt(size - 1)
    return table


def needs_turning(
    header: list[str], rows: list[list[Any]], usable: float, size: float = 9, indents: list[int] | None = None
) -> bool:
    """Whether a table does not fit ``usable`` even a point smaller than ``size``."""
    return all(fitted_widths(header, rows, usable, at, indents) is None for at in (size, size - 1))


def type_size(document: Any, style: Any = None) -> float:
    """The size (points) text in ``style`` is set at, else the body text's (11 in Word's default template)."""
    for found in (style, document.styles["Normal"]):
        if found is not None and found.font.size is not None:
            return float(found.font.size.pt)
    return 11.0


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


def table_text(document: Any, size: float = 9) -> Any:
    """The paragraph style of a report's table cells ("Table text", ``size`` points), made once."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    styles = document.styles
    if "Table text" in [s.name for s in styles]:
        return styles["Table text"]
    style = styles.add_style("Table text", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.font.size = Pt(size)
    style.paragraph_format.space_after = Pt(0)
    return style


def titled_document(
    title: str, about: str, author: str = "", table: tuple[list[str], list[list[Any]], list[int] | None] | None = None
) -> tuple[Any, float]:
    """A titled A4 document and the width between its margins; turned to landscape when ``table`` (a heading,
    its rows and their indents) does not fit a portrait page even a point smaller (``needs_turning``)."""
    import docx
    from docx.enum.section import WD_ORIENT

    document = docx.Document()
    usable = word_page(document)
    if table is not None and needs_turning(table[0], table[1], usable, indents=table[2]):
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        usable = (section.page_width.mm - 50) / 10
    word_properties(document, title, author, about, title)
    table_text(document)
    document.add_heading(title, level=0)
    if about:
        document.add_paragraph(about).runs[0].italic = True
    return document, usable
