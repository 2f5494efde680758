"""The command-line contract: help for every command, JSON shapes, and the README documents them all."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from conftest import INTERVIEW, ROOT, write

from qualcode.cli import cli


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = prefix + (name,)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_and_is_documented(invoke, path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help, f"qualcode {' '.join(path)} has no help text"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"qualcode {' '.join(path)}" in readme, f"README does not document qualcode {' '.join(path)}"


def test_info_and_documents_json(invoke, project_path: Path, tmp_path: Path) -> None:
    write(tmp_path / "d" / "m1.txt", INTERVIEW)
    invoke("import", project_path, tmp_path / "d", "--group", "mentee")
    invoke("code", project_path, "--coder", "amira", "--document", "m1.txt", "--code", "trust", "--match", "trust")
    info = json.loads(invoke("info", project_path, "--json").output)
    assert {k: info[k] for k in ("documents", "turns", "segments", "codes", "coders", "codings", "participants")} == {
        "documents": 1,
        "turns": 5,
        "segments": 9,
        "codes": 3,
        "coders": ["amira"],
        "codings": 1,
        "participants": {"mentee": 1},
    }
    (doc,) = json.loads(invoke("documents", project_path, "--json").output)
    assert {k: doc[k] for k in ("name", "kind", "participants", "groups", "turns", "codings")} == {
        "name": "m1.txt",
        "kind": "interview",
        "participants": ["Dee"],
        "groups": ["mentee"],
        "turns": 5,
        "codings": 1,
    }
    assert len(doc["sha256"]) == 64 and doc["words"] == 41  # spoken words, not speaker labels
    table = invoke("documents", project_path).output
    assert "m1.txt" in table and "interview" in table
    turns = json.loads(invoke("turns", project_path, "m1.txt", "--json").output)
    assert [(t["speaker"], t["role"], t["participant"], t["group"]) for t in turns] == [
        (None, "none", None, None),
        ("Interviewer", "interviewer", None, None),
        ("Dee", "participant", "Dee", "mentee"),
        ("I", "interviewer", None, None),
        ("Dee", "participant", "Dee", "mentee"),
    ]
    assert [s["text"] for s in turns[2]["segments"]][:2] == ["In prison.", "She came before I got out."]
    assert "Dee = Dee [mentee]" in invoke("turns", project_path, "m1.txt").output
    people = json.loads(invoke("participants", project_path, "--json").output)
    assert people == [{"pseudonym": "Dee", "group": "mentee", "attributes": {}, "turns": 2, "documents": ["m1.txt"]}]


def test_unexpected_errors_are_not_swallowed(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["info", str(tmp_path / "none.qdb")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_did_you_mean_for_codes_reads_names_as_the_picker_does(demo_copy: Path, invoke, tmp_path: Path) -> None:
    """ "housing" is no code's id: it suggests the accommodation outcome by its name, not ``in`` (Inputs)."""
    result = invoke("export", "quotes", demo_copy, "-o", tmp_path / "q.md", "--code", "housing")
    assert result.exit_code == 1 and "did you mean 'mt-mentee-accommodation'" in result.output, result.output
    coded = invoke("code", demo_copy, "--coder", "amira", "--document", "mentor_tom.txt", "--code", "housing",
                   "--segment", 1)  # fmt: skip
    assert coded.exit_code == 1 and "accommodation" in coded.output and "'in'" not in coded.output


def test_agreement_says_every_file_it_wrote_and_keeps_json_clean(demo_copy: Path, invoke, tmp_path: Path) -> None:
    result = invoke("agreement", demo_copy, "--coders", "amira,ben", "-o", tmp_path / "a.md",
                    "--disagreements", tmp_path / "d.csv")  # fmt: skip
    assert result.exit_code == 0 and f"wrote {tmp_path / 'a.md'}" in result.output
    assert f"wrote {tmp_path / 'd.csv'}" in result.output
