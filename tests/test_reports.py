"""Reports on a hand-built study whose every count is written down here (the attribution rule)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qualcode.project.store import Project
from qualcode.reports import tally
from qualcode.reports.excerpts import Filters, excerpts
from qualcode.reports.frequencies import frequencies, reference_frequencies
from qualcode.reports.snapshot import EVERYONE, snapshot
from qualcode.text import whole_words


def table(rows: list[dict]) -> set[tuple]:
    return {
        (r["code"], r["group"], r["excerpts"], r["participants"], r["group_participants"], r["documents"]) for r in rows
    }


def test_frequencies_by_group(study: Path) -> None:
    with Project.open(study, write=True) as project:
        rows = frequencies(project)
    assert table(rows) == {
        ("housing", "mentee", 2, 2, 3, 2),  # Jade (fg), Dee (m1); the facilitator's question counts for no one
        ("housing", "mentor", 1, 1, 2, 1),  # Mel, coded by ben
        ("trust", "mentee", 2, 2, 3, 2),  # Liam (fg, shared passage), Dee (m2)
        ("trust", "mentor", 1, 1, 2, 1),  # Bernie (the same shared passage)
        ("outcomes", "mentee", 4, 3, 3, 3),  # rolled up; Dee's passage coded outcomes and housing counts once
        ("outcomes", "mentor", 2, 2, 2, 1),  # Bernie, Mel
    }


def test_frequencies_per_coder_and_by_attribute(study: Path) -> None:
    with Project.open(study, write=True) as project:
        amira = table(frequencies(project, coders=["amira"]))
        by_site = table(frequencies(project, by="site"))
    assert ("outcomes", "mentor", 1, 1, 2, 1) in amira and ("housing", "mentor", 1, 1, 2, 1) not in amira
    assert ("outcomes", "North", 4, 3, 3, 3) in by_site  # Jade, Bernie, Dee x2 passages; Liam and Mel are South
    assert ("outcomes", "South", 2, 2, 2, 1) in by_site


def test_excerpts_carry_who_said_them(study: Path) -> None:
    with Project.open(study, write=True) as project:
        rows = excerpts(project)
        shared = next(r for r in rows if r["code"] == "trust" and r["document"] == "fg.txt")
        assert (shared["speakers"], shared["groups"]) == (["Liam", "Bernie"], ["mentee", "mentor"])
        facilitator = next(r for r in rows if r["text"] == "Anything else about housing?")
        assert (facilitator["speakers"], facilitator["groups"]) == ([], [])
        assert shared["code_path"] == "Outcomes > Trust" and shared["line"] == 3 and shared["id"].startswith("E")
        parent = excerpts(project, Filters(codes=["outcomes"]))  # a parent filter includes its children
        housing = excerpts(project, Filters(codes=["housing"]))
    assert len(parent) == 7 and {r["coder"] for r in parent} == {"amira", "ben"}
    assert len(housing) == 4


def test_excerpt_filters(study: Path) -> None:
    with Project.open(study, write=True) as project:
        mentors = excerpts(project, Filters(groups=["mentor"]))
        assert sorted(r["text"] for r in mentors) == [
            "It took ages.\nBernie: As a mentor I trust",
            "The housing office knows us now.",
        ]
        assert [r["speakers"] for r in excerpts(project, Filters(codes=["trust"], attributes={"site": ["South"]}))] == [
            ["Liam", "Bernie"]
        ]
        assert len(excerpts(project, Filters(coders=["ben"]))) == 1
        assert len(excerpts(project, Filters(levels=["short_term_outcome"]))) == 3  # outcomes and trust


def test_whole_words() -> None:
    text = "I got my own flat in March."
    assert whole_words(text, 10, 15) == (9, 17)  # "n fla" -> "own flat"
    assert whole_words(text, 0, 5) == (0, 5)


def test_quote_exports_open_back(invoke, study: Path, tmp_path: Path) -> None:
    import csv
    import json

    import docx
    import openpyxl

    for suffix in (".csv", ".xlsx", ".docx", ".md", ".json"):
        result = invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / f"q{suffix}", "--code", "trust")
        assert result.exit_code == 0 and "wrote 2 excerpt(s)" in result.output, result.output
    rows = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert [(r["text"], r["speakers"], r["groups"]) for r in rows] == [
        ("It took ages.\nBernie: As a mentor I trust", ["Liam", "Bernie"], ["mentee", "mentor"]),
        ("I trust my mentor completely.", ["Dee"], ["mentee"]),
    ]
    with (tmp_path / "q.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["Code path"], r["Said by"], r["Group"], r["Site"], r["Document"], r["Line"]) for r in table] == [
        ("Outcomes > Trust", "Liam; Bernie", "Mentees; Mentors", "South; North", "fg.txt", "3"),
        ("Outcomes > Trust", "Dee", "Mentees", "North", "m2.txt", "2"),
    ]  # worded headings, groups by their display names, each attribute a column to filter on
    sheet = openpyxl.load_workbook(tmp_path / "q.xlsx").active
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == 3 and header[:4] == ["Quote", "Said by", "Group", "Site"]
    assert sheet.cell(row=3, column=1).value == "I trust my mentor completely."
    assert sheet.cell(row=2, column=header.index("Said by") + 1).value == "Liam; Bernie"
    document = docx.Document(str(tmp_path / "q.docx"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Short term outcome") in paragraphs and ("Heading 2", "Outcomes > Trust") in paragraphs
    assert ("Quote", "It took ages. Bernie: As a mentor I trust") in paragraphs
    assert ("Quote", "I trust my mentor completely.") in paragraphs
    credits = [text for _, text in paragraphs if text.startswith("— ")]
    assert credits == [
        "— Liam, mentee, South and Bernie, mentor, North (fg.txt, line 3)",
        "— Dee, mentee, North (m2.txt, line 2)",
    ]
    assert "> — Dee, mentee, North (m2.txt, line 2)" in (tmp_path / "q.md").read_text(encoding="utf-8")


def test_frequency_exports_open_back(invoke, study: Path, tmp_path: Path) -> None:
    import json

    import openpyxl

    assert invoke("export", "frequencies", study, "--coders", "all", "-o", tmp_path / "f.json").exit_code == 0
    rows = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert {"code", "group", "excerpts", "participants", "group_participants", "documents"} <= set(rows[0])
    assert (
        invoke("export", "frequencies", study, "--coders", "all", "-o", tmp_path / "f.xlsx", "--by", "site").exit_code
        == 0
    )
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert ["Outcomes", "short term outcome", "North", 4, 3, 3, 1, 3, "amira; ben", "outcomes"] in values
    assert sheet.cell(row=2, column=7).number_format == "0%"  # the share of the group, kept a number
    assert "| Outcomes | Mentees | 4 | 3 of 3 (100%) | 3 |" in (
        invoke("export", "frequencies", study, "--coders", "all", "-o", tmp_path / "f.md")
        and (tmp_path / "f.md").read_text()
    )


def test_bad_exports(invoke, study: Path, tmp_path: Path) -> None:
    assert "export as one of" in invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "q.pdf").output
    assert (
        "no such folder"
        in invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "nope" / "q.csv").output
    )
    assert (
        "unknown code 'trustt'"
        in invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "q.csv", "--code", "trustt").output
    )
    assert (
        "give it as NAME=VALUE"
        in invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "q.csv", "--attribute", "site").output
    )
    assert not list(tmp_path.glob("*.partial*")) and not (tmp_path / "q.csv").exists()


def test_evidence_map(invoke, study: Path, tmp_path: Path) -> None:
    import json

    import openpyxl

    from qualcode.reports.evidence import evidence_map

    with Project.open(study, write=True) as project:
        data = evidence_map(project)
    assert data["groups"] == ["mentee", "mentor"] and data["group_sizes"] == {"mentee": 3, "mentor": 2}
    cells = {
        (r["code"], g): (c["participants"], c["group_participants"])
        for r in data["rows"]
        for g, c in r["cells"].items()
    }
    assert [r["code"] for r in data["rows"]] == ["outcomes", "trust", "housing"]  # short-term, then medium-term
    assert cells == {
        ("outcomes", "mentee"): (3, 3),
        ("outcomes", "mentor"): (2, 2),
        ("trust", "mentee"): (2, 3),
        ("trust", "mentor"): (1, 2),
        ("housing", "mentee"): (2, 3),
        ("housing", "mentor"): (1, 2),
    }
    for suffix in (".md", ".html", ".xlsx", ".json"):
        assert invoke("export", "evidence-map", study, "--coders", "all", "-o", tmp_path / f"e{suffix}").exit_code == 0
    assert "| · Trust | 2/3 | 1/2 |" in (tmp_path / "e.md").read_text(encoding="utf-8")
    page = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert "<svg" in page and ">2/3</td>" in page and "http" not in page  # self-contained
    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    sheet = book["Evidence map"]
    # per group: "3/3" beside the participants, the group's size and the share, as numbers
    assert [c.value for c in sheet[2]] == [
        "Short term outcomes",
        "outcomes",
        "Outcomes",
        "3/3",
        3,
        3,
        1,
        "2/2",
        2,
        2,
        1,
    ]
    assert sheet["D2"].fill.start_color.rgb.endswith("2EA043") and sheet["D3"].fill.start_color.rgb != "00FFFFFF"
    assert sheet["G3"].value == pytest.approx(2 / 3, abs=1e-4) and sheet["G3"].number_format == "0%"
    assert sheet.conditional_formatting  # an Excel colour scale over the shares
    assert json.loads((tmp_path / "e.json").read_text())["rows"][1]["cells"]["mentor"]["participants"] == 1


def test_cooccurrence_overlap_and_same_turn(invoke, study: Path, tmp_path: Path) -> None:
    import json

    from qualcode.reports.matrices import cooccurrence, cooccurrence_matrix

    # in Liam's turn, not overlapping the trust passage that starts later in the same turn
    invoke(
        "code",
        study,
        "--coder",
        "amira",
        "--document",
        "fg.txt",
        "--code",
        "housing",
        "--match",
        "I trust people more now.",
    )
    with Project.open(study, write=True) as project:
        overlapping = cooccurrence(project)
        same_turn = cooccurrence(project, same_turn=True)
    assert [(r["code_a"], r["code_b"], r["document"]) for r in overlapping] == [("housing", "outcomes", "m1.txt")]
    assert sorted((r["code_a"], r["code_b"], r["document"]) for r in same_turn) == [
        ("housing", "outcomes", "m1.txt"),
        ("housing", "trust", "fg.txt"),
    ]
    assert cooccurrence_matrix(same_turn, ["outcomes", "housing", "trust"]) == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert (
        invoke("export", "cooccurrence", study, "--coders", "all", "-o", tmp_path / "c.json", "--same-turn").exit_code
        == 0
    )
    both = "amira and ben (a passage both coded with one code counts once)"  # whose codings, in every file
    assert json.loads((tmp_path / "c.json").read_text()) == [
        {"code": "outcomes", "outcomes": 0, "housing": 1, "trust": 0, "coded_by": both},
        {"code": "housing", "outcomes": 1, "housing": 0, "trust": 1, "coded_by": both},
        {"code": "trust", "outcomes": 0, "housing": 1, "trust": 0, "coded_by": both},
    ]
    assert (
        invoke(
            "export", "cooccurrence", study, "--coders", "all", "-o", tmp_path / "p.json", "--cell", "outcomes,housing"
        ).exit_code
        == 0
    )
    (passage,) = json.loads((tmp_path / "p.json").read_text())
    assert passage["text"] == "I got a tenancy and I kept it." and passage["coder"] == "amira"
    assert (
        "give two known code ids"
        in invoke(
            "export", "cooccurrence", study, "--coders", "all", "-o", tmp_path / "x.json", "--cell", "outcomes"
        ).output
    )


def test_key_quotes(invoke, study: Path, tmp_path: Path) -> None:
    import json

    result = invoke(
        "star",
        study,
        "--coder",
        "amira",
        "--document",
        "m2.txt",
        "--code",
        "trust",
        "--match",
        "I trust my mentor completely.",
    )
    assert result.exit_code == 0 and "starred trust" in result.output
    assert (
        invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "k.json", "--key-quotes").exit_code == 0
    )
    rows = json.loads((tmp_path / "k.json").read_text())
    assert [(r["text"], r["key_quote"]) for r in rows] == [("I trust my mentor completely.", True)]
    invoke(
        "star",
        study,
        "--coder",
        "amira",
        "--document",
        "m2.txt",
        "--code",
        "trust",
        "--match",
        "I trust my mentor completely.",
        "--off",
    )
    invoke("export", "quotes", study, "--coders", "all", "-o", tmp_path / "none.json", "--key-quotes")
    assert json.loads((tmp_path / "none.json").read_text()) == []
    missing = invoke(
        "star",
        study,
        "--coder",
        "amira",
        "--document",
        "m2.txt",
        "--code",
        "housing",
        "--match",
        "I trust my mentor completely.",
    )
    assert missing.exit_code == 1 and "no coding of 'housing'" in missing.output


def test_presence_matrix(invoke, study: Path, tmp_path: Path) -> None:
    import csv

    from qualcode.reports.matrices import presence_matrix

    with Project.open(study, write=True) as project:
        columns, people = presence_matrix(project, "participant")
        _, segments = presence_matrix(project, "segment", coders=["amira"])
    assert columns == ["outcomes", "housing", "trust"]
    assert [(r["participant"], r["group"], r["outcomes"], r["housing"], r["trust"]) for r in people] == [
        ("Bernie", "mentor", 1, 0, 1),
        ("Dee", "mentee", 1, 1, 1),
        ("Jade", "mentee", 1, 1, 0),
        ("Liam", "mentee", 1, 0, 1),
        ("Mel", "mentor", 1, 1, 0),
    ]
    coded = [(r["document"], r["segment"], r["outcomes"], r["housing"], r["trust"]) for r in segments if r["outcomes"]]
    assert coded == [  # the shared passage touches Liam's second sentence and Bernie's sentence
        ("fg.txt", 1, 1, 1, 0),
        ("fg.txt", 3, 1, 0, 1),
        ("fg.txt", 4, 1, 0, 1),
        ("fg.txt", 6, 1, 1, 0),
        ("m1.txt", 1, 1, 1, 0),
        ("m2.txt", 1, 1, 0, 1),
    ]
    assert (
        invoke("export", "matrix", study, "--coders", "all", "-o", tmp_path / "m.csv", "--per", "participant").exit_code
        == 0
    )
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1] == {"participant": "Dee", "group": "mentee", "outcomes": "1", "housing": "1", "trust": "1",
                       "coded_by": "amira and ben (a passage both coded with one code counts once)"}


def test_column_wise_tally_matches_the_reference(study: Path) -> None:
    with Project.open(study, write=True) as project, snapshot(project) as read:
        for by in ("group", "site", EVERYONE):
            for coders in (None, ["amira"], ["ben"], ["nobody"]):
                assert tally.frequencies(read, by, coders) == reference_frequencies(read, by, coders)


def test_column_wise_tally_on_random_codings(demo_copy: Path) -> None:
    """The demo's study, with thousands of random codings of random length (many span several turns, some
    the interviewer's alone), on every level of the codebook: both ways of counting agree exactly."""
    rng = random.Random(11)
    with Project.open(demo_copy, write=True) as project:
        documents = project.db.execute("SELECT id, length(text) FROM document").fetchall()
        codes = [r[0] for r in project.db.execute("SELECT id FROM code")]
        coders = [project.coder_id(name) for name in ("amira", "ben", "carol")]
        rows = set()
        for _ in range(4000):
            document, length = rng.choice(documents)
            start = rng.randrange(length - 1)
            end = min(length, start + rng.choice([5, 40, 200, 900]))
            rows.add((document, rng.choice(codes), rng.choice(coders), start, end))
        child = project.db.execute("SELECT id FROM code WHERE parent = 'st-mentee' LIMIT 1").fetchone()[0]
        for document, _, coder, start, end in sorted(rows)[:300]:  # the same passage under a parent and a child
            rows.add((document, "st-mentee", coder, start, end))
            rows.add((document, child, coder, start, end))
        with project.transaction() as db:
            db.conn.executemany(
                'INSERT OR IGNORE INTO coding(document_id, code_id, coder_id, start, "end", created_at) '
                "VALUES (?, ?, ?, ?, ?, '2026-01-01')",
                sorted(rows),
            )
        with snapshot(project) as read:
            for by in ("group", "engagement", "site", EVERYONE):
                for chosen in (None, ["carol"], ["amira", "ben"]):
                    fast = tally.frequencies(read, by, chosen)
                    assert fast and fast == reference_frequencies(read, by, chosen)


def test_overlapping_turns_fall_back_to_the_reference(study: Path) -> None:
    with Project.open(study, write=True) as project:
        expected = frequencies(project)
        with project.transaction() as db:  # a turn stretched over the next one: no contiguous runs any more
            db.execute('UPDATE turn SET "end" = "end" + 20 WHERE id = (SELECT min(id) FROM turn)')
        with snapshot(project) as read:
            assert tally.frequencies(read) is None
        assert table(frequencies(project)) == table(reference_frequencies(project))
        assert table(frequencies(project)) == table(expected)


def test_reading_excerpts_leaves_no_transaction_open(study: Path) -> None:
    """The workbench shares one connection: a read must not leave an implicit transaction behind, or the
    coder's next writes would nest inside it and be lost when the workbench closes."""
    with Project.open(study, write=True) as project:
        assert excerpts(project, Filters(codes=["housing"]))
        assert not project.db.conn.in_transaction
        with project.transaction() as db:
            db.execute("UPDATE coding SET key_quote = 1")
    with Project.open(study, write=True) as project:
        assert project.db.execute("SELECT min(key_quote) FROM coding").fetchone()[0] == 1
