"""The evidence map and the frequency table as Word documents (A4, titled, a shaded grid with the groups'
display names) and the frequency table as a self-contained HTML page: what a writer pastes into a report."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .office import shade, word_page, word_properties, word_table


def _document(title: str, about: str, landscape: bool = False) -> tuple[Any, float]:
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


def evidence_docx(path: Path, data: dict[str, Any]) -> None:
    from .evidence import _level_title, heading
    from .evidence import shade as share_colour

    document, usable = _document("Evidence map", data.get("about", ""), landscape=len(data["groups"]) > 4)
    document.add_paragraph("Participants with evidence for each outcome / participants in the stakeholder group.")
    groups = data["groups"]
    first = max(6.0, usable - 3.0 * len(groups))  # the outcome's name gets what the groups do not need
    other = (usable - first) / max(1, len(groups))
    level = None
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if not rows:
            return
        values = [
            ["  " * r["depth"] + r["name"]]
            + [f"{r['cells'][g]['participants']}/{r['cells'][g]['group_participants']}" for g in groups]
            for r in rows
        ]
        table = word_table(
            document, ["Outcome", *(heading(data, g) for g in groups)], values, [first] + [other] * len(groups)
        )
        for cells, row in zip(table.rows[1:], rows, strict=True):
            for n, group in enumerate(groups, start=1):
                if row["cells"][group]["share"] > 0:
                    shade(cells.cells[n], share_colour(row["cells"][group]["share"]))
        rows.clear()

    for row in data["rows"]:
        if row["level"] != level:
            flush()
            level = row["level"]
            document.add_heading(_level_title(level), level=1)
        rows.append(row)
    flush()
    document.save(str(path))


def frequencies_docx(path: Path, rows: list[dict[str, Any]], labels: dict[str, str], about: str = "") -> None:
    document, usable = _document("Theme frequencies", about)
    header = ["Code", "Group", "Excerpts", "Participants", "Of", "Share", "Documents"]
    values = [
        [
            r["code_name"],
            labels.get(str(r["group"]), str(r["group"])),
            r["excerpts"],
            r["participants"],
            r["group_participants"],
            "" if r.get("share") is None else f"{r['share']:.0%}",
            r["documents"],
        ]
        for r in rows
    ]
    word_table(document, header, values, [usable - 12.5, 3.5, 1.8, 2.2, 1.2, 1.6, 2.2])
    document.save(str(path))


def frequencies_html(path: Path, rows: list[dict[str, Any]], labels: dict[str, str], about: str = "") -> None:
    body = "".join(
        f"<tr><td>{html.escape(r['code_name'])}</td><td>{html.escape(labels.get(str(r['group']), str(r['group'])))}"
        f"</td><td>{r['excerpts']}</td><td>{r['participants']}</td><td>{r['group_participants']}</td>"
        f"<td>{'' if r.get('share') is None else format(r['share'], '.0%')}</td><td>{r['documents']}</td></tr>"
        for r in rows
    )
    path.write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Theme frequencies</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .3em .6em; }}
td:nth-child(n+3) {{ text-align: right; }}
th {{ background: #eef2f7; text-align: left; }}
</style></head><body>
<h1>Theme frequencies</h1>
<p>Per code (sub-codes rolled up) and group: excerpts, participants with the code of the group's participants,
and documents.</p>
{f"<p><em>{html.escape(about)}</em></p>" if about else ""}
<table><tr><th>Code</th><th>Group</th><th>Excerpts</th><th>Participants</th><th>Of</th><th>Share</th>
<th>Documents</th></tr>
{body}
</table></body></html>
""",
        encoding="utf-8",
    )
