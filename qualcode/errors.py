"""The one exception the CLI turns into a one-line message and exit code 1, and the line for everything else.

Core functions raise ``QualcodeError`` for anything a user did or supplied (a bad file, an unknown code,
offsets outside a document). Anything else is a fault of qualcode's: the command line and the workbench say
so in one line (``fault_line``) and exit with code 2. That line names the exception's type and where in
qualcode it happened, never its message, which can quote the transcript being read; the traceback is shown
only with ``--debug`` (or ``QUALCODE_DEBUG=1``).
"""

from __future__ import annotations

import difflib
import os
import traceback
from collections.abc import Iterable
from pathlib import Path

_debug = False


def set_debug(on: bool) -> None:
    global _debug
    _debug = on


def debugging() -> bool:
    return _debug or os.environ.get("QUALCODE_DEBUG", "").strip().lower() not in ("", "0", "no", "false")


def fault_line(error: BaseException, doing: str) -> str:
    """One line for a fault of qualcode's: what was being done, the exception's type and where in qualcode."""
    here = Path(__file__).resolve().parent
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if here in path.parents or path.parent == here:
            where = f" at {path.relative_to(here.parent)}:{frame.lineno}"
    return (
        f"{doing}: internal fault ({type(error).__name__}{where}); any change was rolled back. This is a bug in "
        "qualcode: please report it. Run again with --debug to see the traceback (it may quote transcript text)."
    )


class QualcodeError(Exception):
    """A user-facing error: the message names the file, line or value at fault."""


def located(path: object, line: int | None, message: str) -> QualcodeError:
    """An error in the FILE:LINE: message form that editors and terminals can jump to."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return QualcodeError(f"{where}: {message}")


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice nearest ``value`` (ignoring case), or one containing it or contained in it; None when
    nothing is near. The one rule behind every "did you mean" qualcode says."""
    lowered = {str(c).lower(): str(c) for c in choices}
    found = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    if not found:
        found = [c for c in lowered if value.lower() in c or c in value.lower()][:1]
    return lowered[found[0]] if found else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing when none is close."""
    found = closest(value, choices)
    return f" (did you mean {found!r}?)" if found else ""
