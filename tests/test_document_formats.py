"""PDF, OpenDocument and RTF transcripts as LibreOffice writes them, files whose content is not what their
name says, and every file a folder import passes over, said with the reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfWriter

from qualcode.errors import QualcodeError
from qualcode.ingest.formats import read_transcript

DATA = Path(__file__).parent / "data" / "transcripts"
WRITTEN = DATA / "libreoffice"


@pytest.mark.parametrize("name", ["rev_interview.odt", "rev_interview.rtf", "rev_interview.pdf"])
def test_documents_keep_their_paragraphs_and_speakers(name: str) -> None:
    transcript = read_transcript(WRITTEN / name, name)
    assert [(t.speaker, t.time_start) for t in transcript.turns] == [
        ("Priya Shah", 3.0), ("Daniel", 11.0), ("Priya Shah", 19.0), ("Daniel", 23.0)
    ]  # fmt: skip
    said = [transcript.text[t.start : t.end] for t in transcript.turns]
    assert said[2] == "What difference did that make?"
    assert said[3] == "Honestly, a big one. Somebody was waiting at the gate."


def test_a_pdf_of_long_turns_is_read_as_paragraphs(invoke, project_path: Path) -> None:
    result = invoke("import", project_path, WRITTEN / "long_turns.pdf", "--group", "mentee", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    row = report["documents"][0]
    assert row["wrapped"] and row["format"] == "pdf"
    assert [s["label"] for s in row["speakers"]] == ["Interviewer", "Dee"]
    turns = json.loads(invoke("turns", project_path, "long_turns.pdf", "--json").output)
    assert len(turns) == 18
    answer = next(t for t in turns if t["segments"][0]["text"].startswith("Um, so it was"))
    dee = [s["text"] for s in answer["segments"]]  # one answer that the page wrapped over several lines
    assert dee[0].startswith("Um, so it was when I was in Greyholm, the women's hall.")
    assert any("\n" in s for s in dee), "a sentence the page wrapped stays one segment"


def test_a_scanned_pdf_is_refused_with_the_reason(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(QualcodeError, match=r"scan.pdf: the PDF has no text layer \(a scanned document\?\)"):
        read_transcript(path, path.name)


@pytest.mark.parametrize(
    ("source", "named", "message"),
    [
        ("rev_interview.rtf", "notes.txt", "the content is an RTF document, not what the .txt extension says"),
        ("rev_interview.pdf", "notes.docx", "the content is a PDF, not what the .docx extension says"),
        ("rev_interview.odt", "notes.docx", "the content is a .odt file, not .docx"),
        ("rev_interview.pdf", "notes.rtf", "the content is a PDF, not what the .rtf extension says"),
        ("rev_interview.rtf", "notes.pdf", "the content is an RTF document, not what the .pdf extension says"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(
    source: str, named: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / named
    shutil.copy(WRITTEN / source, path)
    with pytest.raises(QualcodeError, match=message):
        read_transcript(path, named)


def test_old_word_and_damaged_files(tmp_path: Path) -> None:
    ole = tmp_path / "old.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(QualcodeError, match="password-protected or an old Word file: save it as .docx"):
        read_transcript(ole, ole.name)
    damaged = tmp_path / "cut.pdf"
    damaged.write_bytes((WRITTEN / "rev_interview.pdf").read_bytes()[:900])
    with pytest.raises(QualcodeError, match="cut.pdf: "):
        read_transcript(damaged, damaged.name)
    text = tmp_path / "text.odt"
    text.write_text("Interviewer: hello\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="text.odt: not a .odt file"):
        read_transcript(text, text.name)


def test_a_folder_import_says_what_it_passed_over_and_why(invoke, project_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("rev_interview.odt", "rev_interview.rtf", "rev_interview.pdf"):
        shutil.copy(WRITTEN / name, folder / name)
    (folder / "typed.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (folder / "recording.m4a").write_bytes(b"\0" * 64)
    (folder / "notes.pages").write_bytes(b"PK\x03\x04")
    (folder / "sheet.csv").write_text("document,speaker,participant,group\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "~$typed.docx").write_bytes(b"\0")
    result = invoke("import", project_path, folder, "--group", "mentee", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert sorted(report["imported"]) == ["rev_interview.odt", "rev_interview.pdf", "rev_interview.rtf"]
    why = {row["file"]: row["why"] for row in report["skipped"]}
    assert "save it as .docx" in why["typed.doc"]
    assert why["recording.m4a"].startswith("audio or video")
    assert why["notes.pages"].startswith("unsupported file type, not a transcript format")
    assert "--participants" in why["sheet.csv"]
    assert ".DS_Store" not in why and "~$typed.docx" not in why
    plain = invoke("import", project_path, folder, "--group", "mentee")
    assert "skipped typed.doc: a Word 97-2003 file" in plain.output
    assert "skipped rev_interview.pdf: already in the project" in plain.output


def test_a_named_doc_file_is_refused_with_what_to_do(invoke, project_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "typed.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = invoke("import", project_path, old)
    assert result.exit_code == 1 and "typed.doc: a Word 97-2003 file" in result.output
