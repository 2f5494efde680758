"""Where a project may live: network file systems and cloud-sync folders are refused for writing unless
exclusive use is asked for, which then means a rollback journal and one process at a time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path, PurePosixPath

import pytest
from conftest import digest
from processes import ENV, qualcode

from qualcode.project import location

# /proc/self/mountinfo as Linux writes it (fields: id parent dev root point options [tags] - type source super)
MOUNTINFO = r"""22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
101 27 0:45 / /mnt/evaluation rw,relatime shared:60 - nfs4 fileserver:/export/eval rw,vers=4.2,rsize=1048576
102 27 0:46 / /mnt/team\040share rw,relatime - cifs //server/team rw,vers=3.1.1,cache=strict
103 27 0:47 / /home/kim/remote rw,nosuid,nodev,relatime - fuse.sshfs kim@host:/data rw,user_id=1000
104 27 0:48 / /media/usb rw,relatime - fuseblk /dev/sdb1 rw,user_id=0
105 27 8:16 / /srv/archive ro,relatime - ext4 /dev/sdb ro
106 101 0:49 / /mnt/evaluation/local rw,relatime - ext4 /dev/sdc rw
"""

# `mount` on macOS
BSD_MOUNT = """/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect, root data)
//kim@fileserver/eval on /Volumes/eval (smbfs, nodev, nosuid, mounted by kim)
fileserver:/export on /Volumes/nfs (nfs, asynchronous)
"""


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/mnt/evaluation/study.qdb", "nfs4"),
        ("/mnt/team share/study.qdb", "cifs"),
        ("/home/kim/remote/p/study.qdb", "fuse.sshfs"),
        ("/media/usb/study.qdb", None),  # NTFS through FUSE: a local disk
        ("/mnt/evaluation/local/study.qdb", None),  # a local disk mounted inside the share
        ("/mnt/evaluationx/study.qdb", None),  # not inside /mnt/evaluation
        ("/srv/archive/study.qdb", None),
    ],
)
def test_network_file_systems_are_told_from_local_ones(path: str, kind: str | None) -> None:
    mount = location.mount_of(path, location.parse_mountinfo(MOUNTINFO))
    assert mount is not None
    reason = location.network_reason(mount)
    assert (reason is None) == (kind is None)
    if kind:
        assert kind in reason and mount.point in reason


def test_mount_tables_are_read_as_written() -> None:
    mounts = {m.point: m for m in location.parse_mountinfo(MOUNTINFO)}
    assert mounts["/mnt/team share"].fstype == "cifs" and mounts["/srv/archive"].read_only
    assert not mounts["/mnt/evaluation"].read_only
    bsd = {m.point: m for m in location.parse_bsd_mount(BSD_MOUNT)}
    assert location.network_reason(bsd["/Volumes/eval"]) and location.network_reason(bsd["/Volumes/nfs"])
    assert location.network_reason(bsd["/System/Volumes/Data"]) is None and bsd["/"].read_only


@pytest.mark.parametrize(
    "path, synced",
    [
        ("/home/kim/Dropbox/evaluation/study.qdb", True),
        ("/Users/kim/Library/CloudStorage/OneDrive-Northway/study.qdb", True),
        ("/Users/kim/OneDrive - Northway Trust/Evaluation/study.qdb", True),
        ("/Users/kim/Google Drive/My Drive/study.qdb", True),
        ("/Users/kim/Library/Mobile Documents/com~apple~CloudDocs/study.qdb", True),
        ("/home/kim/Nextcloud/study.qdb", True),
        ("/home/kim/megaproject/study.qdb", False),
        ("/home/kim/evaluation/dropbox-notes/study.qdb", True),
        ("/home/kim/evaluation/study.qdb", False),
    ],
)
def test_cloud_sync_folders_are_recognised_by_name(path: str, synced: bool) -> None:
    assert (location.sync_reason(PurePosixPath(path)) is not None) == synced


CODE = ("--coder", "kim", "--document", "mentor_tom.txt", "--code", "st-mentee-engage-mentor", "--segment", "2")


@pytest.fixture
def on_nfs(demo_copy: Path, tmp_path: Path, monkeypatch) -> Path:
    """The project's folder listed in the mount table as an NFS share."""
    table = tmp_path / "mountinfo"
    table.write_text(f"27 1 254:0 / / rw - ext4 /dev/vda rw\n101 27 0:45 / {demo_copy.parent} rw - nfs4 fs:/eval rw\n")
    monkeypatch.setattr(location, "MOUNTINFO", table)
    return demo_copy


def test_a_project_on_a_network_drive_is_refused_for_writing(invoke, on_nfs: Path, tmp_path: Path) -> None:
    before = digest(on_nfs)
    refused = invoke("code", on_nfs, *CODE)
    assert refused.exit_code == 1
    assert f"on a network file system (nfs4 at {on_nfs.parent})" in refused.output
    assert "qualcode --exclusive" in refused.output and "nothing was changed" in refused.output
    assert digest(on_nfs) == before
    assert invoke("info", on_nfs).exit_code == 0
    assert invoke("export", "quotes", on_nfs, "--coders", "all", "-o", tmp_path / "q.json").exit_code == 0
    assert invoke("init", on_nfs.with_name("new.qdb")).exit_code == 1


def test_exclusive_use_writes_with_a_rollback_journal_then_back_to_wal(invoke, on_nfs: Path, monkeypatch) -> None:
    assert invoke("--exclusive", "code", on_nfs, *CODE).exit_code == 0
    with closing(sqlite3.connect(on_nfs)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(f"{on_nfs}-wal").exists() and not Path(f"{on_nfs}-shm").exists()
    monkeypatch.setattr(location, "MOUNTINFO", Path("/proc/self/mountinfo"))  # copied to a local disk
    assert invoke("code", on_nfs, *CODE[:-1], "3").exit_code == 0
    with closing(sqlite3.connect(on_nfs)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM coding c JOIN coder r ON r.id = c.coder_id "
                            "WHERE r.name = 'kim'").fetchone()[0] == 2  # fmt: skip


HOLD_EXCLUSIVELY = """
import sys, time
from qualcode.coding.codings import Selector, apply_code
from qualcode.project.store import Project
project = Project.open(sys.argv[1], write=True)
apply_code(project, coder="kim", document="mentor_tom.txt", code="st-mentee-engage-mentor", selector=Selector(segment=5))
print("HELD", flush=True)
time.sleep(4)
project.close()
"""


def test_exclusive_use_keeps_every_other_process_out(demo_copy: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_EXCLUSIVELY, str(demo_copy)], stdout=subprocess.PIPE,
                              text=True, env={**ENV, "QUALCODE_EXCLUSIVE": "1"})  # fmt: skip
    assert holder.stdout.readline().strip() == "HELD"
    patience = {"QUALCODE_PATIENCE": "1"}
    for args in (("info", demo_copy), ("code", demo_copy, *CODE)):
        result = qualcode(*args, env=patience)
        assert result.returncode == 1 and "busy:" in result.stderr and "Traceback" not in result.stderr, result.stderr
    holder.wait(30)
    assert qualcode("code", demo_copy, *CODE).returncode == 0  # free again once it has closed
    with closing(sqlite3.connect(demo_copy)) as conn:
        assert conn.execute("SELECT count(*) FROM coding c JOIN coder r ON r.id = c.coder_id "
                            "WHERE r.name = 'kim'").fetchone()[0] == 2  # fmt: skip


def test_a_cloud_sync_folder_is_refused_for_writing(invoke, demo_copy: Path, tmp_path: Path, small_codebook) -> None:
    synced = tmp_path / "Dropbox" / "evaluation"
    synced.mkdir(parents=True)
    refused = invoke("init", synced / "study.qdb", "--codebook", small_codebook)
    assert refused.exit_code == 1 and "inside a cloud-sync folder" in refused.output
    assert not (synced / "study.qdb").exists()
    moved = synced / "demo.qdb"
    demo_copy.rename(moved)
    assert invoke("info", moved).exit_code == 0
    coded = invoke("code", moved, *CODE)
    assert coded.exit_code == 1 and f"inside a cloud-sync folder ({tmp_path / 'Dropbox'})" in coded.output
