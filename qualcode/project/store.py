"""The project file: one SQLite database (sqlite-utils) in WAL mode with foreign keys on.

**Only SQLite ever opens a project file** (or its -wal, -shm or -journal) while this process may hold a
connection to it. SQLite's locks are POSIX advisory locks, and those belong to the process, not to the
descriptor: closing *any* descriptor of the file (a plain ``open()`` to peek at its header, a copy, a
checksum) silently drops every lock this process's connections hold. The next process to close then believes
it is the last user, checkpoints and deletes the WAL that a workbench is still writing into, and every coding
made afterwards is lost without a word ("How To Corrupt An SQLite Database File", section 2.2). So the header
and application-id checks, backups and checks go through SQLite itself; paths a user names for other reasons
(a transcript, a sheet, an export) are refused when they are the project's own files (``refuse_own_file``);
and only a project this command created, and has closed, is ever deleted (``remove_project_files``).

**Opening is not writing.** ``Project.open(path)`` reads: its connection cannot change the file (an
authorizer refuses every write to it), an older schema is migrated in a private in-memory copy, and a
read-only file, folder or mount is read as it is. ``Project.open(path, write=True)`` is for commands that
write: it refuses a read-only project, or one on a network file system or in a cloud-sync folder (where
SQLite's locks and shared memory cannot be trusted) unless exclusive use was asked for (``--exclusive``:
a rollback journal and an exclusive lock, so that at most one process has it open); an older schema is
upgraded after an automatic backup, inside a transaction that also holds the command's own work, so that
a command that fails leaves an old project byte-for-byte as it was and two processes never upgrade at once.

**Writers wait, within their patience.** Every write runs in ``transaction()`` (``BEGIN IMMEDIATE``); when
another process holds the write lock, it waits up to ``patience`` seconds, telling ``on_wait`` who is
writing (a long writer leaves a note beside the project saying what it is doing), then raises
``ProjectBusy`` with that name instead of "database is locked".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .. import __version__
from ..errors import QualcodeError, did_you_mean
from . import location
from .connection import (
    ProjectBusy,
    ProjectReadOnly,
    WriterNote,
    busy_timeout_ms,
    check_path,
    check_place,
    closed_on_error,
    connect,
    connect_reader,
    exclusive_requested,
    identify,
    is_busy,
    patience,
    read_only_reason,
    refuse_own_file,
    remove_project_files,
    uri,
    wrap,
)
from .schema import APPLICATION_ID, SCHEMA_VERSION, migrations
from .scratch import undone_on_signal
from .upgrade import Upgrading

_POLL_MS = 200  # while waiting for the write lock, how often to look again (and to say who holds it)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Project(Upgrading):
    """An open project file. Use as a context manager so the connection is always closed."""

    def __init__(self, path: Path, db: Database, *, writable: bool, exclusive: bool = False) -> None:
        self.path = path
        self.db = db
        self.writable = writable
        self.exclusive = exclusive
        self.read_only_reason: str | None = None if writable else "opened for reading"
        self.memory_uri: str | None = None  # an older schema, migrated in memory for reading
        self.patience = patience()
        self.on_wait: Callable[[str], None] | None = None
        self._upgrade_backup: Path | None = None  # made before an upgrade that is not yet committed
        self.upgrade_note = ""  # what an upgrade on opening did, for the user
        self.on_upgraded: Any = None  # told the note once the upgrade is committed (not before: it may fail)
        self._shared = False  # another Project's connection (exclusive use): closing leaves it open
        self._journal_ok = True  # the file is in the journal mode this use wants (see _set_journal)
        self.note = WriterNote(path)

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    @contextmanager
    def new(cls, path: Path) -> Iterator[Project]:
        """A project this command makes, open for the block: removed again, files and all, unless the block
        finishes — on an error, on Ctrl+C, and when SIGHUP or SIGTERM stops the command — so that a stopped
        ``init``, ``import-qdpx``, ``merge`` or ``demo`` leaves nothing that a second try would refuse."""
        project = cls.create(path)
        try:
            with undone_on_signal(lambda: remove_project_files(path)):
                yield project
        except BaseException:
            project.close()
            remove_project_files(path)
            raise
        finally:
            project.close()

    @classmethod
    def create(cls, path: str | Path) -> Project:
        path = Path(path)
        if path.exists() or path.is_symlink():
            raise QualcodeError(f"{path}: already exists; qualcode never overwrites a file")
        if not path.parent.is_dir():
            raise QualcodeError(f"{path.parent}: no such folder")
        exclusive = check_place(path, location.describe(path))
        try:  # claim the name atomically; no connection to this new file exists yet
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise QualcodeError(f"{path}: already exists; qualcode never overwrites a file") from None
        except OSError as error:
            raise QualcodeError(f"{path}: cannot create ({error.strerror})") from None
        db: Database | None = None
        try:
            db = connect(path, "rw")
            project = cls(path, db, writable=True, exclusive=exclusive)
            project._set_journal()
            project._fix_journal()
            with project.transaction():
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                migrations.apply(db)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                created = {"created_at": now_iso(), "created_by": f"qualcode {__version__}"}
                db["project"].insert_all([{"key": k, "value": v} for k, v in created.items()])
        except BaseException:
            if db is not None:
                db.close()
            remove_project_files(path)
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, *, write: bool = False) -> Project:
        path = Path(path)
        check_path(path)
        place = location.describe(path)
        if write:
            exclusive = check_place(path, place)
            reason = read_only_reason(path, place)
            if reason:
                raise ProjectReadOnly(path, reason)
            db = connect(path, "rw")
        else:
            exclusive = exclusive_requested()
            db = connect_reader(path, place, exclusive)
        with closed_on_error(path, db):
            version = identify(path, db)
            project = cls(path, db, writable=write, exclusive=exclusive)
            if write:
                project._set_journal()
            if version < SCHEMA_VERSION:
                project = project._upgrade() if write else project._migrated_copy()
        return project

    @classmethod
    def open_for_workbench(cls, path: str | Path) -> Project:
        """For writing when it can be, else for reading with ``read_only_reason`` saying why; an upgrade is
        committed at once (the workbench is a writing session)."""
        try:
            project = cls.open(path, write=True)
        except ProjectReadOnly as error:
            project = cls.open(path)
            project.read_only_reason = error.reason
            return project
        project.finish_upgrade()
        return project

    def reader(self) -> Project:
        """Another connection for a thread worker (a connection belongs to the thread that opened it). Under
        exclusive use no second connection can get in, so the worker shares this one."""
        if self.exclusive:
            shared = Project(self.path, self.db, writable=self.writable, exclusive=True)
            shared._shared = True
            return shared
        if self.memory_uri:
            copy = Project(self.path, wrap(sqlite3.connect(self.memory_uri, uri=True, isolation_level=None)),
                           writable=False)  # fmt: skip
            copy.memory_uri = self.memory_uri
            return copy
        return Project.open(self.path)

    def parallel_connection(self) -> sqlite3.Connection | None:
        """A plain read-only connection for parallel reads, or None where there cannot be one."""
        if self.exclusive:
            return None
        if self.memory_uri:
            return sqlite3.connect(self.memory_uri, uri=True)
        return sqlite3.connect(uri(self.path, "ro"), uri=True, timeout=patience())

    def attach_uri(self) -> str:
        """What another connection ATTACHes to read this project (its migrated copy, if it has one)."""
        return self.memory_uri or uri(self.path, "ro")

    def _set_journal(self) -> None:
        """Exclusive use: an exclusive lock from the first read (the rollback journal comes with the first
        write, in ``_begin``). Otherwise WAL, switched back on after the first successful write if the file
        is in another mode (left by exclusive use, or a copy), so that a failed command changes nothing."""
        if self.exclusive:  # one process at a time, and no shared memory: safe where WAL is not
            self.db.execute("PRAGMA locking_mode=EXCLUSIVE")
        self._journal_ok = self.db.execute("PRAGMA journal_mode").fetchone()[0] == ("delete" if self.exclusive
                                                                                   else "wal")  # fmt: skip
        self.db.execute("PRAGMA synchronous=FULL")  # a committed coding survives a power cut too

    def _fix_journal(self) -> None:
        if self._journal_ok or self.db.conn.in_transaction:
            return
        with suppress(sqlite3.OperationalError):  # WAL needs nobody else in; next time, then
            self.db.execute(f"PRAGMA journal_mode={'DELETE' if self.exclusive else 'WAL'}")
            self._journal_ok = True

    def close(self) -> None:
        if self._shared:
            return
        if self._upgrade_backup is not None:
            self.finish_upgrade()
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and self._upgrade_backup is not None:
            self.abandon_upgrade()
        self.close()

    # -- transactions ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, what: str | None = None) -> Iterator[Database]:
        """All-or-nothing writes. Nested use becomes a savepoint inside the outer transaction. ``what``
        names a long write for anyone waiting on it ("an import of 12 documents")."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        if not self.writable:
            raise ProjectReadOnly(self.path, self.read_only_reason or "opened for reading")
        self._begin(what)
        try:
            yield self.db
        except BaseException:
            conn.rollback()
            self.note.forget()
            raise
        self._commit()

    def _begin(self, what: str | None = None) -> None:
        """``BEGIN IMMEDIATE``, looking again every ``_POLL_MS`` while another process writes, for at most
        ``patience`` seconds."""
        if self.exclusive:
            self._fix_journal()  # the rollback journal before anything is written
        deadline = time.monotonic() + self.patience
        self.db.execute(f"PRAGMA busy_timeout={_POLL_MS}")
        try:
            while True:
                try:
                    self.db.conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as error:
                    if not is_busy(error):
                        raise
                    holder = self.note.holder()
                    if time.monotonic() >= deadline:
                        raise ProjectBusy(self.path, holder, self.patience) from None
                    if self.on_wait:
                        self.on_wait(holder)
        finally:
            self.db.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        if what:
            self.note.leave(what)

    def _commit(self) -> None:
        self.db.conn.execute("COMMIT")
        self.note.forget()
        if not self.exclusive:
            self._fix_journal()

    # -- small shared lookups ----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM project WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO project(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def coder_id(self, name: str, create: bool = True) -> int:
        name = name.strip()
        if not name:
            raise QualcodeError("coder name is empty")
        row = self.db.execute("SELECT id FROM coder WHERE name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        if not create:
            known = [r[0] for r in self.db.execute("SELECT name FROM coder")]
            raise QualcodeError(f"unknown coder {name!r}" + did_you_mean(name, known))
        cursor = self.db.execute("INSERT INTO coder(name, created_at) VALUES (?, ?)", [name, now_iso()])
        return int(cursor.lastrowid or 0)

    def document(self, ref: str) -> dict[str, Any]:
        """A document by name, by file name without folder, or by numeric id."""
        rows = list(self.db.query("SELECT * FROM document WHERE name = ?", [ref]))
        if not rows:
            rows = list(
                self.db.query(
                    "SELECT * FROM document WHERE name LIKE ? ESCAPE '\\'",
                    ["%/" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")],
                )
            )
        if not rows and ref.isdigit() and len(ref) < 19:  # an id SQLite can hold
            rows = list(self.db.query("SELECT * FROM document WHERE id = ?", [int(ref)]))
        if len(rows) > 1:
            names = ", ".join(r["name"] for r in rows)
            raise QualcodeError(f"document {ref!r} is ambiguous: {names}")
        if not rows:
            names = [r[0] for r in self.db.execute("SELECT name FROM document")]
            raise QualcodeError(f"unknown document {ref!r}" + did_you_mean(ref, names))
        return rows[0]

    def longest_span(self, table: str) -> int:
        """The longest ``end - start`` in a table of ranges: the bound that turns "overlaps" into an index
        range scan (anything overlapping ``[start, end)`` starts at or after ``start - longest``)."""
        return int(self.db.execute(f'SELECT coalesce(max("end" - start), 0) FROM {table}').fetchone()[0])

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def refuse_own_file(self, other: Path, role: str) -> None:
        refuse_own_file(self.path, other, role)
