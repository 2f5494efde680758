"""Hostile input, second pass (continued): non-numbers in a reliability table, leftovers of a stopped command
that creates a project. (Names that look like markup: test_markup_names.py.)"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from fuzzing import strict_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.errors import QualcodeError
from qualcode.team.reliability_table import table_statistics


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999"])
@pytest.mark.parametrize("level", ["ordinal", "interval", "ratio"])
def test_a_cell_that_is_no_number_is_refused_with_its_line(invoke, tmp_path: Path, cell: str, level: str) -> None:
    table = tmp_path / "t.csv"
    table.write_text(f"unit,a,b\n1,1,2\n2,{cell},3\n3,3,3\n", encoding="utf-8")
    result = invoke("agreement", "table", table, "--level", level, "--json")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines == [f"Error: {table}:3: {cell!r} is not a number ({level} data; --missing {cell} reads it as no value)"]


def test_non_numbers_read_as_missing_when_asked(invoke, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("unit,a,b\n1,1,2\n2,nan,3\n3,3,3\n4,2,inf\n5,NA,1\n", encoding="utf-8")
    result = invoke("agreement", "table", table, "--level", "interval", "--missing", "nan,inf,NA", "--json")
    assert result.exit_code == 0, result.output
    report = strict_json(result.output)
    assert report["units"] == 5 and report["percent_agreement"] == 0.5  # units 1 and 3 are complete
    same = tmp_path / "same.csv"
    same.write_text("unit,a,b\n1,1,2\n2,,3\n3,3,3\n4,2,\n5,,1\n", encoding="utf-8")
    assert strict_json(invoke("agreement", "table", same, "--level", "interval", "--json").output) == report


def test_a_value_too_large_for_a_rating_is_refused(invoke, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("unit,a,b\n1,1,2\n2,1e300,3\n", encoding="utf-8")
    result = invoke("agreement", "table", table, "--level", "interval")
    assert result.exit_code == 1 and "t.csv:3: 1e300 is too large for a rating" in result.output


def test_json_is_always_json(invoke, tmp_path: Path) -> None:
    """A statistic with nothing to measure is null with its reason, never NaN: a constant table, one unit."""
    for body in ("1,1,1\n2,1,1\n", "1,2,\n", "1,1,2\n"):
        table = tmp_path / "t.csv"
        table.write_text("unit,a,b\n" + body, encoding="utf-8")
        for level in ("nominal", "interval"):
            result = invoke("agreement", "table", table, "--level", level, "--json")
            assert result.exit_code in (0, 1), result.output
            if result.exit_code == 0:
                strict_json(result.output)


CELL = st.one_of(
    st.sampled_from(["", "0", "1", "2", "5", "-3", "0.5", "1e11", "-1e11", "999999999999", "1e-300", " 4 "]),
    st.integers(-10, 10).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=25),
       st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))  # fmt: skip
def test_any_table_gives_finite_figures_without_a_warning(tmp_path_factory, rows: list[list[str]], level: str) -> None:
    table = tmp_path_factory.mktemp("t") / "t.csv"
    table.write_text("a,b,c\n" + "".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning would reach the user's terminal
        try:
            report = table_statistics(table, level, bootstrap=50)
        except QualcodeError:
            return
    from qualcode.project.output import json_text

    strict_json(json_text(report))
    for name in ("krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "percent_agreement"):
        value = report[name]
        assert value is None or -1.0001 <= value <= 1.0001 or name == "krippendorff_alpha", (name, value)
        assert value is None or value == value, (name, value)  # never nan: undefined is None with a reason


# -- leftovers: a command that creates a project and is stopped leaves nothing behind ------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory, demo_study: Path) -> Path:
    from click.testing import CliRunner

    from qualcode.cli import cli

    path = tmp_path_factory.mktemp("qdpx") / "study.qdpx"
    result = CliRunner().invoke(cli, ["export", "qdpx", str(demo_study), "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_stopped_while_writing_it_leaves_not_even_the_writers_note(archive: Path, tmp_path: Path) -> None:
    """SIGTERM inside the import's write transaction, once its writer's note (``study.qdb-writer``) is there:
    the project goes, and its note with it (a note left behind once made the next import wait on nobody)."""
    import signal
    import subprocess
    import sys
    import time

    project = tmp_path / "new.qdb"
    note = Path(f"{project}-writer")
    child = subprocess.Popen([sys.executable, "-m", "qualcode", "import-qdpx", str(project), str(archive)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while not note.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert child.poll() is None, "the import ended before its write began: make its input larger"
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("command", ["import-qdpx", "demo"])
def test_a_stopped_command_leaves_no_project_behind(archive: Path, tmp_path: Path, stop: str, command: str) -> None:
    """Stopped while it fills the project it made (SIGHUP: the SSH session dropped), the command removes it,
    -wal and -shm too, so that the same command, or ``init`` on that name, works at once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    project = tmp_path / ("new.qdb" if command == "import-qdpx" else "demo.qdb")
    args = ["import-qdpx", str(project), str(archive)] if command == "import-qdpx" else \
        ["demo", "--dir", str(tmp_path), "--no-tui"]  # fmt: skip
    child = subprocess.Popen([sys.executable, "-m", "qualcode", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # fmt: skip
    deadline = time.monotonic() + 60
    while not project.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.15)  # inside the import, past creating the file
    assert child.poll() is None, "the command ended before it could be stopped: make its input larger"
    child.send_signal(getattr(signal, stop))
    child.wait(timeout=60)
    assert child.returncode == -getattr(signal, stop)  # it ended as the signal ends a process
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(project.name))
    assert left == [], left
    from click.testing import CliRunner

    from qualcode.cli import cli

    assert CliRunner().invoke(cli, ["init", str(project)]).exit_code == 0
