"""Private scratch space for files being written, gone on errors, on SIGHUP and SIGTERM, and (after a SIGKILL)
at the next write in that folder; and what else a command must undo if a signal ends it (``undone_on_signal``:
a project it was creating).

A quote bank half-written is still a quote bank: it must not be left where others can read it, nor written
under a name someone could predict and plant a symbolic link at. So every file is written inside a folder
made for the purpose (``mkdtemp``: a random name, mode 0700, so nobody else can create or read anything in
it) beside its destination — on the same file system, so that ``os.replace`` moves it into place at once —
and the folder is removed whatever happens. The folder's name carries the machine and the process id, so
that a folder left by a killed process is swept away by the next write beside it on that machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

PREFIX = ".qualcode-"
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]  # another machine's folders are its own
_STALE = re.compile(rf"^{re.escape(PREFIX)}{_HOST}-(\d+)-")
_live: set[Path] = set()
_undo: dict[object, Callable[[], None]] = {}


@contextmanager
def private_folder(beside: Path) -> Iterator[Path]:
    """A new folder only this process can use, in ``beside``; removed on leaving, whatever happened."""
    sweep(beside)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_HOST}-{os.getpid()}-", dir=beside))
    _live.add(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _live.discard(folder)


def sweep(folder: Path) -> None:
    """Remove scratch folders left in ``folder`` by processes that no longer run (killed mid-write)."""
    with suppress(OSError):
        for entry in folder.iterdir():
            found = _STALE.match(entry.name)
            if found and entry.is_dir() and not entry.is_symlink() and not _running(int(found.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextmanager
def undone_on_signal(cleanup: Callable[[], None]) -> Iterator[None]:
    """Run ``cleanup`` if SIGHUP or SIGTERM ends the process inside the block, as the caller does for an error
    inside it (the signal ends the process where it stands, without unwinding)."""
    key = object()
    _undo[key] = cleanup
    try:
        yield
    finally:
        _undo.pop(key, None)


def clean_up_on_signals() -> None:
    """On SIGHUP (a dropped SSH session) and SIGTERM: remove every scratch folder and undo what the command
    said to (``undone_on_signal``), then end as the signal would have ended the process."""
    for number in (getattr(signal, "SIGHUP", None), signal.SIGTERM):
        if number is not None:
            signal.signal(number, _on_signal)


def _on_signal(number: int, frame: FrameType | None) -> None:
    for folder in list(_live):
        shutil.rmtree(folder, ignore_errors=True)
    for cleanup in list(_undo.values()):
        with suppress(OSError):
            cleanup()
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
