"""The README's command examples run as written, in order, in a fresh folder: the contract a user reads.

Examples about a study already coded (quote banks, backups, checks) run on a copy of the demo study standing
in for ``study.qdb``; a path outside the folder (``/mnt/archive/...``) is taken inside it. A ``# ...`` line
after a command is what the command prints, checked with its numbers left free.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from qualcode.cli import cli


def examples() -> list[tuple[str, list[str]]]:
    """Every ``qualcode ...`` line of the README's bash blocks, with the ``# ...`` lines that follow it."""
    found: list[tuple[str, list[str]]] = []
    block = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        line = line.strip()  # blocks and commands in a numbered list are indented
        if line.startswith("```"):
            block = line == "```bash"
            continue
        if block and line.startswith("qualcode "):
            found.append((line, []))
        elif block and line.startswith("# ") and found:
            found[-1][1].append(line[2:])
    return found


def test_the_readme_examples_run_as_written(demo_study: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "codebooks").symlink_to(ROOT / "codebooks")
    (tmp_path / "sample_transcripts").symlink_to(ROOT / "sample_transcripts")  # the walk-through's study
    (tmp_path / "identifiers.txt").write_text("Northway\nLenton\n", encoding="utf-8")
    ran = []
    for command, said in examples():
        args = shlex.split(command)[1:]  # as a shell reads it: quoted phrases are one argument
        args = [a.replace("/mnt/archive/", str(tmp_path / "archive") + "/") for a in args]
        (tmp_path / "archive").mkdir(exist_ok=True)
        if args[0] != "init" and Path("study.qdb").exists() and not Path("coded").exists():
            for suffix in ("", "-wal", "-shm"):  # a coded study in place of the one just created empty
                Path(f"study.qdb{suffix}").unlink(missing_ok=True)
            shutil.copy(demo_study, "study.qdb")
            Path("coded").touch()
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        for line in said:  # the printed line, with any number and date free
            parts = re.split(r"(\d[\d,.]*)", line)
            pattern = "".join(r"[\d,.]+" if n % 2 else re.escape(part) for n, part in enumerate(parts))
            assert re.search(pattern, result.output), f"{command}: expected {line!r}, got {result.output!r}"
        ran.append(args[0])
    assert {"init", "demo", "report", "export", "backup", "check"} <= set(ran)
