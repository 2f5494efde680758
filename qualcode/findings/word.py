"""The findings pack as a Word document a report writer pastes from.

A4 by default (US Letter on request) with 2.5 cm margins; the title, author (the coder, or ``--author``),
subject and comments set in the file's properties; a style of its own for each kind of text — headings,
code definitions (upright, grey), quotes (italic, indented), attributions (small, grey), gaps — so that a
writer's template restyles them all at once; key quotes marked "★ Key quote"; each question's evidence as
a table and as a bar chart (an embedded PNG); appendices with the codebook, the participants and the
methods. Participants are named by pseudonym only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..project.output import xml_safe
from ..reports.charts import chart_png
from ..reports.figures import figure
from ..reports.office import word_page, word_properties, word_table
from .wording import attribution, cell_text, method_lines


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
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    usable = word_page(document, paper)  # centimetres between the margins
    word_properties(document, data["title"], author or ", ".join(data["coders"]), data["about"], "Findings pack")
    document.core_properties.keywords = xml_safe(f"{data['framework']}; {data['project']}")
    style = _styles(document)

    def para(text: str, kind: str | None = None) -> Any:
        return document.add_paragraph(xml_safe(text), style[kind] if kind else None)

    document.add_heading(xml_safe(data["title"]), level=0)
    para(f"{data['project']} · {data['date']} · {data['about']}", "note")
    if data["description"]:
        para(data["description"])
    labels = data["labels"]
    for q_number, question in enumerate(data["questions"], start=1):
        document.add_heading(xml_safe(f"{q_number}. {question['question']}"), level=1)
        if question["notes"]:
            para(question["notes"], "note")
        for s_number, specific in enumerate(question["specifics"], start=1):
            document.add_heading(xml_safe(f"{q_number}.{s_number} {specific['question']}"), level=2)
            if specific["notes"]:
                para(specific["notes"], "note")
            _table(document, specific, labels, style, usable)
            if any(row["participants"] for row in specific["rows"]):
                picture = chart_png(specific["rows"], specific["groups"], labels)
                document.add_picture(io.BytesIO(picture), width=Cm(usable))
                document.paragraphs[-1].paragraph_format.space_before = Pt(8)  # clear of the table above
            document.add_heading("Quotes", level=3)
            for row in specific["quotes"]:
                paragraph = document.add_paragraph(style=style["quote"])
                if row["key_quote"]:
                    mark = paragraph.add_run("★ Key quote  ")
                    mark.italic, mark.bold = False, True
                    mark.font.color.rgb = RGBColor(0xB3, 0x6B, 0x00)
                paragraph.add_run(xml_safe(" ".join(row["text"].split())))
                para(attribution(row, labels), "attribution")
            if not specific["quotes"]:
                para("No quote credited to a participant.", "note")
            if specific["memos"]:
                document.add_heading("Memos", level=3)
                for memo in specific["memos"]:
                    para(f"{memo['code_name']} ({memo['coder'] or 'project'}): {memo['text']}", "definition")
            document.add_heading("Gaps", level=3)
            for gap in specific["gaps"] or ["None: every expected group spoke to every outcome."]:
                para(f"• {gap}", "gap")
    _appendices(document, data, style, usable)
    for paragraph in document.paragraphs:  # headings in the report's own colour
        if paragraph.style.name.startswith("Heading") or paragraph.style.name == "Title":
            for run in paragraph.runs:
                run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    style["small"].font.size = Pt(9)
    document.save(str(path))


def _table(
    document: Any, specific: dict[str, Any], labels: dict[str, str], style: dict[str, Any], usable: float
) -> None:
    groups = specific["groups"]
    header = ["Outcome", *(labels.get(g, g) for g in groups), "Excerpts", "Docs"]
    rows = [
        [
            ("   " * row["depth"]) + row["name"],
            *(cell_text(row["cells"][g]) for g in groups),
            row["excerpts"],
            row["documents"],
        ]
        for row in specific["rows"]
    ]
    other = (usable - 5.5) / (len(groups) + 2)  # the outcome's name gets the room it needs
    word_table(document, header, rows, [5.5] + [other] * (len(groups) + 2), style["small"])


def _appendices(document: Any, data: dict[str, Any], style: dict[str, Any], usable: float) -> None:
    from docx.shared import Cm

    labels = data["labels"]
    document.add_page_break()
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
    people = [
        [labels.get(p["group"] or "", p["group"] or "no group"), p["pseudonym"], ", ".join(p["documents"])]
        for p in data["participants"]
    ]
    word_table(document, ["Group", "Participant", "Documents"], people, [4.5, 3.5, usable - 8.0], style["small"])
    document.add_heading("Appendix C. Methods", level=1)
    for line in method_lines(data):
        document.add_paragraph(xml_safe(line), style="List Bullet")
    agreement = [
        [r["name"], figure(r["alpha"]), figure(r["kappa"]), figure(r["agreement"])]
        for r in data["methods"]["agreement"]
    ]
    if agreement:
        word_table(
            document, ["Code", "Alpha", "Kappa", "Agreement"], agreement, [usable - 6.0, 2.0, 2.0, 2.0], style["small"]
        )
