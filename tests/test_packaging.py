"""A wheel that works: build qualcode's wheel, install it (not editable) into a fresh virtual environment and
run ``qualcode demo --no-tui`` from another folder, where no source checkout is in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_sample_study_and_runs_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = out.glob("qualcode-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"qualcode/codebooks/mentoring-logic-model.yaml", "qualcode/sample_transcripts/participants.csv",
            "qualcode/sample_transcripts/mentee_kyle.docx", "qualcode/tui/qualcode.tcss"} <= names  # fmt: skip

    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip
    # The dependencies come from this environment's site-packages (no download); qualcode itself from the
    # wheel alone: a path in a .pth file is not a site directory, so this environment's editable qualcode
    # is not seen there.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run([python, "-c", "import qualcode; print(qualcode.__file__)"], capture_output=True,
                           text=True, cwd=elsewhere, env=env, check=True).stdout  # fmt: skip
    assert str(site) in where and str(ROOT) not in where
    demo = subprocess.run(
        [fresh / "bin" / "qualcode", "demo", "--no-tui", "--dir", str(elsewhere / "demo")],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "13 documents" in demo.stdout and (elsewhere / "demo" / "demo.qdb").exists()
