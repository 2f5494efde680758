"""The evidence map: which logic-model outcomes rest on whose voices.

Rows are the codes at outcome levels (short-, medium- and long-term), grouped by level in model order, with
children under their parents; columns are the stakeholder groups. Each cell is "participants with evidence /
participants in the group", from ``reports.frequencies`` (so the attribution rule and the parent roll-up hold
here too), and is shaded by that share. Written as Markdown, as a self-contained HTML page (inline CSS and
SVG bars, nothing fetched), as XLSX (shaded cells, and a sheet of shares with an Excel colour scale) and as
JSON.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..project.output import append_row, md, write_atomically, xml_safe
from .charts import PALETTE
from .figures import percent
from .frequencies import frequencies
from .snapshot import NO_GROUP, Snapshot, reading

OUTCOME_LEVELS = ("short_term_outcome", "medium_term_outcome", "long_term_outcome")


@reading
def evidence_map(study: Snapshot, coders: list[str] | None = None) -> dict[str, Any]:
    counts = {(r["code"], r["group"]): r for r in frequencies(study, "group", coders, participants_only=True)}
    sizes = dict(study.group_sizes)
    groups = sorted(g for g in sizes if g != NO_GROUP) + ([NO_GROUP] if NO_GROUP in sizes else [])
    codes = [c for c in study.codes if c["level"] in OUTCOME_LEVELS]
    order = {level: n for n, level in enumerate(OUTCOME_LEVELS)}
    rows = []
    for code in sorted(codes, key=lambda c: order[c["level"]]):  # stable: tree order within each level
        cells = {}
        for group in groups:
            found = counts.get((code["id"], group))
            have = found["participants"] if found else 0
            cells[group] = {
                "participants": have,
                "group_participants": sizes[group],
                "share": have / sizes[group] if sizes[group] else 0.0,
            }
        rows.append(
            {
                "code": code["id"],
                "name": code["name"],
                "level": code["level"],
                "beneficiary": code["beneficiary"],
                "depth": code["depth"],
                "cells": cells,
            }
        )
    labels = study.labels  # participants without a group included
    return {"groups": groups, "group_sizes": sizes, "rows": rows, "labels": {g: labels.get(g, g) for g in groups}}


def heading(data: dict[str, Any], group: str) -> str:
    """A group as a column heading: its display name and size, "National stakeholders (1)"."""
    return f"{data.get('labels', {}).get(group, group)} ({data['group_sizes'][group]})"


def _level_title(level: str) -> str:
    return level.replace("_", " ").capitalize().replace("term outcome", "term outcomes")


def shade(share: float) -> str:
    """White to green by share, as a CSS/Excel colour (no shade at zero)."""
    if share <= 0:
        return "FFFFFF"
    green = (46, 160, 67)
    mix = 0.15 + 0.85 * min(share, 1.0)
    r, g, b = (int(255 + (c - 255) * mix) for c in green)
    return f"{r:02X}{g:02X}{b:02X}"


def _markdown(data: dict[str, Any]) -> str:
    groups = data["groups"]
    lines = ["# Evidence map", "", "Participants with evidence / participants in the group.", ""]
    if data.get("about"):
        lines += [f"*{md(data['about'])}*", ""]
    level = None
    for row in data["rows"]:
        if row["level"] != level:
            level = row["level"]
            lines += [
                "",
                f"## {_level_title(level)}",
                "",
                "| Outcome | " + " | ".join(md(heading(data, g)) for g in groups) + " |",
                "|---|" + "---:|" * len(groups),
            ]
        cells = [f"{row['cells'][g]['participants']}/{row['cells'][g]['group_participants']}" for g in groups]
        lines.append(f"| {'· ' * row['depth']}{md(row['name'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _bars(row: dict[str, Any], groups: list[str], labels: dict[str, str]) -> str:
    """One bar per group in the legend's colour, as long as the group's share."""
    width, bar = 160, 10
    parts = [f'<svg width="{width}" height="{bar * len(groups) + 2}" role="img">']
    for n, group in enumerate(groups):
        share = row["cells"][group]["share"]
        parts.append(
            f'<rect x="0" y="{n * bar + 1}" width="{share * width:.1f}" height="{bar - 2}" '
            f'fill="{PALETTE[n % len(PALETTE)]}"><title>{html.escape(labels.get(group, group))}: {percent(share)}'
            "</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _html(data: dict[str, Any]) -> str:
    groups = data["groups"]
    labels = data.get("labels", {})
    head = "".join(
        f"<th>{html.escape(labels.get(g, g))}<br><small>n={data['group_sizes'][g]}</small></th>" for g in groups
    )
    legend = "".join(
        f'<span class="key" style="background:{PALETTE[n % len(PALETTE)]}"></span>{html.escape(labels.get(g, g))}'
        for n, g in enumerate(groups)
    )
    body, level = [], None
    for row in data["rows"]:
        if row["level"] != level:
            level = row["level"]
            body.append(f'<tr class="level"><th colspan="{len(groups) + 2}">{_level_title(level)}</th></tr>')
        cells = "".join(
            f'<td style="background:#{shade(c["share"])}">{c["participants"]}/{c["group_participants"]}</td>'
            for c in (row["cells"][g] for g in groups)
        )
        name = html.escape(row["name"])
        body.append(
            f'<tr><td class="code" style="padding-left:{0.5 + row["depth"]}em">{name}</td>{cells}'
            f"<td>{_bars(row, groups, labels)}</td></tr>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence map</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: center; }}
td.code {{ text-align: left; min-width: 22em; }}
.key {{ display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 1em; vertical-align: middle; }}
tr.level th {{ background: #eef; text-align: left; }}
</style></head><body>
<h1>Evidence map</h1>
<p>Each cell: participants with evidence for the outcome / participants in the stakeholder group.
Shading follows the share. Bars: the share for each group:{legend}</p>
{f"<p><em>{html.escape(data['about'])}</em></p>" if data.get("about") else ""}
<table><thead><tr><th>Outcome</th>{head}<th>Shares</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""


def _xlsx(path: Path, data: dict[str, Any]) -> None:
    """One sheet a reader can chart and filter: per group, "3/9" as text beside the participants, the group's
    size and the share as numbers (the share as a percentage, shaded); and an About sheet."""
    import openpyxl
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import PatternFill

    from .office import tidy_sheet

    groups = data["groups"]
    labels = data.get("labels", {})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Evidence map"
    header = ["Level", "Code", "Outcome"]
    for group in groups:
        name = labels.get(group, group)
        header += [name, f"{name}: participants", f"{name}: of", f"{name}: share"]
    append_row(sheet, header)
    for row in data["rows"]:
        values: list[Any] = [_level_title(row["level"]), row["code"], "  " * row["depth"] + row["name"]]
        for group in groups:
            cell = row["cells"][group]
            values += [
                f"{cell['participants']}/{cell['group_participants']}",
                cell["participants"],
                cell["group_participants"],
                round(cell["share"], 4),
            ]
        append_row(sheet, values)
        for n, group in enumerate(groups):
            colour = shade(row["cells"][group]["share"])
            sheet.cell(row=sheet.max_row, column=4 + 4 * n).fill = PatternFill(
                "solid", start_color=colour, end_color=colour
            )
            sheet.cell(row=sheet.max_row, column=7 + 4 * n).number_format = "0%"
    for n, _group in enumerate(groups):
        letter = openpyxl.utils.get_column_letter(7 + 4 * n)
        if data["rows"]:
            sheet.conditional_formatting.add(
                f"{letter}2:{letter}{sheet.max_row}",
                ColorScaleRule(
                    start_type="num",
                    start_value=0,
                    start_color="FFFFFF",
                    end_type="num",
                    end_value=1,
                    end_color="2EA043",
                ),
            )
    tidy_sheet(sheet)
    if data.get("about"):  # whose codings: on a sheet of its own, and in the file's properties
        append_row(book.create_sheet("About"), [data["about"]])
        book.properties.description = xml_safe(data["about"])
    book.properties.title = "Evidence map"
    book.save(path)


def evidence_docx(path: Path, data: dict[str, Any]) -> None:
    from .office import fitting_table, table_text, titled_document
    from .office import shade as shade_cell

    groups = data["groups"]
    header = ["Outcome", *(heading(data, g) for g in groups)]

    def values(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [[r["name"]] + [f"{r['cells'][g]['participants']}/{r['cells'][g]['group_participants']}"
                               for g in groups] for r in rows]  # fmt: skip

    author = ", ".join(data.get("coders", []))
    every = (header, values(data["rows"]), [r["depth"] for r in data["rows"]])  # the page turned only if needed
    document, usable = titled_document("Evidence map", data.get("about", ""), author, every)
    document.add_paragraph("Participants with evidence for each outcome / participants in the stakeholder group.")
    level = None
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if not rows:
            return
        table = fitting_table(document, header, values(rows), usable, table_text(document),
                              [r["depth"] for r in rows])  # fmt: skip
        for cells, row in zip(table.rows[1:], rows, strict=True):
            for n, group in enumerate(groups, start=1):
                if row["cells"][group]["share"] > 0:
                    shade_cell(cells.cells[n], shade(row["cells"][group]["share"]))
        rows.clear()

    for row in data["rows"]:
        if row["level"] != level:
            flush()
            level = row["level"]
            document.add_heading(_level_title(level), level=1)
        rows.append(row)
    flush()
    document.save(str(path))


def write_evidence_map(path: Path, data: dict[str, Any]) -> None:
    write_atomically(
        path,
        {
            ".md": lambda target: target.write_text(_markdown(data), encoding="utf-8"),
            ".html": lambda target: target.write_text(_html(data), encoding="utf-8"),
            ".xlsx": lambda target: _xlsx(target, data),
            ".docx": lambda target: evidence_docx(target, data),
            ".json": lambda target: target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"),
        },
    )


def check_groups(data: dict[str, Any]) -> None:
    if not data["groups"]:
        raise QualcodeError("no participants in this project, so there is no evidence map to draw")
