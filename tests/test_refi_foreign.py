"""Foreign projects: an NVivo export of video notes (a real file), QualCoder's Markdown sources, NVivo for Mac's
empty sources, cases that name who spoke, and an export every reader gets every coding from."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path
from xml.etree import ElementTree as ET

REAL = Path(__file__).parent / "data" / "refi-qda" / "real"
NS = "{urn:QDA-XML:project:1.0}"
G = "bbbbbbbb-0000-4000-8000-0000000000{:02d}"


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def project(origin: str, sources: list[tuple[str, str]], selections: str = "", cases: str = "", codes: int = 2) -> str:
    """A project.qde as the named tool writes one: ``sources`` are (name, guid suffix) pairs."""
    code_xml = "".join(f'<Code guid="{G.format(80 + n)}" name="code {n}" isCodable="true"/>' for n in range(codes))
    source_xml = "".join(
        f'<TextSource guid="{G.format(n)}" name="{name}" plainTextPath="internal://{G.format(n)}.txt">'
        + (selections if n == 1 else "") + "</TextSource>"
        for name, n in sources
    )  # fmt: skip
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}">'
            f'<Users><User guid="{G.format(90)}" name="Ana"/></Users><CodeBook><Codes>{code_xml}</Codes></CodeBook>'
            f"{cases}<Sources>{source_xml}</Sources></Project>")  # fmt: skip


def archive(tmp_path: Path, qde: str, texts: dict[int, str]) -> Path:
    target = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(target, "w") as zipped:
        zipped.writestr("project.qde", qde)
        for n, text in texts.items():
            zipped.writestr(f"sources/{G.format(n)}.txt", text.encode("utf-8"))
    return target


def selection(n: int, start: int, end: int, code: int = 0) -> str:
    return (f'<PlainTextSelection guid="{G.format(n)}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{G.format(90)}"><Coding guid="{G.format(n + 20)}" creatingUser="{G.format(90)}">'
            f'<CodeRef targetGUID="{G.format(80 + code)}"/></Coding></PlainTextSelection>')  # fmt: skip


def test_an_nvivo_project_of_video_notes_invents_no_one(invoke, tmp_path: Path) -> None:
    path = tmp_path / "nvivo.qdb"
    result = invoke("import-qdpx", path, REAL / "nvivo-windows-12.6.qdpx")
    assert result.exit_code == 0, result.output
    assert "2 documents, 152 codes, 303 codings, 0 participants" in result.output
    assert "speakers: none" in result.output
    assert rows(path, "SELECT kind, count(*) FROM document GROUP BY kind") == [("other", 2)]
    ids = {r[0] for r in rows(path, "SELECT id FROM code")}
    assert {"sarga", "zold"} <= ids and not any("-rga" in i or i == "z-ld" for i in ids)
    assert invoke("check", path).exit_code == 0
    detected = tmp_path / "detected.qdb"
    result = invoke("import-qdpx", detected, REAL / "nvivo-windows-12.6.qdpx", "--speakers", "detect")
    assert result.exit_code == 0 and "speakers: detect" in result.output
    assert rows(detected, "SELECT count(*) FROM participant")[0][0] > 10  # what detection makes of video notes


def test_qualcoder_markdown_sources_keep_their_front_matter(invoke, tmp_path: Path) -> None:
    text = "---\ntitle: Mentee 4\nsite: North\n---\nInterviewer: How was it?\nMentee: I have hope now.\n"
    start = text.index("hope")
    qde = project("QualCoder 3.6", [("mentee4.md", 1)], selection(10, start, start + 4))
    result = invoke("import-qdpx", tmp_path / "q.qdb", archive(tmp_path, qde, {1: text}), "--json")
    assert result.exit_code == 0, result.output
    stored = rows(
        tmp_path / "q.qdb",
        'SELECT substr(d.text, c.start + 1, c."end" - c.start) FROM coding c JOIN document d ON d.id = c.document_id',
    )
    assert stored == [("hope",)]
    assert rows(tmp_path / "q.qdb", "SELECT text FROM document") == [(text,)]


def test_empty_sources_are_empty_documents_and_the_codes_stay(invoke, tmp_path: Path) -> None:
    qde = project("NVivo for Mac 12.4", [("video 1", 1), ("video 2", 2)], codes=5)
    result = invoke("import-qdpx", tmp_path / "m.qdb", archive(tmp_path, qde, {1: "", 2: ""}))
    assert result.exit_code == 0, result.output
    assert "5 codes" in result.output and "source 'video 1' has no text" in result.output
    assert rows(tmp_path / "m.qdb", "SELECT count(*) FROM code")[0][0] == 5
    assert rows(tmp_path / "m.qdb", "SELECT name, text FROM document") == [("video 1", "")]
    assert invoke("check", tmp_path / "m.qdb").exit_code == 0


def test_cases_say_who_spoke(invoke, tmp_path: Path) -> None:
    text = "Thanks for coming. How was it?\nIt was hard at first.\nAnd now?\nNow I have hope.\n"
    first, second = text.index("It was"), text.index("Now I")
    picks = (f'<PlainTextSelection guid="{G.format(40)}" startPosition="{first}" endPosition="{first + 21}"/>'
             f'<PlainTextSelection guid="{G.format(41)}" startPosition="{second}" endPosition="{second + 16}"/>'
             + selection(10, second + 11, second + 15))  # fmt: skip
    cases = (f'<Cases><Case guid="{G.format(60)}" name="Respondent 1"><SelectionRef targetGUID="{G.format(40)}"/>'
             f'<SelectionRef targetGUID="{G.format(41)}"/></Case></Cases>')  # fmt: skip
    qde = project("MAXQDA 2022", [("interview.txt", 1)], picks, cases)
    path = tmp_path / "c.qdb"
    result = invoke("import-qdpx", path, archive(tmp_path, qde, {1: text}))
    assert result.exit_code == 0 and "speakers: cases" in result.output, result.output
    turns = json.loads(invoke("turns", path, "interview.txt", "--json").output)
    assert [(t["role"], t["participant"]) for t in turns] == [
        ("none", None), ("participant", "Respondent 1"), ("none", None), ("participant", "Respondent 1")
    ]  # fmt: skip
    assert rows(path, "SELECT pseudonym FROM participant") == [("Respondent 1",)]


def test_an_unknown_speakers_mode_is_refused(invoke, tmp_path: Path) -> None:
    result = invoke("import-qdpx", tmp_path / "x.qdb", REAL / "nvivo-windows-12.6.qdpx", "--speakers", "guess")
    assert result.exit_code == 1 and not (tmp_path / "x.qdb").exists()


def test_every_coding_has_a_selection_of_its_own(demo_copy: Path, invoke, tmp_path: Path) -> None:
    for coder in ("ann", "ben"):
        for n in (3, 4):
            invoke(
                "code",
                demo_copy,
                "--coder",
                coder,
                "--document",
                "mentee_dee_phase1.txt",
                "--code",
                "trust-in-mentor",
                "--segment",
                n,
            )
    out = tmp_path / "all.qdpx"
    assert invoke("export", "qdpx", demo_copy, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as zipped:
        root = ET.fromstring(zipped.read("project.qde"))
    coded = [s for s in root.iter(f"{NS}PlainTextSelection") if s.find(f"{NS}Coding") is not None]
    assert all(len(s.findall(f"{NS}Coding")) == 1 for s in coded)  # a reader that takes one coding gets each
    total = rows(demo_copy, "SELECT count(*) FROM coding")[0][0]
    assert len(coded) == total
    spans = [(s.get("startPosition"), s.get("endPosition")) for s in coded]
    assert len(set(spans)) < len(spans)  # two coders' codings of one passage: two selections
