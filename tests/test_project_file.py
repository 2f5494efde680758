"""The project file's safety rules: only SQLite opens it, reading never writes, bad states get one line.

Covers the rule behind the lost-codings failure (no plain open of a project file while a connection may
exist: proved with an audit hook over a whole session), read-only opens, paths that name the project
itself, damaged, truncated and foreign files, read-only files, folders and mounts, and full disks.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from conftest import digest, old_project, recording_app, small_disk

from qualcode.errors import QualcodeError
from qualcode.project.store import Project, ProjectReadOnly

# -- only SQLite opens a project file -----------------------------------------------------------------

_WATCHED: set[str] = set()
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        creating = flags & os.O_CREAT and flags & os.O_EXCL  # Project.create claiming a new name
        if any(path == w or path == w + s for w in _WATCHED for s in ("-wal", "-shm", "-journal")) and not creating:
            _OPENED.append(path)


sys.addaudithook(_audit)


def test_no_project_file_is_ever_opened_outside_sqlite(invoke, demo_copy: Path, tmp_path: Path) -> None:
    """A whole session in one process — commands, exports, merge, REFI-QDA both ways, backup, check and the
    workbench with its worker threads — never opens a project file except through SQLite. (A plain open and
    close drops every lock this process holds on the file: how codings were lost.)"""
    from qualcode.tui import make_app

    merged, imported, backup = tmp_path / "merged.qdb", tmp_path / "imported.qdb", tmp_path / "b.qdb"
    _WATCHED.update(os.path.realpath(p) for p in (demo_copy, merged, imported, backup))
    try:
        steps = [
            ("code", demo_copy, "--coder", "kim", "--document", "mentor_tom.txt", "--code", "st-mentee-engage-mentor",
             "--segment", 2),
            ("star", demo_copy, "--coder", "kim", "--document", "mentor_tom.txt", "--code", "st-mentee-engage-mentor",
             "--segment", 2),
            ("autocode", demo_copy, "--coder", "auto", "--code", "psp-st-trust", "--pattern", r"\btrust"),
            ("info", demo_copy), ("documents", demo_copy), ("turns", demo_copy, "mentor_tom.txt"),
            ("export", "quotes", demo_copy, "--coders", "all", "-o", tmp_path / "q.docx"),
            ("export", "frequencies", demo_copy, "--coders", "all", "-o", tmp_path / "f.xlsx"),
            ("export", "evidence-map", demo_copy, "--coders", "all", "-o", tmp_path / "e.html"),
            ("export", "qdpx", demo_copy, "-o", tmp_path / "p.qdpx"),
            ("import-qdpx", imported, tmp_path / "p.qdpx"),
            ("merge", merged, demo_copy, imported),
            ("agreement", demo_copy, "--coders", "amira,ben"),
            ("backup", demo_copy, "-o", backup), ("check", demo_copy), ("check", backup),
        ]  # fmt: skip
        for step in steps:
            result = invoke(*step)
            assert result.exit_code == 0, (step, result.output)

        async def workbench() -> None:
            app = make_app(demo_copy, coder="kim", user="audit")
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("enter")  # a document: its suggestions come from a worker thread
                await app.workers.wait_for_complete()
                await pilot.press("j", "j", "c", *"trust", "enter", "R")
                await app.workers.wait_for_complete()
                await pilot.pause()

        asyncio.run(workbench())
    finally:
        _WATCHED.clear()
    assert _OPENED == []


# -- reading never writes ------------------------------------------------------------------------------


def test_reading_commands_leave_the_file_as_it_was(invoke, demo_copy: Path, tmp_path: Path) -> None:
    before = digest(demo_copy)
    for step in [("info", demo_copy, "--json"), ("documents", demo_copy), ("participants", demo_copy),
                 ("codebook", "show", demo_copy), ("export", "quotes", demo_copy, "--coders", "all", "-o", tmp_path / "q.json"),
                 ("export", "qdpx", demo_copy, "-o", tmp_path / "p.qdpx"), ("suggest", demo_copy, "--top", "1"),
                 ("agreement", demo_copy, "--coders", "amira,ben", "--unit", "character"), ("check", demo_copy)]:  # fmt: skip
        assert invoke(*step).exit_code == 0, step
    assert digest(demo_copy) == before


def test_a_reading_connection_cannot_write(demo_copy: Path) -> None:
    with Project.open(demo_copy) as project:
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            project.db.execute("INSERT INTO coder(name, created_at) VALUES ('x', 'now')")
        with pytest.raises(ProjectReadOnly, match="read-only"), project.transaction():
            pass
        project.db.execute("CREATE TEMP TABLE scratch (id INTEGER)")  # reports use temporary tables
        assert project.db.execute("SELECT count(*) FROM segment_fts").fetchone()[0] > 0  # the search index reads


def test_merge_never_changes_its_sources(invoke, demo_copy: Path, tmp_path: Path) -> None:
    """Sources are read only, an older one through its in-memory upgrade (attached, never upgraded)."""
    other = tmp_path / "other" / "demo.qdb"
    other.parent.mkdir()
    assert invoke("backup", demo_copy, "-o", other).exit_code == 0
    assert invoke("code", other, "--coder", "lee", "--document", "mentor_tom.txt", "--code",
                  "st-mentee-engage-mentor", "--segment", 4).exit_code == 0  # fmt: skip
    old_project(other)
    before = digest(demo_copy), digest(other)
    merged = tmp_path / "merged.qdb"
    result = invoke("merge", merged, demo_copy, other)
    assert result.exit_code == 0, result.output
    assert (digest(demo_copy), digest(other)) == before
    assert not list(other.parent.glob("*-backup-*"))
    assert invoke("check", merged).exit_code == 0
    with closing(sqlite3.connect(merged)) as conn:
        assert conn.execute("SELECT count(*) FROM coding c JOIN coder r ON r.id = c.coder_id "
                            "WHERE r.name = 'lee'").fetchone()[0] == 1  # fmt: skip


# -- paths that are the project itself -----------------------------------------------------------------


def test_a_path_that_is_the_project_is_refused(invoke, demo_copy: Path, tmp_path: Path) -> None:
    before = digest(demo_copy)
    linked = tmp_path / "notes.txt"
    os.link(demo_copy, linked)
    for step, message in [
        (("import", demo_copy, demo_copy), "that is the project file itself, not a transcript"),
        (("import", demo_copy, linked), "that is the project file itself, not a transcript"),
        (("export", "quotes", demo_copy, "-o", demo_copy), "not a file to write"),
        (("export", "quotes", demo_copy, "-o", f"{demo_copy}-wal"), "the project's own SQLite wal file"),
        (("codebook", "import", demo_copy, demo_copy), "not a codebook file"),
        (("backup", demo_copy, "-o", demo_copy), "not a file to write"),
    ]:
        result = invoke(*step)
        assert result.exit_code == 1 and message in result.output, (step, result.output)
    assert digest(demo_copy) == before


# -- damaged, truncated and foreign files ----------------------------------------------------------------


def _damage(path: Path, table: str) -> None:
    """Garbage in the middle of a table's root page, written with no connection open."""
    with closing(sqlite3.connect(path)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        conn.execute("PRAGMA journal_mode=DELETE")
    with path.open("r+b") as handle:
        handle.seek(page * (root - 1) + 8)
        handle.write(b"\xde\xad\xbe\xef" * 50)


def test_a_damaged_project_gets_one_line_and_is_never_written(invoke, demo_copy: Path, tmp_path: Path) -> None:
    assert invoke("backup", demo_copy).exit_code == 0  # so that the message can name it
    _damage(demo_copy, "coding")
    before = demo_copy.read_bytes()
    coded = invoke("code", demo_copy, "--coder", "x", "--document", "mentor_tom.txt", "--code",
                   "st-mentee-engage-mentor", "--segment", 1)  # fmt: skip
    exported = invoke("export", "quotes", demo_copy, "--coders", "all", "-o", tmp_path / "q.json")
    for result in (coded, exported):
        lines = result.output.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1, result.output
        assert "damaged (database disk image is malformed)" in lines[0] and "qualcode check" in lines[0]
        assert "the latest backup is" in lines[0] and "-backup-" in lines[0]
    assert demo_copy.read_bytes() == before
    checked = invoke("check", demo_copy)
    # SQLite lists the damaged pages, or (when the damage stops integrity_check itself) says the file is malformed
    assert checked.exit_code == 1
    assert "integrity: On tree page" in checked.output or "damaged: database disk image is malformed" in checked.output
    assert invoke("backup", demo_copy, "-o", tmp_path / "copy.qdb").exit_code == 1
    assert not (tmp_path / "copy.qdb").exists()


def test_truncated_and_foreign_files_get_one_line(invoke, demo_copy: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(demo_copy)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    data = demo_copy.read_bytes()
    truncated = tmp_path / "t.qdb"
    truncated.write_bytes(data[: len(data) // 3])
    foreign = tmp_path / "other.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE t (x)")
    text = tmp_path / "notes.qdb"
    text.write_text("not a project\n", encoding="utf-8")
    for path, message in [(truncated, "damaged"), (foreign, "made by another program"), (text, "not a SQLite database"),
                          (tmp_path, "is a folder"), (Path("/dev/null"), "not a regular file")]:  # fmt: skip
        for command in (("info", path), ("check", path), ("code", path, "--coder", "x", "--document", "d",
                                                          "--code", "c", "--segment", 0)):  # fmt: skip
            result = invoke(*command)
            assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output, command
            assert len(result.output.strip().splitlines()) <= 2 or command[0] == "check", result.output


# -- read-only files, folders and mounts --------------------------------------------------------------


def _chattr(flag: str, path: Path) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable(demo_copy: Path):
    """The project file made immutable (even root cannot write it), where the file system allows."""
    with closing(sqlite3.connect(demo_copy)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    if not _chattr("+i", demo_copy):
        pytest.skip("chattr +i is not available here")
    yield demo_copy
    _chattr("-i", demo_copy)


def test_a_read_only_project_is_read_and_says_so_when_written(invoke, immutable: Path, tmp_path: Path) -> None:
    before = immutable.read_bytes()
    assert invoke("info", immutable).exit_code == 0
    assert invoke("export", "quotes", immutable, "--coders", "all", "-o", tmp_path / "q.json").exit_code == 0
    coded = invoke("code", immutable, "--coder", "x", "--document", "mentor_tom.txt", "--code",
                   "st-mentee-engage-mentor", "--segment", 1)  # fmt: skip
    assert coded.exit_code == 1
    assert "read-only (the file is not writable by you); nothing was changed" in coded.output
    assert immutable.read_bytes() == before


def test_the_workbench_on_a_read_only_project_says_so(immutable: Path) -> None:
    async def scenario() -> list[str]:
        app, said = recording_app(immutable)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("j", "j", "c", *"trust", "enter")
            await pilot.pause()
        return said

    said = asyncio.run(scenario())
    assert any("Read-only: the file is not writable by you" in s for s in said)
    assert any(s.startswith("Not saved (") and "read-only here" in s for s in said)


@pytest.fixture
def read_only_mount(demo_copy: Path, tmp_path: Path):
    with closing(sqlite3.connect(demo_copy)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")  # closed cleanly: no -wal or -shm beside it
    mount = tmp_path / "mnt"
    mount.mkdir()
    if subprocess.run(
        ["mount", "--bind", "-o", "ro", str(demo_copy.parent), str(mount)], capture_output=True
    ).returncode:
        pytest.skip("cannot make a read-only bind mount here")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], capture_output=True)
    yield mount / demo_copy.name
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_project_on_a_read_only_mount_is_read(invoke, read_only_mount: Path, tmp_path: Path) -> None:
    assert not os.access(read_only_mount.parent, os.W_OK) or os.statvfs(read_only_mount).f_flag & os.ST_RDONLY
    info = invoke("info", read_only_mount, "--json")
    assert info.exit_code == 0, info.output
    assert invoke("check", read_only_mount).exit_code == 0
    assert invoke("backup", read_only_mount, "-o", tmp_path / "copy.qdb").exit_code == 0
    coded = invoke("code", read_only_mount, "--coder", "x", "--document", "mentor_tom.txt", "--code",
                   "st-mentee-engage-mentor", "--segment", 1)  # fmt: skip
    assert coded.exit_code == 1 and "read-only (it is on a read-only mount)" in coded.output


def test_a_read_only_folder(invoke, demo_copy: Path) -> None:
    with closing(sqlite3.connect(demo_copy)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    if not _chattr("+i", demo_copy.parent):
        pytest.skip("chattr +i is not available here")
    try:
        assert invoke("info", demo_copy).exit_code == 0
        coded = invoke("code", demo_copy, "--coder", "x", "--document", "mentor_tom.txt", "--code",
                       "st-mentee-engage-mentor", "--segment", 1)  # fmt: skip
        assert (
            coded.exit_code == 1
            and "is not writable by you, and SQLite needs to create files beside it" in coded.output
        )
    finally:
        _chattr("-i", demo_copy.parent)


# -- a full disk -----------------------------------------------------------------------------------------


def test_the_workbench_reports_a_full_disk_and_keeps_going(demo_copy: Path) -> None:
    """The file may not grow (SQLite's page limit: the same SQLITE_FULL a full disk gives): the coding that
    failed is reported, the ones before it are kept, and coding works again once there is room."""

    async def scenario() -> list[str]:
        app, said = recording_app(demo_copy)
        app.interviewer_ok = True  # some of the segments coded here are questions
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            app.screen.apply(["st-mentee-engage-mentor"])
            await pilot.pause()
            pages = app.project.db.execute("PRAGMA page_count").fetchone()[0]
            app.project.db.execute(f"PRAGMA max_page_count={pages}")
            await pilot.press("j")
            for n in range(40):  # until a page is full
                app.screen.query_one("TranscriptView").go_to_segment(n + 2)
                app.screen.apply(["psp-st-trust"])
                await pilot.pause()
                if any("NOT SAVED" in s for s in said):
                    break
            app.project.db.execute("PRAGMA max_page_count=1073741823")
            app.screen.query_one("TranscriptView").go_to_segment(60)
            app.screen.apply(["mt-mentee-accommodation"])
            await pilot.pause()
            assert app.is_running
        return said

    said = asyncio.run(scenario())
    failed = [s for s in said if "NOT SAVED" in s]
    assert failed and "the disk is full" in failed[0] and "Everything before it is kept" in failed[0]
    with closing(sqlite3.connect(demo_copy)) as conn:
        codes = {r[0] for r in conn.execute("SELECT code_id FROM coding c JOIN coder r ON r.id = c.coder_id "
                                             "WHERE r.name = 'amira'")}  # fmt: skip
    assert {"st-mentee-engage-mentor", "mt-mentee-accommodation"} <= codes


def test_a_full_disk_changes_nothing(invoke, tmp_path: Path, small_codebook: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        project = disk / "s.qdb"
        assert invoke("init", project, "--codebook", small_codebook).exit_code == 0
        transcript = tmp_path / "d.txt"
        transcript.write_text("Interviewer: Hi?\nDee: I got a flat. It took a while.\n", encoding="utf-8")
        assert invoke("import", project, transcript, "--group", "mentee").exit_code == 0
        before = digest(project)
        big = tmp_path / "big.txt"
        big.write_text("Interviewer: Q?\n" + "Dee: the flat and the mentor, again and again.\n" * 20000, "utf-8")
        result = invoke("import", project, big, "--group", "mentee")
        assert result.exit_code == 1 and "the disk is full" in result.output and "nothing was changed" in result.output
        assert digest(project) == before
        assert invoke("check", project).exit_code == 0


# -- who is writing --------------------------------------------------------------------------------------


def test_a_waiting_writer_is_told_who_holds_the_project(demo_copy: Path, monkeypatch) -> None:
    import threading

    monkeypatch.setenv("QUALCODE_PATIENCE", "0.5")
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with Project.open(demo_copy, write=True) as project, project.transaction("import of 3 document(s)"):
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    holding.wait(10)
    try:
        with Project.open(demo_copy, write=True) as other, pytest.raises(QualcodeError) as refused, other.transaction():
            pass
    finally:
        release.set()
        writer.join()
    message = str(refused.value)
    assert "busy:" in message and "'s import of 3 document(s) (pid " in message and "more than 0.5 s" in message
    assert not Path(f"{demo_copy}-writer").exists()  # the note goes with the write
