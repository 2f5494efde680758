"""Coders in reports, explicitly: never several coders' codings added up without a word, a passage several
coders coded once, and every export saying whose codings it counts. Memos written in the workbench reach
every quote-bank format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from qualcode.coding.memos import set_memo
from qualcode.project.store import Project
from qualcode.team.reconcile import resolve

ALL = "Coded by: amira and ben (a passage both coded with one code counts once)."  # in a file, in plain words


@pytest.fixture
def overlapping(invoke, study: Path) -> Path:
    """The reports study, where ben also codes trust: Dee's sentence exactly as amira did, and part of the
    passage amira coded across Liam's and Bernie's turns."""
    for text, document in (("I trust my mentor completely.", "m2.txt"), ("It took ages.", "fg.txt")):
        coded = invoke("code", study, "--coder", "ben", "--document", document, "--code", "trust", "--match", text)
        assert coded.exit_code == 0
    return study


def test_several_coders_and_no_choice_stop_and_ask(invoke, overlapping: Path, tmp_path: Path) -> None:
    for command in (("quotes",), ("frequencies",), ("evidence-map",), ("cooccurrence",), ("matrix",)):
        out = tmp_path / ("e.md" if command[0] == "evidence-map" else "x.json")
        result = invoke("export", *command, overlapping, "-o", out)
        assert result.exit_code == 1, command
        assert "this project has 2 coders (amira, ben): say whose codings to count" in result.output
        assert "--coders all" in result.output and not out.exists()
    unknown = invoke("export", "quotes", overlapping, "-o", tmp_path / "q.json", "--coder", "bem")
    assert unknown.exit_code == 1 and "unknown coder 'bem'" in unknown.output and "did you mean 'ben'" in unknown.output


def test_one_coder_chosen_counts_that_coder(invoke, overlapping: Path, tmp_path: Path) -> None:
    result = invoke("export", "quotes", overlapping, "-o", tmp_path / "q.json", "--code", "trust", "--coder", "ben")
    assert result.exit_code == 0 and "Codings by ben (as chosen)" in result.output
    rows = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert [(r["text"], r["coder"]) for r in rows] == [
        ("It took ages.", "ben"),
        ("I trust my mentor completely.", "ben"),
    ]


def test_all_coders_merge_a_passage_into_one_excerpt(invoke, overlapping: Path, tmp_path: Path) -> None:
    assert invoke("export", "quotes", overlapping, "--coders", "all", "-o", tmp_path / "q.json",
                  "--code", "trust").exit_code == 0  # fmt: skip
    rows = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert [(r["text"], r["coders"], r["speakers"]) for r in rows] == [
        ("It took ages.\nBernie: As a mentor I trust", ["amira", "ben"], ["Liam", "Bernie"]),  # the union
        ("I trust my mentor completely.", ["amira", "ben"], ["Dee"]),
    ]
    assert rows[0]["coder"] == "amira; ben" and len(rows[1]["coding_ids"]) == 2
    assert invoke("export", "quotes", overlapping, "--coders", "all", "-o", tmp_path / "q.docx").exit_code == 0
    quotes = [p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs if p.style.name == "Quote"]
    trust = [q for q in quotes if "trust" in q]
    assert len(trust) == len(set(trust)) == 2  # no quote twice
    frequencies = {
        (r["code"], r["group"]): r for r in _json(invoke, overlapping, tmp_path, "frequencies", "--coders", "all")
    }
    assert frequencies[("trust", "mentee")]["excerpts"] == 2  # Liam's passage and Dee's, not four
    separately = {
        (r["code"], r["group"]): r for r in _json(invoke, overlapping, tmp_path, "frequencies", "--coder", "amira")
    }
    assert separately[("trust", "mentee")]["excerpts"] == 2
    assert frequencies[("trust", "mentee")]["participants"] == separately[("trust", "mentee")]["participants"] == 2


def _json(invoke, project: Path, tmp_path: Path, kind: str, *options: str) -> list[dict]:
    out = tmp_path / f"{kind}.json"
    result = invoke("export", kind, project, "-o", out, "--force", *options)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_consensus_coder_is_counted_when_there_is_one(invoke, overlapping: Path, tmp_path: Path) -> None:
    with Project.open(overlapping, write=True) as project:
        row = {"document": "m2.txt", "code": "trust", "start": 0, "end": 30}
        resolve(project, row, ["amira", "ben"], "both")
    result = invoke("export", "quotes", overlapping, "-o", tmp_path / "q.json")
    assert result.exit_code == 0 and "Codings by consensus (the consensus coder" in result.output
    assert {r["coder"] for r in json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))} == {"consensus"}


def test_every_export_says_whose_codings_it_counts(invoke, overlapping: Path, tmp_path: Path) -> None:
    for suffix in (".docx", ".md", ".xlsx", ".csv", ".json"):
        assert invoke("export", "quotes", overlapping, "--coders", "all", "-o", tmp_path / f"q{suffix}").exit_code == 0
    heading = docx.Document(str(tmp_path / "q.docx")).paragraphs[1].text  # project · date · whose codings
    assert heading.startswith(f"{overlapping.name} · ") and heading.endswith(ALL)
    assert docx.Document(str(tmp_path / "q.docx")).core_properties.comments == ALL
    assert f"{ALL}*" in (tmp_path / "q.md").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(tmp_path / "q.xlsx")
    assert book["About"]["A1"].value == ALL and book.properties.description == ALL
    with (tmp_path / "q.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert "amira; ben" in {row["Coded by"] for row in csv.DictReader(handle)}
    for suffix in (".md", ".html", ".xlsx", ".json"):
        assert (
            invoke("export", "evidence-map", overlapping, "--coder", "amira", "-o", tmp_path / f"e{suffix}").exit_code
            == 0
        )
    alone = "Coded by: amira."
    assert alone in (tmp_path / "e.md").read_text(encoding="utf-8") and alone in (tmp_path / "e.html").read_text(
        "utf-8"
    )
    assert openpyxl.load_workbook(tmp_path / "e.xlsx")["About"]["A1"].value == alone
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["coders"] == ["amira"]
    rows = _json(invoke, overlapping, tmp_path, "frequencies", "--coder", "amira")
    assert {tuple(r["coders"]) for r in rows} == {("amira",)}


def test_frequencies_carry_the_share_of_the_group(invoke, overlapping: Path, tmp_path: Path) -> None:
    rows = {(r["code"], r["group"]): r for r in _json(invoke, overlapping, tmp_path, "frequencies", "--coder", "amira")}
    trust = rows[("trust", "mentee")]  # Liam and Dee, of the three mentees
    assert (trust["participants"], trust["group_participants"]) == (2, 3) and trust["share"] == pytest.approx(2 / 3)
    assert invoke("export", "frequencies", overlapping, "--coder", "amira", "-o", tmp_path / "f.md").exit_code == 0
    assert "| Trust | Mentees | 2 | 2 of 3 (67%) | 2 |" in (tmp_path / "f.md").read_text(encoding="utf-8")


def test_memos_written_in_the_workbench_reach_every_quote_bank(invoke, overlapping: Path, tmp_path: Path) -> None:
    """A memo on a coding written with m (the memo table) and one given with qualcode code --memo (the coding's
    own field) both travel with the quote."""
    with Project.open(overlapping, write=True) as project:
        coding = project.db.execute(
            "SELECT c.id FROM coding c JOIN coder r ON r.id = c.coder_id WHERE r.name = 'amira' AND c.code_id = 'trust' "
            "AND c.document_id = (SELECT id FROM document WHERE name = 'm2.txt')").fetchone()[0]  # fmt: skip
        set_memo(project, "coding", coding, project.coder_id("amira"), "Said twice, unprompted.")
    coded = invoke("code", overlapping, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match",
                   "I kept it", "--memo", "From the code command.")  # fmt: skip
    assert coded.exit_code == 0
    for suffix in (".json", ".csv", ".xlsx", ".docx", ".md"):
        assert invoke("export", "quotes", overlapping, "--coder", "amira", "--code", "trust", "-o",
                      tmp_path / f"q{suffix}").exit_code == 0  # fmt: skip
    rows = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert {r["document"]: r["memo"] for r in rows if r["memo"]} == {
        "m2.txt": "Said twice, unprompted.",
        "m1.txt": "From the code command.",
    }
    with (tmp_path / "q.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert "Said twice, unprompted." in {row["Memo"] for row in csv.DictReader(handle)}
    sheet = openpyxl.load_workbook(tmp_path / "q.xlsx")["Quotes"]
    header = [c.value for c in sheet[1]]
    assert "Said twice, unprompted." in [
        row[header.index("Memo")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert "Memo: Said twice, unprompted." in [p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs]
    assert "Memo: From the code command." in (tmp_path / "q.md").read_text(encoding="utf-8")


def test_memos_on_codes_and_documents_are_there_for_reports(overlapping: Path) -> None:
    from qualcode.coding.memos import report_memos

    with Project.open(overlapping, write=True) as project:
        amira, ben = project.coder_id("amira"), project.coder_id("ben")
        document = project.db.execute("SELECT id FROM document WHERE name = 'fg.txt'").fetchone()[0]
        set_memo(project, "code", "trust", amira, "Trust in the mentor, not in services.")
        set_memo(project, "document", document, ben, "Recorded in a noisy room.")
        set_memo(project, "project", None, amira, "Fieldwork: May.")
        everyone, only_amira = report_memos(project), report_memos(project, ["amira"])
    assert everyone == {
        "codes": {"trust": ["Trust in the mentor, not in services."]},
        "documents": {"fg.txt": ["Recorded in a noisy room."]},
        "project": {"": ["Fieldwork: May."]},
    }
    assert only_amira["documents"] == {} and only_amira["codes"] == everyone["codes"]
