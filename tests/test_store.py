"""The project file itself: recognised, versioned, migrated in transactions, safe with two writers."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from qualcode.errors import QualcodeError
from qualcode.project.schema import APPLICATION_ID, SCHEMA_VERSION
from qualcode.project.store import Project


def test_new_project_is_marked_versioned_and_in_wal(tmp_path: Path) -> None:
    path = tmp_path / "p.qdb"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = conn.execute("SELECT migration_set, name FROM _sqlite_migrations").fetchall()
        assert applied == [
            ("qualcode", "m001_initial"),
            ("qualcode", "m002_segment_search"),
            ("qualcode", "m003_key_quotes"),
            ("qualcode", "m004_report_index"),
            ("qualcode", "m005_decisions"),
            ("qualcode", "m006_dismissals"),
            ("qualcode", "m007_project_identity"),
            ("qualcode", "m008_participant_memos_by_pseudonym"),
            ("qualcode", "m009_code_phrases"),
        ]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"coding_by_code", "coding_by_document_offset", "coding_by_coder", "turn_by_document_offset"} <= indexes


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "p.qdb"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(QualcodeError, match=rf"made by a newer qualcode \(schema {SCHEMA_VERSION + 1}"):
        Project.open(path, write=True)
    assert path.read_bytes() == before


def test_refuses_folders_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(QualcodeError, match="is a folder"):
        Project.open(tmp_path, write=True)
    corrupt = tmp_path / "c.qdb"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(QualcodeError, match="c.qdb: not a qualcode project"):
        Project.open(corrupt, write=True)
    with pytest.raises(QualcodeError, match="no such folder"):
        Project.create(tmp_path / "missing" / "p.qdb")


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.qdb") as project, pytest.raises(sqlite3.IntegrityError):
        project.db.execute("INSERT INTO turn(document_id, seq, start, \"end\", role) VALUES (99, 0, 0, 1, 'none')")


def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.qdb") as project:
        with pytest.raises(RuntimeError), project.transaction():
            project.coder_id("amira")
            raise RuntimeError("boom")
        assert project.count("coder") == 0


def test_two_writers_wait_for_each_other(tmp_path: Path) -> None:
    """Two workbenches on one shared project: the second write waits, it does not fail with 'locked'."""
    path = tmp_path / "p.qdb"
    Project.create(path).close()
    first, second = Project.open(path, write=True), Project.open(path, write=True)
    holding = threading.Event()
    errors: list[BaseException] = []

    def hold_a_write() -> None:
        try:
            with Project.open(path, write=True) as writer, writer.transaction():
                writer.coder_id("amira")
                holding.set()
                time.sleep(0.6)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=hold_a_write)
    thread.start()
    holding.wait(5)
    with second.transaction():
        second.coder_id("ben")
    thread.join()
    assert not errors
    assert sorted(r[0] for r in first.db.execute("SELECT name FROM coder")) == ["amira", "ben"]
    first.close()
    second.close()


def test_a_transaction_left_open_by_a_read_does_not_swallow_writes(tmp_path: Path) -> None:
    """Python's sqlite3 would begin an implicit transaction for a write to a temporary table; the project's
    connection is in autocommit, so none is left open, and a change made through ``transaction()`` afterwards
    is committed, not nested inside it and lost on close."""
    path = tmp_path / "p.qdb"
    with Project.create(path) as project:
        project.db.execute("CREATE TEMP TABLE scratch (x)")
        project.db.conn.executemany("INSERT INTO temp.scratch VALUES (?)", [(1,), (2,)])
        assert not project.db.conn.in_transaction
        with project.transaction():
            project.set_meta("written", "yes")
            with project.transaction():  # a nested one is still a savepoint
                project.set_meta("nested", "yes")
        project.db.conn.close()  # no commit of anything else: a killed workbench
    with Project.open(path, write=True) as project:
        assert project.meta("written") == "yes" and project.meta("nested") == "yes"


def test_an_upgrade_names_participants_memos_by_pseudonym(tmp_path: Path) -> None:
    """Schema 8: a memo on a participant names them by pseudonym, as the workbench writes it; what an older
    REFI-QDA import wrote by row id is translated (unless that id is also someone's pseudonym)."""
    path = tmp_path / "p.qdb"
    Project.create(path).close()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("INSERT INTO participant(id, pseudonym) VALUES (1, 'Dee'), (2, 'Kyle'), (3, '1')")
        conn.execute("INSERT INTO coder(id, name, created_at) VALUES (1, 'amira', '2026-01-01')")
        for target in ("2", "Dee", "1"):  # by id (old), by pseudonym, and an id that is also a pseudonym
            conn.execute("INSERT INTO memo(target_type, target_id, coder_id, text, created_at, updated_at) "
                         "VALUES ('participant', ?, 1, ?, '', '')", [target, f"on {target}"])  # fmt: skip
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_participant_memos_by_pseudonym'")
        conn.execute("PRAGMA user_version=7")
    with Project.open(path, write=True) as project:
        project.finish_upgrade()
        found = dict(project.db.execute("SELECT text, target_id FROM memo").fetchall())
    assert found == {"on 2": "Kyle", "on Dee": "Dee", "on 1": "1"}


def test_a_project_from_before_phrases_gets_them_empty(tmp_path: Path, small_codebook: Path) -> None:
    """Schema 9 adds each code's phrases in participants' words: an older project opens with none, its codes
    and keywords as they were."""
    from qualcode.codebook.files import import_codebook, load_codebook, project_codes

    path = tmp_path / "old.qdb"
    with Project.create(path) as project:
        import_codebook(project, load_codebook(small_codebook), small_codebook)
        before = [(c["id"], c["keywords"]) for c in project_codes(project)]
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("ALTER TABLE code DROP COLUMN phrases")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_code_phrases'")
        conn.execute("PRAGMA user_version=8")
    with Project.open(path, write=True) as project:
        project.finish_upgrade()
        codes = project_codes(project)
    assert [(c["id"], c["keywords"]) for c in codes] == before and all(c["phrases"] == [] for c in codes)
