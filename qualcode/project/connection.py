"""The project file as SQLite sees it: connections, the checks made before one is trusted, and one-line
messages for what SQLite reports about the file.

Everything here follows the rule in ``store``: the project file and its -wal/-shm/-journal are only ever
opened by SQLite. Checks before opening use ``stat`` and ``access``; the header and application id are read
through a connection; paths a user names are compared with the project's by ``stat`` and by name.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from ..errors import QualcodeError
from . import backup, location
from .schema import APPLICATION_ID, SCHEMA_VERSION

PATIENCE = 10.0  # seconds a statement waits on a lock (a writer for the write lock, a reader during WAL recovery)
EXCLUSIVE_ENV = "QUALCODE_EXCLUSIVE"
SIDECARS = ("-wal", "-shm", "-journal")
_WRITES = {
    getattr(sqlite3, name)
    for name in ("SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_INDEX",
                 "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW", "SQLITE_DROP_TABLE", "SQLITE_DROP_INDEX",
                 "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW", "SQLITE_ALTER_TABLE", "SQLITE_REINDEX",
                 "SQLITE_ANALYZE", "SQLITE_CREATE_VTABLE", "SQLITE_DROP_VTABLE")
}  # fmt: skip
_LASTING_PRAGMAS = {"user_version", "application_id", "journal_mode", "page_size", "auto_vacuum", "schema_version",
                    "writable_schema", "incremental_vacuum", "wal_checkpoint", "optimize"}  # fmt: skip


class ProjectBusy(QualcodeError):
    """Another process held the write lock for longer than this one's patience."""

    def __init__(self, path: Path, holder: str, patience: float) -> None:
        self.holder = holder
        super().__init__(
            f"{path}: busy: {holder} has held it for more than {patience:g} s (writing to it, or using it alone with "
            "--exclusive); nothing was changed, try again when it has finished"
        )


class ProjectReadOnly(QualcodeError):
    """The project cannot be written here (file, folder or mount read-only, or opened for reading)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{path}: read-only ({reason}); nothing was changed")


def patience() -> float:
    """How long a writer waits for another process's write to finish: ``QUALCODE_PATIENCE`` seconds, else 10."""
    given = os.environ.get("QUALCODE_PATIENCE", "").strip()
    try:
        seconds = float(given) if given else PATIENCE
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:  # "inf", "nan" and negatives too
        raise QualcodeError(f"QUALCODE_PATIENCE={given!r}: give a number of seconds from 0 to 3600")
    return seconds


def busy_timeout_ms() -> int:
    return max(1, int(patience() * 1000))


_exclusive: bool | None = None  # asked for on this command line; None: as QUALCODE_EXCLUSIVE says


def set_exclusive(value: bool | None) -> None:
    """``--exclusive`` for every connection this process opens (the workbench's included), or None."""
    global _exclusive
    _exclusive = value


def exclusive_requested() -> bool:
    if _exclusive is not None:
        return _exclusive
    return os.environ.get(EXCLUSIVE_ENV, "").strip().lower() not in ("", "0", "no", "false")


def file_connection(path: str | Path) -> Database:
    """The project file as it is on disk, for reading (an older schema not upgraded): for check and backup."""
    path = Path(path)
    check_path(path)
    db = connect_reader(path, location.describe(path), exclusive_requested())
    with closed_on_error(path, db):
        identify(path, db)
    return db


@contextmanager
def closed_on_error(path: Path, db: Database) -> Iterator[None]:
    """Close a connection that is not handed on because something failed, and say what SQLite reported in
    one line naming the project."""
    try:
        yield
    except sqlite3.Error as error:
        db.close()
        raise explain(path, error) or error from None
    except BaseException:
        db.close()
        raise


class WriterNote:
    """A note beside the project (``study.qdb-writer``) saying who holds the write lock for a long write, so
    that whoever waits can say for what. Written when the lock is taken, removed at commit or rollback; a
    note whose process is gone (killed) is ignored. Not a SQLite file, so the rule above does not apply."""

    def __init__(self, project: Path) -> None:
        self.path = Path(f"{project}-writer")
        self.mine = False

    def leave(self, what: str) -> None:
        note = {"pid": os.getpid(), "host": socket.gethostname(), "user": user_name(), "what": what}
        note["since"] = time.time()
        with suppress(OSError):
            partial = Path(f"{self.path}.{os.getpid()}")
            with suppress(FileNotFoundError):
                partial.unlink()  # whatever was planted there (a link is removed, never followed)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(note))
            os.replace(partial, self.path)
            self.mine = True

    def forget(self) -> None:
        if self.mine:
            with suppress(OSError, ValueError):
                if (_read_note(self.path) or {}).get("pid") == os.getpid():
                    self.path.unlink()
            self.mine = False

    def holder(self) -> str:
        """Who holds the write lock, as far as anyone said: "alex's import of 12 documents (pid 4242, for 8 s)"
        or, for a writer that left no note (another program, or a short write), "another process"."""
        note = _read_note(self.path)
        if note is None:
            return "another process"
        if note.get("host") == socket.gethostname() and not alive(int(note.get("pid", 0))):
            return "another process"  # a note left by a writer that was killed
        seconds = max(0, int(time.time() - float(note.get("since", time.time()))))
        return f"{note.get('user', 'someone')}'s {note.get('what', 'write')} (pid {note.get('pid')}, for {seconds} s)"


NOTE_SIZE = 4096  # bytes: a writer's note is a line of JSON


def _read_note(path: Path) -> dict[str, Any] | None:
    """A writer's note, if it is a small regular file holding a JSON object: never a link followed, a pipe
    waited on or a device read without end."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data = os.read(descriptor, NOTE_SIZE + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    try:
        note = json.loads(data.decode("utf-8")) if len(data) <= NOTE_SIZE else None
    except (ValueError, UnicodeDecodeError):
        return None
    return note if isinstance(note, dict) else None


def uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.absolute()))}?mode={mode}"


def wrap(conn: sqlite3.Connection) -> Database:
    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys=ON")
    # Every page's cells are checked as it is read, so that a damaged page is reported before anything is
    # written into it (without this, an insert can land in a page whose other cells are garbage).
    db.execute("PRAGMA cell_size_check=ON")
    db.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    return db


def connect(path: Path, mode: str, *, shared: bool = False) -> Database:
    # Autocommit: the only transactions are the ones transaction() opens. Python's implicit transactions
    # (begun before any INSERT, even into a temporary table, and left open) would otherwise swallow later
    # writes into a transaction that nobody commits. URIs, so that "mode=rw" never creates a missing file.
    conn = sqlite3.connect(
        uri(path, mode),
        uri=True,
        timeout=patience(),
        isolation_level=None,
        check_same_thread=not (shared or exclusive_requested()),  # exclusive use: workers share it
    )
    return wrap(conn)


def connect_reader(path: Path, place: location.Location, exclusive: bool) -> Database:
    """A connection that reads and cannot write: read-write to SQLite (so that it tidies the WAL away when it
    is the last to close) but refused every write by an authorizer; ``mode=ro`` where the folder cannot hold
    a -shm file, and ``immutable`` on a read-only mount or folder where no -shm exists."""
    modes = ["rw", "ro"]
    if place.read_only_mount or not os.access(path.parent, os.W_OK):
        modes.append("ro&immutable=1")
    for n, mode in enumerate(modes):
        db = connect(path, mode)
        db.conn.set_authorizer(_refuse_writes)
        try:
            if exclusive:
                db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA schema_version").fetchone()
            return db
        except sqlite3.OperationalError as error:
            db.close()
            if exclusive and is_busy(error):
                raise QualcodeError(f"{path}: another process has it open, and --exclusive needs it alone") from None
            if getattr(error, "sqlite_errorname", "") != "SQLITE_CANTOPEN" or n == len(modes) - 1:
                raise explain(path, error) or error from None
    raise AssertionError("unreachable")


def _refuse_writes(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
    # Connecting a virtual table (the search index) asks to "update" sqlite_master while parsing its schema;
    # real schema changes are the CREATE/DROP/ALTER actions, refused here, and writable_schema, refused below.
    if dbname == "main" and action in _WRITES and arg1 != "sqlite_master":
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() in _LASTING_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def identify(path: Path, db: Database) -> int:
    """The schema version of a qualcode project, read through SQLite (never by opening the file)."""
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise QualcodeError(f"{path}: not a qualcode project (not a SQLite database)") from None
        raise
    if application_id != APPLICATION_ID:
        raise QualcodeError(f"{path}: not a qualcode project (a SQLite database made by another program)")
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise QualcodeError(
            f"{path}: made by a newer qualcode (schema {version}; this version reads up to {SCHEMA_VERSION}); "
            "upgrade qualcode to open it"
        )
    return version


def check_path(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise QualcodeError(f"{path}: no such project file (create one with qualcode init)") from None
    except OSError as error:
        raise QualcodeError(f"{path}: cannot read ({error.strerror})") from None
    if path.is_dir():
        raise QualcodeError(f"{path}: is a folder, not a project file")
    if not (mode & 0o170000 == 0o100000):
        raise QualcodeError(f"{path}: not a regular file, so not a project file")
    if not os.access(path, os.R_OK):
        raise QualcodeError(f"{path}: cannot read (permission denied)")


def check_place(path: Path, place: location.Location) -> bool:
    """Whether writing uses exclusive locking; refuses a network or sync folder unless that was asked for."""
    exclusive = exclusive_requested()
    if place.unsafe and not exclusive:
        raise QualcodeError(
            f"{path}: {place.unsafe}. SQLite cannot keep several people's work safe there, and a copy made "
            "while someone writes can be torn. Work on a copy on a local disk (coders on one server over SSH "
            "can share one file; coders on separate machines keep separate files and `qualcode merge` them), "
            "or run `qualcode --exclusive ...` to use it from one process at a time; nothing was changed"
        )
    return exclusive


def read_only_reason(path: Path, place: location.Location) -> str | None:
    """Why this process cannot write the project, or None."""
    if place.read_only_mount:
        return "it is on a read-only mount"
    if not os.access(path, os.W_OK):
        return "the file is not writable by you"
    if not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} is not writable by you, and SQLite needs to create files beside it"
    return None


def is_busy(error: BaseException) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(error)


def explain(path: Path, error: BaseException) -> QualcodeError | None:
    """A one-line message for what SQLite reports about the file itself; None for anything else (a bug)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if is_busy(error):
        return ProjectBusy(path, "another process", patience())  # the patience this process had, not the default
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return ProjectReadOnly(path, text)
    if name == "SQLITE_FULL" or "disk is full" in text or (name.startswith("SQLITE_IOERR") and _disk_full(path)):
        return QualcodeError(f"{path}: the disk is full (or the file reached its size limit); nothing was changed")
    if name == "SQLITE_NOTADB" or text == "file is not a database":
        return QualcodeError(f"{path}: not a qualcode project (not a SQLite database, or one damaged past reading)")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return QualcodeError(f"{path}: damaged ({text}); nothing was written to it; {backup.hint(path)}")
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return QualcodeError(f"{path}: cannot read or write it ({text}); nothing was changed")
    if name.startswith("SQLITE_CANTOPEN"):
        return QualcodeError(f"{path}: cannot open it ({text})")
    return None


def _disk_full(path: Path) -> bool:
    """An I/O error on a disk with (almost) no room left is a full disk: SQLite says "disk I/O error" when the
    -shm file cannot grow."""
    try:
        return shutil.disk_usage(path.absolute().parent).free < 1 << 20
    except OSError:
        return False


def refuse_own_file(project: Path, other: Path, role: str) -> None:
    """A user-named path that is the project itself (or its -wal/-shm/-journal, even one not there yet) is
    refused, found by ``stat`` and by name: reading or writing it with anything but SQLite would drop this
    process's locks or destroy the project."""
    try:
        theirs = os.stat(other)
        key: tuple[int, int] | None = (theirs.st_dev, theirs.st_ino)
    except OSError:
        key = None
    resolved = os.path.realpath(other)
    for suffix in ("", *SIDECARS):
        own = f"{project}{suffix}"
        same = resolved == os.path.realpath(own)
        if not same and key is not None:
            with suppress(OSError):
                mine = os.stat(own)
                same = key == (mine.st_dev, mine.st_ino)
        if same:
            what = "the project file itself" if not suffix else f"the project's own SQLite {suffix[1:]} file"
            raise QualcodeError(f"{other}: that is {what}, not a {role}")


def remove_project_files(path: Path) -> None:
    """Delete a project file with its WAL and shared-memory files and its writer's note. Only for a project this
    command created and has closed every connection to: deleting a file others have open is how work is lost."""
    for suffix in ("", *SIDECARS, "-writer"):  # and the note of who writes it (``WriterNote``): it was this one
        Path(str(path) + suffix).unlink(missing_ok=True)


def user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "someone"


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True
