"""The never-lose-work torture: many real processes on one project, SIGKILL at random moments.

Actors, each a thread here driving real processes: workbenches coding (``workbench_driver.py``: the real
app, coding through its own apply path, ``x`` and ``u``), command-line writers (``code``, ``uncode``,
``star``), ``autocode`` (many codings in one command), and readers (``info``, ``export quotes``, ``check``).
A killer sends SIGKILL to one of their processes every so often; a killed workbench is started again.

Every writer owns its coder, so each coder's codings change only through one actor, in order. A change
counts as acknowledged when its command exits 0 or when the workbench shows it; the model holds every
acknowledged change. A change in flight when its process is killed may or may not have landed, but only
as a whole: the file is read right then, and it must hold the model either with or without that change,
never anything else; the model then follows the file. At the end the file must hold exactly the model
for every torture coder, the codings nobody touched, every document and segment, pass SQLite's
``integrity_check`` and ``qualcode check``; and no user-visible message may mention a locked database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from processes import ENV, Workbench

Coding = tuple[str, str, int, int]  # document, code, start, end
CODES = ["st-mentee-engage-mentor", "st-mentee-motivation-change", "mt-mentee-accommodation", "psp-st-trust",
         "mt-mentee-substance-use", "st-mentee-problem-solving"]  # fmt: skip
PATTERNS = [r"\bmentor\b", r"\bhousing\b", r"\bprison\b", r"\btrust", r"\bjob\b", r"\bfamily\b", r"\bdrink"]


@dataclass
class Figures:
    operations: Counter = field(default_factory=Counter)  # attempted, by kind
    acknowledged: int = 0  # changes whose command returned success or that a workbench showed
    kills: Counter = field(default_factory=Counter)  # by actor kind
    in_flight: Counter = field(default_factory=Counter)  # killed mid-change: landed / not landed
    lost: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "operations": sum(self.operations.values()),
            "by_kind": dict(self.operations),
            "acknowledged": self.acknowledged,
            "kills": sum(self.kills.values()),
            "kills_by_kind": dict(self.kills),
            "in_flight_when_killed": dict(self.in_flight),
            "lost": self.lost,
            "failures": len(self.failures),
        }


class Torture:
    def __init__(self, project: Path, seed: int, seconds: float, kill_every: tuple[float, float] = (0.8, 2.5),
                 workbenches: int = 2, writers: int = 2, readers: int = 1) -> None:  # fmt: skip
        self.project, self.seconds, self.kill_every = project, seconds, kill_every
        self.random = random.Random(seed)
        self.figures = Figures()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.running: dict[str, subprocess.Popen] = {}  # actor -> its process now, for the killer
        self.model: dict[str, dict[Coding, int]] = {}  # coder -> acknowledged coding -> key_quote
        with self._read() as conn:
            self.segments: dict[str, list[tuple[int, int]]] = {}
            for name, start, end in conn.execute('SELECT d.name, s.start, s."end" FROM segment s '
                                                 "JOIN document d ON d.id = s.document_id ORDER BY d.id, s.seq"):  # fmt: skip
                self.segments.setdefault(name, []).append((start, end))
            self.untouched = self._codings(conn)
            self.counts = self._counts(conn)
        self.actors = [*(f"wb{n}" for n in range(workbenches)), *(f"cli{n}" for n in range(writers)), "auto",
                       *(f"reader{n}" for n in range(readers))]  # fmt: skip
        self.patterns = self._plan_autocode()

    # -- the run -------------------------------------------------------------------------------------

    def run(self) -> Figures:
        threads = [threading.Thread(target=self._actor, args=(name,), daemon=True) for name in self.actors]
        killer = threading.Thread(target=self._killer, daemon=True)
        for thread in [*threads, killer]:
            thread.start()
        time.sleep(self.seconds)
        self.stop.set()
        for thread in [*threads, killer]:
            thread.join(300)
        self._verify()
        return self.figures

    def _actor(self, name: str) -> None:
        rng = random.Random(self.random.randrange(1 << 30))
        act = {"wb": self._workbench, "cl": self._cli, "au": self._autocode, "re": self._reader}[name[:2]]
        try:
            act(name, rng)
        except Exception as error:  # noqa: BLE001 - a crash in the harness is reported like any failure
            self._fail(f"{name}: harness error {type(error).__name__}: {error}")

    def _killer(self) -> None:
        rng = random.Random(self.random.randrange(1 << 30))
        while not self.stop.wait(rng.uniform(*self.kill_every)):
            with self.lock:
                victims = sorted((n, p) for n, p in self.running.items() if p.poll() is None)
            if not victims:
                continue
            name, process = rng.choice(victims)
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            with self.lock:
                self.figures.kills[name.rstrip("0123456789")] += 1

    # -- workbenches ---------------------------------------------------------------------------------

    def _workbench(self, name: str, rng: random.Random) -> None:
        coder = f"torture-{name}"
        mine = self.model.setdefault(coder, {})
        while not self.stop.is_set():
            bench = Workbench(self.project, coder, wait=False)
            with self.lock:
                self.running[name] = bench.process
            try:
                bench.wait_for("ready", 120)
                self._code_in_workbench(bench, coder, mine, rng)
                if rng.random() < 0.5:
                    if bench.quit(120) != 0:  # a clean quit must not write anything stale back
                        self._fail(f"{name}: the workbench did not quit cleanly: {''.join(bench.errors)[-300:]}")
                else:
                    bench.kill()
            except RuntimeError:  # killed: resolve the change it was making, if any
                bench.kill()
                events = [e for e in bench.log if e["event"] in ("doing", "state")]
                doing = events[-1] if events and events[-1]["event"] == "doing" else None
                self._resolve(coder, mine, name, self._workbench_change(bench, mine, doing))
            self._check_messages(name, bench.notifications() + bench.errors)

    def _code_in_workbench(self, bench: Workbench, coder: str, mine: dict[Coding, int], rng: random.Random) -> None:
        document = rng.choice(sorted(self.segments))
        self._shown(coder, mine, document, bench.do(do="open", document=document), [])
        while not self.stop.is_set():
            roll = rng.random()
            segment = rng.randrange(len(self.segments[document]))
            if roll < 0.6:
                command: dict[str, Any] = {"do": "code", "segment": segment, "code": rng.choice(CODES)}
            elif roll < 0.85:
                command = {"do": "uncode", "segment": segment}
            else:
                command = {"do": "undo"}
            self.figures.operations[f"workbench {command['do']}"] += 1
            seen = len(bench.log)
            state = bench.do(**command)
            doing = [e for e in bench.log[seen:] if e["event"] == "doing"]
            before = {k: v for k, v in mine.items() if k[0] == document}
            self._shown(coder, mine, document, state, self._workbench_change(bench, before, doing[-1] if doing
                                                                               else None))  # fmt: skip

    def _workbench_change(self, bench: Workbench, mine: dict[Coding, int], doing: dict[str, Any] | None
                          ) -> list[dict[Coding, int]]:  # fmt: skip
        """The model as it would be with the change a workbench said it was making."""
        states = [e for e in bench.log if e["event"] == "state" and e.get("document")]
        if doing is None or not states:
            return []
        key = (states[-1]["document"], doing["code"], doing["start"], doing["end"])
        changed = dict(mine)
        if doing["op"] == "add":
            changed.setdefault(key, 0)
        else:
            changed.pop(key, None)
        return [changed]

    def _shown(self, coder: str, mine: dict[Coding, int], document: str, state: dict[str, Any],
               changed: list[dict[Coding, int]]) -> None:  # fmt: skip
        """What the workbench shows for a document is acknowledged: it must be what was acknowledged before,
        with or without the change just made; then it is the model for that document."""
        shown = {(document, c, s, e): k for c, s, e, k in state["mine"]}
        before = {k: v for k, v in mine.items() if k[0] == document}
        self._expect(shown, before, changed, f"{coder}: {document} shows")
        with self.lock:
            for key in before:
                mine.pop(key)
            mine.update(shown)
            self.figures.acknowledged += len(set(shown) ^ set(before))

    # -- commands ------------------------------------------------------------------------------------

    def _cli(self, name: str, rng: random.Random) -> None:
        coder = f"torture-{name}"
        mine = self.model.setdefault(coder, {})
        while not self.stop.is_set():
            roll = rng.random()
            changed = dict(mine)
            if roll < 0.55 or not mine:
                document = rng.choice(sorted(self.segments))
                segment = rng.randrange(len(self.segments[document]))
                code = rng.choice(CODES)
                key = (document, code, *self.segments[document][segment])
                args = ["code", "--document", document, "--code", code, "--segment", str(segment)]
                changed.setdefault(key, 0)
            else:
                key = rng.choice(sorted(mine))
                document, code, start, end = key
                kind = "uncode" if roll < 0.8 else "star"
                args = [kind, "--document", document, "--code", code, "--start", str(start), "--end", str(end)]
                if kind == "uncode":
                    changed.pop(key)
                else:
                    changed[key] = 1 - mine[key]
                    if mine[key]:
                        args.append("--off")
            self.figures.operations[args[0]] += 1
            result = self._command(name, [args[0], str(self.project), "--coder", coder, *args[1:], "--json"])
            if result is None:
                self._resolve(coder, mine, name, [changed])
                continue
            with self.lock:
                mine.clear()
                mine.update(changed)
                self.figures.acknowledged += 1

    def _autocode(self, name: str, rng: random.Random) -> None:
        coder = "torture-auto"
        mine = self.model.setdefault(coder, {})
        while not self.stop.is_set():
            pattern, code, hits = rng.choice(self.patterns)
            changed = {**{hit: 0 for hit in hits}, **mine}
            self.figures.operations["autocode"] += 1
            args = ["autocode", str(self.project), "--coder", coder, "--code", code, "--pattern", pattern, "--json"]
            if self._command(name, args) is None:
                self._resolve(coder, mine, name, [changed])
                continue
            with self.lock:
                self.figures.acknowledged += len(changed) - len(mine)
                mine.update(changed)

    def _reader(self, name: str, rng: random.Random) -> None:
        out = self.project.with_name(f"{name}.json")
        while not self.stop.is_set():
            args = rng.choice([["info", str(self.project), "--json"], ["check", str(self.project)],
                               ["export", "quotes", str(self.project), "--coders", "all", "-o", str(out), "--force"]])  # fmt: skip
            self.figures.operations[args[0]] += 1
            self._command(name, args)

    def _command(self, name: str, args: list[str]) -> str | None:
        """Run a qualcode command as this actor's process; its stdout, or None if the killer got it."""
        process = subprocess.Popen([sys.executable, "-m", "qualcode", *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=ENV)  # fmt: skip
        with self.lock:
            self.running[name] = process
        out, err = process.communicate(timeout=300)
        self._check_messages(name, [err])
        if process.returncode == -signal.SIGKILL:
            return None
        if process.returncode != 0:
            self._fail(f"{name}: {args[0]} exited {process.returncode}: {err.strip()[-300:]}")
            return None
        return out

    # -- checking ------------------------------------------------------------------------------------

    def _resolve(self, coder: str, mine: dict[Coding, int], name: str, changed: list[dict[Coding, int]]) -> None:
        """After a kill: the file must hold the model, or the model with the change in flight (whole); the
        model then follows the file."""
        with self._read() as conn:
            found = {(d, c, s, e): k for r, d, c, s, e, k in self._codings(conn) if r == coder}
        self._expect(found, mine, changed, f"{name}: after a kill, {coder} has")
        with self.lock:
            if changed:
                self.figures.in_flight["landed" if found != mine else "not landed"] += 1
            mine.clear()
            mine.update(found)

    def _expect(self, actual: dict[Coding, int], expected: dict[Coding, int], changed: list[dict[Coding, int]],
                what: str) -> None:  # fmt: skip
        """``actual`` must be what was acknowledged, or that with the change in flight (whole); anything else
        is a failure, and what it misses of the acknowledged is counted as lost."""
        if actual == expected or actual in changed:
            return
        lost = len(set(expected) - set(actual))
        self._fail(f"{what} {len(actual)} codings where {len(expected)} were acknowledged ({lost} missing, "
                   f"{len(set(actual) - set(expected))} unexplained)")  # fmt: skip
        with self.lock:
            self.figures.lost += lost

    def _verify(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.kill()
                process.wait(30)
        with self._read() as conn:
            codings = self._codings(conn)
            if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
                self._fail("integrity_check failed")
            if self._counts(conn) != self.counts:
                self._fail(f"documents, turns, segments or codes changed: {self._counts(conn)} != {self.counts}")
        theirs = {row for row in codings if not row[0].startswith("torture-")}
        if theirs != self.untouched:
            self._fail(f"codings nobody in the torture touched changed: {len(theirs)} != {len(self.untouched)}")
        for coder, mine in self.model.items():
            found = {(d, c, s, e): k for r, d, c, s, e, k in codings if r == coder}
            if found != mine:
                lost = set(mine) - set(found)
                self.figures.lost += len(lost)
                self._fail(f"{coder}: {len(lost)} acknowledged codings missing, {len(set(found) - set(mine))} extra, "
                           f"{sum(found[k] != mine[k] for k in set(found) & set(mine))} stars differ")  # fmt: skip
        check = subprocess.run([sys.executable, "-m", "qualcode", "check", str(self.project)], capture_output=True,
                               text=True, env=ENV)  # fmt: skip
        if check.returncode != 0:
            self._fail(f"qualcode check: {check.stdout.strip()[-500:]}")

    def _check_messages(self, name: str, texts: list[str]) -> None:
        for text in texts:
            if "locked" in text.lower() or "Traceback" in text:
                self._fail(f"{name}: a user would have seen: {text.strip()[-300:]}")

    def _fail(self, message: str) -> None:
        with self.lock:
            self.figures.failures.append(message)

    # -- reading the file ----------------------------------------------------------------------------

    def _read(self) -> closing[sqlite3.Connection]:
        """A read-only connection, closed on leaving the block: one left open would hold a lock on the file
        that keeps SQLite from ever deleting the WAL, and hide the very failure this torture looks for."""
        return closing(sqlite3.connect(f"file:{self.project}?mode=ro", uri=True, timeout=60))

    @staticmethod
    def _codings(conn: sqlite3.Connection) -> set[tuple[str, str, str, int, int, int]]:
        return set(conn.execute(
            'SELECT r.name, d.name, c.code_id, c.start, c."end", c.key_quote FROM coding c '
            "JOIN coder r ON r.id = c.coder_id JOIN document d ON d.id = c.document_id"))  # fmt: skip

    @staticmethod
    def _counts(conn: sqlite3.Connection) -> tuple[int, ...]:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("document", "turn", "segment", "code", "participant"))  # fmt: skip

    def _plan_autocode(self) -> list[tuple[str, str, list[Coding]]]:
        plans = []
        for n, pattern in enumerate(PATTERNS):
            code = CODES[n % len(CODES)]
            out = subprocess.run([sys.executable, "-m", "qualcode", "autocode", str(self.project), "--coder", "x",
                                  "--code", code, "--pattern", pattern, "--dry-run", "--json"],
                                 capture_output=True, text=True, env=ENV, check=True).stdout  # fmt: skip
            hits = [(h["document"], code, h["start"], h["end"]) for h in json.loads(out)["hits"]]
            plans.append((pattern, code, hits))
        return plans
