"""The frequency table as a Word document (A4, titled, a shaded grid with the groups' display names) and as a
self-contained HTML page: what a writer pastes into a report."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .figures import percent
from .office import fitting_table, table_text, titled_document


def frequencies_docx(path: Path, rows: list[dict[str, Any]], labels: dict[str, str], about: str = "") -> None:
    header = ["Code", "Group", "Excerpts", "Participants", "Of", "Share", "Documents"]
    values = [
        [
            r["code_name"],
            labels.get(str(r["group"]), str(r["group"])),
            r["excerpts"],
            r["participants"],
            r["group_participants"],
            percent(r.get("share")),
            r["documents"],
        ]
        for r in rows
    ]
    author = ", ".join(sorted({c for r in rows for c in r.get("coders") or []}))
    document, usable = titled_document("Theme frequencies", about, author, (header, values, None))
    fitting_table(document, header, values, usable, table_text(document))
    document.save(str(path))


def frequencies_html(path: Path, rows: list[dict[str, Any]], labels: dict[str, str], about: str = "") -> None:
    body = "".join(
        f"<tr><td>{html.escape(r['code_name'])}</td><td>{html.escape(labels.get(str(r['group']), str(r['group'])))}"
        f"</td><td>{r['excerpts']}</td><td>{r['participants']}</td><td>{r['group_participants']}</td>"
        f"<td>{percent(r.get('share'))}</td><td>{r['documents']}</td></tr>"
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
