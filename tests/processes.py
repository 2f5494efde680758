"""Real processes for the tests that need them: qualcode commands and workbenches, each its own process,
which a test can kill with SIGKILL at any moment (no clean-up of any kind runs)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("workbench_driver.py")
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}


def qualcode(*args: object, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """One qualcode command in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**ENV, **(env or {})},
    )


def start(*args: object, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A qualcode command started in its own process, to be waited for (or killed)."""
    return subprocess.Popen(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, **(env or {})},
    )


class Workbench:
    """A workbench (``workbench_driver.py``) in its own process: send commands, read what it reports."""

    def __init__(self, project: Path, coder: str, env: dict[str, str] | None = None, wait: bool = True) -> None:
        self.coder = coder
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), str(project), coder],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**ENV, **(env or {})},
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.log: list[dict[str, Any]] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()
        if wait:
            self.wait_for("ready", 120)

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            try:
                event = json.loads(line)
            except ValueError:
                continue  # Textual may write to the terminal it thinks it has
            self.log.append(event)
            self.events.put(event)
        self.events.put({"event": "exited"})

    def _read_errors(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.errors.append(line)

    def wait_for(self, kind: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"workbench of {self.coder}: no {kind!r} within {timeout} s; {self.errors[-20:]}")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event["event"] == kind:
                return event
            if event["event"] == "exited":
                raise RuntimeError(f"workbench of {self.coder} exited: {''.join(self.errors[-40:])}")

    def do(self, timeout: float = 90, **command: Any) -> dict[str, Any]:
        """Send one command; the state the workbench then shows."""
        self.process.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return self.wait_for("state", timeout)

    def notifications(self) -> list[str]:
        return [e["message"] for e in self.log if e["event"] == "notify"]

    def quit(self, timeout: float = 60) -> int:
        try:
            self.process.stdin.write(json.dumps({"do": "quit"}) + "\n")  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, exactly as when a terminal or an SSH session dies hard."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


def read_codings(path: Path, coder: str | None = None) -> set[tuple[str, str, int, int]]:
    """(coder, document, code, start, end) from the file, read as the next session would."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            'SELECT r.name, d.name, c.code_id, c.start, c."end" FROM coding c JOIN coder r ON r.id = c.coder_id '
            "JOIN document d ON d.id = c.document_id" + (" WHERE r.name = ?" if coder else ""),
            [coder] if coder else [],
        ).fetchall()
    finally:
        conn.close()
    return {tuple(r) for r in rows}  # type: ignore[misc]
