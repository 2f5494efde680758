"""Backups of a project: consistent copies made by SQLite's online backup API, never by copying bytes.

A backup is taken through a SQLite connection in one step, so it is the project as of one moment even while
workbenches keep writing (in WAL mode a reader never blocks a writer). It is written in a private scratch
folder beside its destination (``scratch``) and renamed into place only when complete and checked, so a
killed backup never leaves something that looks like a good one, nor a readable partial copy. Copying the
file with ``shutil`` instead would not be consistent, and opening it outside SQLite would drop this
process's locks (see ``store``).

Names carry a timestamp, ``study-backup-20261201-150102.qdb``, so that "the latest backup" is the last
name in order; backups made before a schema upgrade say so (``...-before-schema-7.qdb``).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from ..errors import QualcodeError
from .scratch import private_folder


def default_path(project: Path, label: str = "") -> Path:
    """``study-backup-YYYYmmdd-HHMMSS[-label].qdb`` beside the project, never an existing file."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = f"-{label}" if label else ""
    base = project.with_name(f"{project.stem}-backup-{stamp}{suffix}")
    path, n = base.with_suffix(project.suffix or ".qdb"), 2
    while path.exists():
        path = base.with_name(f"{base.name}-{n}").with_suffix(project.suffix or ".qdb")
        n += 1
    return path


def latest(project: Path) -> Path | None:
    """The newest backup beside a project, by the timestamp in its name."""
    try:
        found = sorted(project.parent.glob(f"{project.stem}-backup-*"))
    except OSError:
        return None
    found = [p for p in found if not p.name.startswith(".") and not p.name.endswith(("-wal", "-shm", "-journal"))]
    return found[-1] if found else None


def hint(project: Path) -> str:
    """Where to turn when a project is damaged: the check command and the latest backup, if any."""
    newest = latest(project)
    where = f"; the latest backup is {newest}" if newest else "; no backup was found beside it"
    return f"run `qualcode check {project}` to see what is wrong{where}"


def copy(source: sqlite3.Connection, destination: Path, replace: bool = False) -> int:
    """Copy the database behind ``source`` to a new file ``destination`` (refused if it exists, unless
    ``replace``), checked with ``quick_check``; returns its size in bytes. ``source`` must not be inside a
    write transaction."""
    if destination.is_dir():
        raise QualcodeError(f"{destination}: is a folder; give the backup a file name")
    if destination.exists() and not replace:
        raise QualcodeError(f"{destination}: already exists; give --force to replace it")
    if not destination.parent.is_dir():
        raise QualcodeError(f"{destination.parent}: no such folder")
    try:
        with private_folder(destination.parent) as folder:
            partial = folder / destination.name
            target = sqlite3.connect(partial, isolation_level=None)
            try:
                source.backup(target)  # one step: a consistent snapshot, whatever other processes write
                found = [row[0] for row in target.execute("PRAGMA quick_check(3)")]
                if found != ["ok"]:
                    lines = "\n".join(found).splitlines()
                    first = next((line for line in lines if not line.startswith("***")), lines[0])
                    raise QualcodeError(
                        f"{destination}: not written: the copy does not check out ({first}), so the "
                        "project itself is damaged; run `qualcode check` on it"
                    )
                target.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
            finally:
                target.close()
            if destination.exists() and not replace:
                raise QualcodeError(f"{destination}: already exists; give --force to replace it")
            os.replace(partial, destination)
    except OSError as error:
        raise QualcodeError(f"{destination}: cannot write the backup ({error.strerror})") from None
    except sqlite3.Error as error:
        raise QualcodeError(f"{destination}: cannot write the backup ({error})") from None
    return destination.stat().st_size


def discard(partial: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
