"""The demo project and the sample study it is built from."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLES


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from qualcode.cli import cli

    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder), "--no-tui"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"demo project: {folder / 'demo.qdb'}" in result.output
    return folder / "demo.qdb"


def query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_demo_holds_the_whole_sample_study(invoke, demo: Path) -> None:
    info = json.loads(invoke("info", demo, "--json").output)
    transcripts = [p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".md", ".docx", ".vtt", ".srt")]
    assert info["documents"] == len(transcripts) >= 10
    assert set(info["participants"]) == {
        "mentee",
        "mentor",
        "lead_organisation",
        "partner_organisation",
        "national_stakeholder",
    }
    assert info["codes"] > 100 and info["coders"] == ["amira", "ben", "consensus"] and info["codings"] >= 20
    assert len({p.suffix for p in transcripts}) >= 3


def test_every_speaker_is_attributed(demo: Path) -> None:
    unattributed = query(
        demo,
        """SELECT d.name, t.speaker FROM turn t JOIN document d ON d.id = t.document_id
        LEFT JOIN participant p ON p.id = t.participant_id
        WHERE t.speaker IS NOT NULL AND t.role != 'interviewer' AND (p.id IS NULL OR p.stakeholder_group IS NULL)""",
    )
    assert unattributed == []
    assert query(demo, "SELECT count(*) FROM turn WHERE role = 'interviewer' AND participant_id IS NOT NULL") == [(0,)]


def test_sample_study_shape(demo: Path) -> None:
    focus_groups = query(
        demo,
        """SELECT d.name, p.stakeholder_group, count(DISTINCT t.participant_id)
        FROM document d JOIN turn t ON t.document_id = d.id JOIN participant p ON p.id = t.participant_id
        WHERE d.kind = 'focus_group' GROUP BY d.id ORDER BY d.name""",
    )
    assert focus_groups == [("mentee_focus_group.txt", "mentee", 5), ("mentor_focus_group.vtt", "mentor", 5)]
    words = [w for (w,) in query(demo, "SELECT words FROM document")]
    assert sum(1500 <= w <= 4000 for w in words) > len(words) / 2
    engagement = query(
        demo,
        """SELECT json_extract(attributes, '$.engagement'), count(*) FROM participant
        WHERE stakeholder_group = 'mentee' GROUP BY 1 ORDER BY 1""",
    )
    assert engagement == [("disengaged", 2), ("engaged", 7)]
    assert query(
        demo,
        """SELECT p.pseudonym FROM participant p JOIN turn t ON t.participant_id = p.id
        GROUP BY p.id HAVING count(DISTINCT t.document_id) > 1""",
    ) == [("Dee",)]
    assert query(demo, "SELECT count(*) FROM turn WHERE time_start IS NOT NULL") > [(50,)]


def test_sample_codings_are_exact(demo: Path) -> None:
    rows = query(
        demo,
        """SELECT substr(d.text, c.start + 1, c."end" - c.start), c.code_id
        FROM coding c JOIN document d ON d.id = c.document_id""",
    )
    import csv

    with (SAMPLES / "sample_codings.csv").open(encoding="utf-8") as handle:
        expected = {(r["text"], r["code"]) for r in csv.DictReader(handle)}
    assert set(rows) == expected


def test_demo_refuses_to_overwrite(invoke, demo: Path) -> None:
    result = invoke("demo", "--dir", demo.parent, "--no-tui")
    assert result.exit_code == 1 and "already exists" in result.output
