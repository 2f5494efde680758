"""The study as a state machine: random sequences of code, uncode, memo, star, undo, redo, create code, delete
code, merge codes, settle a disagreement and merge a colleague's file, through qualcode's core, checked after
every step against a pure-Python model and ``qualcode check`` (see ``study_machine``). A longer run:
``bench/machine_bench.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FOCUS_GROUP, INTERVIEW, SHEET, SMALL_CODEBOOK, write
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from study_machine import FIGURES, StudyMachine, prepare

from qualcode.cli import cli


def build(path: Path) -> None:
    from click.testing import CliRunner

    folder = path.parent / "source"
    write(folder / "small.yaml", SMALL_CODEBOOK)
    write(folder / "study" / "fg.txt", FOCUS_GROUP)
    write(folder / "study" / "m1.txt", INTERVIEW)  # Dee, as in the sheet
    write(folder / "study" / "participants.csv", "\n".join(SHEET.splitlines()[:6]) + "\n")  # no m2.txt
    runner = CliRunner()
    for args in (["init", path, "--codebook", folder / "small.yaml"],
                 ["import", path, folder / "study", "--participants", folder / "study" / "participants.csv"]):  # fmt: skip
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def machine_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("machine")
    StudyMachine.base, StudyMachine.colleague = prepare(folder, build)
    StudyMachine.folder = folder
    return folder


def test_every_sequence_of_changes_keeps_the_study_whole(machine_folder: Path) -> None:
    FIGURES.update(steps=0, checks=0, conflicts=0, by_rule={})
    run_state_machine_as_test(StudyMachine, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))  # fmt: skip
    assert FIGURES["steps"] > 300 and {"code", "settle", "undo", "merge codes"} <= set(FIGURES["by_rule"])
