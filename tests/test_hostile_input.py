"""Hostile and broken input: sheets read as written, nothing injected into a report reader's spreadsheet, no
transcript left on disk, bombs refused before they expand, and one clear line instead of a traceback."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import small_disk, write
from processes import ENV, qualcode, start

from qualcode.errors import QualcodeError
from qualcode.ingest.participants import read_sheet

# -- 1. participants sheets, RFC 4180 ---------------------------------------------------------------------


def test_participants_csv_is_read_as_rfc_4180(tmp_path: Path) -> None:
    sheet = write(
        tmp_path / "p.csv",
        "\ufeffdocument,speaker,participant,group,note\n"
        'r.txt,Ryan,"Ryan ""R"", the younger",mentee,"two\nlines, one cell"\n'
        'm.txt,Mel,Mel,"mentor, peer",plain\n',
    )
    rows = read_sheet(sheet).rows
    assert [(r.line, r.participant, r.group) for r in rows] == [
        (2, 'Ryan "R", the younger', "mentee"),
        (4, "Mel", "mentor, peer"),
    ]
    assert rows[0].attributes == {"note": "two\nlines, one cell"}
    semicolons = write(tmp_path / "s.csv", 'document;speaker;participant;group\nr.txt;Ryan;"Ryan; R";mentee\n')
    assert read_sheet(semicolons).rows[0].participant == "Ryan; R"
    broken = write(tmp_path / "b.csv", 'document,speaker,participant,group\nr.txt,Ryan,"Ryan,mentee\n')
    with pytest.raises(QualcodeError, match=r"b\.csv:2: not valid CSV"):
        read_sheet(broken)


# -- 2. spreadsheet safety ------------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def hostile(invoke, project_path: Path, tmp_path: Path) -> Path:
    """A study where every field a spreadsheet shows could act: pseudonym, group, transcript text (with a
    vertical tab and a form feed), memo, coder and code name."""
    folder = tmp_path / "d"
    write(folder / "m.txt", "Interviewer: And then?\nDee: +SUM(A1:A9) was what he said.\x0b Then\x0c silence.\n")
    write(
        folder / "sheet.csv",
        f'document,speaker,participant,group\nm.txt,Dee,"{HOSTILE.replace(chr(34), 2 * chr(34))}",@group\n',
    )
    assert invoke("import", project_path, folder / "m.txt", "--participants", folder / "sheet.csv").exit_code == 0
    with __import__("qualcode.project.store", fromlist=["Project"]).Project.open(project_path, write=True) as project:
        project.db.execute("UPDATE code SET name = '-2+3 outcome' WHERE id = 'trust'")
    coded = invoke("code", project_path, "--coder", "@coder", "--document", "m.txt", "--code", "trust", "--match",
                   "+SUM(A1:A9) was what he said.\x0b Then\x0c silence.", "--memo", "=1+1 memo")  # fmt: skip
    assert coded.exit_code == 0, coded.output
    return project_path


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _xlsx_cells(path: Path) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_no_spreadsheet_cell_can_act(invoke, hostile: Path, tmp_path: Path) -> None:
    exports = [("quotes",), ("frequencies",), ("matrix", "--per", "participant"), ("cooccurrence",)]
    for kind in exports:
        for suffix in (".csv", ".xlsx") if kind[0] != "cooccurrence" else (".csv",):
            out = tmp_path / f"{kind[0]}{suffix}"
            result = invoke("export", kind[0], hostile, "-o", out, *kind[1:])
            assert result.exit_code == 0, (kind, result.output)
            if suffix == ".csv":
                active = [c for c in _csv_cells(out) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
                assert active == [], (kind, active)
            else:
                cells = _xlsx_cells(out)
                assert all(c.data_type != "f" for c in cells), kind
                assert not any("\x0b" in str(c.value) or "\x0c" in str(c.value) for c in cells)
    quotes = _csv_cells(tmp_path / "quotes.csv")
    assert "'" + HOSTILE in quotes and "'=1+1 memo" in quotes and "'@coder" in quotes and "'-2+3 outcome" in quotes
    xlsx = {c.value for c in _xlsx_cells(tmp_path / "quotes.xlsx")}
    assert HOSTILE in xlsx and "=1+1 memo" in xlsx  # a string cell shows the text as it is
    assert "+SUM(A1:A9) was what he said.  Then  silence." in xlsx  # the vertical tab and form feed: spaces
    for suffix in (".xlsx", ".md", ".html"):
        assert invoke("export", "evidence-map", hostile, "-o", tmp_path / f"e{suffix}").exit_code == 0
    assert all(c.data_type != "f" for c in _xlsx_cells(tmp_path / "e.xlsx"))
    assert invoke("export", "quotes", hostile, "-o", tmp_path / "q.docx").exit_code == 0
    assert any("+SUM(A1:A9)" in p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs)


# -- 3 and 4. nothing left behind, nothing followed -----------------------------------------------------------


def test_a_planted_symlink_is_replaced_not_followed(invoke, hostile: Path, tmp_path: Path) -> None:
    victim = write(tmp_path / "victim.txt", "precious")
    (tmp_path / "q.csv").symlink_to(victim)
    (tmp_path / ".q.csv.partial.csv").symlink_to(victim)  # where the old, predictable partial file went
    refused = invoke("export", "quotes", hostile, "-o", tmp_path / "q.csv")  # something is there: asked first
    assert refused.exit_code == 1 and "already exists" in refused.output and victim.read_text() == "precious"
    assert invoke("export", "quotes", hostile, "-o", tmp_path / "q.csv", "--force").exit_code == 0
    assert victim.read_text() == "precious" and not (tmp_path / "q.csv").is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".qualcode-")]


KILLED_MID_EXPORT = """
import os, signal, sys
from pathlib import Path
from qualcode.reports.exports import write_quotes
from qualcode.project.scratch import clean_up_on_signals
clean_up_on_signals()
rows = [{"id": f"E{n}", "code": "c", "level": "other", "code_path": "C", "text": "secret words", "speakers": [],
         "groups": [], "document": "d", "line": 1, "memo": ""} for n in range(500)]
def progress(done, total):
    if done >= 200:
        os.kill(os.getpid(), getattr(signal, sys.argv[2]))
write_quotes(Path(sys.argv[1]), rows, {}, {}, progress)
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_killed_export_leaves_nothing_readable(tmp_path: Path, signal_name: str) -> None:
    target = tmp_path / "quotes.csv"
    subprocess.run([sys.executable, "-c", KILLED_MID_EXPORT, str(target), signal_name], env=ENV, timeout=60)
    left = [p for p in tmp_path.iterdir() if p.name != "quotes.csv"]
    assert not target.exists()
    if signal_name == "SIGKILL":  # nothing can run on SIGKILL: the folder is private, and swept next time
        assert len(left) == 1 and oct(left[0].stat().st_mode & 0o777) == "0o700"
        subprocess.run([sys.executable, "-c", KILLED_MID_EXPORT, str(tmp_path / "other.csv"), "SIGTERM"], env=ENV)
        left = [p for p in tmp_path.iterdir()]
    assert left == [], left


def test_a_refi_import_writes_no_transcript_to_disk(invoke, demo_copy: Path, tmp_path: Path) -> None:
    assert invoke("export", "qdpx", demo_copy, "-o", tmp_path / "p.qdpx").exit_code == 0
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = qualcode("import-qdpx", tmp_path / "new.qdb", tmp_path / "p.qdpx", env={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []


# -- 5. bombs ---------------------------------------------------------------------------------------------------


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_zip_bombs_are_refused_before_they_expand(invoke, project_path: Path, tmp_path: Path) -> None:
    docx_bomb = _zip(
        tmp_path / "bomb.docx", {"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (150 * 2**20)}
    )
    result = invoke("import", project_path, docx_bomb)
    assert result.exit_code == 1 and "refused: 'word/document.xml' expands to 150 MB" in result.output
    sheet_bomb = _zip(tmp_path / "people.xlsx", {"xl/worksheets/sheet1.xml": b" " * (80 * 2**20)})
    write(tmp_path / "m.txt", "Dee: hello\n")
    result = invoke("import", project_path, tmp_path / "m.txt", "--participants", sheet_bomb)
    assert result.exit_code == 1 and "refused" in result.output and "Excel workbook may have 64 MB" in result.output
    qde = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>' + b"".join(
        f'<TextSource guid="{n:08d}-0000-4000-8000-000000000000" name="s{n}.txt" plainTextPath="internal://s{n}.txt"/>'.encode()
        for n in range(40)) + b"</Sources></Project>"  # fmt: skip
    sources = {f"sources/s{n}.txt": b"\0" * 2**20 for n in range(40)}  # each entry 1 MiB: the whole is the bomb
    result = invoke("import-qdpx", tmp_path / "new.qdb", _zip(tmp_path / "many.qdpx", {"project.qde": qde, **sources}))
    assert result.exit_code == 1 and "as only a zip bomb does" in result.output and not (tmp_path / "new.qdb").exists()


ALIAS_BOMB = """codebook: bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
codes:
  - {id: x, name: X, level: input, definition: *c}
"""


def test_yaml_bombs_and_depths_are_refused(invoke, tmp_path: Path) -> None:
    result = invoke("codebook", "validate", write(tmp_path / "bomb.yaml", ALIAS_BOMB))
    assert result.exit_code == 1 and "bomb.yaml:3: YAML aliases (*a) are not allowed" in result.output
    mapping = "codebook: m\nbase: &base {level: input}\ncodes:\n  - {id: x, name: X, <<: *base}\n"
    result = invoke("codebook", "validate", write(tmp_path / "merge.yaml", mapping))
    assert result.exit_code == 1 and "merge.yaml:4: YAML aliases (*base) are not allowed" in result.output
    nested = "codebook: deep\ncodes:\n" + "".join(
        "  " * n + "- id: c\n" + "  " * n + "  children:\n" for n in range(60)
    )
    result = invoke("codebook", "validate", write(tmp_path / "deep.yaml", nested))
    assert result.exit_code == 1 and "nested more than 100 levels deep" in result.output
    chain = "codebook: chain\ncodes:\n  - {id: c0, name: C0, level: input}\n" + "".join(
        f"  - {{id: c{n}, name: C{n}, parent: c{n - 1}}}\n" for n in range(1, 5000))  # fmt: skip
    result = invoke("codebook", "validate", write(tmp_path / "chain.yaml", chain))
    assert result.exit_code == 1 and "chain.yaml:67: code 'c64' is 65 levels deep" in result.output
    front = "---\na: &a [x]\nb: *a\n---\nDee: hi\n"
    result = invoke("import", tmp_path / "none.qdb", write(tmp_path / "f.txt", front))
    assert "no such project file" in result.output  # the project is checked first; now with a project:
    assert invoke("init", tmp_path / "p.qdb").exit_code == 0
    result = invoke("import", tmp_path / "p.qdb", tmp_path / "f.txt")
    assert result.exit_code == 1 and "f.txt:3: front matter refused: YAML aliases (*a) are not allowed" in result.output


# -- 7. every trigger in the audit: one line, no traceback ----------------------------------------------------


def test_special_files_and_bad_names_get_one_line(invoke, project_path: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for args in (("import", project_path, fifo), ("import", project_path, "/dev/zero"),
                 ("codebook", "validate", "/dev/zero"), ("agreement", "table", fifo)):  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == 1 and ("not a regular file" in result.output or "unsupported" in result.output), args
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("Dee: hello\n")
    result = invoke("import", project_path, folder)
    assert result.exit_code == 1 and "the file name is not valid UTF-8; rename the file" in result.output


def test_a_time_group_that_matches_a_word_is_one_line(invoke, project_path: Path, tmp_path: Path) -> None:
    transcript = write(tmp_path / "t.txt", "Hello Dee: how are you\nWell Sam: fine\n")
    result = invoke("import", project_path, transcript, "--speaker-pattern", r"(?P<time>\w+) (?P<label>\w+): ")
    assert (
        result.exit_code == 1
        and "t.txt:1: a --speaker-pattern's time group matched text that is not a clock" in result.output
    )
    assert "how are you" not in result.output


def _patch_entry(path: Path, name: str, **fields: int) -> None:
    """Rewrite an entry's general-purpose flags, compression method or CRC in both its local header and its
    central-directory record (by their offsets in the zip format)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    central = data.rindex(name.encode()) - 46
    assert data[central : central + 4] == b"PK\x01\x02" and data[local : local + 4] == b"PK\x03\x04"
    for field, (at_local, at_central, size) in {"flags": (6, 8, 2), "method": (8, 10, 2), "crc": (14, 16, 4)}.items():
        if field in fields:
            value = fields[field].to_bytes(size, "little")
            data[local + at_local : local + at_local + size] = value
            data[central + at_central : central + at_central + size] = value
    path.write_bytes(bytes(data))


def test_broken_qdpx_entries_get_one_line(invoke, demo_copy: Path, tmp_path: Path) -> None:
    assert invoke("export", "qdpx", demo_copy, "-o", tmp_path / "good.qdpx").exit_code == 0
    with zipfile.ZipFile(tmp_path / "good.qdpx") as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("sources/"))
    cases = {"damaged": ({"crc": info.CRC ^ 1}, "is damaged"), "encrypted": ({"flags": 1}, "encrypted"),
             "method": ({"method": 20}, "compressed in a way")}  # fmt: skip
    for name, (fields, message) in cases.items():
        path = tmp_path / f"{name}.qdpx"
        path.write_bytes((tmp_path / "good.qdpx").read_bytes())
        _patch_entry(path, info.filename, **fields)
        result = invoke("import-qdpx", tmp_path / f"{name}.qdb", path)
        assert result.exit_code == 1 and message in result.output, (name, result.output)
        assert "Traceback" not in result.output and not (tmp_path / f"{name}.qdb").exists()


def test_two_sources_with_one_name_become_two_documents(invoke, tmp_path: Path) -> None:
    qde = ('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="x"><Sources>'
           '<TextSource guid="00000001-0000-4000-8000-000000000000" name="notes.txt" plainTextPath="internal://a.txt"/>'
           '<TextSource guid="00000002-0000-4000-8000-000000000000" name="notes.txt" plainTextPath="internal://b.txt"/>'
           "</Sources></Project>")  # fmt: skip
    archive = _zip(tmp_path / "twice.qdpx", {"project.qde": qde.encode(), "sources/a.txt": b"Dee: one\n",
                                              "sources/b.txt": b"Sam: two\n"})  # fmt: skip
    result = invoke("import-qdpx", tmp_path / "p.qdb", archive, "--json")
    assert result.exit_code == 0, result.output
    names = [r["name"] for r in json.loads(invoke("documents", tmp_path / "p.qdb", "--json").output)]
    assert sorted(names) == ["notes (2).txt", "notes.txt"]


def test_an_internal_fault_is_one_line_and_exit_2(demo_copy: Path, tmp_path: Path) -> None:
    fault = ("import sys, qualcode.reports.excerpts as r\n"
             "def boom(*a, **k): raise ValueError('the words Dee said in confidence')\n"
             "r.excerpts = boom\nfrom qualcode.cli import main\nsys.argv[0] = 'qualcode'\nmain()")  # fmt: skip
    args = ["export", "quotes", str(demo_copy), "--coders", "all", "-o", str(tmp_path / "q.json")]
    done = subprocess.run([sys.executable, "-c", fault, *args], capture_output=True, text=True, env=ENV)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: qualcode export quotes (") and "internal fault (ValueError" in lines[0]
    assert "confidence" not in done.stderr and "--debug" in lines[0]
    debug = subprocess.run([sys.executable, "-c", fault, "--debug", *args], capture_output=True, text=True, env=ENV)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "confidence" in debug.stderr


# -- concurrent imports -----------------------------------------------------------------------------------------


def test_two_imports_of_one_folder_at_once(project_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "same"
    for n in range(30):
        write(folder / f"i{n:02}.txt", f"Interviewer: How was it?\nAsha: It was fine, number {n}. " * 30 + "\n")
    importers = [start("import", project_path, folder, "--group", "mentee") for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in importers]
    assert [p.returncode for p in importers] == [0, 0], outputs
    said = " ".join(out for out, _ in outputs)
    assert "Traceback" not in said + " ".join(err for _, err in outputs)
    documents = json.loads(qualcode("documents", project_path, "--json").stdout)
    assert len(documents) == 30 and ("skipped" in said)


def test_an_export_to_a_full_disk_is_one_line(invoke, hostile: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "64k") as disk:
        write(disk / "filler", "x" * 60_000)
        result = invoke("export", "quotes", hostile, "-o", disk / "q.docx")
        assert result.exit_code == 1 and f"{disk / 'q.docx'}: not written (the disk is full)" in result.output
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no partial file, no scratch folder


def test_a_group_with_a_slash_names_a_safe_file(invoke, project_path: Path, tmp_path: Path) -> None:
    """The workbench's quote bank from a cell is named after the code and group: "mentor/peer" must not
    become a folder in the path."""
    import asyncio

    from qualcode.text import file_safe
    from qualcode.tui import make_app

    assert file_safe("housing-mentor/peer") == "housing-mentor-peer" and file_safe("../..") == "export"
    write(tmp_path / "d" / "m.txt", "Interviewer: Hi?\nMel: I found a flat for him.\n")
    assert invoke("import", project_path, tmp_path / "d", "--group", "mentor/peer").exit_code == 0
    assert invoke("code", project_path, "--coder", "amira", "--document", "m.txt", "--code", "housing", "--match",
                  "I found a flat for him.").exit_code == 0  # fmt: skip

    async def scenario() -> None:
        app = make_app(project_path, coder="amira", user="t")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("r", "f")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("w", "enter")  # the default name
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(scenario())
    assert [p.name for p in project_path.parent.glob("quotes-*.docx")] == ["quotes-outcomes-mentor-peer.docx"]
