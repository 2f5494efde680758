"""Hostile input, second pass: each reproduction from the second audit, as a test. Every one was an internal
fault, a usage error with exit code 2, unbounded work or silence; each must now be one line and exit 1 (or
work), leaving the project as it was."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from conftest import digest, write

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _one_line_error(result, *words: str) -> None:
    """One line saying what is wrong, exit 1; a usage error adds, after it, one line of the command's usage."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Error: ") and lines[1:] in ([], [lines[-1]]), result.output
    assert len(lines) == 1 or lines[1].startswith("usage: "), result.output
    assert "internal fault" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_small_faults_are_one_line_and_exit_1(demo_copy: Path, invoke, tmp_path: Path, monkeypatch) -> None:
    before = digest(demo_copy)
    _one_line_error(invoke("participant", "rename", demo_copy, "Dee", "Dee"), "already called that")
    _one_line_error(invoke("agreement", demo_copy, "--coders", "amira,ben", "--seed", "-1"), "--seed")
    _one_line_error(invoke("document", "remove", demo_copy, "9" * 25, "--yes"), "unknown document")
    (tmp_path / "folder").mkdir()
    _one_line_error(invoke("backup", demo_copy, "-o", tmp_path / "folder"), "folder")
    _one_line_error(invoke("export", "quotes", demo_copy, "--coders", "all"), "-o")  # a usage error: exit 1 too
    _one_line_error(invoke("demo", "--dir", "/proc/no/such/place", "--no-tui"), "cannot make the demo's folder")
    for patience in ("inf", "nan", "-3", "soon"):
        monkeypatch.setenv("QUALCODE_PATIENCE", patience)
        _one_line_error(invoke("info", demo_copy), "QUALCODE_PATIENCE")
    assert digest(demo_copy) == before


@pytest.mark.parametrize("where", ["codebook", "framework", "front matter"])
def test_a_yaml_number_of_thousands_of_digits_is_refused_with_its_line(invoke, project_path: Path, tmp_path: Path,
                                                                        where: str) -> None:  # fmt: skip
    huge = "9" * 4301
    if where == "codebook":
        path = write(tmp_path / "c.yaml", f"codebook: c\ncodes:\n  - id: a\n    name: A\n    level: other\n"
                                          f"    weight: {huge}\n")  # fmt: skip
        result = invoke("codebook", "validate", path)
    elif where == "framework":
        path = write(tmp_path / "f.yaml", f"framework: f\ntitle: {huge}\nquestions: []\n")
        result = invoke("framework", project_path, path)
    else:
        path = write(tmp_path / "in" / "t.md", f"---\nsite: {huge}\n---\nDee: hello there.\n")
        result = invoke("import", project_path, path)
    _one_line_error(result, str(path.name), "number too long")


# -- every reader bounded: files that once took gigabytes or minutes ------------------------------------------


def capped(args: list[str], seconds: float = 60) -> tuple[int, str, float, float]:
    """``qualcode ARGS`` in its own process under a 2 GB address-space cap: its exit code, stderr, peak
    resident memory (MB, of that process alone) and seconds; more than ``seconds`` fails the test."""
    from fuzzing import run

    code, said, peak, elapsed = run(args, seconds)
    assert elapsed < seconds, f"qualcode {' '.join(args[:2])} took more than {seconds} s"
    return code, said, peak, elapsed


def _odt(path: Path, body: str) -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               f"{body}</office:text></office:body></office:document-content>")  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return path


@pytest.mark.parametrize("body, said", [
    ('<text:p>Dee: I said<text:s text:c="3000000000"/>this.</text:p>', "text:s c='3000000000'"),
    ('<text:p>Dee: I said<text:s text:c="abc"/>this.</text:p>', "text:s c='abc'"),
    ("<text:p>Dee: " + "<text:span>" * 5000 + "deep" + "</text:span>" * 5000 + "</text:p>", "nested more than"),
], ids=["spaces", "not-a-number", "nested"])  # fmt: skip
def test_hostile_odt_is_refused_in_bounded_memory(project_path: Path, tmp_path: Path, body: str, said: str) -> None:
    before = digest(project_path)
    path = _odt(tmp_path / "in.odt", body)
    code, err, peak, _ = capped(["import", str(project_path), str(path)])
    assert code == 1 and said in err and str(path) in err and len(err.strip().splitlines()) == 1, err
    assert peak < 300 and digest(project_path) == before


def _docx_with(tmp_path: Path, cell_properties: str) -> Path:
    import docx

    path = tmp_path / "t.docx"
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for row, (who, said) in zip(table.rows, (("Dee", "Hello there."), ("Sam", "Hi.")), strict=True):
        row.cells[0].text, row.cells[1].text = who, said
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = xml.replace("<w:tc><w:tcPr>", f"<w:tc><w:tcPr>{cell_properties}", 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("properties", ['<w:gridSpan w:val="999999999"/>', '<w:gridSpan w:val="abc"/>',
                                        "<w:vMerge/>"])  # fmt: skip
def test_hostile_docx_tables_are_read_cell_by_cell(project_path: Path, tmp_path: Path, properties: str) -> None:
    path = _docx_with(tmp_path, properties)
    code, err, peak, _ = capped(["import", str(project_path), str(path)])
    assert code == 0, err
    assert peak < 300


def test_a_docx_whose_directory_understates_an_entry_is_refused_at_once(project_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "liar.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * (300 * 2**20))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo("word/document.xml").header_offset
    central = data.rindex(b"word/document.xml") - 46
    for at in (local + 22, central + 24):  # the uncompressed size, in both headers: 1 KB
        data[at : at + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    code, err, peak, seconds = capped(["import", str(project_path), str(path)])
    assert code == 1 and ("larger than it says" in err or "is damaged" in err), err
    assert peak < 300 and seconds < 20


@pytest.mark.parametrize("line", ["Dee" + ":" * 100_000, "[" * 100_000, "<" * 100_000, ".,;)" * 25_000],
                         ids=["colons", "brackets", "angles", "punctuation"])
@pytest.mark.parametrize("suffix", [".txt", ".vtt"])
def test_pathological_lines_are_read_in_linear_time(project_path: Path, tmp_path: Path, line: str,
                                                    suffix: str) -> None:  # fmt: skip
    """Each took from one to more than five minutes (spaCy's suffix search, the caption tag patterns)."""
    text = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{line}\n" if suffix == ".vtt" else f"{line}\nDee: fine.\n"
    path = write(tmp_path / f"long{suffix}", text)
    code, err, peak, _ = capped(["import", str(project_path), str(path)], seconds=60)
    assert code == 0, err
    assert peak < 300


def test_autocode_holds_one_document_in_memory_not_one_per_segment(invoke, project_path: Path,
                                                                    tmp_path: Path) -> None:  # fmt: skip
    """20,000 caption cues (1.2 MB): the document's text once per segment row was 24 GB."""
    cues = "".join(f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000 --> {n // 3600:02d}:{n // 60 % 60:02d}:"
                   f"{n % 60:02d}.500\n<v Dee>I was housed in week {n}, honestly, and it helped.\n\n"
                   for n in range(20_000))  # fmt: skip
    path = write(tmp_path / "long.vtt", "WEBVTT\n\n" + cues)
    assert invoke("import", project_path, path).exit_code == 0
    code, err, peak, _ = capped(["autocode", str(project_path), "--coder", "amira", "--code", "housing", "--terms",
                                 "housed", "--dry-run"], seconds=120)  # fmt: skip
    assert code == 0, err
    assert peak < 400


def test_the_writers_note_is_never_followed_waited_on_or_read_without_end(tmp_path: Path) -> None:
    from qualcode.project.connection import WriterNote

    project = tmp_path / "study.qdb"
    victim = write(tmp_path / "victim.txt", "precious")
    planted = Path(f"{project}-writer.{os.getpid()}")
    planted.symlink_to(victim)
    note = WriterNote(project)
    note.leave("an import")
    assert victim.read_text() == "precious" and not Path(f"{project}-writer").is_symlink()
    assert "an import" in note.holder()
    note.forget()
    assert not Path(f"{project}-writer").exists()
    os.mkfifo(f"{project}-writer")  # a pipe: opening it to read would wait for a writer for ever
    assert WriterNote(project).holder() == "another process"
    Path(f"{project}-writer").unlink()
    Path(f"{project}-writer").symlink_to("/dev/zero")  # endless bytes
    assert WriterNote(project).holder() == "another process"


def _qdpx(path: Path, codes: str, sources: dict[str, bytes] | None = None, stored: bool = False) -> Path:
    sources = sources or {"a.txt": b"Dee: hello there.\n"}
    listed = "".join(f'<TextSource guid="{n:08d}-0000-4000-8000-000000000000" name="{name}" '
                     f'plainTextPath="internal://{name}"/>' for n, name in enumerate(sources))  # fmt: skip
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
           f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{listed}</Sources></Project>")  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in sources.items():
            archive.writestr(f"sources/{name}", data)
    return path


def _nested(depth: int) -> str:
    return "".join(f'<Code guid="{n:08d}-1111-4000-8000-000000000000" name="c{n}" isCodable="true">'
                   for n in range(depth)) + "</Code>" * depth  # fmt: skip


@pytest.mark.parametrize("depth", [65, 500, 3000])
def test_a_refi_code_tree_deeper_than_64_is_refused(invoke, tmp_path: Path, depth: int) -> None:
    path = _qdpx(tmp_path / "deep.qdpx", _nested(depth))
    result = invoke("import-qdpx", tmp_path / "new.qdb", path)
    _one_line_error(result, "nested more than 64 levels")
    assert not (tmp_path / "new.qdb").exists()
    assert invoke("import-qdpx", tmp_path / "ok.qdb", _qdpx(tmp_path / "ok.qdpx", _nested(64))).exit_code == 0


def test_a_refi_source_larger_than_a_transcript_is_refused_before_any_is_read(invoke, tmp_path: Path) -> None:
    import random

    words = random.Random(1).choices(["Dee:", "mentor", "housing", "the", "and", "I", "flat", "work"], k=400_000)
    big = " ".join(words).encode()[: 2 * 2**20]  # stored, not compressed: 2 MB on disk
    path = _qdpx(tmp_path / "big.qdpx", "", {"a.txt": b"Dee: hello.\n", "big.txt": big}, stored=True)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo("sources/big.txt").header_offset
    central = data.rindex(b"sources/big.txt") - 46
    for at in (local + 22, central + 24):  # it says it holds 100 MB
        data[at : at + 4] = (100 * 2**20).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    result = invoke("import-qdpx", tmp_path / "new.qdb", path)
    _one_line_error(result, "source 'sources/big.txt' is 100 MB", "64 MB")


def _assembled(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalogue), with its cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


_PAGE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"]  # fmt: skip


def _pdf(trailer: bytes = b"", content: bytes = b"BT /F1 12 Tf 72 720 Td (Dee: hello there.) Tj ET",
         stream: bytes = b"") -> bytes:  # fmt: skip
    """A one-page PDF, by hand: objects, cross-reference table and trailer."""
    return _assembled([*_PAGE, b"<< /Length %d %s>>\nstream\n" % (len(content), stream) + content + b"\nendstream",
                       b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"], trailer)  # fmt: skip


def _pdf_with_map(cmap: bytes) -> bytes:
    """A one-page PDF whose font maps its glyphs to text through ``cmap`` (a ToUnicode stream)."""
    content = b"BT /F1 12 Tf 72 720 Td <0001> Tj ET"
    return _assembled([
        *_PAGE, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /ToUnicode 6 0 R /DescendantFonts [7 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> >>",
    ])  # fmt: skip


AES_256 = (b"/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /O (" + b"x" * 48 + b") /U (" + b"y" * 48
           + b") /OE (" + b"z" * 32 + b") /UE (" + b"w" * 32 + b") /Perms (" + b"p" * 16 + b") /P -1 /CF << /StdCF "
           b"<< /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF >> /ID [(a)(a)] ")  # fmt: skip


@pytest.mark.parametrize("kind", ["aes-256", "unknown handler", "inflates without end", "a page of 60 MB",
                                  "oversized ToUnicode map"])
def test_hostile_pdfs_are_one_line(project_path: Path, tmp_path: Path, kind: str) -> None:
    import zlib

    if kind == "aes-256":
        data, said = _pdf(AES_256), "encrypted in a way qualcode cannot open"
    elif kind == "unknown handler":
        data, said = _pdf(b"/Encrypt << /Filter /Bogus /V 9 /R 9 /P -1 >> /ID [(a)(a)] "), "encrypted"
    elif kind == "inflates without end":
        data, said = _pdf(content=zlib.compress(b" " * (300 * 2**20), 9), stream=b"/Filter /FlateDecode "), "limits"
    elif kind == "oversized ToUnicode map":
        data, said = _pdf_with_map(b"begincmap 1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange "
                                   b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange endcmap"), "limits"
    else:
        page = b"BT /F1 12 Tf 72 720 Td " + b"(Dee said this and that and more words here) Tj " * 1_300_000 + b"ET"
        data, said = _pdf(content=zlib.compress(page, 6), stream=b"/Filter /FlateDecode "), "page 1 holds"
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    before = digest(project_path)
    code, err, peak, _ = capped(["import", str(project_path), str(path)])
    assert code == 1 and said in err and len(err.strip().splitlines()) == 1, err
    assert peak < 500 and digest(project_path) == before


def test_redaction_reaches_every_word_a_reader_sees(study: Path, invoke, tmp_path: Path) -> None:
    """An identifier in the project's file name, a group's label, a code's name and definition and a coder's
    name, and an accented spelling either way, are gone from the pack and the quote bank, properties included."""
    import shutil

    import docx
    from conftest import SMALL_FRAMEWORK

    from qualcode.project.store import Project

    named = tmp_path / "Greyholm study.qdb"
    shutil.copy(study, named)
    with Project.open(named, write=True) as project:
        project.db.execute("UPDATE code SET name = 'Trust in Greyholm staff', definition = 'About José' "
                           "WHERE id = 'trust'")  # fmt: skip
        project.db.execute("UPDATE coder SET name = 'Jose Ramos' WHERE name = 'amira'")
        project.db.conn.commit()
    assert invoke("label", named, "mentee", "Greyholm mentees").exit_code == 0
    names = write(tmp_path / "names.txt", "Greyholm\nJose\nRamos\nDee\n")  # "Jose" must catch "José"
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    pack = tmp_path / "pack.docx"
    assert invoke("report", named, "--framework", framework, "-o", pack, "--coder", "Jose Ramos",
                  "--redact", names).exit_code == 0  # fmt: skip
    quotes = tmp_path / "q.docx"
    assert invoke("export", "quotes", named, "-o", quotes, "--coder", "Jose Ramos", "--redact", names).exit_code == 0
    for path in (pack, quotes):
        document = docx.Document(str(path))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for r in t.rows for c in r.cells])  # fmt: skip
        shown = text + document.core_properties.author + document.core_properties.title + \
            (document.core_properties.keywords or "") + (document.core_properties.comments or "")  # fmt: skip
        for identifier in ("Greyholm", "José", "Jose", "Ramos", "Dee"):
            assert identifier not in shown, (path.name, identifier)


HTML_ATTACK = "Dee: <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) end.\n"


def test_markdown_outputs_show_html_and_links_as_text(invoke, project_path: Path, tmp_path: Path) -> None:
    from conftest import SMALL_FRAMEWORK

    from qualcode.project.store import Project

    write(tmp_path / "in" / "m.txt", HTML_ATTACK)
    assert invoke("import", project_path, tmp_path / "in", "--group", "mentee").exit_code == 0
    with Project.open(project_path, write=True) as project:
        project.db.execute("UPDATE code SET name = '<b onmouseover=alert(4)>Housing</b>' WHERE id = 'housing'")
        project.db.conn.commit()
    assert invoke("code", project_path, "--coder", "amira", "--document", "m.txt", "--code", "housing",
                  "--match", "<script>alert(1)</script> <img src=x onerror=alert(2)> [click]").exit_code == 0  # fmt: skip
    framework = write(tmp_path / "framework.yaml", SMALL_FRAMEWORK)
    outputs = {"q.md": ["export", "quotes"], "f.md": ["export", "frequencies"], "e.md": ["export", "evidence-map"],
               "p.md": ["report", "--framework", str(framework)], "c.md": ["export", "cooccurrence"]}  # fmt: skip
    for name, command in outputs.items():
        result = invoke(*command[:2], project_path, *command[2:], "-o", tmp_path / name) if command[0] == "export" \
            else invoke(command[0], project_path, *command[1:], "-o", tmp_path / name)  # fmt: skip
        assert result.exit_code == 0, (name, result.output)
        text = (tmp_path / name).read_text(encoding="utf-8")
        for live in ("<script", "<img", "<b ", "](javascript:"):
            assert live not in text, (name, live)
    assert "&lt;script>" in (tmp_path / "q.md").read_text(encoding="utf-8")  # shown, not dropped


def test_fix_it_commands_validate_as_an_import_does_and_say_what_they_change(study: Path, invoke,
                                                                             tmp_path: Path) -> None:  # fmt: skip
    before = digest(study)
    _one_line_error(invoke("speaker", study, "--document", "fg.txt", "Jade", "--participant", "   "), "empty")
    _one_line_error(invoke("speaker", study, "--document", "fg.txt", "Jade", "--participant", "Jade",
                           "--group", "Interviewers"), "not a stakeholder group")  # fmt: skip
    _one_line_error(invoke("group", "rename", study, "mentee", "interviewer"), "not a stakeholder group")
    write(tmp_path / "in" / "n.txt", "Sam: hello.\n")
    _one_line_error(invoke("import", study, tmp_path / "in", "--group", "moderator"), "not a stakeholder group")
    _one_line_error(invoke("label", study, "North", "N", "--attribute", "sight"), "did you mean 'site'")
    _one_line_error(invoke("label", study, "Nort", "N", "--attribute", "site"), "did you mean 'North'")
    assert digest(study) == before
    sheet = write(tmp_path / "fix.csv", "document,speaker,participant,group,site\nm1.txt,Dee,Dee,mentee,South\n")
    applied = invoke("participants", "apply", study, sheet)
    assert applied.exit_code == 0 and "participant Dee: site North -> South (wherever they speak)" in applied.output


def test_an_upgrade_is_announced_only_once_it_and_its_backup_are_real(demo_copy: Path, invoke) -> None:
    from conftest import old_project

    old_project(demo_copy)
    failed = invoke("code", demo_copy, "--coder", "amira", "--document", "mentor_tom.txt", "--code", "no-such-code",
                    "--segment", 1)  # fmt: skip
    assert failed.exit_code == 1 and "kept as" not in failed.output and "upgraded" not in failed.output
    assert not list(demo_copy.parent.glob("*before-schema*"))
    done = invoke("code", demo_copy, "--coder", "amira", "--document", "mentor_tom.txt", "--code",
                  "st-mentee-engage-mentor", "--segment", 1)  # fmt: skip
    kept = list(demo_copy.parent.glob("*before-schema*"))
    assert done.exit_code == 0 and len(kept) == 1 and f"kept as {kept[0]}" in done.output


def test_busy_says_the_patience_this_process_had(tmp_path: Path, monkeypatch) -> None:
    import sqlite3

    from qualcode.project.connection import explain

    monkeypatch.setenv("QUALCODE_PATIENCE", "2")
    said = str(explain(tmp_path / "p.qdb", sqlite3.OperationalError("database is locked")))
    assert "more than 2 s" in said and "using it alone with --exclusive" in said


def test_a_document_removed_under_an_open_workbench_sends_it_back_to_the_list(demo_copy: Path) -> None:
    import asyncio

    from conftest import recording_app

    from qualcode.ingest.fixes import remove_document
    from qualcode.project.store import Project
    from qualcode.tui.document import DocumentScreen
    from qualcode.tui.start import StartScreen

    async def scenario() -> tuple[str, list[str], bool]:
        app, said = recording_app(demo_copy)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DocumentScreen)
            name = app.screen.document["name"]
            with Project.open(demo_copy, write=True) as other:  # another process, as far as the app can tell
                remove_document(other, name)
            app.screen.watch_for_others()
            await pilot.pause()
            for key in ("j", "c", "escape", "enter"):  # and it goes on working
                await pilot.press(key)
                await pilot.pause()
            return name, said, isinstance(app.screen, (StartScreen, DocumentScreen)) and app.is_running

    name, said, running = asyncio.run(scenario())
    assert running and any(f"{name} was removed from the project" in s for s in said), said


def test_a_control_character_in_a_yaml_file_is_one_line(invoke, tmp_path: Path) -> None:
    """Found by the Hypothesis harness: PyYAML refuses a form feed before reading starts."""
    _one_line_error(invoke("codebook", "validate", write(tmp_path / "c.yaml", "\x0c")), "not valid YAML")


def test_what_the_long_fuzz_run_found_is_one_line(invoke, project_path: Path, tmp_path: Path) -> None:
    """A damaged deflate stream inside an OpenDocument file, and a participants sheet naming a document whose
    name no file system takes (bench/fuzz_bench.py, seed 1)."""
    path = _odt(tmp_path / "t.odt", "<text:p>Dee: hello there, this is a longer line to compress well.</text:p>" * 50)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 40] = b"\xff" * 30  # the compressed bytes, garbled
    path.write_bytes(bytes(data))
    _one_line_error(invoke("import", project_path, path), "t.odt")
    write(tmp_path / "in" / "m.txt", "Dee: hello.\n")
    sheet = write(tmp_path / "people.csv", f"document,speaker,participant,group\n{'x' * 300}.txt,Dee,Dee,mentee\n")
    _one_line_error(invoke("import", project_path, tmp_path / "in" / "m.txt", "--participants", sheet), "people.csv")


def test_redaction_folds_accents_and_case_both_ways() -> None:
    from qualcode.reports.redact import Redactor

    assert Redactor([("José", "[x]")]).redact("Jose said; JOSE too; josé's as well") == "[x] said; [x] too; [x]'s as well"
    assert Redactor([("Jose", "[x]")]).redact("JOSÉ and José") == "[x] and [x]"
