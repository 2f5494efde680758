"""REFI-QDA positions outside the Basic Multilingual Plane, read by an independent reader, and speaker turns
that no reader warns about.

The standard (REFI-QDA 1.5) counts positions in code points; NVivo counts UTF-16 code units (an emoji counts
two) and pyqdpx, written against NVivo's files, does the same; QualCoder counts code points. qualcode writes UTF-16 units, as NVivo, and reads both: by the origin it names, and where
a source has such characters, by whichever unit lands the selections on the words their names quote.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import write

from qualcode.exchange.turns import RECORD, utf16_positions
from qualcode.exchange.values import read_value, variable_type

pyqdpx = pytest.importorskip("pyqdpx")

TRANSCRIPT = (
    "Interviewer: How did the first weeks go?\n"
    "Dee: 😀🎉🎉 honestly and the mentor helped me sort the housing. I got my own flat in May.\n"
    "Interviewer: And now?\n"
    "Dee: Still 🙂 there, 𝒯 and the trust is real now, she never once let me down.\n"
)


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def emoji_project(invoke, tmp_path: Path, project_path: Path) -> Path:
    transcript = write(tmp_path / "dee_emoji.txt", TRANSCRIPT)
    assert invoke("import", project_path, transcript, "--group", "mentee").exit_code == 0
    for code, words in (("housing", "the mentor helped me sort the housing"), ("trust", "the trust is real now")):
        result = invoke("code", project_path, "--coder", "ann", "--document", "dee_emoji.txt", "--code", code,
                        "--match", words)  # fmt: skip
        assert result.exit_code == 0, result.output
    return project_path


def coded(path: Path) -> list[tuple[str, str]]:
    return sorted(rows(path, 'SELECT c.code_id, substr(d.text, c.start + 1, c."end" - c.start) FROM coding c '
                             "JOIN document d ON d.id = c.document_id"))  # fmt: skip


def read_with_pyqdpx(archive: Path) -> dict[str, list[str]]:
    """Every coded selection's text as pyqdpx quotes it, by code name (its zero-width markers for the second
    UTF-16 unit of a character removed)."""
    project = pyqdpx.QDPX(str(archive)).get_project()
    found: dict[str, list[str]] = {}
    for source in project.sources.values():
        for selection in source.coded_selections.values():
            found.setdefault(selection.code.name, []).append(selection.text.replace("\u200b", ""))
    return found


def test_pyqdpx_quotes_the_right_words_past_emoji(emoji_project: Path, invoke, tmp_path: Path, capsys) -> None:
    archive = tmp_path / "emoji.qdpx"
    assert invoke("export", "qdpx", emoji_project, "-o", archive).exit_code == 0
    capsys.readouterr()
    quoted = read_with_pyqdpx(archive)
    assert "Warning" not in capsys.readouterr().out  # turns are no selections without codings
    assert quoted == {"Housing": ["the mentor helped me sort the housing"], "Trust": ["the trust is real now"]}
    with zipfile.ZipFile(archive) as zipped:
        qde = zipped.read("project.qde").decode("utf-8")
    assert 'origin="qualcode 0.1 (UTF-16 positions)"' in qde
    text = rows(emoji_project, "SELECT text FROM document")[0][0]
    start = text.index("the mentor")
    assert f'startPosition="{start + 3}"' in qde  # three emoji before it: three more UTF-16 units than code points


def test_qualcode_reads_its_own_file_back_at_the_same_words(emoji_project: Path, invoke, tmp_path: Path) -> None:
    archive = tmp_path / "emoji.qdpx"
    assert invoke("export", "qdpx", emoji_project, "-o", archive).exit_code == 0
    result = invoke("import-qdpx", tmp_path / "back.qdb", archive, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["mismatches"] == []
    assert coded(tmp_path / "back.qdb") == coded(emoji_project) == [
        ("housing", "the mentor helped me sort the housing"), ("trust", "the trust is real now")]  # fmt: skip
    assert rows(tmp_path / "back.qdb", "SELECT speaker, role FROM turn ORDER BY seq") == rows(
        emoji_project, "SELECT speaker, role FROM turn ORDER BY seq")  # fmt: skip


def rewritten(archive: Path, target: Path, origin: str, in_code_points: bool) -> Path:
    """The same archive as another tool would write it: another origin, and positions in code points (as
    QualCoder, and qualcode before it wrote UTF-16) or left in UTF-16 units."""
    with zipfile.ZipFile(archive) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    qde = files["project.qde"].decode("utf-8").replace('origin="qualcode 0.1 (UTF-16 positions)"', f'origin="{origin}"')
    text = next(v for k, v in files.items() if k.startswith("sources/")).decode("utf-8")
    to_points = {utf16_positions(text)(i): i for i in range(len(text) + 1)}
    if in_code_points:
        qde = re.sub(r'(start|end)Position="(\d+)"', lambda m: f'{m[1]}Position="{to_points[int(m[2])]}"', qde)
        qde = re.sub(re.escape(RECORD) + r"[^<]*", "", qde)  # an older file had no turn record
    files["project.qde"] = qde.encode("utf-8")
    with zipfile.ZipFile(target, "w") as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return target


@pytest.mark.parametrize(
    ("origin", "in_code_points"),
    [
        ("qualcode 0.1", True),  # what qualcode wrote before: code points, said by its origin
        ("QualCoder 3.6", True),  # code points, as the standard's readers in Python count
        ("MAXQDA 2022", False),  # a tool that does not say: UTF-16 units, found from the selections' quotes
        ("NVivo 14 (Windows)", False),  # UTF-16 units, said by its origin
    ],
)
def test_both_units_are_read_at_the_right_words(emoji_project: Path, invoke, tmp_path: Path, origin: str,
                                                in_code_points: bool) -> None:  # fmt: skip
    archive = tmp_path / "emoji.qdpx"
    assert invoke("export", "qdpx", emoji_project, "-o", archive).exit_code == 0
    other = rewritten(archive, tmp_path / "other.qdpx", origin, in_code_points)
    result = invoke("import-qdpx", tmp_path / "back.qdb", other, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["mismatches"] == [], result.output
    assert coded(tmp_path / "back.qdb") == coded(emoji_project)


def test_the_demo_reads_silently_and_exactly_in_pyqdpx(demo_copy: Path, invoke, tmp_path: Path, capsys) -> None:
    archive = tmp_path / "demo.qdpx"
    assert invoke("export", "qdpx", demo_copy, "-o", archive).exit_code == 0
    capsys.readouterr()
    quoted = read_with_pyqdpx(archive)
    assert "Warning" not in capsys.readouterr().out
    expected: dict[str, list[str]] = {}
    for name, quote in rows(demo_copy, 'SELECT k.name, substr(d.text, c.start + 1, c."end" - c.start) FROM coding c '
                                       "JOIN code k ON k.id = c.code_id JOIN document d ON d.id = c.document_id"):
        expected.setdefault(name, []).append(quote)
    assert {k: sorted(v) for k, v in quoted.items()} == {k: sorted(v) for k, v in expected.items()}


def test_a_damaged_turn_record_falls_back_to_finding_speakers(emoji_project: Path, invoke, tmp_path: Path) -> None:
    archive = tmp_path / "emoji.qdpx"
    assert invoke("export", "qdpx", emoji_project, "-o", archive).exit_code == 0
    with zipfile.ZipFile(archive) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    for damage in ("[[0,5,", "[[9999,99999,null,\"participant\",null,null,null]]",
                   "[[0,30,\"A\",\"participant\",\"A\",null,null],[10,40,\"B\",\"participant\",\"B\",null,null]]"):
        qde = re.sub(re.escape(RECORD) + r"[^<]*", RECORD + damage.replace('"', "&quot;"),
                     files["project.qde"].decode("utf-8"))
        target = tmp_path / "damaged.qdpx"
        with zipfile.ZipFile(target, "w") as zipped:
            for name, data in {**files, "project.qde": qde.encode("utf-8")}.items():
                zipped.writestr(name, data)
        project = tmp_path / f"back-{len(damage)}.qdb"
        result = invoke("import-qdpx", project, target, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["speakers"] == "detect"  # found in the text, as for any file
        assert rows(project, "SELECT speaker, role FROM turn ORDER BY seq") == rows(
            emoji_project, "SELECT speaker, role FROM turn ORDER BY seq")  # fmt: skip
        assert coded(project) == coded(emoji_project)


def test_values_keep_their_types() -> None:
    assert variable_type([1, 2]) == "Integer" and variable_type([1, 2.5]) == "Float"
    assert variable_type([True, False]) == "Boolean" and variable_type(["2024-06-03"]) == "Date"
    assert variable_type(["34", 34]) == variable_type(["engaged"]) == variable_type([True, 1]) == "Text"
    from xml.etree import ElementTree as ET

    def value(tag: str, text: str) -> object:
        holder = ET.fromstring(f'<VariableValue><VariableRef targetGUID="x"/><{tag}>{text}</{tag}></VariableValue>')
        return read_value(holder)

    assert value("IntegerValue", "1") == 1 and value("FloatValue", "2.50") == 2.5
    assert value("BooleanValue", "true") is True and value("BooleanValue", "0") is False
    assert value("TextValue", "1") == "1" and value("DateValue", "2024-06-03") == "2024-06-03"
    assert value("IntegerValue", "lots") == "lots"  # another tool's odd number: kept as written


def test_utf16_positions() -> None:
    units = utf16_positions("a😀b🎉c")
    assert [units(i) for i in range(6)] == [0, 1, 3, 4, 6, 7]
    assert "a😀b🎉c".encode("utf-16-le")[2 * units(4) :].decode("utf-16-le") == "c"
