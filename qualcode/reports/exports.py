"""Writing quote banks and frequency tables to the files report writers use: CSV, XLSX, DOCX, Markdown, JSON.

One function per table kind picks the writer from the file's extension; each writer gets plain rows from
``reports``. Participants appear by pseudonym only. Spreadsheets get one row per excerpt and one column per
field, for R, pandas and Excel; the Word quote bank is report-ready: headings by logic-model level and code,
each code's definition under its heading, quotes as block quotes attributed like "— Dee, mentee, North".

Every file is written through ``project.output``: atomically, with cells that cannot act and text XML can hold.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..project.output import append_row, inert, write_atomically, xml_safe
from ..project.schema import LEVELS
from .figures import percent_of, shown

QUOTE_COLUMNS = [
    "id",
    "code",
    "code_name",
    "code_path",
    "level",
    "document",
    "turn",
    "line",
    "start",
    "end",
    "speakers",
    "groups",
    "interviewer_words",
    "coder",
    "text",
    "memo",
    "context_before",
    "context_after",
]
FREQUENCY_COLUMNS = [
    "code",
    "code_name",
    "level",
    "group",
    "excerpts",
    "participants",
    "group_participants",
    "share",
    "documents",
    "coders",
]


Progress = Callable[[int, int], None]  # (done, total): may raise to cancel; the partial file is then removed


def _counted(rows: list[dict[str, Any]], progress: Progress | None) -> Iterator[dict[str, Any]]:
    """The rows, telling ``progress`` every 100 rows and at the end."""
    total = len(rows)
    for n, row in enumerate(rows, start=1):
        yield row
        if progress is not None and (n % 100 == 0 or n == total):
            progress(n, total)


def _flat(row: dict[str, Any], columns: list[str]) -> list[Any]:
    return ["; ".join(row[c]) if isinstance(row.get(c), list) else row.get(c) for c in columns]


def _write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str], progress: Progress | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # a BOM so that Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow([inert(c) for c in columns])
        writer.writerows([inert(v) for v in _flat(r, columns)] for r in _counted(rows, progress))


def _write_xlsx(
    path: Path,
    rows: list[dict[str, Any]],
    columns: list[str],
    title: str,
    progress: Progress | None = None,
    about: str = "",
) -> None:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    sheet = book.active
    sheet.title = title
    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _counted(rows, progress):
        append_row(sheet, _flat(row, columns))
    if "share" in columns:  # a share of the group, shown as a percentage and kept a number
        for cell in next(sheet.iter_cols(min_col=columns.index("share") + 1, max_col=columns.index("share") + 1,
                                         min_row=2)):  # fmt: skip
            cell.number_format = "0%"
    from .office import tidy_sheet

    tidy_sheet(sheet)
    if about:  # whose codings: on a sheet of its own, and in the file's properties
        append_row(book.create_sheet("About"), [about])
        book.properties.description = xml_safe(about)
    book.save(path)


def _write_json(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


def attribution_line(row: dict[str, Any], attributes: dict[str, dict[str, Any]]) -> str:
    """ "— Dee, mentee, North" (pseudonyms only); several speakers are joined with "and"."""
    people = []
    for name in row["speakers"]:
        person = attributes.get(name, {})
        site = person.get("site")
        people.append(", ".join(str(x) for x in (name, person.get("group"), site) if x))
    if not people:
        return "— the interviewer" if row.get("interviewer_words") else "— unattributed"
    return "— " + " and ".join(people) + (" (with the interviewer's words)" if row.get("interviewer_words") else "")


def credit(row: dict[str, Any], people: dict[str, dict[str, Any]]) -> str:
    """The line under a quote: who said it and where ("— Dee, mentee, North (dee.txt, line 12)")."""
    return f"{attribution_line(row, people)} ({row['document']}, line {row['line']})"


def of_group(row: dict[str, Any]) -> str:
    """ "9 of 12 (75%)": participants with the code, of the group's participants in the project."""
    have, of = row["participants"], row["group_participants"]
    return f"{have} of {of}" + (f" ({percent_of(have, of)})" if of else "")


def _quotes_markdown(
    path: Path,
    rows: list[dict[str, Any]],
    codes: dict[str, dict[str, Any]],
    people: dict[str, dict[str, Any]],
    progress: Progress | None = None,
    about: str = "",
    source: str = "",
) -> None:
    heading = " · ".join(x for x in (source, dt.date.today().isoformat(), about) if x)
    lines = ["# Quote bank", "", f"*{heading}*", ""]
    for level, code_id, group in _grouped(rows, progress):
        if level:
            lines += [f"## {level.replace('_', ' ').capitalize()}", ""]
        code = codes.get(code_id, {})
        lines += [f"### {group[0]['code_path']}", ""]
        if code.get("definition"):
            lines += [f"Definition: {code['definition']}", ""]
        for row in group:
            quote = ("★ Key quote: " if row.get("key_quote") else "") + " ".join(row["text"].split())
            lines += [f"> {quote}", ">", f"> {credit(row, people)}", ""]
            if row.get("memo"):
                lines += [f"Memo: {row['memo']}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _quotes_docx(
    path: Path,
    rows: list[dict[str, Any]],
    codes: dict[str, dict[str, Any]],
    people: dict[str, dict[str, Any]],
    progress: Progress | None = None,
    about: str = "",
    paper: str = "a4",
    source: str = "",
) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.shared import Pt, RGBColor
    from docx.text.paragraph import Paragraph

    from .office import word_page, word_properties

    document = docx.Document()
    word_page(document, paper)
    coders = sorted({c for row in rows for c in row.get("coders", [])})
    word_properties(document, "Quote bank", ", ".join(coders), about, "Quote bank")
    styles = document.styles
    quote_style = styles["Quote"]
    quote_style.paragraph_format.space_after = Pt(2)
    credit_style = styles.add_style("Quote attribution", WD_STYLE_TYPE.PARAGRAPH)
    credit_style.base_style = styles["Normal"]
    credit_style.paragraph_format.left_indent = Pt(36)
    credit_style.font.size = Pt(9)
    credit_style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    definition_style = styles.add_style("Code definition", WD_STYLE_TYPE.PARAGRAPH)
    definition_style.base_style = styles["Normal"]
    definition_style.font.italic = False  # a definition is not a quote: upright, smaller, grey
    definition_style.font.size = Pt(10)
    definition_style.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    headings = {level: styles[f"Heading {level}"] for level in (1, 2)}
    body = document.element.body
    end = body.sectPr

    def add(text: str, style: Any) -> None:
        # python-docx's add_paragraph searches the whole body for its insertion point each time, which
        # makes a long quote bank quadratic; new paragraphs go straight before the section properties.
        element = OxmlElement("w:p")
        if end is not None:
            end.addprevious(element)
        else:
            body.append(element)
        element.style = style.style_id  # by id: python-docx's setter rescans all styles on every call
        Paragraph(element, document._body).add_run(xml_safe(text))

    document.add_heading("Quote bank", level=0)
    heading = " · ".join(x for x in (source, dt.date.today().isoformat(), about) if x)
    add(heading, styles["Normal"])  # the project, the date and whose codings, under the title
    for level, code_id, group in _grouped(rows, progress):
        if level:
            add(level.replace("_", " ").capitalize(), headings[1])
        add(group[0]["code_path"], headings[2])
        definition = codes.get(code_id, {}).get("definition")
        if definition:
            add(definition, definition_style)
        for row in group:
            add(("★ Key quote: " if row.get("key_quote") else "") + " ".join(row["text"].split()), quote_style)
            add(credit(row, people), credit_style)
            if row.get("memo"):
                add(f"Memo: {row['memo']}", credit_style)
    document.save(str(path))


def _grouped(
    rows: list[dict[str, Any]], progress: Progress | None = None
) -> Iterator[tuple[str | None, str, list[dict[str, Any]]]]:
    """Rows by logic-model level (in model order), then by code, each level named once; ``progress`` hears
    of each group's rows once the caller has written them."""
    order = {level: n for n, level in enumerate(LEVELS)}
    buckets: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        buckets.setdefault((row["level"], row["code"]), []).append(row)
    seen: set[str] = set()
    done = 0
    for (level, code_id), group in sorted(
        buckets.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[1][0]["code_path"])
    ):
        yield None if level in seen else level, code_id, group
        seen.add(level)
        done += len(group)
        if progress is not None:
            progress(done, len(rows))


def _frequencies_markdown(path: Path, rows: list[dict[str, Any]], about: str = "") -> None:
    lines = ([f"*{about}*", ""] if about else []) + [
        "| Code | Group | Excerpts | Participants | Documents |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['code_name']} | {r['group']} | {r['excerpts']} | {of_group(r)} | {r['documents']} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_quotes(
    path: Path,
    rows: list[dict[str, Any]],
    codes: dict[str, dict[str, Any]],
    people: dict[str, dict[str, Any]],
    progress: Progress | None = None,
    about: str = "",
    source: str = "",
) -> None:
    """A quote bank in the format the extension names, saying whose codings it holds (``about``; the rows'
    coder columns too); ``progress`` hears (done, total) as rows are written and may raise to stop, leaving
    no file behind."""
    write_atomically(
        path,
        {
            ".csv": lambda target: _write_csv(target, rows, QUOTE_COLUMNS, progress),
            ".xlsx": lambda target: _write_xlsx(target, rows, QUOTE_COLUMNS, "Quotes", progress, about),
            ".json": lambda target: _write_json(target, rows),
            ".md": lambda target: _quotes_markdown(target, rows, codes, people, progress, about, source),
            ".docx": lambda target: _quotes_docx(target, rows, codes, people, progress, about, source=source),
        },
    )


def write_frequencies(
    path: Path, rows: list[dict[str, Any]], about: str = "", labels: dict[str, str] | None = None
) -> None:
    """The frequency table; ``labels`` gives the groups' display names for Word and HTML."""
    from .tables_office import frequencies_docx, frequencies_html

    shown = labels or {}
    write_atomically(
        path,
        {
            ".docx": lambda target: frequencies_docx(target, rows, shown, about),
            ".html": lambda target: frequencies_html(target, rows, shown, about),
            ".csv": lambda target: _write_csv(target, rows, FREQUENCY_COLUMNS),
            ".xlsx": lambda target: _write_xlsx(target, rows, FREQUENCY_COLUMNS, "Frequencies", about=about),
            ".json": lambda target: _write_json(target, rows),
            ".md": lambda target: _frequencies_markdown(target, rows, about),
        },
    )


def write_table(path: Path, rows: list[dict[str, Any]], columns: list[str], title: str) -> None:
    """Any plain table as CSV, XLSX, Markdown or JSON (a negative zero written as 0)."""
    rows = [{k: v + 0.0 if isinstance(v, float) else v for k, v in row.items()} for row in rows]
    write_atomically(
        path,
        {
            ".csv": lambda target: _write_csv(target, rows, columns),
            ".xlsx": lambda target: _write_xlsx(target, rows, columns, title),
            ".md": lambda target: target.write_text(markdown_table(rows, columns), encoding="utf-8"),
            ".json": lambda target: _write_json(target, rows),
        },
    )


def markdown_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(" ".join(shown(row.get(c, "")).split()) for c in columns) + " |")
    return "\n".join(lines) + "\n"
