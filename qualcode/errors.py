"""The one exception the CLI turns into a one-line message and exit code 1.

Core functions raise ``QualcodeError`` for anything a user did or supplied (a bad file, an unknown code,
offsets outside a document). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """A user-facing error: the message names the file, line or value at fault."""


def located(path: object, line: int | None, message: str) -> QualcodeError:
    """An error in the FILE:LINE: message form that editors and terminals can jump to."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return QualcodeError(f"{where}: {message}")
