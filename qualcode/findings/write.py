"""Writing the findings pack (``findings.build_findings``) as Markdown or as a self-contained HTML page; Word
is in ``findings_docx``. Each file is written through a partial file and renamed, so a failed or cancelled
write leaves nothing. Participants are named by pseudonym only.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from ..project.output import md, write_atomically
from ..reports.charts import chart_svg, missing_note
from .methods import agreement_table, method_lines
from .word import write_docx
from .wording import cell_text, memo_line, opening, quotations, quoted, source, who

FORMATS = (".docx", ".html", ".md")


SOURCES = ("appendix", "inline")  # where a quote's document and line go


def write_findings(
    path: Path, data: dict[str, Any], paper: str = "a4", author: str = "", sources: str = "appendix"
) -> None:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise QualcodeError(f"{path}: a findings pack is written as {', '.join(FORMATS)}")
    if sources not in SOURCES:
        raise QualcodeError(f"sources go in the {' or '.join(SOURCES)}, not {sources!r}")
    data["sources"] = sources
    write_atomically(
        path,
        {
            ".md": lambda target: target.write_text(markdown(data), encoding="utf-8"),
            ".html": lambda target: target.write_text(page(data), encoding="utf-8"),
            ".docx": lambda target: write_docx(target, data, paper, author),
        },
    )


# -- Markdown --------------------------------------------------------------------------------------------


_md = md  # every value in the Markdown pack: inert text on one line


def markdown(data: dict[str, Any]) -> str:
    labels = data["labels"]
    out = [f"# {_md(data['title'])}", "", f"*{_md(data['about'])} Written {data['date']}.*", ""]
    if data["description"]:
        out += [_md(data["description"]), ""]
    for q_number, question in enumerate(data["questions"], start=1):
        out += [f"## {q_number}. {_md(question['question'])}", ""]
        if question["notes"]:
            out += [_md(question["notes"]), ""]
        for s_number, specific in enumerate(question["specifics"], start=1):
            out += [f"### {q_number}.{s_number} {_md(specific['question'])}", ""]
            if specific["notes"]:
                out += [f"*{_md(specific['notes'])}*", ""]
            groups = specific["groups"]
            out.append("| Outcome | " + " | ".join(_md(labels.get(g, g)) for g in groups) + " | Excerpts | Documents |")
            out.append("|---" * (len(groups) + 3) + "|")
            for row in specific["rows"]:
                name = ("· " * row["depth"]) + _md(row["name"])
                cells = " | ".join(cell_text(row["cells"][g]) for g in groups)
                out.append(f"| {name} | {cells} | {row['excerpts']} | {row['documents']} |")
            out.append("")
            out += ["**Quotes**", ""] + (
                _md_quotes(specific["quotes"], labels, data["sources"] == "inline")
                or ["No quote credited to a participant.", ""]
            )
            if specific["memos"]:
                out += ["**Memos**", ""] + [f"- {_md(memo_line(m))}" for m in specific["memos"]] + [""]
            out += (
                ["**Gaps**", ""]
                + ([f"- {_md(g)}" for g in specific["gaps"]]
                   or ["- None: every expected group spoke to every outcome."])
                + [""]
            )
    out += _md_appendices(data)
    return "\n".join(out) + "\n"


def _md_quotes(quotes: list[dict[str, Any]], labels: dict[str, str], inline: bool) -> list[str]:
    out = []
    for row in quotes:
        mark = "★ Key quote: " if row["key_quote"] else ""
        said = who(row, labels) + (f" ({source(row)})" if inline else "")
        out += [f"> {mark}{_md(quoted(row))}", ">", f"> {_md(said)}", ""]
    return out


def _md_appendices(data: dict[str, Any]) -> list[str]:
    labels = data["labels"]
    out = ["## Appendix A. Codebook", ""]
    for code in data["codebook"]:
        out.append(
            f"{'  ' * code['depth']}- **{_md(code['name'])}** ({_md(code['id'])}, {code['level'].replace('_', ' ')})"
            + (f": {_md(code['definition'])}" if code["definition"] else "")
        )
        for key in ("include", "exclude"):
            if code.get(key):
                out.append(f"{'  ' * code['depth']}  - *{key.capitalize()}:* {_md(code[key])}")
    out += ["", "## Appendix B. Participants", "", "| Group | Participant | Documents |", "|---|---|---|"]
    for person in data["participants"]:
        group = labels.get(person["group"], person["group"])
        out.append(f"| {_md(group)} | {_md(person['pseudonym'])} | {_md(', '.join(person['documents']))} |")
    methods = "C"
    if data["sources"] != "inline":
        methods = "D"
        out += ["", "## Appendix C. Quotations", "", "| Question | Quote | Said by | Source |", "|---|---|---|---|"]
        out += [
            f"| {n} | {_md(opening(row))} | {_md(who(row, labels).removeprefix('— '))} | {_md(source(row))} |"
            for n, row in quotations(data)
        ]
    out += ["", f"## Appendix {methods}. Methods", ""] + [f"- {_md(line)}" for line in method_lines(data)] + [""]
    header, rows = agreement_table(data["methods"])
    if rows:
        out += ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
        out += ["| " + " | ".join(_md(str(c)) for c in row) + " |" for row in rows]
    return out


# -- HTML ------------------------------------------------------------------------------------------------

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; color: #1f3a5f; }
h2 { border-bottom: 2px solid #1f3a5f; padding-bottom: .2em; margin-top: 2em; }
.meta { color: #555; font-style: italic; }
table { border-collapse: collapse; margin: 1em 0; font-family: Arial, sans-serif; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .3em .6em; vertical-align: top; hyphens: none; }
thead, tr:first-child th { break-inside: avoid; }
figure { margin: 1em 0; break-inside: avoid; }
th { background: #eef2f7; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
td.outcome { min-width: 18em; }
.depth1 { padding-left: 1.6em; } .depth2 { padding-left: 3em; }
blockquote { margin: 1em 0 1em 1.5em; padding-left: 1em; border-left: 4px solid #9bb5d0; font-style: italic; }
blockquote.key { border-left-color: #e69f00; }
.who { display: block; font-style: normal; color: #555; font-size: .9em; margin-top: .3em; }
.star { font-style: normal; font-weight: bold; color: #b36b00; }
.gaps li { color: #8a2c0d; }
.definition { font-style: normal; color: #333; }
.legend span { display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 1em; vertical-align: middle; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def page(data: dict[str, Any]) -> str:
    labels = data["labels"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(data['title'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(data['title'])}</h1>",
        f'<p class="meta">{_e(data["about"])} Written {_e(data["date"])}.</p>',
    ]
    if data["description"]:
        out.append(f"<p>{_e(data['description'])}</p>")
    for q_number, question in enumerate(data["questions"], start=1):
        out.append(f"<h2>{q_number}. {_e(question['question'])}</h2>")
        for s_number, specific in enumerate(question["specifics"], start=1):
            groups = specific["groups"]
            out.append(f"<h3>{q_number}.{s_number} {_e(specific['question'])}</h3>")
            if specific["notes"]:
                out.append(f'<p class="meta">{_e(specific["notes"])}</p>')
            out.append(
                "<table><tr><th>Outcome</th>"
                + "".join(f"<th>{_e(labels.get(g, g))}</th>" for g in groups)
                + "<th>Excerpts</th><th>Documents</th></tr>"
            )
            for row in specific["rows"]:
                cells = "".join(f'<td class="n">{_e(cell_text(row["cells"][g]))}</td>' for g in groups)
                out.append(
                    f'<tr><td class="outcome depth{min(row["depth"], 2)}">{_e(row["name"])}</td>{cells}'
                    f'<td class="n">{row["excerpts"]}</td><td class="n">{row["documents"]}</td></tr>'
                )
            out.append("</table>")
            if any(row["participants"] for row in specific["rows"]):
                out.append(f'<figure>{chart_svg(specific["rows"], groups, labels)}</figure>')
                if missing_note(specific["rows"]):
                    out.append(f'<p class="who">{_e(missing_note(specific["rows"]))}</p>')
            out.append("<h4>Quotes</h4>")
            for row in specific["quotes"]:
                star = '<span class="star">★ Key quote</span> ' if row["key_quote"] else ""
                said = who(row, labels) + (f" ({source(row)})" if data["sources"] == "inline" else "")
                out.append(
                    f'<blockquote class="{"key" if row["key_quote"] else ""}">{star}{_e(quoted(row))}'
                    f'<span class="who">{_e(said)}</span></blockquote>'
                )
            if not specific["quotes"]:
                out.append("<p>No quote credited to a participant.</p>")
            if specific["memos"]:
                out.append("<h4>Memos</h4><ul>" + "".join(f"<li>{_e(memo_line(m))}</li>" for m in specific["memos"])
                           + "</ul>")  # fmt: skip
            out.append(
                '<h4>Gaps</h4><ul class="gaps">'
                + (
                    "".join(f"<li>{_e(g)}</li>" for g in specific["gaps"])
                    or "<li>None: every expected group spoke to every outcome.</li>"
                )
                + "</ul>"
            )
    out.append(_html_appendices(data))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_appendices(data: dict[str, Any]) -> str:
    labels = data["labels"]
    out = ["<h2>Appendix A. Codebook</h2>"]
    for code in data["codebook"]:
        out.append(
            f'<p style="margin-left:{1.5 * code["depth"]}em"><strong>{_e(code["name"])}</strong> '
            f'<code>{_e(code["id"])}</code> <span class="meta">{_e(code["level"].replace("_", " "))}</span>'
            + (f'<br><span class="definition">{_e(code["definition"])}</span>' if code["definition"] else "")
            + (f"<br><em>Include:</em> {_e(code['include'])}" if code.get("include") else "")
            + (f"<br><em>Exclude:</em> {_e(code['exclude'])}" if code.get("exclude") else "")
            + "</p>"
        )
    out.append("<h2>Appendix B. Participants</h2><table><tr><th>Group</th><th>Participant</th><th>Documents</th></tr>")
    for person in data["participants"]:
        out.append(
            f"<tr><td>{_e(labels.get(person['group'], person['group']))}</td><td>{_e(person['pseudonym'])}</td>"
            f"<td>{_e(', '.join(person['documents']))}</td></tr>"
        )
    out.append("</table>")
    methods = "C"
    if data["sources"] != "inline":
        methods = "D"
        out.append("<h2>Appendix C. Quotations</h2><table><tr><th>Question</th><th>Quote</th><th>Said by</th>"
                   "<th>Source</th></tr>")  # fmt: skip
        out += [
            f"<tr><td>{n}</td><td>{_e(opening(row))}</td><td>{_e(who(row, labels).removeprefix('— '))}</td>"
            f"<td>{_e(source(row))}</td></tr>"
            for n, row in quotations(data)
        ]
        out.append("</table>")
    out.append(f"<h2>Appendix {methods}. Methods</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in method_lines(data))
               + "</ul>")  # fmt: skip
    header, rows = agreement_table(data["methods"])
    if rows:
        out.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>")
        for n, row in enumerate(rows):
            cells = "".join(f'<td class="n">{_e(c)}</td>' for c in row[1:])
            name = f"<strong>{_e(row[0])}</strong>" if n == 0 else _e(row[0])
            out.append(f"<tr><td>{name}</td>{cells}</tr>")
        out.append("</table>")
    return "\n".join(out)
