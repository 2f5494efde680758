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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..ingest.labels import default_label, member
from ..project.output import append_row, inert, json_text, md, write_atomically, xml_safe
from ..project.schema import LEVELS
from .figures import percent_of, shown

# A quote bank's sheet (CSV, XLSX): the quote first, who said it with their attributes (to filter on), then
# the code and where it is; the headings are words. JSON keeps the contract's keys.
QUOTE_HEADINGS = {
    "text": "Quote",
    "speakers": "Said by",
    "groups": "Group",
    "code_name": "Code",
    "code_path": "Code path",
    "level": "Level",
    "document": "Document",
    "line": "Line",
    "key_quote": "Key quote",
    "memo": "Memo",
    "coder": "Coded by",
    "interviewer_words": "Includes the interviewer's words",
    "turn": "Turn",
    "start": "Start",
    "end": "End",
    "code": "Code id",
    "id": "Excerpt id",
    "context_before": "Context before",
    "context_after": "Context after",
}
FREQUENCY_HEADINGS = {
    "code_name": "Code",
    "level": "Level",
    "group": "Group",
    "excerpts": "Excerpts",
    "participants": "Participants",
    "group_participants": "Of the group's participants",
    "share": "Share",
    "documents": "Documents",
    "coders": "Coded by",
    "code": "Code id",
}


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
    share = next((n + 1 for n, c in enumerate(columns) if c in ("share", "Share")), None)
    if share:  # a share of the group, shown as a percentage and kept a number
        for cell in next(sheet.iter_cols(min_col=share, max_col=share,
                                         min_row=2)):  # fmt: skip
            cell.number_format = "0%"
    from .office import tidy_sheet

    tidy_sheet(sheet)
    if about:  # whose codings: on a sheet of its own, and in the file's properties
        append_row(book.create_sheet("About"), [about])
        book.properties.description = xml_safe(about)
    book.save(path)


def quote_sheet(
    rows: list[dict[str, Any]], people: dict[str, dict[str, Any]], labels: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Quote-bank rows as a sheet shows them: worded headings, groups by display name, levels in words, and
    each speaker's attributes as columns of their own (several speakers: their values joined by "; ")."""
    attributes = sorted({k for r in rows for n in r["speakers"] for k in people.get(n, {}) if k != "group"})
    columns = [*list(QUOTE_HEADINGS.values())[:3], *(default_label(a, plural=False) for a in attributes),
               *list(QUOTE_HEADINGS.values())[3:]]  # fmt: skip
    out = []
    for row in rows:
        shown = {QUOTE_HEADINGS[k]: row.get(k) for k in QUOTE_HEADINGS}
        shown["Said by"] = "; ".join(row["speakers"])
        shown["Group"] = "; ".join(labels.get(g, g) for g in row["groups"])
        shown["Level"] = str(row["level"]).replace("_", " ")
        shown["Key quote"] = "yes" if row.get("key_quote") else ""
        shown["Includes the interviewer's words"] = "yes" if row.get("interviewer_words") else ""
        for name in attributes:
            values = [str(people.get(n, {}).get(name, "")) for n in row["speakers"]]
            shown[default_label(name, plural=False)] = "; ".join(dict.fromkeys(v for v in values if v))
        out.append(shown)
    return out, columns


def frequency_sheet(rows: list[dict[str, Any]], labels: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Frequency rows as a sheet shows them: worded headings, groups by display name."""
    out = []
    for row in rows:
        shown = {FREQUENCY_HEADINGS[k]: row.get(k) for k in FREQUENCY_HEADINGS}
        shown["Group"] = labels.get(str(row["group"]), str(row["group"]))
        shown["Level"] = str(row["level"]).replace("_", " ")
        out.append(shown)
    return out, list(FREQUENCY_HEADINGS.values())


def _write_json(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text(json_text(rows), encoding="utf-8")


def attribution_line(
    row: dict[str, Any], attributes: dict[str, dict[str, Any]], labels: dict[str, str] | None = None
) -> str:
    """ "— Dee, mentee, North" (pseudonyms only; the group as one of its members, by its display name);
    several speakers are joined with "and"."""
    people = []
    for name in row["speakers"]:
        person = attributes.get(name, {})
        site = person.get("site")
        group = person.get("group")
        role = member((labels or {}).get(str(group), default_label(str(group)))) if group else None
        people.append(", ".join(str(x) for x in (name, role, site) if x))
    if not people:
        return "— the interviewer" if row.get("interviewer_words") else "— unattributed"
    return "— " + " and ".join(people) + (" (with the interviewer's words)" if row.get("interviewer_words") else "")


def credit(row: dict[str, Any], people: dict[str, dict[str, Any]], labels: dict[str, str] | None = None) -> str:
    """The line under a quote: who said it and where ("— Dee, mentee, North (dee.txt, line 12)")."""
    return f"{attribution_line(row, people, labels)} ({row['document']}, line {row['line']})"


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
    labels: dict[str, str] | None = None,
) -> None:
    heading = " · ".join(x for x in (source, dt.date.today().isoformat(), about) if x)
    lines = ["# Quote bank", "", f"*{md(heading)}*", ""]
    for level, code_id, group in _grouped(rows, progress):
        if level:
            lines += [f"## {level.replace('_', ' ').capitalize()}", ""]
        code = codes.get(code_id, {})
        lines += [f"### {md(group[0]['code_path'])}", ""]
        if code.get("definition"):
            lines += [f"Definition: {md(code['definition'])}", ""]
        for row in group:
            quote = ("★ Key quote: " if row.get("key_quote") else "") + " ".join(row["text"].split())
            lines += [f"> {md(quote)}", ">", f"> {md(credit(row, people, labels))}", ""]
            if row.get("memo"):
                lines += [f"Memo: {md(row['memo'])}", ""]
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
    labels: dict[str, str] | None = None,
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
            add(credit(row, people, labels), credit_style)
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


def _frequencies_markdown(
    path: Path, rows: list[dict[str, Any]], about: str = "", labels: dict[str, str] | None = None
) -> None:
    lines = ([f"*{md(about)}*", ""] if about else []) + [
        "| Code | Group | Excerpts | Participants | Documents |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        group = (labels or {}).get(str(r["group"]), str(r["group"]))
        lines.append(f"| {md(r['code_name'])} | {md(group)} | {r['excerpts']} | {of_group(r)} | {r['documents']} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_quotes(
    path: Path,
    rows: list[dict[str, Any]],
    codes: dict[str, dict[str, Any]],
    people: dict[str, dict[str, Any]],
    progress: Progress | None = None,
    about: str = "",
    source: str = "",
    labels: dict[str, str] | None = None,
) -> None:
    """A quote bank in the format the extension names, saying whose codings it holds (``about``; the rows'
    coder columns too), groups by their display names (``labels``); ``progress`` hears (done, total) as rows
    are written and may raise to stop, leaving no file behind."""
    shown = labels or {}
    sheet, columns = quote_sheet(rows, people, shown)
    write_atomically(
        path,
        {
            ".csv": lambda target: _write_csv(target, sheet, columns, progress),
            ".xlsx": lambda target: _write_xlsx(target, sheet, columns, "Quotes", progress, about),
            ".json": lambda target: _write_json(target, rows),
            ".md": lambda target: _quotes_markdown(target, rows, codes, people, progress, about, source, shown),
            ".docx": lambda target: _quotes_docx(target, rows, codes, people, progress, about, source=source,
                                                 labels=shown),  # fmt: skip
        },
    )


def write_frequencies(
    path: Path, rows: list[dict[str, Any]], about: str = "", labels: dict[str, str] | None = None
) -> None:
    """The frequency table; ``labels`` gives the groups' display names for Word and HTML."""
    from .tables_office import frequencies_docx, frequencies_html

    shown = labels or {}
    sheet, columns = frequency_sheet(rows, shown)
    write_atomically(
        path,
        {
            ".docx": lambda target: frequencies_docx(target, rows, shown, about),
            ".html": lambda target: frequencies_html(target, rows, shown, about),
            ".csv": lambda target: _write_csv(target, sheet, columns),
            ".xlsx": lambda target: _write_xlsx(target, sheet, columns, "Frequencies", about=about),
            ".json": lambda target: _write_json(target, rows),
            ".md": lambda target: _frequencies_markdown(target, rows, about, shown),
        },
    )


def write_table(path: Path, rows: list[dict[str, Any]], columns: list[str], title: str, about: str = "") -> None:
    """Any plain table as CSV, XLSX, Markdown or JSON (a negative zero written as 0), saying whose codings it
    counts (``about``): under the title in Markdown, on a sheet of its own in XLSX, as a last column "Coded by"
    in CSV and a key ``coded_by`` in JSON."""
    rows = [{k: v + 0.0 if isinstance(v, float) else v for k, v in row.items()} for row in rows]
    said = about.removeprefix("Coded by: ").removesuffix(".")
    signed = [{**row, "coded_by": said} for row in rows] if about else rows
    head = f"# {title}\n\n*{md(about)}*\n\n" if about else ""
    write_atomically(
        path,
        {
            ".csv": lambda target: _write_csv(target, signed, columns + (["coded_by"] if about else [])),
            ".xlsx": lambda target: _write_xlsx(target, rows, columns, title, about=about),
            ".md": lambda target: target.write_text(head + markdown_table(rows, columns), encoding="utf-8"),
            ".json": lambda target: _write_json(target, signed),
        },
    )


def markdown_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(md(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(md(" ".join(shown(row.get(c, "")).split())) for c in columns) + " |")
    return "\n".join(lines) + "\n"
