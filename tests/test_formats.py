"""Each supported format read into normalised text and turns whose offsets slice out exactly the words."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from conftest import write

from qualcode.errors import QualcodeError
from qualcode.ingest.formats import read_transcript


def turns_of(path: Path) -> list[tuple[str | None, str]]:
    transcript = read_transcript(path, path.name)
    return [(t.speaker, transcript.text[t.start : t.end]) for t in transcript.turns]


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: T\nkind: interview\nsite: North\n---\nDee: hi\r\nI: ok\r\n")
    transcript = read_transcript(path, "a.md")
    assert transcript.meta == {"title": "T", "kind": "interview", "site": "North"}
    assert transcript.text == "Dee: hi\nI: ok\n"
    assert turns_of(path) == [("Dee", "hi"), ("I", "ok")]


def test_bad_front_matter_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: T\nkind: [unclosed\n---\nDee: hi\n")
    with pytest.raises(QualcodeError, match=r"a\.md:\d+: front matter is not valid YAML"):
        read_transcript(path, "a.md")


def test_docx_paragraphs_runs_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interview with a mentor")
    paragraph = document.add_paragraph()
    paragraph.add_run("Interviewer:").bold = True
    paragraph.add_run(" How did it start?")
    table = document.add_table(rows=1, cols=3)
    for cell, value in zip(table.rows[0].cells, ["Time", "Speaker", "Text"], strict=True):
        cell.text = value
    for row in (["00:01:02", "Angela", "I'd done time myself."], ["00:01:30", "Interviewer", "Go on."]):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_paragraph("Angela: Café afterwards 😀")
    path = tmp_path / "m.docx"
    document.save(str(path))
    assert turns_of(path) == [
        (None, "Interview with a mentor"),
        ("Interviewer", "How did it start?"),
        ("Angela", "I'd done time myself."),
        ("Interviewer", "Go on."),
        ("Angela", "Café afterwards 😀"),
    ]
    transcript = read_transcript(path, "m.docx")
    assert transcript.turns[2].time_start == 62.0


def test_damaged_docx(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(QualcodeError, match=r"bad\.docx: not a readable \.docx"):
        read_transcript(path, "bad.docx")


TEAMS_VTT = """WEBVTT

NOTE exported from a meeting

a1b2/1-0
00:00:01.000 --> 00:00:03.500
<v Priya Shah>How are things &amp; how is the flat?</v>

a1b2/2-0
00:00:04.000 --> 00:00:06.000
<v Marcus Reid>Good. <i>Really</i> good.</v>

a1b2/3-0
00:00:06.200 --> 00:00:09.000
<v Marcus Reid>I got the keys in May.</v>
"""


def test_vtt_voice_tags_merge_cues_and_keep_times(tmp_path: Path) -> None:
    path = write(tmp_path / "t.vtt", TEAMS_VTT.replace("\n", "\r\n"))
    transcript = read_transcript(path, "t.vtt")
    assert turns_of(path) == [
        ("Priya Shah", "How are things & how is the flat?"),
        ("Marcus Reid", "Good. Really good. I got the keys in May."),
    ]
    assert [(t.time_start, t.time_end) for t in transcript.turns] == [(1.0, 3.5), (4.0, 9.0)]
    assert transcript.text.startswith("Priya Shah: How are things")


def test_vtt_name_prefix_and_srt(tmp_path: Path) -> None:
    vtt = write(
        tmp_path / "z.vtt",
        "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nFacilitator: Welcome\n\n"
        "2\n00:02.500 --> 00:04.000\nBernie: Three years,\npeer mentor.\n",
    )
    assert turns_of(vtt) == [("Facilitator", "Welcome"), ("Bernie", "Three years, peer mentor.")]
    srt = write(
        tmp_path / "s.srt",
        "1\n00:00:01,000 --> 00:00:02,000\nJo: Hi\n\n2\n00:00:02,000 --> 00:00:03,000\n"
        "still me\n\n3\n00:00:03,000 --> 00:00:04,000\nInterviewer: ok\n",
    )
    transcript = read_transcript(srt, "s.srt")
    assert turns_of(srt) == [("Jo", "Hi still me"), ("Interviewer", "ok")]
    assert transcript.turns[0].time_end == 3.0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.vtt", "Hello: no header\n", "must start with WEBVTT"),
        ("x.vtt", "WEBVTT\n\n1\n00:00:01.000 --> soon\nJo: hi\n", r"x\.vtt:4: cannot read cue timing"),
        ("x.srt", "just some words\nwith no cues\n", "expected a cue"),
        ("x.vtt", "WEBVTT\n\nNOTE nothing else\n", "no text"),
        ("x.pdf", "%PDF-1.4", "x.pdf: not a readable PDF"),
        ("x.key", "%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_captions_and_types(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(QualcodeError, match=message):
        read_transcript(path, name)


def test_utf16_transcript(tmp_path: Path) -> None:
    path = write(tmp_path / "w.txt", "\ufeffInterviewer: Ça va?\r\nDee: Oui 😀\r\n", "utf-16-le")
    assert turns_of(path) == [("Interviewer", "Ça va?"), ("Dee", "Oui 😀")]


def test_huge_transcript_is_refused_cleanly(tmp_path: Path, monkeypatch) -> None:
    import qualcode.ingest.formats

    monkeypatch.setattr(qualcode.ingest.formats, "MAX_CHARACTERS", 1000)
    path = write(tmp_path / "huge.txt", "Dee: " + "word " * 400)
    with pytest.raises(QualcodeError, match=r"huge\.txt: 2,005 characters is too large for one transcript"):
        read_transcript(path, "huge.txt")


def test_text_file_named_docx(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.docx", "Dee: this is plain text pretending")
    with pytest.raises(QualcodeError, match=r"notes\.docx: not a \.docx file \(its content does not start as one\)"):
        read_transcript(path, "notes.docx")
