"""The project file and the one way study content is written to it.

One SQLite file per study: opening it safely (``connection``, ``location``), its schema and migrations
(``schema``), the ``Project`` handle with its transactions (``store``) and upgrades (``upgrade``),
consistent backups (``backup``), integrity checks (``check``), the study at a glance (``overview``), the
input budget every reader of someone else's file obeys (``limits``), private scratch space and atomic
output files (``scratch``, ``output``).

May import: nothing else in qualcode but the foundations (errors, text).
"""

import sys as _sys

if "pandas" not in _sys.modules:  # sqlite-utils imports pandas, when installed, only to take DataFrames, which
    _sys.modules["pandas"] = None  # type: ignore[assignment]  # qualcode never passes: a fifth of a second
    try:  # of every command's start-up. Imported first here, it finds no pandas; then pandas is as before.
        import sqlite_utils.db  # noqa: F401
    finally:
        del _sys.modules["pandas"]
