"""The findings pack as a report writer pastes from it: quotes spread over participants (not documents) and
distinct across questions, cut quotations marked, attribution as a report writes it with the sources in an
appendix, every coder's code memos, plain words, a methods appendix a reviewer accepts, participants without
a group counted where they are, charts with full labels, and no file replaced without asking. Rendered through
LibreOffice where it is installed, no table word is broken."""

from __future__ import annotations

import asyncio
from pathlib import Path

import docx
import pytest
from conftest import SMALL_FRAMEWORK, ask_for_the_pack, recording_app, screen_text, write
from rendering import OFFICE, PDFTOTEXT, broken_words

from qualcode.cli import OUTPUTS, cli
from qualcode.codebook.files import import_codebook, load_codebook
from qualcode.findings.build import build_findings
from qualcode.findings.framework import load_framework
from qualcode.project.store import Project
from qualcode.reports.charts import chart_svg, layout, wrap
from qualcode.reports.counting import counted

CODEBOOK = """\
codebook: fg
codes:
  - id: outcomes
    name: Outcomes
    level: short_term_outcome
    children:
      - {id: housing, name: Housing, level: medium_term_outcome}
      - {id: trust, name: Trust, level: short_term_outcome}
      - {id: work, name: Work, level: long_term_outcome}
"""
FRAMEWORK = """\
framework: fg
title: Focus groups
questions:
  - id: q1
    question: What changed?
    questions:
      - id: q-all
        question: "What changed at all?"
        codes: [outcomes]
        groups: [mentee, mentor]
      - id: q-housing
        question: "Housing?"
        codes: [housing]
        groups: [mentee, mentor]
      - id: q-trust
        question: "Trust?"
        codes: [trust]
        groups: [mentee, mentor]
      - id: q-work
        question: "Work?"
        codes: [work]
        groups: [mentee, mentor]
"""
TOPICS = ("housing", "trust", "work")


def _sentence(document: int, person: int, line: int) -> str:
    topic = TOPICS[(document + person + line) % 3]
    return f"In group {document} I said number {line} about {topic} and it was person {person} talking."


@pytest.fixture
def focus_groups(invoke, tmp_path: Path) -> Path:
    """Four focus groups of five participants each (mentees and mentors), 33 coded sentences between them."""
    path = tmp_path / "fg.qdb"
    write(tmp_path / "fg.yaml", CODEBOOK)
    with Project.create(path) as project:
        import_codebook(project, load_codebook(tmp_path / "fg.yaml"), tmp_path / "fg.yaml")
    sheet = ["document,speaker,participant,group"]
    coded = []
    for d in range(1, 5):
        lines = ["Facilitator: Tell me what changed."]
        for p in range(1, 6):
            name = f"P{d}{p}"
            sheet.append(f"fg{d}.txt,{name},{name},{'mentee' if p <= 3 else 'mentor'}")
            for n in range(1, 3):
                lines.append(f"{name}: {_sentence(d, p, n)}")
                if (d, p, n) not in ((1, 1, 2), (2, 3, 1), (2, 5, 2), (3, 2, 2), (3, 4, 1), (4, 1, 1), (4, 5, 2)):
                    coded.append((f"fg{d}.txt", TOPICS[(d + p + n) % 3], _sentence(d, p, n)))  # 33 of 40
        write(tmp_path / "in" / f"fg{d}.txt", "\n".join(lines) + "\n")
    write(tmp_path / "people.csv", "\n".join(sheet) + "\n")
    assert invoke("import", path, tmp_path / "in", "--participants", tmp_path / "people.csv").exit_code == 0
    for document, code, text in coded:
        assert invoke("code", path, "--coder", "amira", "--document", document, "--code", code, "--match",
                      text).exit_code == 0  # fmt: skip
    write(tmp_path / "framework.yaml", FRAMEWORK)
    return path


def _pack(path: Path, framework: Path, **options) -> dict:
    with Project.open(path) as project:
        return build_findings(project, load_framework(framework), counted(project, ["amira"]), **options)


def test_quotes_are_chosen_per_participant_and_distinct_across_questions(focus_groups: Path, tmp_path) -> None:
    with Project.open(focus_groups) as project:
        coded = project.db.execute("SELECT count(DISTINCT document_id || ':' || start) FROM coding").fetchone()[0]
    assert coded == 33
    data = _pack(focus_groups, tmp_path / "framework.yaml")
    quotes = [" ".join(r["text"].split()) for q in data["questions"] for s in q["specifics"] for r in s["quotes"]]
    assert len(set(quotes)) >= 20 and len(quotes) == len(set(quotes))  # 24 places, no quote twice
    whole = _pack(focus_groups, tmp_path / "framework.yaml", quotes=40)["questions"][0]["specifics"][0]["quotes"]
    assert len(whole) == 33  # every coded quote can be quoted: candidates are bounded per participant
    speakers = [r["speakers"][0] for r in whole]
    assert all(a != b for a, b in zip(speakers, speakers[1:], strict=False))  # never twice in a row
    first = [r["speakers"][0] for r in data["questions"][0]["specifics"][0]["quotes"]]
    assert len(set(first)) == len(first)  # six quotes, six participants


def test_quotations_are_cut_with_ellipses_and_attributed_as_a_report_writes_them(study: Path, invoke,
                                                                                 tmp_path: Path) -> None:  # fmt: skip
    assert invoke("code", study, "--coder", "amira", "--document", "fg.txt", "--code", "trust", "--match",
                  "people more").exit_code == 0  # fmt: skip  (the middle of Liam's sentence)
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    out = tmp_path / "pack.md"
    assert invoke("report", study, "--framework", framework, "-o", out, "--coder", "amira", "--quotes", "20").exit_code == 0
    text = out.read_text(encoding="utf-8")
    body, appendix = text.split("## Appendix C. Quotations")
    assert "> …people more…" in body  # cut at both ends
    assert "> I got my own flat in March." in body  # a whole sentence: no ellipsis
    assert "> — Jade, mentee" in body and "line" not in body.split("## 1.")[1].split("**Gaps**")[0]
    assert "| Jade, mentee | fg.txt, line 2 |" in appendix  # the source, in the appendix
    inline = tmp_path / "inline.md"
    assert invoke("report", study, "--framework", framework, "-o", inline, "--coder", "amira",
                  "--sources", "inline").exit_code == 0  # fmt: skip
    shown = inline.read_text(encoding="utf-8")
    assert "> — Jade, mentee (fg.txt, line 2)" in shown and "Appendix C. Quotations" not in shown


def test_plain_words_and_every_coders_code_memos(study: Path, invoke, tmp_path: Path) -> None:
    from qualcode.coding.memos import set_memo

    with Project.open(study, write=True) as project:
        set_memo(project, "code", "housing", project.coder_id("ben"), "Hostels count as housing.")
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    for suffix in (".md", ".html", ".docx"):
        out = tmp_path / f"pack{suffix}"
        assert invoke("report", study, "--framework", framework, "-o", out, "--coder", "amira").exit_code == 0
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs) if suffix == ".docx" else (
            out.read_text(encoding="utf-8"))  # fmt: skip
        assert "Coded by: amira." in text and "--coder" not in text and "--coders" not in text
        assert "Housing — memo by ben: Hostels count as housing." in text  # ben's memo, amira's codings


def test_the_methods_appendix_compares_the_double_coders_only(demo_copy: Path, invoke, tmp_path: Path) -> None:
    with Project.open(demo_copy, write=True) as project:  # a practice coder who coded one document
        practice = project.coder_id("practice")
        document = project.db.execute("SELECT id FROM document ORDER BY id LIMIT 1").fetchone()[0]
        project.db.execute("INSERT INTO coding (document_id, code_id, coder_id, start, \"end\", origin, created_at) "
                           "SELECT document_id, code_id, ?, start, \"end\", 'manual', created_at FROM coding WHERE coder_id = "
                           "(SELECT id FROM coder WHERE name = 'amira') AND document_id = ? LIMIT 1",
                           [practice, document])  # fmt: skip
        project.db.conn.commit()
    out = tmp_path / "pack.md"
    assert invoke("report", demo_copy, "-o", out, "--framework",
                  Path(__file__).parent.parent / "codebooks" / "mentoring-evaluation-framework.yaml").exit_code == 0
    methods = out.read_text(encoding="utf-8").split("## Appendix D. Methods")[1]
    assert "Agreement between amira and ben, who coded independently" in methods
    assert "Not compared, having coded few of the documents the others coded: practice (1 document(s))" in methods
    assert "| All codes (pooled) |" in methods and "| AC1 |" in methods
    assert "kappa paradox" in methods  # 99.9% agreement beside an alpha of 0.00 is explained
    assert "Coded by: the consensus of amira and ben." in methods
    assert "The consensus is never compared" in methods


def test_participants_without_a_group_are_counted_as_such(study: Path, invoke, tmp_path: Path) -> None:
    with Project.open(study, write=True) as project:
        project.db.execute("UPDATE participant SET stakeholder_group = NULL WHERE pseudonym = 'Jade'")
        project.db.conn.commit()
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    out = tmp_path / "pack.md"
    assert invoke("report", study, "--framework", framework, "-o", out, "--coder", "amira").exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "| Outcome | Mentees | Mentors | No group | Excerpts | Documents |" in text
    assert "| Housing | 1/2 (50%) | 0/2 | 1/1 (100%) |" in text  # Dee's tenancy; Jade, in no group
    assert "No group 1" in text and "1 participant(s) have no stakeholder group" in text
    assert "| No group | Jade |" in text


def test_charts_have_a_title_a_scale_direct_labels_and_full_names() -> None:
    long = "Signposting to and support with other interventions across several agencies and partners"
    rows = [{"name": long, "depth": 1, "participants": 1,
             "cells": {g: {"participants": 1, "group_participants": 9, "share": 1 / 9} for g in ("a", "b")}},
            {"name": "Nothing", "depth": 0, "participants": 0,
             "cells": {g: {"participants": 0, "group_participants": 9, "share": 0.0} for g in ("a", "b")}}]  # fmt: skip
    labels = {"a": "Mentees", "b": "National stakeholders"}
    lines = layout(rows, ["a", "b"], labels)["rows"][0]["lines"]
    assert " ".join(lines) == long and len(lines) > 1  # wrapped, never cut
    assert all(w in long.split() for line in lines for w in line.split())
    svg = chart_svg(rows, ["a", "b"], labels)
    assert "Participants with evidence" in svg and "50%" in svg and "100%" in svg
    assert "Mentees 1/9" in svg and "National stakeholders 1/9" in svg  # told apart without colour
    assert "Nothing" not in svg  # an outcome with no evidence is named under the chart, not drawn
    assert wrap("supercalifragilistic word", 10) == ["supercalifragilistic", "word"]


def test_no_output_file_is_replaced_without_force(study: Path, invoke, tmp_path: Path) -> None:
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    existing = write(tmp_path / "hand-edited.md", "my edits\n")
    commands = [
        ["report", study, "--framework", framework, "--coder", "amira"],
        ["export", "quotes", study, "--coder", "amira"],
        ["export", "frequencies", study, "--coder", "amira"],
        ["export", "evidence-map", study, "--coder", "amira"],
        ["export", "cooccurrence", study, "--coder", "amira"],
        ["codebook", "export", study],
        ["agreement", study, "--coders", "amira,ben"],
    ]
    for command in commands:
        target = existing.with_suffix(".yaml") if command[0] == "codebook" else existing
        target.write_text("my edits\n")
        refused = invoke(*command, "-o", target)
        assert refused.exit_code == 1 and "already exists; give --force to replace it" in refused.output, command
        assert target.read_text() == "my edits\n"
        assert invoke(*command, "-o", target, "--force").exit_code == 0, command
        assert target.read_text() != "my edits\n"
    backup = write(tmp_path / "copy.qdb", "mine")
    assert invoke("backup", study, "-o", backup).exit_code == 1 and backup.read_text() == "mine"
    assert invoke("backup", study, "-o", backup, "--force").exit_code == 0 and backup.read_bytes()[:6] == b"SQLite"
    unguarded = [name for name, command in _commands(cli) if {p.name for p in command.params} & set(OUTPUTS)
                 and "--force" not in [o for p in command.params for o in getattr(p, "opts", [])]]  # fmt: skip
    assert unguarded == []  # every command that writes a file takes --force, and so refuses without it


def _commands(group, prefix: str = ""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield prefix + name, command


def test_the_workbench_asks_before_replacing_a_file(demo_copy: Path, tmp_path: Path) -> None:
    out = write(tmp_path / "pack.md", "hand-edited\n")

    async def scenario(answer: str) -> str:
        app, _ = recording_app(demo_copy)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask_for_the_pack(app, pilot, out)
            asked = screen_text(app)
            await pilot.press(answer)
            await pilot.pause()
            if answer == "n":  # asked for another name, the old one offered again: give up
                await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
        return asked

    asked = asyncio.run(scenario("n"))
    assert "pack.md already exists" in asked and "Replace it?" in asked
    assert out.read_text() == "hand-edited\n"
    asyncio.run(scenario("y"))
    assert out.read_text().startswith("# Evaluation of mentoring")


@pytest.mark.skipif(not (OFFICE and PDFTOTEXT), reason="LibreOffice and pdftotext are not installed")
def test_rendered_through_libreoffice_no_table_word_is_broken(demo_copy: Path, invoke, tmp_path: Path) -> None:
    framework = Path(__file__).parent.parent / "codebooks" / "mentoring-evaluation-framework.yaml"
    files = {"pack.docx": ["report", demo_copy, "--framework", framework],
             "frequencies.docx": ["export", "frequencies", demo_copy],
             "map.docx": ["export", "evidence-map", demo_copy]}  # fmt: skip
    for name, command in files.items():
        assert invoke(*command, "-o", tmp_path / name).exit_code == 0
        assert broken_words(tmp_path / name, tmp_path) == [], name
