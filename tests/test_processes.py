"""Never lose work, with real processes: workbenches and commands side by side, SIGKILL, a busy project.

Every test here runs qualcode in separate processes, because the failures that lose work (locks dropped
when a process closes a file, a WAL deleted under a writer) cannot happen inside one.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import old_project
from processes import Workbench, qualcode, read_codings, start

from qualcode.project.schema import SCHEMA_VERSION

HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("HELD", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another program (not qualcode) holding the project's write lock for a while."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "HELD"
    return process


def test_the_reproduction_loses_nothing(demo_copy: Path, tmp_path: Path) -> None:
    """The reported case: a workbench is open, any second process opens the project, the coder applies a
    code (by keys), the workbench is killed with SIGKILL; the coding must be in the file."""
    bench = Workbench(demo_copy, "kim")
    assert qualcode("info", demo_copy).returncode == 0  # any second process
    bench.do(do="open", document="mentee_ryan.md")
    assert qualcode("info", demo_copy).returncode == 0
    applied = bench.do(do="code", segment=3, keys="trust")["mine"]
    assert len(applied) == 1
    bench.kill()
    out = tmp_path / "k.json"
    result = qualcode("export", "quotes", demo_copy, "--coder", "kim", "-o", out)
    assert result.returncode == 0, result.stderr
    quotes = json.loads(out.read_text(encoding="utf-8"))
    assert [(q["code"], q["start"], q["end"]) for q in quotes] == [tuple(applied[0][:3])]
    assert qualcode("check", demo_copy).returncode == 0


def test_two_workbenches_both_code_both_quit_and_nothing_is_lost(demo_copy: Path) -> None:
    """Two coders' workbenches on one project, a script coding beside them, readers coming and going;
    both quit cleanly (the old failure: one wrote stale pages back over the other's work)."""
    kim, lee = Workbench(demo_copy, "kim"), Workbench(demo_copy, "lee")
    kim.do(do="open", document="mentee_ryan.md")
    lee.do(do="open", document="mentee_ryan.md")
    shown: dict[str, list] = {}
    for n in range(4):
        assert qualcode("info", demo_copy).returncode == 0
        shown["kim"] = kim.do(do="code", segment=n * 3, code="st-mentee-engage-mentor")["mine"]
        shown["lee"] = lee.do(do="code", segment=n * 3 + 1, code="st-mentee-motivation-change")["mine"]
        coded = qualcode("code", demo_copy, "--coder", "sam", "--document", "mentee_ryan.md", "--code",
                         "st-mentee-engage-mentor", "--segment", n * 3 + 2)  # fmt: skip
        assert coded.returncode == 0, coded.stderr
    assert kim.quit() == 0 and lee.quit() == 0
    for coder in ("kim", "lee"):
        in_file = {(code, start, end) for _, _, code, start, end in read_codings(demo_copy, coder)}
        assert in_file == {tuple(row[:3]) for row in shown[coder]} and len(in_file) == 4
    assert len(read_codings(demo_copy, "sam")) == 4
    assert qualcode("check", demo_copy).returncode == 0


def test_two_workbenches_see_each_other_without_a_key_press(demo_copy: Path) -> None:
    kim, lee = Workbench(demo_copy, "kim"), Workbench(demo_copy, "lee")
    try:
        kim.do(do="open", document="mentor_tom.txt")
        lee.do(do="open", document="mentor_tom.txt")
        kim.do(do="code", segment=2, code="st-mentee-engage-mentor")  # so that lee can choose to see kim
        lee.do(do="others", coder="kim")
        applied = kim.do(do="code", segment=5, code="st-mentee-motivation-change")["mine"]
        deadline = time.monotonic() + 10
        while lee.do(do="state")["others"] != applied:  # no refresh asked for: the screen notices by itself
            assert time.monotonic() < deadline, "lee's workbench never showed kim's coding"
            time.sleep(0.1)
    finally:
        kim.quit(), lee.quit()


def test_a_busy_project_keeps_the_workbench_coding_until_it_is_written(demo_copy: Path) -> None:
    """Another program holds the write lock while the coder applies a code: the workbench says it is
    waiting, shows the coding only once written, and loses nothing; no "database is locked" anywhere."""
    bench = Workbench(demo_copy, "kim")
    bench.do(do="open", document="mentee_ryan.md")
    holder = hold_write_lock(demo_copy, 4)
    state = bench.do(do="code", segment=4, code="st-mentee-engage-mentor")
    holder.wait(30)
    assert len(state["mine"]) == 1
    notes = " ".join(bench.notifications())
    assert "not saved yet" in notes and "another process" in notes and "saved" in notes
    assert "locked" not in notes.lower()
    bench.kill()
    assert len(read_codings(demo_copy, "kim")) == 1


def test_a_command_waits_for_a_busy_project_and_says_for_whom(demo_copy: Path) -> None:
    holder = hold_write_lock(demo_copy, 2)
    coded = qualcode("code", demo_copy, "--coder", "sam", "--document", "mentor_tom.txt", "--code", "st-mentee-engage-mentor",
                     "--segment", 3)  # fmt: skip
    holder.wait(30)
    assert coded.returncode == 0, coded.stderr
    assert "waiting for the project: another process is writing to it" in coded.stderr
    holder = hold_write_lock(demo_copy, 6)
    refused = qualcode("code", demo_copy, "--coder", "sam", "--document", "mentor_tom.txt", "--code",
                       "st-mentee-engage-mentor", "--segment", 4, env={"QUALCODE_PATIENCE": "1"})  # fmt: skip
    holder.wait(30)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert (
        lines[-1].startswith("Error: ")
        and "busy: another process has held it for more than 1 s (writing to it, or using it alone" in lines[-1]
    )
    assert "nothing was changed" in lines[-1] and "locked" not in refused.stderr and "Traceback" not in refused.stderr
    assert len(read_codings(demo_copy, "sam")) == 1


def test_coding_goes_on_during_a_colleagues_import(demo_copy: Path, tmp_path: Path) -> None:
    """An import segments outside its write transaction: a coder's commands during it never fail."""
    folder = tmp_path / "new"
    folder.mkdir()
    sentence = "Interviewer: How was it?\nAsha: The mentor kept coming back and that made the difference to me. "
    for n in range(120):
        (folder / f"extra_{n:03}.txt").write_text(sentence * 40 + f"Number {n}.\n", encoding="utf-8")
    importer = start("import", demo_copy, folder, "--group", "mentee")
    done = 0
    while importer.poll() is None or done == 0:
        coded = qualcode("code", demo_copy, "--coder", "sam", "--document", "mentor_tom.txt", "--code",
                         "st-mentee-engage-mentor", "--segment", done, env={"QUALCODE_PATIENCE": "10"})  # fmt: skip
        assert coded.returncode == 0, coded.stderr
        done += 1
    out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert "imported 120 document(s)" in out
    assert done >= 2 and len(read_codings(demo_copy, "sam")) == done


def _state(path: Path) -> tuple[bytes, list[str]]:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b""), sorted(
        p.name for p in path.parent.iterdir()
    )


def test_an_old_project_is_read_by_many_without_a_change(demo_copy: Path) -> None:
    old = old_project(demo_copy)
    before = _state(old)
    readers = [start("info", old, "--json") for _ in range(3)]
    readers += [start("export", "quotes", old, "--coders", "all", "-o", old.with_name(f"q{n}.json")) for n in range(2)]
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
    assert _state(old)[0] == before[0]
    assert not list(old.parent.glob("*-backup-*")), "reading made a backup"
    failed = qualcode("code", old, "--coder", "sam", "--document", "mentor_tom.txt", "--code", "no-such-code",
                      "--segment", 1)  # fmt: skip
    assert failed.returncode == 1 and "unknown code" in failed.stderr
    assert _state(old)[0] == before[0], "a failed command changed an old project"
    assert not list(old.parent.glob("*-backup-*")), "a failed command left a backup"


def test_an_old_project_is_upgraded_once_after_a_backup(demo_copy: Path) -> None:
    old = old_project(demo_copy)
    with closing(sqlite3.connect(old)) as conn:
        before = conn.execute("SELECT count(*) FROM coding").fetchone()[0]
    writers = [start("code", old, "--coder", f"c{n}", "--document", "mentor_tom.txt", "--code", "st-mentee-engage-mentor",
                     "--segment", n) for n in range(3)]  # fmt: skip
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names.count("m006_dismissals") == 1 and names.count("m007_project_identity") == 1
    backups = list(old.parent.glob(f"demo-backup-*-before-schema-{SCHEMA_VERSION}.qdb"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (5,)
        assert conn.execute("SELECT count(*) FROM coding").fetchone()[0] == before
    assert len(read_codings(old)) == before + 3
    assert qualcode("check", old).returncode == 0


@pytest.mark.parametrize("killed_after", [0.3, 1.0])
def test_a_command_killed_midway_leaves_all_or_nothing(demo_copy: Path, killed_after: float) -> None:
    """autocode writes many codings in one transaction: SIGKILL at any moment leaves all of them or none."""
    args = ("autocode", demo_copy, "--coder", "auto", "--code", "st-mentee-engage-mentor", "--pattern", r"\btrust", "--scope",
            "segment")  # fmt: skip
    planned = json.loads(qualcode(*args, "--dry-run", "--json").stdout)["hits"]
    process = start(*args)
    time.sleep(killed_after)
    process.kill()
    process.wait(30)
    found = read_codings(demo_copy, "auto")
    assert len(found) in (0, len(planned))
    assert qualcode("check", demo_copy).returncode == 0
