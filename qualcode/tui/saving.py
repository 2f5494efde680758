"""Every change the workbench makes goes through ``Saver.save``: written at once, or kept until it can be.

A coder's change is written the moment it is made, in one short transaction. When another process holds
the project's write lock (a colleague's import, a script, a second workbench mid-write), the workbench
does not freeze for seconds or give up with "database is locked": after a fifth of a second it keeps the
change, in order, says who it is waiting for and that the change is not saved yet, and writes it (and
anything after it) as soon as the project is free. Only then does the screen show it as done, so nothing
is shown as applied that is not in the file; quitting with changes still waiting asks first.

A change that cannot be written is reported with what it was and dropped, and the workbench keeps going:
a full disk (earlier work is kept), a read-only project, or a damaged file — after which the workbench
writes nothing more to it and says to run ``qualcode check``.
"""

from __future__ import annotations

import sqlite3
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import QualcodeError
from ..project.connection import ProjectBusy, ProjectReadOnly, explain

PATIENCE = 0.15  # seconds the screen may wait for the write lock before the change is kept for later
RETRY = 0.5  # seconds between attempts while changes wait


@dataclass
class Pending:
    what: str  # "Housing applied", for messages
    write: Callable[[], Any]
    then: Callable[[Any], None] | None
    screen: Any  # the screen that asked: ``then`` runs only if it is still there


class Saver:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.waiting: deque[Pending] = deque()
        self.holder = ""
        self.since = 0.0
        self._timer: Any = None
        app.project.patience = PATIENCE

    @property
    def project(self) -> Any:
        return self.app.project

    def save(
        self, what: str, write: Callable[[], Any], then: Callable[[Any], None] | None = None, screen: Any = ...
    ) -> bool:
        """Write now if the project is free (True), else keep it for later, after anything already waiting.
        ``then(result)`` shows the change once written, if ``screen`` (default: the current one; None: any)
        is still open by then."""
        if not self.project.writable:
            self.app.notify(
                f"Not saved ({what}): this project is read-only here — {self.project.read_only_reason}.",
                severity="error",
                timeout=8,
            )
            return False
        pending = Pending(what, write, then, self.app.screen if screen is ... else screen)
        if not self.waiting and self._attempt(pending):
            return True
        self.waiting.append(pending)
        if self._timer is None:
            self._timer = self.app.set_interval(RETRY, self.retry)
        if len(self.waiting) == 1:
            self.app.notify(
                f"{self.status()}, which is writing to the project. Your change is kept and saved as soon as it "
                "finishes; the status line shows it until then.",
                severity="warning",
                timeout=8,
            )
        self._changed()
        return False

    def _attempt(self, pending: Pending) -> bool:
        """Try once. True when written (or failed for good, and reported); False while the project is busy."""
        try:
            result = pending.write()
        except ProjectBusy as busy:
            if not self.holder:
                self.since = time.monotonic()
            self.holder = busy.holder
            return False
        except ProjectReadOnly as error:
            self._failed(pending, str(error))
            return True
        except QualcodeError as error:
            self.app.notify(str(error), severity="error", timeout=6)
            return True
        except sqlite3.Error as error:
            explained = explain(self.project.path, error)
            if explained is None:
                raise
            self._failed(pending, str(explained))
            if "damaged" in str(explained):
                self.project.writable = False  # never write into a damaged file
                self.project.read_only_reason = "the file is damaged"
            return True
        if pending.then is not None and (pending.screen is None or pending.screen in self.app.screen_stack):
            pending.then(result)
        return True

    def _failed(self, pending: Pending, message: str) -> None:
        self.app.notify(f"NOT SAVED: {pending.what}. {message}. Everything before it is kept.", severity="error",
                        timeout=15)  # fmt: skip

    def retry(self) -> None:
        """Write what waits, in order, until the project is busy again or nothing is left."""
        written = 0
        while self.waiting and self._attempt(self.waiting[0]):
            self.waiting.popleft()
            written += 1
        if not self.waiting:
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
            self.holder = ""
            if written:
                self.app.notify(f"The project is free again: {written} waiting change(s) saved.", timeout=4)
        self._changed()

    def status(self) -> str:
        """A line for the status bar while changes wait, else ''."""
        if not self.waiting:
            return ""
        seconds = int(time.monotonic() - self.since)
        return f"⏳ {len(self.waiting)} change(s) not saved yet: waiting {seconds} s for {self.holder}"

    def _changed(self) -> None:
        show = getattr(self.app.screen, "show_status", None)
        if callable(show):
            show()
