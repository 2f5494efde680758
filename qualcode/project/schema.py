"""The project file's schema, as recorded migrations (sqlite-utils ``Migrations``).

Each migration runs in a transaction together with its record in ``_sqlite_migrations``, so a project is
never left half-upgraded. ``SCHEMA_VERSION`` is also written to ``PRAGMA user_version`` so that an older
qualcode can refuse a newer file before touching it. Tables follow DESIGN.md: documents hold the normalised
text once; turns and segments are ``[start, end)`` code-point ranges into it; codings reference codes by
their stable slug (``ON UPDATE CASCADE`` lets a code be renamed without losing a coding).
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

APPLICATION_ID = 0x51434442  # "QCDB": marks a SQLite file as a qualcode project
SCHEMA_VERSION = 9
LEVELS = (
    "input",
    "activity",
    "output",
    "short_term_outcome",
    "medium_term_outcome",
    "long_term_outcome",
    "barrier",
    "enabler",
    "context",
    "other",
)
KINDS = ("interview", "focus_group", "field_notes", "other")
ROLES = ("participant", "interviewer", "none")
ORIGINS = ("manual", "suggestion", "auto", "import")

migrations = Migrations("qualcode")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({column} IN ({', '.join(repr(v) for v in values)}))"


def _run(db: Database, script: str) -> None:
    # Not executescript(): it COMMITs first, which would break the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_initial(db: Database) -> None:
    _run(
        db,
        f"""
        CREATE TABLE project (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE document (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL {_in_list("kind", KINDS)},
            sha256 TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            title TEXT,
            source_format TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{{}}',
            words INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE participant (
            id INTEGER PRIMARY KEY,
            pseudonym TEXT NOT NULL UNIQUE,
            stakeholder_group TEXT,
            attributes TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE TABLE turn (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            speaker TEXT,
            role TEXT NOT NULL {_in_list("role", ROLES)},
            participant_id INTEGER REFERENCES participant(id),
            time_start REAL,
            time_end REAL,
            CHECK (0 <= start AND start < "end"),
            UNIQUE (document_id, seq)
        );
        CREATE INDEX turn_by_document_offset ON turn(document_id, start);
        CREATE INDEX turn_by_participant ON turn(participant_id);
        CREATE TABLE segment (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            turn_id INTEGER NOT NULL REFERENCES turn(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            CHECK (0 <= start AND start < "end"),
            UNIQUE (document_id, seq)
        );
        CREATE INDEX segment_by_document_offset ON segment(document_id, start);
        CREATE INDEX segment_by_turn ON segment(turn_id);
        CREATE TABLE code (
            id TEXT PRIMARY KEY,
            parent TEXT REFERENCES code(id) ON UPDATE CASCADE,
            name TEXT NOT NULL,
            level TEXT NOT NULL {_in_list("level", LEVELS)},
            beneficiary TEXT,
            definition TEXT NOT NULL DEFAULT '',
            include TEXT NOT NULL DEFAULT '',
            exclude TEXT NOT NULL DEFAULT '',
            example TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '[]',
            colour TEXT,
            codebook TEXT,
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX code_by_parent ON code(parent);
        CREATE TABLE coder (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE coding (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES document(id),
            code_id TEXT NOT NULL REFERENCES code(id) ON UPDATE CASCADE,
            coder_id INTEGER NOT NULL REFERENCES coder(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            memo TEXT,
            origin TEXT NOT NULL DEFAULT 'manual' {_in_list("origin", ORIGINS)},
            created_at TEXT NOT NULL,
            CHECK (0 <= start AND start < "end"),
            UNIQUE (document_id, code_id, coder_id, start, "end")
        );
        CREATE INDEX coding_by_code ON coding(code_id);
        CREATE INDEX coding_by_document_offset ON coding(document_id, start);
        CREATE INDEX coding_by_coder ON coding(coder_id);
        CREATE TABLE memo (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL
                CHECK (target_type IN ('project', 'document', 'code', 'participant', 'coding')),
            target_id TEXT,
            coder_id INTEGER REFERENCES coder(id),
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX memo_by_target ON memo(target_type, target_id);
        """,
    )


@migrations()
def m002_segment_search(db: Database) -> None:
    """Full-text search over segments (FTS5, contentless: the text already lives in ``document``)."""
    db.execute(
        "CREATE VIRTUAL TABLE segment_fts USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        'INSERT INTO segment_fts(rowid, text) SELECT s.id, substr(d.text, s.start + 1, s."end" - s.start) '
        "FROM segment s JOIN document d ON d.id = s.document_id"
    )


@migrations()
def m003_key_quotes(db: Database) -> None:
    """A coding can be starred as a key quote, so that report writers can shortlist."""
    db.execute("ALTER TABLE coding ADD COLUMN key_quote INTEGER NOT NULL DEFAULT 0")


@migrations()
def m004_report_index(db: Database) -> None:
    """Reports read every coding by code: an index that covers what they need, so they never touch the table."""
    db.execute("DROP INDEX coding_by_code")
    db.execute('CREATE INDEX coding_by_code ON coding(code_id, document_id, start, "end", coder_id)')


@migrations()
def m005_decisions(db: Database) -> None:
    """Reconciliation: what the team decided about each disagreement, and why."""
    db.execute(
        """CREATE TABLE decision (
            id INTEGER PRIMARY KEY,
            code_id TEXT NOT NULL REFERENCES code(id) ON UPDATE CASCADE,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coder_id INTEGER NOT NULL REFERENCES coder(id),
            choice TEXT NOT NULL CHECK (choice IN ('first', 'second', 'both', 'neither', 'edit')),
            memo TEXT NOT NULL DEFAULT '',
            decided_at TEXT NOT NULL,
            UNIQUE (code_id, document_id, start, "end", coder_id)
        )"""
    )


@migrations()
def m006_dismissals(db: Database) -> None:
    """Suggestions a coder dismissed for a passage, so that they are not offered again."""
    db.execute(
        """CREATE TABLE dismissal (
            coder_id INTEGER NOT NULL REFERENCES coder(id),
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES code(id) ON UPDATE CASCADE ON DELETE CASCADE,
            PRIMARY KEY (coder_id, document_id, start, "end", code_id)
        ) WITHOUT ROWID"""
    )


@migrations()
def m007_project_identity(db: Database) -> None:
    """A lasting random identity for the project, from which REFI-QDA GUIDs are derived: stored once here,
    so that exporting (a read) never has to write it."""
    db.execute("INSERT OR IGNORE INTO project(key, value) VALUES ('refi_namespace', ?)", [str(uuid.uuid4())])


@migrations()
def m008_participant_memos_by_pseudonym(db: Database) -> None:
    """A memo on a participant names them by pseudonym (as the workbench writes it, and as projects are merged);
    earlier REFI-QDA imports named them by row id. Ids that are not also someone's pseudonym are translated."""
    db.execute(
        "UPDATE memo SET target_id = (SELECT p.pseudonym FROM participant p WHERE CAST(p.id AS TEXT) = memo.target_id) "
        "WHERE target_type = 'participant' AND target_id IN (SELECT CAST(id AS TEXT) FROM participant) "
        "AND target_id NOT IN (SELECT pseudonym FROM participant)"
    )


@migrations()
def m009_code_phrases(db: Database) -> None:
    """Participants' words for each code's idea ("she was there at the gate"), beside the evaluator's keywords:
    what suggestions and the picker match in a transcript's own language."""
    db.execute("ALTER TABLE code ADD COLUMN phrases TEXT NOT NULL DEFAULT '[]'")
