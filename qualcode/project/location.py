"""Where a project file lives, and whether SQLite can keep several users' work safe there.

SQLite's WAL mode, which lets coders and readers work side by side, needs every process on one host with
shared memory and working POSIX locks. Network file systems (NFS, SMB/CIFS, sshfs and other FUSE mounts)
break the first and often the second; cloud-sync folders (OneDrive, Dropbox, Google Drive, iCloud...) copy
the file and its -wal separately, behind SQLite's back, and hand other machines a torn copy. This module
tells those places apart from a local disk, using only what the operating system reports (mount tables,
drive types, folder names) and ``stat``: it never opens the project file.

The functions that parse mount tables are pure and take the table as text, so they are tested on real
tables; ``describe`` reads the running system's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePath

MOUNTINFO = Path("/proc/self/mountinfo")

# File systems that reach another machine (Linux names as in /proc/self/mountinfo).
NETWORK_TYPES = {
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "openafs", "coda", "9p", "ceph",
    "glusterfs", "lustre", "gpfs", "beegfs", "orangefs", "pvfs2", "ocfs2", "gfs2", "davfs", "virtiofs",
    "vboxsf", "vmhgfs", "prl_fs",
}  # fmt: skip
LOCAL_FUSE = {"fuseblk"}  # NTFS/exFAT drives through FUSE: a local disk
# Folder names that cloud-sync clients create (compared case-insensitively, as a whole name or its start).
SYNC_NAMES = ("onedrive", "dropbox", "google drive", "googledrive", "my drive", "icloud drive", "iclouddrive",
              "mobile documents", "box sync", "pcloud drive", "nextcloud", "owncloud", "synologydrive",
              "seadrive", "mega")  # fmt: skip
SYNC_MARKERS = (".dropbox", ".dropbox.cache", ".sync", ".nextcloudsync.log", ".owncloudsync.log")


@dataclass(frozen=True)
class Mount:
    point: str
    fstype: str
    source: str
    read_only: bool


def unescape(field: str) -> str:
    """Mount tables write space, tab, newline and backslash as octal escapes (``\\040``)."""
    out, i = [], 0
    while i < len(field):
        digits = field[i + 1 : i + 4]
        if field[i] == "\\" and len(digits) == 3 and digits.isdigit():
            out.append(chr(int(digits, 8)))
            i += 4
            continue
        out.append(field[i])
        i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    """Linux ``/proc/self/mountinfo``: ``id parent maj:min root point options [tags...] - type source super``."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 7:
            continue
        dash = fields.index("-")
        if len(fields) < dash + 3:
            continue
        options = set(fields[5].split(",")) | set(fields[dash + 3].split(",") if len(fields) > dash + 3 else [])
        mounts.append(Mount(unescape(fields[4]), fields[dash + 1], unescape(fields[dash + 2]), "ro" in options))
    return mounts


def parse_bsd_mount(text: str) -> list[Mount]:
    """macOS/BSD ``mount`` output: ``source on /point (type, option, ...)``; ``local`` marks a local disk."""
    mounts = []
    for line in text.splitlines():
        source, sep, rest = line.partition(" on ")
        if not sep or not rest.endswith(")") or " (" not in rest:
            continue
        point, _, options = rest[:-1].rpartition(" (")
        parts = [p.strip() for p in options.split(",")]
        fstype = parts[0] if "local" in parts else f"{parts[0]} (not local)"
        mounts.append(Mount(point, fstype, source, "read-only" in parts or "rdonly" in parts))
    return mounts


def mount_of(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount a path is on: the longest mount point above it (the last one, where mounts stack)."""
    best: Mount | None = None
    for mount in mounts:
        point = mount.point.rstrip("/") or "/"
        inside = path == point or path.startswith(point + "/") or point == "/"
        if inside and (best is None or len(point) >= len(best.point.rstrip("/") or "/")):
            best = mount
    return best


def network_reason(mount: Mount) -> str | None:
    kind = mount.fstype.lower()
    if kind.endswith("(not local)"):
        return f"on a network or FUSE file system ({kind.removesuffix(' (not local)')} at {mount.point})"
    if kind in NETWORK_TYPES or kind.split(".")[0] in NETWORK_TYPES:
        return f"on a network file system ({kind} at {mount.point})"
    if kind.startswith("fuse") and kind not in LOCAL_FUSE:
        return f"on a FUSE file system ({kind} at {mount.point}), such as sshfs or a cloud drive"
    return None


def sync_reason(path: PurePath) -> str | None:
    """A folder name that a cloud-sync client uses, anywhere above the project."""
    for parent in path.parents:
        name = parent.name.lower()
        if any(name == s or name.startswith(s + " ") or name.startswith(s + "-") for s in SYNC_NAMES):
            return f"inside a cloud-sync folder ({parent})"
        if name == "cloudstorage" and parent.parent.name.lower() == "library":
            return f"inside a cloud-sync folder ({parent})"
    return None


def _sync_marker(path: Path) -> str | None:
    for parent in path.parents:
        for marker in SYNC_MARKERS:
            if (parent / marker).exists():
                return f"inside a cloud-sync folder ({parent} has {marker})"
    return None


def _system_mounts() -> list[Mount]:
    if MOUNTINFO.exists():
        try:
            return parse_mountinfo(MOUNTINFO.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return []
    if sys.platform == "darwin" or "bsd" in sys.platform:
        try:
            out = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        return parse_bsd_mount(out)
    return []


def _windows_reason(path: Path) -> str | None:
    text = str(path)
    if text.startswith("\\\\"):
        return f"on a network share ({text.split(chr(92))[2] if text.count(chr(92)) > 2 else text})"
    try:
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # type: ignore[attr-defined]  # DRIVE_REMOTE
            return f"on a network drive ({drive})"
    except (AttributeError, OSError):
        return None
    return None


@dataclass(frozen=True)
class Location:
    """What qualcode needs to know about a project's place: why several writers are unsafe there (None on a
    local disk) and whether the file system is mounted read-only."""

    unsafe: str | None
    read_only_mount: bool


def describe(path: Path) -> Location:
    resolved = Path(os.path.realpath(path))
    if sys.platform == "win32":
        return Location(_windows_reason(resolved) or sync_reason(resolved) or _sync_marker(resolved), False)
    mount = mount_of(str(resolved), _system_mounts())
    unsafe = (network_reason(mount) if mount else None) or sync_reason(resolved) or _sync_marker(resolved)
    read_only = bool(mount and mount.read_only)
    with suppress(OSError, AttributeError):  # no statvfs on Windows
        read_only = read_only or bool(os.statvfs(resolved.parent).f_flag & os.ST_RDONLY)
    return Location(unsafe, read_only)
