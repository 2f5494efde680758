"""Shared fixtures: a real project file on disk, the real spaCy pipeline, a CLI runner."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.codebook.files import import_codebook, load_codebook
from qualcode.ingest.segment import load_pipeline
from qualcode.project.store import Project

ROOT = Path(__file__).resolve().parent.parent
CODEBOOKS = ROOT / "codebooks"
SAMPLES = ROOT / "sample_transcripts"

SMALL_CODEBOOK = """\
codebook: small
codes:
  - id: outcomes
    name: Outcomes
    level: short_term_outcome
    definition: Changes.
    children:
      - id: housing
        name: Housing
        level: medium_term_outcome
        keywords: [flat, tenancy]
      - id: trust
        name: Trust
"""


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run a qualcode command; returns the click Result."""

    def run(*args: object, input: str | None = None):
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def small_codebook(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture
def project_path(tmp_path: Path, small_codebook: Path) -> Path:
    path = tmp_path / "study.qdb"
    with Project.create(path) as project:
        import_codebook(project, load_codebook(small_codebook), small_codebook)
    return path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def digest(path: Path) -> str:
    """The project file's bytes, plus proof that no WAL was left holding uncommitted changes."""
    wal = Path(str(path) + "-wal")
    extra = wal.read_bytes() if wal.exists() else b""
    return hashlib.sha256(path.read_bytes() + extra).hexdigest()


INTERVIEW = """\
Interview, site North.

Interviewer: How did you meet your mentor?
Dee: In prison. She came before I got out. I didn't trust her at first.
It took a while.
I: And now?
Dee: Now she's the one I ring. I got a flat in May!
"""


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory) -> Path:
    """The demo project (the whole sample study with two coders' codings), built once."""
    folder = tmp_path_factory.mktemp("demo-study")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--no-tui"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "demo.qdb"


@pytest.fixture
def demo_copy(demo_study: Path, tmp_path: Path) -> Path:
    """A copy of the demo project that a test may change."""
    copy = tmp_path / "demo.qdb"
    with Project.open(demo_study) as project:  # a consistent copy, WAL included
        project.db.execute(f"VACUUM INTO '{copy}'")
    conn = sqlite3.connect(copy)  # in WAL mode, as every project qualcode makes
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return copy


# The reports' hand-built study: a focus group with four speakers from two groups, interviews, interviewer
# turns, one participant in two documents, one excerpt across two speakers' turns, nested codes.
FOCUS_GROUP = """\
Facilitator: What changed for you?
Jade: I got my own flat in March.
Liam: I trust people more now. It took ages.
Bernie: As a mentor I trust the process.
Mel: The housing office knows us now.
Facilitator: Anything else about housing?
"""
DEE_1 = "Interviewer: How are things?\nDee: I got a tenancy and I kept it.\n"
DEE_2 = "Interviewer: And now?\nDee: I trust my mentor completely.\n"
SHEET = """\
document,speaker,participant,group,site
fg.txt,Jade,Jade,mentee,North
fg.txt,Liam,Liam,mentee,South
fg.txt,Bernie,Bernie,mentor,North
fg.txt,Mel,Mel,mentor,South
m1.txt,Dee,Dee,mentee,North
m2.txt,Dee,Dee,mentee,North
"""
CODINGS = [  # (coder, document, code, text)
    ("amira", "fg.txt", "housing", "I got my own flat in March."),  # Jade only
    ("amira", "fg.txt", "trust", "It took ages.\nBernie: As a mentor I trust"),  # Liam's and Bernie's turns
    ("amira", "fg.txt", "housing", "Anything else about housing?"),  # the facilitator: credits no one
    ("amira", "m1.txt", "housing", "I got a tenancy and I kept it."),
    ("amira", "m1.txt", "outcomes", "I got a tenancy and I kept it."),  # parent and child, one passage
    ("amira", "m2.txt", "trust", "I trust my mentor completely."),  # Dee again, in a second document
    ("ben", "fg.txt", "housing", "The housing office knows us now."),  # Mel, by another coder
]


@pytest.fixture
def study(invoke, project_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    write(folder / "fg.txt", FOCUS_GROUP)
    write(folder / "m1.txt", DEE_1)
    write(folder / "m2.txt", DEE_2)
    write(folder / "participants.csv", SHEET)
    assert invoke("import", project_path, folder, "--participants", folder / "participants.csv").exit_code == 0
    for coder, document, code, text in CODINGS:
        result = invoke("code", project_path, "--coder", coder, "--document", document, "--code", code, "--match", text)
        assert result.exit_code == 0, result.output
    return project_path


MEMOS = {  # one memo of every kind, for exports and round trips
    "project": "Fieldwork ran late: see the ethics log.",
    "code": "Hostels count as accommodation.",
    "participant": "Dee was interviewed twice.",
    "document": "Audio dropped out at 12 minutes.",
    "coding": "Borderline: mentor's words, not Dee's.",
    "coding column": "A key example.",
}


def with_memos(path: Path) -> Path:
    """The demo project with a memo on the project, a code, Dee, a document and a coding (and a coding's
    own memo), all by amira."""
    from qualcode.coding.memos import set_memo

    with Project.open(path, write=True) as project:
        amira = project.coder_id("amira")
        coding = project.db.execute("SELECT id FROM coding ORDER BY id LIMIT 1").fetchone()[0]
        document = project.db.execute("SELECT id FROM document ORDER BY id LIMIT 1").fetchone()[0]
        with project.transaction() as db:
            set_memo(project, "project", None, amira, MEMOS["project"])
            set_memo(project, "code", "mt-mentee-accommodation", amira, MEMOS["code"])
            set_memo(project, "participant", "Dee", amira, MEMOS["participant"])  # memos name participants by pseudonym
            set_memo(project, "document", document, amira, MEMOS["document"])
            set_memo(project, "coding", coding, amira, MEMOS["coding"])
            db.execute("UPDATE coding SET memo = ? WHERE id = ?", [MEMOS["coding column"], coding])
    return path


def old_project(path: Path) -> Path:
    """The project as schema 5 wrote it (before suggestions could be dismissed, before project identity)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE dismissal")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('m006_dismissals', 'm007_project_identity', "
                 "'m008_participant_memos_by_pseudonym')")
    conn.execute("DELETE FROM project WHERE key = 'refi_namespace'")
    conn.execute("PRAGMA user_version=5")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return path


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` (skips where mounting is not allowed), unmounted lazily after,
    so that no test leaves a mount behind even if a file on it is still open."""
    folder.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def interviews(invoke, project_path: Path, tmp_path: Path) -> Path:
    """Two copies of INTERVIEW (Dee's, and Jo's with a café flat), imported as mentees."""
    write(tmp_path / "docs" / "m1.txt", INTERVIEW)
    write(tmp_path / "docs" / "m2.txt", INTERVIEW.replace("flat", "café flat").replace("Dee", "Jo"))
    assert invoke("import", project_path, tmp_path / "docs", "--group", "mentee").exit_code == 0
    return project_path


# A small evaluation framework over SMALL_CODEBOOK: one question on housing, one on every outcome.
SMALL_FRAMEWORK = """\
framework: small
title: Small study findings
questions:
  - id: q1
    question: What changed for participants?
    questions:
      - id: q1-housing
        question: Did housing improve?
        codes: [housing]
        groups: [mentee, mentor]
      - id: q1-all
        question: What outcomes did participants describe?
        codes: [outcomes]
        groups: [mentee, mentor]
        notes: A parent brings its sub-codes.
"""


def recording_app(path: Path, coder: str = "amira") -> tuple[Any, list[str]]:
    """The workbench, with every notification it shows kept in a list."""
    from qualcode.tui import make_app

    app, said = make_app(path, coder=coder, user="tests"), []
    shown = app.notify
    app.notify = lambda message, *a, **k: (said.append(str(message)), shown(message, *a, **k))  # type: ignore[method-assign]
    return app, said


async def ask_for_the_pack(app: Any, pilot: Any, out: Path) -> None:
    """From the document list: the framework view (r, g), w, and ``out`` typed as where to write the pack."""
    for key in ("r", "g", "w"):
        await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.press("ctrl+a", "ctrl+k", *str(out), "enter")
    await pilot.pause()


def screen_text(app: Any) -> str:
    """What the terminal shows, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())  # noqa: SLF001
