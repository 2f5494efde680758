"""Upgrading a project made by an older qualcode: in a transaction kept open for the command's own work,
after a backup, or, for a reader, in a private in-memory copy that leaves the file untouched. A part of
``Project`` (``store``), kept here so that each file stays one subject."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

from ..errors import QualcodeError
from . import backup
from .connection import patience, uri, wrap
from .schema import SCHEMA_VERSION, migrations


class Upgrading:
    """The upgrade methods of ``Project`` (which sets the attributes they use)."""

    path: Path
    db: Any
    exclusive: bool
    _upgrade_backup: Path | None
    upgrade_note: str
    on_upgraded: Any
    note: Any

    def _upgrade(self) -> Any:
        """Migrate an older project inside a transaction left open for the command's own work (committed by
        ``finish_upgrade`` or on a clean close, rolled back with it on failure), after a backup."""
        if self.exclusive:  # nobody else can be in: back up first, through this connection
            self._upgrade_backup = self._backup_before_upgrade(self.db.conn)
        self._begin("an upgrade of the project's schema")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                self._commit()  # another process upgraded it meanwhile
                return self
            if self._upgrade_backup is None:  # the committed state, read beside our write lock
                reader = sqlite3.connect(uri(self.path, "ro"), uri=True, timeout=patience())
                try:
                    self._upgrade_backup = self._backup_before_upgrade(reader)
                finally:
                    reader.close()
            migrations.apply(self.db)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.upgrade_note = (f"{self.path} was made by an older qualcode: upgraded from schema {version} to "
                                 f"{SCHEMA_VERSION}; the file as it was is kept as {self._upgrade_backup}")  # fmt: skip
        except BaseException:
            self.abandon_upgrade()
            raise
        return self

    def _backup_before_upgrade(self, connection: sqlite3.Connection) -> Path:
        destination = backup.default_path(self.path, f"before-schema-{SCHEMA_VERSION}")
        try:
            backup.copy(connection, destination)
        except QualcodeError as error:
            raise QualcodeError(f"{self.path}: not upgraded, because the backup before it failed: {error}") from None
        return destination

    def finish_upgrade(self) -> None:
        if self._upgrade_backup is not None and self.db.conn.in_transaction:
            self._commit()
            if self.on_upgraded is not None:  # only now is the upgrade, and the backup it names, real
                self.on_upgraded(self.upgrade_note)
        self._upgrade_backup = None

    def abandon_upgrade(self) -> None:
        """After a failed command: roll back an upgrade begun for it, and drop the backup made before it."""
        if self.db.conn.in_transaction:
            self.db.conn.rollback()
            self.note.forget()
        if self._upgrade_backup is not None:
            backup.discard(self._upgrade_backup)  # the project is as it was: the backup adds nothing
            self._upgrade_backup = None
            self.upgrade_note = ""  # nothing was upgraded, and no backup is kept

    def _migrated_copy(self) -> Any:
        """An older project, read: migrated in a private in-memory copy, the file untouched."""
        address = f"file:qualcode-{uuid.uuid4().hex}?mode=memory&cache=shared"
        memory = wrap(sqlite3.connect(address, uri=True, isolation_level=None))
        self.db.conn.backup(memory.conn)
        self.db.close()
        migrations.apply(memory)
        memory.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        copy = type(self)(self.path, memory, writable=False)
        copy.memory_uri = address
        copy.read_only_reason = "an older project, read without upgrading it"
        return copy

