"""The project file: one SQLite database (sqlite-utils) in WAL mode with foreign keys on.

``Project.create`` makes a new file and ``Project.open`` checks that a file really is a qualcode project of a
schema this version understands before anything writes to it. Every command runs its writes inside
``Project.transaction()`` (``BEGIN IMMEDIATE``), so a failure anywhere leaves the file exactly as it was, and
two coders writing to one project on a shared drive queue behind ``busy_timeout`` instead of failing with
"database is locked".
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import __version__
from .errors import QualcodeError
from .schema import APPLICATION_ID, SCHEMA_VERSION, migrations

BUSY_TIMEOUT_MS = 10_000
_SQLITE_MAGIC = b"SQLite format 3\x00"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Project:
    """An open project file. Use as a context manager so the connection is always closed."""

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self.db = db

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> Project:
        path = Path(path)
        if path.exists():
            raise QualcodeError(f"{path}: already exists; qualcode init never overwrites a file")
        if not path.parent.exists():
            raise QualcodeError(f"{path.parent}: no such folder")
        try:
            db = _connect(path)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            project = cls(path, db)
            project._migrate()
            with project.transaction():
                db["project"].insert_all(
                    [
                        {"key": "created_at", "value": now_iso()},
                        {"key": "created_by", "value": f"qualcode {__version__}"},
                    ]
                )
        except BaseException:
            if "db" in locals():
                db.close()
            remove_project_files(path)
            raise
        return project

    @classmethod
    def open(cls, path: str | Path) -> Project:
        path = Path(path)
        _check_header(path)
        db = _connect(path)
        try:
            application_id = db.execute("PRAGMA application_id").fetchone()[0]
            if application_id != APPLICATION_ID:
                raise QualcodeError(f"{path}: not a qualcode project (a SQLite database made by another program)")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise QualcodeError(
                    f"{path}: made by a newer qualcode (schema {version}; this version reads up to "
                    f"{SCHEMA_VERSION}); upgrade qualcode to open it"
                )
            project = cls(path, db)
            if version < SCHEMA_VERSION:
                project._migrate()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise QualcodeError(f"{path}: not a readable qualcode project ({exc})") from None
        except BaseException:
            db.close()
            raise
        return project

    def _migrate(self) -> None:
        migrations.apply(self.db)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All-or-nothing writes. Nested use becomes a savepoint inside the outer transaction."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")

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
            raise QualcodeError(f"unknown coder {name!r}")
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
        if not rows and ref.isdigit():
            rows = list(self.db.query("SELECT * FROM document WHERE id = ?", [int(ref)]))
        if len(rows) > 1:
            names = ", ".join(r["name"] for r in rows)
            raise QualcodeError(f"document {ref!r} is ambiguous: {names}")
        if not rows:
            raise QualcodeError(f"unknown document {ref!r}")
        return rows[0]

    def longest_span(self, table: str) -> int:
        """The longest ``end - start`` in a table of ranges: the bound that turns "overlaps" into an index
        range scan (anything overlapping ``[start, end)`` starts at or after ``start - longest``)."""
        return int(self.db.execute(f'SELECT coalesce(max("end" - start), 0) FROM {table}').fetchone()[0])

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _connect(path: Path) -> Database:
    # Autocommit: the only transactions are the ones transaction() opens. Python's implicit transactions
    # (begun before any INSERT, even into a temporary table, and left open) would otherwise swallow later
    # writes into a transaction that nobody commits.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return db


def _check_header(path: Path) -> None:
    if not path.exists():
        raise QualcodeError(f"{path}: no such project file (create one with qualcode init)")
    if path.is_dir():
        raise QualcodeError(f"{path}: is a folder, not a project file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise QualcodeError(f"{path}: cannot read ({exc.strerror})") from None
    if header != _SQLITE_MAGIC:
        raise QualcodeError(f"{path}: not a qualcode project (not a SQLite database)")


def remove_project_files(path: Path) -> None:
    """Delete a project file with its WAL and shared-memory files (used when creating it failed)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
