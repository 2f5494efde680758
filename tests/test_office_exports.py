"""Office files a writer pastes from: quote banks, frequencies and the evidence map as Word (A4, titled, with
styles of their own), HTML with the groups' display names, and XLSX a reader can sort, filter and chart —
each opened back with its own library."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from qualcode.reports.office import PADDING, text_cm


def test_the_quote_bank_in_word_is_a4_titled_and_styled(demo_copy: Path, invoke, tmp_path: Path) -> None:
    out = tmp_path / "quotes.docx"
    assert invoke("export", "quotes", demo_copy, "-o", out).exit_code == 0
    document = docx.Document(str(out))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.core_properties.title == "Quote bank" and document.core_properties.author == "consensus"
    assert "python-docx" not in (document.core_properties.author or "")
    definition = document.styles["Code definition"]
    assert definition.font.italic is False  # definitions are not set like quotes
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert any(q.startswith("★ Key quote: ") for q in quotes) and any(not q.startswith("★") for q in quotes)


def test_frequencies_and_the_evidence_map_in_word_and_html(demo_copy: Path, invoke, tmp_path: Path) -> None:
    for name in ("freq.docx", "freq.html"):
        assert invoke("export", "frequencies", demo_copy, "-o", tmp_path / name).exit_code == 0
    for name in ("map.docx", "map.html"):
        assert invoke("export", "evidence-map", demo_copy, "-o", tmp_path / name).exit_code == 0
    freq = docx.Document(str(tmp_path / "freq.docx"))
    header = [c.text for c in freq.tables[0].rows[0].cells]
    assert header == ["Code", "Group", "Excerpts", "Participants", "Of", "Share", "Documents"]
    groups = {row.cells[1].text for row in freq.tables[0].rows[1:]}
    assert "Lead organisation staff" in groups and "lead_organisation" not in groups
    assert round(freq.sections[0].page_width.mm) == 210  # seven columns fit a portrait page
    assert freq.core_properties.author == "consensus"  # the coders, not the program
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "National stakeholders" in page and "national_stakeholder" not in page
    assert 'class="key"' in page  # the bars have a legend
    evidence = docx.Document(str(tmp_path / "map.docx"))
    section = evidence.sections[0]  # five groups side by side fit, set at 9 points: no need to turn the page
    assert round(section.page_width.mm) == 210 and evidence.core_properties.author == "consensus"
    for table in (freq.tables[0], evidence.tables[0]):
        for cell, column in zip(table.rows[0].cells, table.columns, strict=True):  # no heading word broken
            size = cell.paragraphs[0].runs[0].font.size  # set a point smaller where nine points do not fit
            at = size.pt if size else 9
            assert max(text_cm(w, at, bold=True) for w in cell.text.split()) + PADDING <= column.width.cm + 0.01  # EMUs round
    first = [c.text for c in evidence.tables[0].rows[0].cells]
    assert first[0] == "Outcome" and "Mentees (9)" in first
    assert "Mentees" in (tmp_path / "freq.html").read_text(encoding="utf-8")


def test_xlsx_numbers_widths_wrapping_filters(demo_copy: Path, invoke, tmp_path: Path) -> None:
    assert invoke("export", "evidence-map", demo_copy, "-o", tmp_path / "map.xlsx").exit_code == 0
    assert invoke("export", "quotes", demo_copy, "-o", tmp_path / "quotes.xlsx").exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "map.xlsx")["Evidence map"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Level", "Code", "Outcome", "Lead organisation staff"]
    column = header.index("Mentees: share") + 1
    shares = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert all(isinstance(c.value, (int, float)) and c.number_format == "0%" for c in shares)
    assert isinstance(sheet.cell(row=2, column=header.index("Mentees: participants") + 1).value, int)
    assert sheet.cell(row=2, column=header.index("Mentees") + 1).value.count("/") == 1  # "1/9" kept beside
    assert (
        sheet.freeze_panes == "A2"
        and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    )
    quotes = openpyxl.load_workbook(tmp_path / "quotes.xlsx")["Quotes"]
    header = [c.value for c in quotes[1]]
    text = header.index("Quote") + 1
    assert text == 1 and header[1:3] == ["Said by", "Group"]  # the quote first, then who said it
    letter = quotes.cell(1, text).column_letter
    assert 20 <= quotes.column_dimensions[letter].width <= 62
    assert quotes.cell(2, text).alignment.wrap_text
    assert quotes.auto_filter.ref and quotes.freeze_panes == "A2"
    assert quotes.max_row < 200  # the widths were measured without adding empty rows
