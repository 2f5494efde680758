"""Every output counts a passage by the same rule, in every format, and says its numbers the same way.

A focus group of eight mentees in which one sentence of Ann's is coded trust twice over by amira (two
overlapping codings), once more by ben, and housing by amira and carol where it overlaps: one trust passage,
one housing passage, one place where they meet, one participant of eight (12.5%, written "13%" everywhere,
as Excel shows it) — whichever coders are counted, and in the quote bank, the frequency table, the evidence
map, co-occurrence, the presence matrix and the findings pack, read back from each file with its own library.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import SMALL_FRAMEWORK, write

from qualcode.project.store import Project

MENTEES = ["Ann", "Bob", "Cara", "Dina", "Eddy", "Fern", "Gus", "Hal"]
FOCUS_GROUP = "Facilitator: What changed?\n" + "".join(
    f"{name}: {'My mentor was always there for me, so I trust people now.' if name == 'Ann' else 'Not much.'}\n"
    for name in MENTEES
)
ANN = "My mentor was always there for me, so I trust people now."


@pytest.fixture
def counted_study(invoke, project_path: Path, tmp_path: Path) -> Path:
    write(tmp_path / "in" / "fg.txt", FOCUS_GROUP)
    assert invoke("import", project_path, tmp_path / "in", "--group", "mentee").exit_code == 0
    start = FOCUS_GROUP.index(ANN)
    end = start + len(ANN)
    trust_at = FOCUS_GROUP.index("I trust")
    for coder, code, a, b in (
        ("amira", "trust", start, end),  # the whole sentence
        ("amira", "trust", start + 3, end - 1),  # and again, overlapping: the same passage
        ("ben", "trust", start, trust_at),  # another coder, overlapping
        ("amira", "housing", trust_at, end),  # a second code where the first is
        ("carol", "housing", trust_at + 2, end),
    ):
        result = invoke("code", project_path, "--coder", coder, "--document", "fg.txt", "--code", code,
                        "--start", a, "--end", b)  # fmt: skip
        assert result.exit_code == 0, result.output
    write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    assert invoke("framework", project_path, tmp_path / "framework.yaml").exit_code == 0
    return project_path


def _quotes(path: Path) -> list[tuple[str, str]]:
    """(code, text) for every excerpt, as the file's own reader sees it."""
    if path.suffix == ".json":
        return [(r["code"], r["text"]) for r in json.loads(path.read_text(encoding="utf-8"))]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [(r["Code id"], r["Quote"]) for r in csv.DictReader(handle)]
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path)["Quotes"]
        rows = list(sheet.iter_rows(values_only=True))
        return [(r[rows[0].index("Code id")], r[rows[0].index("Quote")]) for r in rows[1:]]
    if path.suffix == ".md":
        found, code = [], None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("### "):
                code = line[4:].split(" > ")[-1].lower()
            elif line.startswith("> ") and not line.startswith("> —"):
                found.append((code, line[2:]))
        return found
    document = docx.Document(str(path))
    found, code = [], None
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 2":
            code = paragraph.text.split(" > ")[-1].lower()
        elif paragraph.style.name == "Quote":
            found.append((code, paragraph.text))
    return found


@pytest.mark.parametrize("whose", [["--coder", "amira"], ["--coders", "all"]])
def test_one_passage_is_one_excerpt_in_every_quote_bank(counted_study: Path, invoke, tmp_path: Path,
                                                        whose: list[str]) -> None:  # fmt: skip
    for suffix in (".json", ".csv", ".xlsx", ".md", ".docx"):
        out = tmp_path / f"q{suffix}"
        assert invoke("export", "quotes", counted_study, "-o", out, *whose).exit_code == 0
        found = _quotes(out)
        assert sorted(code for code, _ in found) == ["housing", "trust"], (suffix, found)
        trust = next(text for code, text in found if code == "trust")
        assert trust.endswith("I trust people now.") and trust.startswith("My mentor"), suffix


def _frequency_rows(path: Path) -> dict[str, tuple[str, ...]]:
    """code -> (excerpts, participants, of, share as shown) for the mentee group, from each format."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {r["code"]: (str(r["excerpts"]), str(r["participants"]), str(r["group_participants"]), "")
                for r in rows}  # fmt: skip
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {r["Code id"]: (r["Excerpts"], r["Participants"], r["Of the group's participants"], "")
                    for r in csv.DictReader(handle)}  # fmt: skip
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path)["Frequencies"]
        head = [c.value for c in sheet[1]]
        out = {}
        for row in sheet.iter_rows(min_row=2):
            value = dict(zip(head, row, strict=True))
            assert value["Share"].number_format == "0%"  # a number Excel shows half up
            out[value["Code id"].value] = (str(value["Excerpts"].value), str(value["Participants"].value),
                                           str(value["Of the group's participants"].value), "")  # fmt: skip
        return out
    names = {"Outcomes": "outcomes", "Housing": "housing", "Trust": "trust"}
    if path.suffix == ".md":
        out = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells and cells[0] in names:
                found = re.fullmatch(r"(\d+) of (\d+) \((\d+%)\)", cells[3])
                assert found, line
                out[names[cells[0]]] = (cells[2], found[1], found[2], found[3])
        return out
    if path.suffix == ".html":
        out = {}
        for cells in re.findall(r"<tr><td>(.*?)</td></tr>", path.read_text(encoding="utf-8")):
            cell = cells.split("</td><td>")
            if cell[0] in names:
                out[names[cell[0]]] = (cell[2], cell[3], cell[4], cell[5])
        return out
    table = docx.Document(str(path)).tables[0]
    return {names[r.cells[0].text]: (r.cells[2].text, r.cells[3].text, r.cells[4].text, r.cells[5].text)
            for r in table.rows[1:]}  # fmt: skip


@pytest.mark.parametrize("whose", [["--coder", "amira"], ["--coders", "all"]])
def test_the_same_passage_counts_once_in_every_frequency_table(counted_study: Path, invoke, tmp_path: Path,
                                                               whose: list[str]) -> None:  # fmt: skip
    for suffix in (".json", ".csv", ".xlsx", ".md", ".html", ".docx"):
        out = tmp_path / f"f{suffix}"
        assert invoke("export", "frequencies", counted_study, "-o", out, *whose).exit_code == 0
        found = _frequency_rows(out)
        for code in ("outcomes", "housing", "trust"):  # the parent: its sub-codes' overlapping passages, once
            excerpts, participants, of, share = found[code]
            assert (excerpts, participants, of) == ("1", "1", "8"), (suffix, code, found[code])
            assert share in ("", "13%"), (suffix, share)  # 1 of 8 is 12.5%: half up, as Excel shows it


def test_the_evidence_map_cooccurrence_matrix_and_findings_pack_agree(counted_study: Path, invoke,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    for n, whose in enumerate((["--coder", "amira"], ["--coders", "all"])):
        tmp_path = tmp_path.parent / f"{tmp_path.name}-{n}"
        tmp_path.mkdir()
        out = tmp_path / "e.json"
        assert invoke("export", "evidence-map", counted_study, "-o", out, *whose).exit_code == 0
        cells = {r["code"]: r["cells"]["mentee"] for r in json.loads(out.read_text(encoding="utf-8"))["rows"]}
        assert (cells["trust"]["participants"], cells["trust"]["group_participants"]) == (1, 8)
        assert invoke("export", "evidence-map", counted_study, "-o", tmp_path / "e.md", *whose).exit_code == 0
        assert "| · Trust | 1/8 |" in (tmp_path / "e.md").read_text(encoding="utf-8")
        html = tmp_path / "e.html"
        assert invoke("export", "evidence-map", counted_study, "-o", html, *whose).exit_code == 0
        assert "13%" in html.read_text(encoding="utf-8") and "12%" not in html.read_text(encoding="utf-8")
        matrix = tmp_path / "c.csv"
        assert invoke("export", "cooccurrence", counted_study, "-o", matrix, *whose).exit_code == 0
        with matrix.open(encoding="utf-8-sig", newline="") as handle:
            rows = {r["code"]: r for r in csv.DictReader(handle)}
        assert rows["trust"]["housing"] == "1" and rows["housing"]["trust"] == "1"  # one place, however coded
        behind = tmp_path / "cell.json"
        assert invoke("export", "cooccurrence", counted_study, "-o", behind, "--cell", "housing,trust",
                      *whose).exit_code == 0  # fmt: skip
        assert len(json.loads(behind.read_text(encoding="utf-8"))) == 1
        people = tmp_path / "p.csv"
        assert invoke("export", "matrix", counted_study, "-o", people, "--per", "participant",
                      *whose).exit_code == 0  # fmt: skip
        with people.open(encoding="utf-8-sig", newline="") as handle:
            marked = {r["participant"]: r["trust"] for r in csv.DictReader(handle)}
        assert marked == {name: "1" if name == "Ann" else "0" for name in MENTEES}
        for suffix in (".md", ".html", ".docx"):
            pack = tmp_path / f"pack{suffix}"
            assert invoke("report", counted_study, "-o", pack, *whose).exit_code == 0
            if suffix == ".docx":
                rows = [[c.text for c in r.cells] for t in docx.Document(str(pack)).tables for r in t.rows]
            else:
                text = pack.read_text(encoding="utf-8")
                rows = [[c.strip() for c in re.split(r"\|", line)[1:-1]] for line in text.splitlines()
                        if line.startswith("| Housing")] if suffix == ".md" else [
                    re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", text, re.S)
                    if "Housing" in row]  # fmt: skip
            housing = [r for r in rows if r and r[0].strip() == "Housing"]
            assert housing, suffix
            assert housing[0][1] == "1/8 (13%)" and housing[0][-2] == "1", (suffix, housing[0])


def test_undefined_statistics_are_a_dash_in_every_table_a_person_reads(study: Path, invoke, tmp_path: Path) -> None:
    """The reports' study: nothing varies for "Outcomes" in the one document both coders coded."""
    for suffix in (".md", ".csv", ".json"):
        out = tmp_path / f"a{suffix}"
        result = invoke("agreement", study, "--coders", "amira,ben", "-o", out)
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8-sig")
        assert "None" not in text and not re.search(r"\bnan\b", text.lower())
        if suffix == ".md":
            assert "| outcomes | Outcomes | — |" in text
        if suffix == ".json":
            assert any(r["cohen_kappa"] is None for r in json.loads(text))


def test_the_consensus_is_never_compared_with_the_coders_it_was_made_from(counted_study: Path, invoke,
                                                                          tmp_path: Path) -> None:  # fmt: skip
    with Project.open(counted_study, write=True) as project:
        from qualcode.coding.codings import add_coding

        add_coding(project, 1, "trust", project.coder_id("consensus"), 0, 5)
    result = invoke("agreement", counted_study, "--coders", "consensus,amira")
    assert result.exit_code == 1 and "settled coding" in result.output
    pack = tmp_path / "pack.md"
    assert invoke("report", counted_study, "-o", pack, "--coders", "all").exit_code == 0
    methods = pack.read_text(encoding="utf-8").split("## Appendix D. Methods")[1]
    assert "Agreement between amira, ben and carol" in methods and "consensus," not in methods
    assert "| All codes (pooled) |" in methods


def test_the_same_data_give_the_same_coefficients_through_both_agreement_commands(study: Path, invoke,
                                                                                  tmp_path: Path) -> None:  # fmt: skip
    """A reliability table written by hand from the project — one row per sentence of the documents either
    coder coded, 1 where a coder's coding of the code overlaps it, 0 where it does not, empty where that coder
    has not coded the document — gives what ``agreement`` gives, AC1 and Brennan-Prediger included, even for a
    code where no 0 happened to be written."""
    report = json.loads(invoke("agreement", study, "--coders", "amira,ben", "--json").output)
    with Project.open(study) as project:
        coded = {coder: {r[0] for r in project.db.execute(
            "SELECT document_id FROM coding c JOIN coder r ON r.id = c.coder_id WHERE r.name = ?", [coder])}
            for coder in ("amira", "ben")}  # fmt: skip
        documents = sorted(coded["amira"] | coded["ben"])
        segments = project.db.execute(
            f'SELECT document_id, start, "end" FROM segment WHERE document_id IN ({",".join("?" * len(documents))})',
            documents,
        ).fetchall()
        for row in report["per_code"]:
            table = tmp_path / f"{row['code']}.csv"
            lines = ["amira,ben"]
            for document, start, end in segments:
                values = ["" if document not in coded[coder] else str(int(project.db.execute(
                    'SELECT 1 FROM coding c JOIN coder r ON r.id = c.coder_id WHERE r.name = ? AND c.code_id = ? '
                    'AND c.document_id = ? AND c.start < ? AND c."end" > ?', [coder, row["code"], document, end, start]
                ).fetchone() is not None)) for coder in ("amira", "ben")]  # fmt: skip
                lines.append(",".join(values))
            table.write_text("\n".join(lines) + "\n", encoding="utf-8")
            theirs = json.loads(invoke("agreement", "table", table, "--json", "--bootstrap", 0).output)
            for name in ("krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "percent_agreement"):
                assert theirs[name] == pytest.approx(row[name]) if row[name] is not None else theirs[name] is None
            for name in ("gwet_ac1", "brennan_prediger", "percent_agreement_pairwise"):
                assert theirs[name]["value"] == pytest.approx(row[name]["value"]), (row["code"], name)
    everyone_applied = tmp_path / "ones.csv"  # every unit coded by both: nothing but 1s in the file
    everyone_applied.write_text("amira,ben\n1,1\n1,1\n1,1\n", encoding="utf-8")
    ones = json.loads(invoke("agreement", "table", everyone_applied, "--json", "--bootstrap", 0).output)
    assert ones["categories"] == ["0", "1"] and ones["gwet_ac1"]["value"] == 1.0
    assert ones["brennan_prediger"]["value"] == 1.0
    labels = tmp_path / "labels.csv"
    labels.write_text("amira,ben\nyes,yes\nyes,yes\n", encoding="utf-8")
    said = json.loads(invoke("agreement", "table", labels, "--json", "--bootstrap", 0).output)
    assert said["gwet_ac1"]["value"] is None and "--categories" in said["gwet_ac1"]["reason"]
    scaled = json.loads(invoke("agreement", "table", labels, "--json", "--bootstrap", 0, "--categories", "yes,no").output)
    assert scaled["gwet_ac1"]["value"] == 1.0 and scaled["categories"] == ["no", "yes"]


def test_a_report_reads_one_moment_while_another_process_codes(counted_study: Path) -> None:
    """Everything a report reads comes from one snapshot: a coding another process commits half-way through is
    in none of the report's parts (not in the quotes when it is not in the counts), and in the next report."""
    import subprocess
    import sys

    from qualcode.reports.excerpts import Filters, excerpts
    from qualcode.reports.frequencies import frequencies
    from qualcode.reports.snapshot import snapshot

    bob = FOCUS_GROUP.index("Bob: ") + len("Bob: ")
    with Project.open(counted_study) as project, snapshot(project) as study:
        before = {r["code"]: r["participants"] for r in frequencies(study, "*", ["amira"])}
        added = subprocess.run([sys.executable, "-m", "qualcode", "code", str(counted_study), "--coder", "amira",
                                "--document", "fg.txt", "--code", "trust", "--start", str(bob),
                                "--end", str(bob + 9)], capture_output=True, text=True)  # fmt: skip
        assert added.returncode == 0, added.stderr
        quotes = excerpts(study, Filters(codes=["trust"], coders=["amira"]))
        again = {r["code"]: r["participants"] for r in frequencies(study, "*", ["amira"])}
    assert before == again and before["trust"] == 1 and len(quotes) == 1
    with Project.open(counted_study) as project:
        assert {r["code"]: r["participants"] for r in frequencies(project, "*", ["amira"])}["trust"] == 2
