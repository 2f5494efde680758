"""Bar charts of an evidence table a report can carry: for each outcome with evidence, one bar per
stakeholder group, as long as the share of that group's participants with evidence, on a percentage scale
with gridlines, each bar labelled directly with its group and count ("Mentees 3/9") so that groups can be
told apart in print without colour; a title; outcome names wrapped in full (never cut), sub-codes indented
as a block. Outcomes without any evidence are named under the chart rather than drawn as empty rows.

One layout (``layout``), measured with Pillow's bundled font, drawn as SVG for HTML (inline, nothing
fetched) and as PNG for Word (no system fonts needed), in the Okabe–Ito colours. A tall chart is laid out in
parts (``parts``) that each fit a third of a page, so Word can carry it across a page break without leaving
half a page blank.
"""

from __future__ import annotations

import html
import io
from functools import cache
from typing import Any

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555")
WIDTH = 640  # pixels: the page's width between the margins, drawn at 2x for print
FONT, SMALL = 12, 10  # pixels: outcome names, and bar labels and the scale
LABELS = 210  # pixels for the outcome names
BAR, GAP, LINE, TOP = 14, 10, 14, 44
PART_HEIGHT = 360  # pixels (about 9 cm on the page): a taller chart is drawn in parts
TITLE = "Participants with evidence, as a share of each group"


@cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def width_of(text: str, size: int) -> float:
    return float(_font(size).getlength(text))


def wrap(text: str, room: float, size: int = FONT) -> list[str]:
    """``text`` in lines no wider than ``room`` pixels, broken between words (a word longer than the room has
    a line of its own, never cut)."""
    lines: list[str] = []
    for word in text.split():
        if lines and width_of(lines[-1] + " " + word, size) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def evidenced(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["participants"]]


def layout(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str]) -> dict[str, Any]:
    """Where everything goes: each row's wrapped name, its top and height; the plot's left edge and width."""
    right = max((width_of(f"{labels.get(g, g)} 99/99", SMALL) for g in groups), default=60) + 12
    plot = max(120.0, WIDTH - LABELS - 16 - right)
    placed, y = [], TOP
    for row in rows:
        indent = 12 * row.get("depth", 0)
        lines = wrap(row["name"], LABELS - 8 - indent)
        height = max(len(lines) * LINE, len(groups) * BAR) + GAP
        placed.append({"row": row, "lines": lines, "indent": indent, "top": y, "height": height})
        y += height
    return {"rows": placed, "left": LABELS + 8, "plot": plot, "height": y + 22}


def parts(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str]) -> list[list[dict[str, Any]]]:
    """The evidenced rows in consecutive parts, each short enough (as ``layout`` places them, wrapped names
    and all) to fit about a third of a page."""
    out: list[list[dict[str, Any]]] = [[]]
    used = TOP
    for placed in layout(evidenced(rows), groups, labels)["rows"]:
        if out[-1] and used + placed["height"] > PART_HEIGHT:
            out.append([])
            used = TOP
        out[-1].append(placed["row"])
        used += placed["height"]
    return [p for p in out if p]


def missing_note(rows: list[dict[str, Any]]) -> str:
    """The outcomes the chart leaves out, in words."""
    none = [r["name"] for r in rows if not r["participants"]]
    return f"Not drawn (no evidence from any group): {'; '.join(none)}." if none else ""


def _shapes(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str], title: str) -> list[tuple]:
    """The chart as drawing instructions both formats follow: ("rect", x, y, w, h, colour), ("line", x1, y1,
    x2, y2, colour), ("text", x, y, text, size, colour, bold)."""
    shape = layout(rows, groups, labels)
    left, plot, bottom = shape["left"], shape["plot"], shape["height"] - 22
    out: list[tuple] = [("text", 0, 4, title, FONT + 1, "#1F3A5F", True)]
    for tick in range(0, 101, 25):  # the scale, with gridlines
        x = left + plot * tick / 100
        out.append(("line", x, TOP - 6, x, bottom, "#DDDDDD" if tick else "#888888"))
        text = f"{tick}%"
        out.append(("text", x - width_of(text, SMALL) / 2, bottom + 4, text, SMALL, "#555555", False))
    out.append(("text", left, 24, "Share of the group's participants", SMALL, "#555555", False))
    for placed in shape["rows"]:
        row, top = placed["row"], placed["top"]
        for n, line in enumerate(placed["lines"]):
            out.append(("text", 4 + placed["indent"], top + n * LINE, line, FONT, "#000000", False))
        for n, group in enumerate(groups):
            cell = row["cells"][group]
            y = top + n * BAR
            width = max(2.0, plot * (cell["share"] or 0.0)) if cell["participants"] else 0.0
            if width:
                out.append(("rect", left, y + 1, width, BAR - 2, PALETTE[n % len(PALETTE)]))
            label = f"{labels.get(group, group)} {cell['participants']}/{cell['group_participants']}"
            out.append(("text", left + width + 4, y + 1, label, SMALL, "#333333", False))
    return out


def chart_svg(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str], title: str = TITLE) -> str:
    drawn = evidenced(rows)
    height = layout(drawn, groups, labels)["height"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{html.escape(title)}" font-family="sans-serif" style="max-width:100%;height:auto">'
    ]
    for item in _shapes(drawn, groups, labels, title):
        if item[0] == "rect":
            _, x, y, w, h, colour = item
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}"/>')
        elif item[0] == "line":
            _, x1, y1, x2, y2, colour = item
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>')
        else:
            _, x, y, text, size, colour, bold = item
            weight = ' font-weight="bold"' if bold else ""
            out.append(f'<text x="{x:.1f}" y="{y + size * 0.85:.1f}" font-size="{size}" fill="{colour}"{weight}>'
                       f"{html.escape(text)}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def chart_png(
    rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str], title: str = TITLE, scale: int = 2
) -> bytes:
    """The same chart as a PNG, drawn at ``scale`` times the SVG's pixels so that it prints sharply."""
    from PIL import Image, ImageDraw

    drawn = evidenced(rows)
    height = layout(drawn, groups, labels)["height"]
    image = Image.new("RGB", (WIDTH * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    for item in _shapes(drawn, groups, labels, title):
        if item[0] == "rect":
            _, x, y, w, h, colour = item
            draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=colour)
        elif item[0] == "line":
            _, x1, y1, x2, y2, colour = item
            draw.line([x1 * scale, y1 * scale, x2 * scale, y2 * scale], fill=colour, width=scale // 2 or 1)
        else:
            _, x, y, text, size, colour, bold = item
            font = _font(size * scale)
            draw.text((x * scale, y * scale), text, fill=colour, font=font, stroke_width=1 if bold else 0,
                      stroke_fill=colour)  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)  # not optimize=True: ten times the time for a few per cent
    return buffer.getvalue()
