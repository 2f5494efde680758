"""Redacting identifiers from quotes: spelling variants, possessives, phrases, and no false positives."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from qualcode.errors import QualcodeError
from qualcode.reports.redact import Redactor


def redactor(tmp_path: Path, lines: str) -> Redactor:
    return Redactor.from_file(write(tmp_path / "ids.txt", lines))


def test_variants_possessives_and_phrases(tmp_path: Path) -> None:
    r = redactor(
        tmp_path,
        "Angela => [mentor]\nGreyholm => [prison]\nHarbour Housing => [housing provider]\n"
        "Harbour\nJo\n# comments are ignored\n",
    )
    text = (
        "Angella's car. GREYHOLM was rough, Greyhom too. Harbour Housing and Harbour Street. Jo said so, to Jo’s mum."
    )
    assert r.redact(text) == (
        "[mentor]'s car. [prison] was rough, [prison] too. [housing provider] and "
        "[redacted] Street. [redacted] said so, to [redacted]’s mum."
    )
    assert r.counts == {"Angela": 1, "Greyholm": 2, "Harbour Housing": 1, "Harbour": 1, "Jo": 2}
    assert r.total == 7


def test_unrelated_words_survive(tmp_path: Path) -> None:
    r = redactor(tmp_path, "Angela\nMark\n")
    text = "The market was angry; I marked it. Angle grinder."
    assert r.redact(text) == text and r.total == 0


def test_bad_lists(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match=r"ids\.txt:1: no identifiers"):
        redactor(tmp_path, "# nothing\n\n")
    with pytest.raises(QualcodeError, match=r"ids\.txt:2: an identifier is missing"):
        redactor(tmp_path, "Angela\n=> [x]\n")


def test_export_with_redaction(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "d" / "m.txt", "Interviewer: Who helped?\nDee: Angela did, at Greyholm. Angela's great.\n")
    invoke("import", project_path, tmp_path / "d", "--group", "mentee")
    invoke(
        "code",
        project_path,
        "--coder",
        "a",
        "--document",
        "m.txt",
        "--code",
        "trust",
        "--match",
        "Angela did, at Greyholm. Angela's great.",
    )
    ids = write(tmp_path / "ids.txt", "Angela => [mentor]\nGreyholm\n")
    result = invoke("export", "quotes", project_path, "-o", tmp_path / "q.md", "--redact", ids)
    assert "redacted 3 occurrence(s): Angela 2, Greyholm 1" in result.output
    page = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "[mentor] did, at [redacted]. [mentor]'s great." in page and "Angela" not in page
    assert (
        "no such redaction list"
        in invoke("export", "quotes", project_path, "-o", tmp_path / "r.md", "--redact", tmp_path / "none.txt").output
    )


def test_redaction_reaches_every_field_a_reader_sees(invoke, project_path: Path, tmp_path: Path) -> None:
    """The quote, the line under it (speaker and attributes), memos and the document's name."""
    import csv
    import json

    import docx

    folder = tmp_path / "d"
    write(folder / "otter_mentee_darren.txt", "Interviewer: Where are you now?\nDarren: I got a flat in Lenton.\n")
    write(
        folder / "sheet.csv",
        "document,speaker,participant,group,site\notter_mentee_darren.txt,Darren,Darren,mentee,Lenton\n",
    )
    assert (
        invoke(
            "import", project_path, folder / "otter_mentee_darren.txt", "--participants", folder / "sheet.csv"
        ).exit_code
        == 0
    )
    coded = invoke("code", project_path, "--coder", "a", "--document", "otter_mentee_darren.txt", "--code", "housing",
                   "--match", "I got a flat in Lenton.", "--memo", "Darren moved to Lenton in May.")  # fmt: skip
    assert coded.exit_code == 0
    ids = write(tmp_path / "ids.txt", "Lenton => [area]\nDarren => [participant]\n")
    for suffix in (".md", ".docx", ".csv", ".json"):
        result = invoke("export", "quotes", project_path, "-o", tmp_path / f"q{suffix}", "--redact", ids,
                        "--redact-report", tmp_path / "report.csv")  # fmt: skip
        assert result.exit_code == 0, result.output
    page = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "> — [participant], mentee, [area] (Interview 1, line 2)" in page and "I got a flat in [area]." in page
    word = "\n".join(p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs)
    everything = page + word + (tmp_path / "q.csv").read_text(encoding="utf-8-sig") + (tmp_path / "q.json").read_text()
    assert "lenton" not in everything.lower() and "darren" not in everything.lower()
    assert json.loads((tmp_path / "q.json").read_text())[0]["memo"] == "[participant] moved to [area] in May."
    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as handle:
        report = list(csv.DictReader(handle))
    fields = {(r["field"], r["identifier"]) for r in report}
    assert {("quote", "Lenton"), ("speaker", "Darren"), ("memo", "Darren"), ("memo", "Lenton"),
            ("document name", "Darren"), ("attribute site", "Lenton"), ("pseudonym", "Darren")} <= fields  # fmt: skip
    assert all(r["replacement"] in ("[area]", "[participant]") for r in report)
    alone = invoke("export", "quotes", project_path, "-o", tmp_path / "x.md", "--redact-report", tmp_path / "r.csv")
    assert alone.exit_code == 1 and "give --redact FILE too" in alone.output


def test_full_names_as_speaker_labels_are_warned_about(invoke, project_path: Path, tmp_path: Path) -> None:
    teams = write(
        tmp_path / "teams.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did you meet your mentor?</v>\n\n"
        "00:00:05.000 --> 00:00:09.000\n<v Joanne Kerr>In prison. She came before I got out.</v>\n",
    )
    result = invoke("import", project_path, teams, "--group", "mentee")
    assert result.exit_code == 0
    assert "1 speaker label(s) look like full names" in result.output and "'Joanne Kerr' (teams.vtt)" in result.output
    assert "participants sheet" in result.output
    plain = write(tmp_path / "m.txt", "Interviewer: Hi?\nDee: Hello.\n")
    assert "full names" not in invoke("import", project_path, plain, "--group", "mentee").output
