"""Looking after a project file: ``qualcode check`` (is it sound, and does it keep qualcode's own rules?) and
``qualcode backup`` (a checked copy, made while others write; see ``backup``).

SQLite's ``integrity_check`` and ``foreign_key_check`` look at the file; then the rules every report relies
on, each one query: every turn, segment and coding lies inside its document's text; every segment inside
its turn; every coding names a code and a coder that exist; every memo on a coding has its coding; the
search index holds one row per segment; and every document's text still matches the SHA-256 it was
imported with. Each problem is one line naming what is wrong and where (ids, document names), never the
transcript text. The file is read through its own connection, as it is on disk: an older schema is checked
without being upgraded, and nothing is written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..text import sha256
from .backup import copy, default_path, hint
from .connection import file_connection, refuse_own_file

_LIMIT = 50  # problems of one kind listed before "... and N more"

# each document's length in characters, counted once (length() reads the whole text: once per row was quadratic);
# the LIMIT keeps SQLite from folding the subquery into the join (MATERIALIZED would need SQLite 3.35)
_LENGTHS = "WITH d AS (SELECT id, name, length(text) AS n FROM document LIMIT -1)"
# (what, query returning (where, detail) rows) — each a rule that reports and attribution rely on
_RULES = [
    (
        "turn outside its document",
        f"""{_LENGTHS} SELECT 'turn ' || t.id || ' in ' || d.name, '[' || t.start || ', ' || t."end"
        || ') but the text has ' || d.n || ' characters' FROM turn t JOIN d ON d.id = t.document_id
        WHERE t.start >= t."end" OR t.start < 0 OR t."end" > d.n""",
    ),
    (
        "segment outside its document",
        f"""{_LENGTHS} SELECT 'segment ' || s.id || ' in ' || d.name, '[' || s.start || ', ' ||
        s."end" || ') but the text has ' || d.n || ' characters' FROM segment s
        JOIN d ON d.id = s.document_id
        WHERE s.start >= s."end" OR s.start < 0 OR s."end" > d.n""",
    ),
    (
        "segment outside its turn",
        """SELECT 'segment ' || s.id || ' in ' || d.name, '[' || s.start || ', ' || s."end"
        || ') is not inside turn ' || t.id || ' [' || t.start || ', ' || t."end" || ')' FROM segment s
        JOIN turn t ON t.id = s.turn_id JOIN document d ON d.id = s.document_id
        WHERE s.start < t.start OR s."end" > t."end" OR s.document_id != t.document_id""",
    ),
    (
        "coding outside its document",
        f"""{_LENGTHS} SELECT 'coding ' || c.id || ' in ' || coalesce(d.name, 'document ' ||
        c.document_id), CASE WHEN d.id IS NULL THEN 'its document does not exist' ELSE '[' || c.start || ', ' ||
        c."end" || ') but the text has ' || d.n || ' characters' END FROM coding c
        LEFT JOIN d ON d.id = c.document_id
        WHERE d.id IS NULL OR c.start >= c."end" OR c.start < 0 OR c."end" > d.n""",
    ),
    (
        "coding with a missing code",
        """SELECT 'coding ' || c.id, 'code ' || quote(c.code_id) || ' does not exist'
        FROM coding c LEFT JOIN code k ON k.id = c.code_id WHERE k.id IS NULL""",
    ),
    (
        "coding with a missing coder",
        """SELECT 'coding ' || c.id, 'coder ' || c.coder_id || ' does not exist'
        FROM coding c LEFT JOIN coder r ON r.id = c.coder_id WHERE r.id IS NULL""",
    ),
    (
        "memo on a missing coding",
        """SELECT 'memo ' || m.id, 'its coding ' || m.target_id || ' does not exist'
        FROM memo m LEFT JOIN coding c ON c.id = CAST(m.target_id AS INTEGER)
        WHERE m.target_type = 'coding' AND c.id IS NULL""",
    ),
    (
        "code with a missing parent",
        """SELECT 'code ' || k.id, 'parent ' || quote(k.parent) || ' does not exist'
        FROM code k LEFT JOIN code p ON p.id = k.parent WHERE k.parent IS NOT NULL AND p.id IS NULL""",
    ),
]


@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_project(path: Path) -> Result:
    """Every problem found, one line each; ``checked`` counts what was looked at."""
    result = Result()
    db = file_connection(path)  # raises QualcodeError for what is not a qualcode project at all
    conn = db.conn
    conn.execute("PRAGMA cell_size_check=OFF")  # let integrity_check itself describe a damaged page
    try:
        _sqlite_checks(conn, result)
        if not result.problems:  # on a damaged file the queries below would only repeat the damage
            _rules(conn, result)
            _texts(conn, result)
            _search_index(conn, result)
    except sqlite3.DatabaseError as error:
        result.problems.append(f"{path}: damaged: {error}")
    finally:
        db.close()
    if result.problems:
        result.problems.append(f"{path}: {len(result.problems)} problem(s); {hint(path).split('; ', 1)[-1]}")
    return result


def _sqlite_checks(conn: sqlite3.Connection, result: Result) -> None:
    lines = [line for row in conn.execute(f"PRAGMA integrity_check({_LIMIT})") for line in row[0].splitlines()]
    if lines != ["ok"]:
        result.problems.extend(f"integrity: {line}" for line in lines if not line.startswith("***"))
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        result.problems.append(f"foreign key: {table} row {rowid} refers to a missing {parent}")


def _rules(conn: sqlite3.Connection, result: Result) -> None:
    for table in ("document", "turn", "segment", "code", "coder", "coding", "memo"):
        result.checked[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    for what, query in _RULES:
        rows = conn.execute(f"{query} LIMIT {_LIMIT + 1}").fetchall()
        result.problems.extend(f"{what}: {where}: {detail}" for where, detail in rows[:_LIMIT])
        if len(rows) > _LIMIT:
            result.problems.append(f"{what}: ... and more")


def _texts(conn: sqlite3.Connection, result: Result) -> None:
    for name, text, digest in conn.execute("SELECT name, text, sha256 FROM document ORDER BY id"):
        if sha256(text) != digest:
            result.problems.append(f"document text changed: {name}: its text no longer matches its SHA-256")


def _search_index(conn: sqlite3.Connection, result: Result) -> None:
    segments = result.checked.get("segment", 0)
    indexed = int(conn.execute("SELECT count(*) FROM segment_fts").fetchone()[0])
    if indexed != segments:
        result.problems.append(f"search index: {indexed:,} rows for {segments:,} segments")


def backup_project(project: Path, destination: Path | None = None, replace: bool = False) -> tuple[Path, int]:
    """A checked copy of the project as it is now, beside it with a timestamp unless ``destination`` is given
    (an existing file there is replaced only with ``replace``); returns the copy's path and size. Safe while
    others write: they neither wait for it nor disturb it."""
    destination = destination or default_path(project)
    refuse_own_file(project, destination, "backup file")
    db = file_connection(project)
    try:
        return destination, copy(db.conn, destination, replace)
    finally:
        db.close()
