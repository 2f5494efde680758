"""The findings pack: the evaluation framework file, the numbers per question and group (checked against the
excerpts, an independent path), the choice of quotes, the gaps, and the Word, HTML and Markdown files opened
back with their own libraries."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import CODEBOOKS, SMALL_FRAMEWORK, ask_for_the_pack, recording_app, screen_text, write

from qualcode.findings.build import build_findings
from qualcode.findings.framework import check_framework, load_framework
from qualcode.project.store import Project
from qualcode.reports.counting import counted
from qualcode.reports.excerpts import Filters, excerpts


@pytest.fixture
def framework(tmp_path: Path) -> Path:
    return write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)


def findings(study: Path, framework: Path, coders: list[str] | None = None, everyone: bool = False, **kw):
    with Project.open(study) as project:
        loaded = load_framework(framework)
        check_framework(project, loaded)
        return build_findings(project, loaded, counted(project, coders, everyone), **kw)


def specific(data, specific_id: str):
    return next(s for q in data["questions"] for s in q["specifics"] if s["id"] == specific_id)


# -- the framework file ------------------------------------------------------------------------------------


def test_the_shipped_framework_loads_and_fits_the_shipped_codebooks(demo_study: Path) -> None:
    shipped = next(CODEBOOKS.glob("*framework*.yaml"))
    loaded = load_framework(shipped)
    assert len(loaded.questions) == 5 and sum(len(q.specifics) for q in loaded.questions) >= 10
    with Project.open(demo_study) as project:
        assert check_framework(project, loaded) == []
        codes = {r[0] for r in project.db.execute("SELECT id FROM code")}
    assert {"psp-mt-less-duplication", "psp-mt-fewer-gaps", "psp-mt-referral-routes"} <= codes
    assert {"pr-duration", "pr-disengagement", "pr-attrition-comparison"} <= codes


@pytest.mark.parametrize(
    "change, line, message",
    [
        (
            ("        codes: [housing]", "        codez: [housing]"),
            9,
            "unknown field 'codez' in a specific question (did you mean 'codes'?)",
        ),
        (
            ("      - id: q1-all", "      - id: q1-housing"),
            11,
            "question id 'q1-housing' is used twice (first on line 7)",
        ),
        (("        question: Did housing improve?\n", ""), 7, "missing 'question'"),
        (
            ("        groups: [mentee, mentor]\n      - id: q1-all", "        groups: []\n      - id: q1-all"),
            10,
            "'groups' must be a non-empty list",
        ),
        (("  - id: q1\n", "  - id: Q 1\n"), 4, "must be a slug"),
        (("title: Small", "title: [Small"), None, "not valid YAML"),
    ],
)
def test_a_bad_framework_is_refused_with_file_and_line(tmp_path: Path, change, line, message) -> None:
    path = write(tmp_path / "bad.yaml", SMALL_FRAMEWORK.replace(*change))
    with pytest.raises(Exception) as error:
        load_framework(path)
    assert message in str(error.value)
    if line is not None:
        assert str(error.value).startswith(f"{path}:{line}:")


def test_codes_and_groups_are_checked_against_the_project(study: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "f.yaml", SMALL_FRAMEWORK.replace("codes: [housing]", "codes: [housnig]").replace(
        "groups: [mentee, mentor]\n      - id: q1-all", "groups: [mentees, partner]\n      - id: q1-all"))  # fmt: skip
    with Project.open(study) as project:
        with pytest.raises(
            Exception, match=r"f.yaml:9: question 'q1-housing': unknown code 'housnig' \(did you mean 'housing'\?\)"
        ):
            check_framework(project, load_framework(path))
        fixed = load_framework(write(tmp_path / "g.yaml", path.read_text().replace("housnig", "housing")))
        warnings = check_framework(project, fixed)
    assert fixed.questions[0].specifics[0].groups[0] == "mentee"  # "mentees" is the project's "mentee"
    assert len(warnings) == 1 and "no participant in group 'partner'" in warnings[0]


# -- the numbers ---------------------------------------------------------------------------------------------


def test_evidence_per_group_as_counted_by_hand(study: Path, framework: Path) -> None:
    data = findings(study, framework, ["amira"])
    housing = specific(data, "q1-housing")
    row = housing["rows"][0]
    # amira coded housing for Jade (fg) and Dee (m1); the facilitator's question credits no one
    assert row["cells"]["mentee"] == {"participants": 2, "group_participants": 3, "share": 2 / 3, "excerpts": 2,
                                      "documents": 2}  # fmt: skip
    assert row["cells"]["mentor"]["participants"] == 0
    every = specific(data, "q1-all")
    assert [(r["code"], r["depth"]) for r in every["rows"]] == [("outcomes", 0), ("housing", 1), ("trust", 1)]
    trust = every["rows"][2]  # one passage across Liam's and Bernie's turns (two groups), and Dee's in m2
    assert (trust["participants"], trust["excerpts"], trust["documents"]) == (3, 2, 2)
    parent = every["rows"][0]["cells"]  # rolled up: Jade, Dee, Liam; Bernie
    assert (parent["mentee"]["participants"], parent["mentor"]["participants"]) == (3, 1)
    both = findings(study, framework, everyone=True)  # ben's coding of Mel's words counts too
    assert specific(both, "q1-housing")["rows"][0]["cells"]["mentor"]["participants"] == 1


def test_the_evidence_agrees_with_the_excerpts_behind_it(demo_study: Path) -> None:
    """The table's participants per code and group, recounted from the quote bank (attribution, not tally)."""
    shipped = next(CODEBOOKS.glob("*framework*.yaml"))
    with Project.open(demo_study) as project:
        loaded = load_framework(shipped)
        check_framework(project, loaded)
        data = build_findings(project, loaded, counted(project, everyone=True))
        for question in data["questions"]:
            for item in question["specifics"]:
                for row in item["rows"]:
                    rows = excerpts(project, Filters(codes=[row["code"]], coders=["amira", "ben", "consensus"]))
                    people = {}
                    for excerpt in rows:
                        for name in excerpt["speakers"]:
                            group = project.db.execute(
                                "SELECT stakeholder_group FROM participant WHERE pseudonym = ?", [name]
                            ).fetchone()[0]
                            people.setdefault(group, set()).add(name)
                    for group, cell in row["cells"].items():
                        assert cell["participants"] == len(people.get(group, ())), (row["code"], group)


def test_quotes_key_first_spread_and_never_the_same_person_twice_in_a_row(demo_copy: Path, invoke) -> None:
    shipped = next(CODEBOOKS.glob("*framework*.yaml"))
    data = findings(demo_copy, shipped, ["consensus"])
    seen_key = False
    for question in data["questions"]:
        for item in question["specifics"]:
            quotes = item["quotes"]
            assert len(quotes) <= 6
            flags = [q["key_quote"] for q in quotes]
            assert flags == sorted(flags, reverse=True)  # key quotes first
            seen_key |= any(flags)
            for a, b in zip(quotes, quotes[1:], strict=False):
                assert not set(a["speakers"]) & set(b["speakers"])
            assert all(q["speakers"] for q in quotes)  # only quotes credited to a participant
    assert seen_key
    only = findings(demo_copy, shipped, ["consensus"], key_quotes_only=True)
    assert all(q["key_quote"] for question in only["questions"] for s in question["specifics"] for q in s["quotes"])


def test_gaps_are_stated_in_words(study: Path, framework: Path) -> None:
    data = findings(study, framework, ["amira"])
    gaps = specific(data, "q1-housing")["gaps"]
    assert any(g.startswith("No evidence from Mentors (0 of 2)") for g in gaps), gaps
    every = specific(data, "q1-all")["gaps"]
    assert any("Mentors spoke to this question, but not to “Housing”" in g for g in every), every


# -- the files -----------------------------------------------------------------------------------------------


def test_the_word_file_is_a4_with_properties_styles_quotes_and_charts(study: Path, framework: Path, invoke,
                                                                       tmp_path: Path) -> None:  # fmt: skip
    with Project.open(study, write=True) as project:
        star = project.db.execute("SELECT id FROM coding WHERE code_id = 'trust' AND coder_id = 1 LIMIT 1").fetchone()
        project.db.execute("UPDATE coding SET key_quote = 1 WHERE id = ?", star)
        project.db.conn.commit()
    out = tmp_path / "findings.docx"
    result = invoke(
        "report", study, "--framework", framework, "-o", out, "--coder", "amira", "--author", "Evaluation team"
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.core_properties.title == "Small study findings"
    assert document.core_properties.author == "Evaluation team"
    styles = {p.style.name for p in document.paragraphs}
    assert {"Findings quote", "Findings attribution", "Findings gap", "Heading 1", "Heading 2"} <= styles
    quotes = [p for p in document.paragraphs if p.style.name == "Findings quote"]
    assert quotes and any(p.runs[0].text.startswith("★ Key quote") for p in quotes)
    assert all(p.runs[-1].italic is not False for p in quotes)
    assert not document.styles["Findings definition"].font.italic  # definitions are not set like quotes
    assert len(document.inline_shapes) == 2  # a chart per question with evidence
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Did housing improve?" in text and "Appendix C. Quotations" in text and "Appendix D. Methods" in text
    tables = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["Outcome", "Mentees", "Mentors", "Excerpts", "Documents"] in tables
    with zipfile.ZipFile(out) as archive:
        assert any(n.endswith(".png") for n in archive.namelist())
    letter = tmp_path / "letter.docx"
    assert (
        invoke(
            "report", study, "--framework", framework, "-o", letter, "--coder", "amira", "--paper", "letter"
        ).exit_code
        == 0
    )
    assert round(docx.Document(str(letter)).sections[0].page_width.mm, 1) == 215.9


def test_html_and_markdown(study: Path, framework: Path, invoke, tmp_path: Path) -> None:
    page, text = tmp_path / "f.html", tmp_path / "f.md"
    assert invoke("report", study, "--framework", framework, "-o", page, "--coder", "amira").exit_code == 0
    assert invoke("report", study, "--framework", framework, "-o", text, "--coder", "amira").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "Mentees" in html and "<th>Mentors</th>" in html
    assert "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html)  # nothing fetched
    markdown = text.read_text(encoding="utf-8")
    assert "### 1.1 Did housing improve?" in markdown and "| Housing | 2/3 (67%) | 0/2 |" in markdown


def test_redaction_coder_choice_and_errors(study: Path, framework: Path, invoke, tmp_path: Path) -> None:
    names = write(tmp_path / "names.txt", "Dee\nJade\n")
    out = tmp_path / "r.md"
    assert (
        invoke("report", study, "--framework", framework, "-o", out, "--coder", "amira", "--redact", names).exit_code
        == 0
    )
    redacted = out.read_text(encoding="utf-8")
    assert "Dee" not in redacted and "Jade" not in redacted
    several = invoke("report", study, "--framework", framework, "-o", out, "--force")
    assert several.exit_code == 1 and "amira" in several.output and "ben" in several.output
    assert (
        invoke("report", study, "--framework", framework, "-o", tmp_path / "r.pdf", "--coder", "amira").exit_code == 1
    )
    none = invoke("report", study, "-o", out, "--coder", "amira", "--force")
    assert none.exit_code == 1 and "qualcode framework" in none.output


def test_labels_and_a_framework_kept_in_the_project(study: Path, framework: Path, invoke, tmp_path: Path) -> None:
    assert invoke("label", study, "mentees", "Young people on probation").exit_code == 0
    wrong = invoke("label", study, "mentr", "Mentors")
    assert wrong.exit_code == 1 and "did you mean 'mentor'" in wrong.output
    kept = invoke("framework", study, framework)
    assert kept.exit_code == 0 and "kept in" in kept.output
    out = tmp_path / "kept.md"
    assert invoke("report", study, "-o", out, "--coder", "amira").exit_code == 0
    assert "Young people on probation" in out.read_text(encoding="utf-8")
    assert invoke("label", study, "North", "North site", "--attribute", "site").exit_code == 0
    assert (
        invoke("export", "frequencies", study, "--by", "site", "--coder", "amira", "-o", tmp_path / "f.html").exit_code
        == 0
    )
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert "<td>North site</td>" in page and "<td>South</td>" in page  # a value without a label, as it is


def test_the_demo_gives_a_findings_pack(demo_copy: Path, invoke, tmp_path: Path) -> None:
    shipped = next(CODEBOOKS.glob("*framework*.yaml"))
    out = tmp_path / "findings.docx"
    result = invoke("report", demo_copy, "--framework", shipped, "-o", out)
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Were resources invested as planned" in text and "National stakeholders" in text
    assert "Lead organisation staff" in text  # the demo's labels
    assert "Agreement between amira and ben, who coded independently" in text  # the consensus is counted
    assert "Coded by: the consensus of amira and ben." in text and "--coder" not in text


# -- in the workbench ---------------------------------------------------------------------------------------


def test_the_framework_view_marks_gaps_and_writes_the_pack(demo_copy: Path, tmp_path: Path) -> None:
    import asyncio

    from qualcode.tui import make_app
    from qualcode.tui.framework import FrameworkScreen

    out = tmp_path / "pack.html"

    async def scenario() -> str:
        app = make_app(demo_copy, coder="amira", user="tester")
        async with app.run_test(size=(120, 40)) as pilot:
            for key in ("r", "g"):
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            assert isinstance(app.screen, FrameworkScreen)
            shown = screen_text(app)
            await pilot.press("w")
            await pilot.pause()
            await pilot.press("ctrl+a", "ctrl+k", *str(out), "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            return shown

    shown = asyncio.run(scenario())
    assert "1.1" in shown and "⚠" in shown and "Were money, time, staff" in shown
    assert out.exists() and "<h1>Evaluation of mentoring" in out.read_text(encoding="utf-8")


def test_cancelling_the_pack_leaves_no_file(demo_copy: Path, tmp_path: Path, monkeypatch) -> None:
    import asyncio

    from qualcode.tui import dialogs

    real = dialogs.ProgressDialog.__init__

    def cancelled_at_once(self, title: str) -> None:  # as if Esc were pressed before the first question
        real(self, title)
        self.cancelled.set()

    monkeypatch.setattr(dialogs.ProgressDialog, "__init__", cancelled_at_once)
    out = tmp_path / "pack.docx"

    async def scenario() -> list[str]:
        app, said = recording_app(demo_copy)
        async with app.run_test(size=(120, 40)) as pilot:
            await ask_for_the_pack(app, pilot, out)
            await app.workers.wait_for_complete()
            await pilot.pause()
        return said

    said = asyncio.run(scenario())
    assert not out.exists() and not list(tmp_path.glob("*partial*"))
    assert any("Cancelled: pack.docx not written" in s for s in said), said
