"""Shared fixtures: a real project file on disk, the real spaCy pipeline, a CLI runner."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.codebook import import_codebook, load_codebook
from qualcode.segment import load_pipeline
from qualcode.store import Project

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
    return copy
