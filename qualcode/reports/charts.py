"""Bar charts of an evidence table: for each outcome, one bar per stakeholder group, as long as the share of
that group's participants with evidence, labelled "3/9". As SVG for HTML (inline, nothing fetched) and as
PNG for Word (drawn with Pillow and its bundled font, so no system fonts are needed). The same layout and
colours (Okabe–Ito, readable by colour-blind readers) in both, with a legend naming the groups.
"""

from __future__ import annotations

import html
import io
from typing import Any

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555")
LABEL_CHARS = 46  # an outcome's name on the left, cut in the middle beyond this
BAR, GAP, LEFT, PLOT, TOP = 14, 8, 300, 320, 34  # pixels


def _cut(text: str, size: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    head = size // 3
    return text[:head].rstrip() + "…" + text[-(size - head - 1) :].lstrip()


def layout(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str]) -> dict[str, Any]:
    """Positions shared by the SVG and the PNG (the legend runs from the bars' left edge)."""
    per_row = len(groups) * BAR + GAP
    height = TOP + len(rows) * per_row + 10
    legend = LEFT + sum(24 + 7 * len(labels.get(g, g)) for g in groups)
    return {"per_row": per_row, "height": height, "width": max(LEFT + PLOT + 60, legend + 10)}


def chart_svg(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str]) -> str:
    shape = layout(rows, groups, labels)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{shape["width"]}" height="{shape["height"]}" '
        f'viewBox="0 0 {shape["width"]} {shape["height"]}" role="img" font-family="sans-serif" font-size="12">'
    ]
    x = LEFT
    for n, group in enumerate(groups):  # the legend
        name = html.escape(labels.get(group, group))
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 16}" y="16">{name}</text>')
        x += 24 + 7 * len(name)
    for r, row in enumerate(rows):
        y = TOP + r * shape["per_row"]
        name = html.escape(_cut("· " * row.get("depth", 0) + row["name"]))
        middle = y + len(groups) * BAR / 2 + 4
        out.append(
            f'<text x="{LEFT - 8}" y="{middle:.0f}" text-anchor="end"><title>{html.escape(row["name"])}'
            f"</title>{name}</text>"
        )
        for n, group in enumerate(groups):
            cell = row["cells"][group]
            share = cell["share"] or 0.0
            top = y + n * BAR
            width = max(1.0, PLOT * share) if cell["participants"] else 0.0
            colour = PALETTE[n % len(PALETTE)]
            label = f"{cell['participants']}/{cell['group_participants']}"
            out.append(
                f'<rect x="{LEFT}" y="{top + 1}" width="{width:.1f}" height="{BAR - 2}" fill="{colour}">'
                f"<title>{html.escape(labels.get(group, group))}: {label}</title></rect>"
            )
            out.append(
                f'<text x="{LEFT + width + 4:.1f}" y="{top + BAR - 3}" font-size="10" fill="#333">{label}</text>'
            )
    out.append(f'<line x1="{LEFT}" y1="{TOP - 4}" x2="{LEFT}" y2="{shape["height"] - 6}" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


def chart_png(rows: list[dict[str, Any]], groups: list[str], labels: dict[str, str], scale: int = 2) -> bytes:
    """The same chart as a PNG, drawn at ``scale`` times the SVG's pixels so that it prints sharply."""
    from PIL import Image, ImageDraw, ImageFont

    shape = layout(rows, groups, labels)
    image = Image.new("RGB", (shape["width"] * scale, shape["height"] * scale), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * scale)
    small = ImageFont.load_default(size=10 * scale)

    def box(x: float, y: float, w: float, h: float, colour: str) -> None:
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=colour)

    x = LEFT
    for n, group in enumerate(groups):
        name = labels.get(group, group)
        box(x, 6, 12, 12, PALETTE[n % len(PALETTE)])
        draw.text(((x + 16) * scale, 5 * scale), name, fill="black", font=font)
        x += 24 + draw.textlength(name, font=font) / scale
    for r, row in enumerate(rows):
        y = TOP + r * shape["per_row"]
        name = _cut("· " * row.get("depth", 0) + row["name"])
        middle = y + len(groups) * BAR / 2
        width = draw.textlength(name, font=font) / scale
        draw.text(((LEFT - 8 - width) * scale, (middle - 7) * scale), name, fill="black", font=font)
        for n, group in enumerate(groups):
            cell = row["cells"][group]
            share = cell["share"] or 0.0
            top = y + n * BAR
            bar = max(1.0, PLOT * share) if cell["participants"] else 0.0
            if bar:
                box(LEFT, top + 1, bar, BAR - 2, PALETTE[n % len(PALETTE)])
            label = f"{cell['participants']}/{cell['group_participants']}"
            draw.text(((LEFT + bar + 4) * scale, (top + 1) * scale), label, fill="#333333", font=small)
    draw.line([LEFT * scale, (TOP - 4) * scale, LEFT * scale, (shape["height"] - 6) * scale], fill="#999999")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
