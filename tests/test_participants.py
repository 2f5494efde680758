"""The participants sheet: read from CSV or XLSX, refused with SHEET:LINE for every inconsistency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import write

from qualcode.errors import QualcodeError
from qualcode.ingest.participants import read_sheet

HEADER = "document,speaker,participant,group,site,gender\n"


def test_csv_rows_and_attributes(tmp_path: Path) -> None:
    sheet = read_sheet(
        write(
            tmp_path / "p.csv",
            HEADER + "a.txt,Dee,Dee,mentee,North,f\na.txt,Sam,,interviewer,,\nb.txt,Dee,Dee,mentee,North,\n",
        )
    )
    assert [(r.line, r.document, r.speaker, r.participant, r.group, r.attributes) for r in sheet.rows] == [
        (2, "a.txt", "Dee", "Dee", "mentee", {"site": "North", "gender": "f"}),
        (3, "a.txt", "Sam", "", "interviewer", {}),
        (4, "b.txt", "Dee", "Dee", "mentee", {"site": "North"}),
    ]


def test_cp1252_and_semicolon_csv(tmp_path: Path) -> None:
    text = "document;speaker;participant;group;site\na.txt;Zoë;Zoë;mentee;Café\n"
    sheet = read_sheet(write(tmp_path / "p.csv", text, "cp1252"))
    assert sheet.rows[0].participant == "Zoë" and sheet.rows[0].attributes == {"site": "Café"}


def test_xlsx_with_typed_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Document", "Speaker", "Participant", "Group", "Age", "Interviewed"])
    sheet.append(["a.txt", "Dee", "Dee", "mentee", 34, dt.datetime(2024, 5, 1)])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["b.docx", "", "Org-1", "partner_organisation", None, None])
    path = tmp_path / "p.xlsx"
    book.save(path)
    rows = read_sheet(path).rows
    assert rows[0].attributes == {"age": 34, "interviewed": "2024-05-01"}
    assert (rows[1].line, rows[1].speaker, rows[1].participant) == (4, "", "Org-1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("document,speaker,group\na.txt,Dee,mentee\n", r"p\.csv:1: missing column 'participant'"),
        (HEADER + "a.txt,Dee,Dee,,North,f\n", r"p\.csv:2: participant 'Dee' has no group"),
        (HEADER + "a.txt,Dee,,mentee,North,f\n", r"p\.csv:2: speaker 'Dee' in 'a.txt' has no participant"),
        (
            HEADER + "a.txt,Dee,Dee,mentee,,\na.txt,Dee,D2,mentee,,\n",
            r"p\.csv:3: speaker 'Dee' in 'a.txt' is already mapped on line 2",
        ),
        (
            HEADER + "a.txt,Dee,Dee,mentee,,\nb.txt,Dee,Dee,mentor,,\n",
            r"p\.csv:3: participant 'Dee' is in group 'mentor' here but 'mentee' on line 2",
        ),
        (
            HEADER + "a.txt,Dee,Dee,mentee,North,\nb.txt,Dee,Dee,mentee,South,\n",
            r"p\.csv:3: participant 'Dee' has site='South'",
        ),
        (HEADER + ",Dee,Dee,mentee,,\n", r"p\.csv:2: no document named"),
        ("\n\n", r"p\.csv: no text in file"),
        ("document,speaker,participant,group,site,site\n", "column 'site' appears twice"),
    ],
)
def test_bad_sheets(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(QualcodeError, match=message):
        read_sheet(write(tmp_path / "p.csv", content))


def test_sheet_file_problems(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match="no such participants sheet"):
        read_sheet(tmp_path / "missing.csv")
    with pytest.raises(QualcodeError, match=r"must be \.csv or \.xlsx"):
        read_sheet(write(tmp_path / "p.ods", "x"))
    with pytest.raises(QualcodeError, match="not a readable .xlsx"):
        read_sheet(write(tmp_path / "p.xlsx", "not a workbook"))
