"""The findings pack as a Word document a report writer pastes from.

A4 by default (US Letter on request) with 2.5 cm margins; the title, author (the coders, or ``--author``),
subject and comments set in the file's properties; a style of its own for each kind of text — headings,
code definitions (upright, grey), quotes (italic, indented), attributions (small, grey), gaps — so that a
writer's template restyles them all at once; key quotes marked "★ Key quote"; each question's evidence as
a table laid out from its content (``reports.office.fitting_table``: no heading or number broken, the
heading row repeated on every page, sub-codes indented; a landscape page where the groups need it) and as a
bar chart (PNG, in parts that fit the page, the first kept with its table); appendices with the codebook,
the participants, where each quotation comes from, and the methods. Participants are named by pseudonym only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..project.output import xml_safe
from ..reports.charts import TITLE, chart_png, missing_note, parts
from ..reports.office import fitting_table, needs_turning, page_turned, word_page, word_properties
from .methods import agreement_table, method_lines
from .wording import cell_text, memo_line, opening, quotations, quoted, source, who


def _styles(document: Any) -> dict[str, Any]:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt, RGBColor

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    def add(name: str, italic: bool = False, size: float = 11, grey: bool = False, indent: float = 0) -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.italic = italic
        style.font.size = Pt(size)
        if grey:
            style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.space_after = Pt(4)
        return style

    quote = add("Findings quote", italic=True, indent=1.0)
    quote.paragraph_format.space_before = Pt(6)
    return {
        "quote": quote,
        "attribution": add("Findings attribution", size=9, grey=True, indent=1.0),
        "definition": add("Findings definition", size=10, grey=True, indent=0.5),
        "gap": add("Findings gap", size=10, indent=0.5),
        "note": add("Findings note", italic=True, size=10, grey=True),
        "small": add("Findings small", size=9),
    }


def write_docx(path: Path, data: dict[str, Any], paper: str = "a4", author: str = "") -> None:
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    portrait = word_page(document, paper)  # centimetres between the margins
    word_properties(document, data["title"], author or ", ".join(data["coders"]), data["about"], "Findings pack")
    document.core_properties.keywords = xml_safe(f"{data['framework']}; {data['project']}")
    style = _styles(document)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):  # headings in the report's own colour, by style
        document.styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    def para(text: str, kind: str | None = None) -> Any:
        return document.add_paragraph(xml_safe(text), style[kind] if kind else None)

    document.add_heading(xml_safe(data["title"]), level=0)
    para(f"{data['about']} Written {data['date']}.", "note")
    if data["description"]:
        para(data["description"])
    labels = data["labels"]
    turned, usable = False, portrait
    for q_number, question in enumerate(data["questions"], start=1):
        tables = [evidence_table(specific, labels) for specific in question["specifics"]]
        # a question whose tables need more room than a portrait page has is set on landscape pages, whole
        wide = any(needs_turning(header, rows, portrait, indents=indents) for header, rows, indents in tables)
        if wide != turned:
            usable, turned = page_turned(document, wide), wide
        document.add_heading(xml_safe(f"{q_number}. {question['question']}"), level=1)
        if question["notes"]:
            para(question["notes"], "note")
        for s_number, (specific, (header, rows, indents)) in enumerate(zip(question["specifics"], tables,
                                                                            strict=True), start=1):  # fmt: skip
            document.add_heading(xml_safe(f"{q_number}.{s_number} {specific['question']}"), level=2)
            if specific["notes"]:
                para(specific["notes"], "note")
            table = fitting_table(document, header, rows, usable, style["small"], indents)
            if any(row["participants"] for row in specific["rows"]):
                _keep_with_next(table.rows[-1].cells[0].paragraphs)
                _chart(document, specific, labels, min(usable, portrait), style)
            _quotes(document, specific, labels, style, data.get("sources") == "inline")
            if specific["memos"]:
                document.add_heading("Memos", level=3)
                for memo in specific["memos"]:
                    para(memo_line(memo), "definition")
            document.add_heading("Gaps", level=3)
            for gap in specific["gaps"] or ["None: every expected group spoke to every outcome."]:
                para(f"• {gap}", "gap")
    if turned:
        page_turned(document, False)
    else:
        document.add_page_break()
    _appendices(document, data, style, portrait)
    document.save(str(path))


def evidence_table(specific: dict[str, Any], labels: dict[str, str]) -> tuple[list[str], list[list[Any]], list[int]]:
    """A question's evidence table: heading, rows, and each row's depth (a sub-code under its parent)."""
    groups = specific["groups"]
    header = ["Outcome", *(labels.get(g, g) for g in groups), "Excerpts", "Documents"]
    rows = [
        [row["name"], *(cell_text(row["cells"][g]) for g in groups), row["excerpts"], row["documents"]]
        for row in specific["rows"]
    ]
    return header, rows, [row["depth"] for row in specific["rows"]]


def _keep_with_next(paragraphs: list[Any]) -> None:
    for paragraph in paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def _chart(
    document: Any, specific: dict[str, Any], labels: dict[str, str], width: float, style: dict[str, Any]
) -> None:
    """The chart in parts that each fit a third of a page, the first kept with its table."""
    from docx.shared import Cm, Pt

    for n, rows in enumerate(parts(specific["rows"], specific["groups"], labels)):
        title = TITLE if not n else f"{TITLE} (continued)"
        document.add_picture(io.BytesIO(chart_png(rows, specific["groups"], labels, title)), width=Cm(width))
        document.paragraphs[-1].paragraph_format.space_before = Pt(8)  # clear of the table above
    note = missing_note(specific["rows"])
    if note:
        document.add_paragraph(xml_safe(note), style["attribution"]).paragraph_format.left_indent = Cm(0)


def _quotes(document: Any, specific: dict[str, Any], labels: dict[str, str], style: dict[str, Any],
            inline: bool) -> None:  # fmt: skip
    from docx.shared import RGBColor

    document.add_heading("Quotes", level=3)
    for row in specific["quotes"]:
        paragraph = document.add_paragraph(style=style["quote"])
        paragraph.paragraph_format.keep_with_next = True  # with its attribution
        if row["key_quote"]:
            mark = paragraph.add_run("★ Key quote  ")
            mark.italic, mark.bold = False, True
            mark.font.color.rgb = RGBColor(0xB3, 0x6B, 0x00)
        paragraph.add_run(xml_safe(quoted(row)))
        line = who(row, labels) + (f" ({source(row)})" if inline else "")
        document.add_paragraph(xml_safe(line), style["attribution"])
    if not specific["quotes"]:
        document.add_paragraph("No quote credited to a participant.", style["note"])


def _appendices(document: Any, data: dict[str, Any], style: dict[str, Any], usable: float) -> None:
    from docx.shared import Cm

    labels = data["labels"]
    document.add_heading("Appendix A. Codebook", level=1)
    for code in data["codebook"]:
        heading = document.add_paragraph(style=style["small"] if code["depth"] > 1 else None)
        heading.paragraph_format.left_indent = Cm(0.5 * code["depth"])
        name = heading.add_run(xml_safe(code["name"]))
        name.bold = True
        heading.add_run(xml_safe(f"  {code['id']} · {code['level'].replace('_', ' ')}"))
        for key, label in (("definition", ""), ("include", "Include: "), ("exclude", "Exclude: ")):
            if code.get(key):
                line = document.add_paragraph(xml_safe(label + code[key]), style["definition"])
                line.paragraph_format.left_indent = Cm(0.5 * code["depth"] + 0.5)
    document.add_heading("Appendix B. Participants", level=1)
    people = [[labels.get(p["group"], p["group"]), p["pseudonym"], ", ".join(p["documents"])]
              for p in data["participants"]]  # fmt: skip
    fitting_table(document, ["Group", "Participant", "Documents"], people, usable, style["small"])
    if data.get("sources") != "inline":
        document.add_heading("Appendix C. Quotations", level=1)
        document.add_paragraph("Where each quote comes from, in the order they appear.", style["note"])
        fitting_table(document, ["Question", "Quote", "Said by", "Source"],
                      [[n, opening(row), who(row, labels).removeprefix("— "), source(row)]
                       for n, row in quotations(data)], usable, style["small"])  # fmt: skip
    document.add_heading(f"Appendix {'C' if data.get('sources') == 'inline' else 'D'}. Methods", level=1)
    for line in method_lines(data):
        document.add_paragraph(xml_safe(line), style="List Bullet")
    header, rows = agreement_table(data["methods"])
    if rows:
        table = fitting_table(document, header, rows, usable, style["small"])
        for run in (r for p in table.rows[1].cells[0].paragraphs for r in p.runs):  # the pooled row
            run.bold = True
