"""A fuzz harness for every reader and every command that takes a file: real files (the sample study, the
transcription services' layouts, LibreOffice's ODT, RTF and PDF, a real NVivo .qdpx, the shipped codebooks
and framework) mutated at random — bytes flipped, inserted, cut and repeated, pathological runs ("<" × 20,000,
":" × 20,000), numbers of thousands of digits, deep nesting — inside zip-based files as well as outside, then
given to ``qualcode`` in a process of its own under an address-space cap and a time cap in proportion to the
input. Every outcome must be:

- exit 0 or 1, never 2 (an internal fault) or a signal (memory, time);
- on exit 1, the last line of stderr "Error: ..." with no traceback and no line of the transcript in it;
- on exit 1, the project exactly as it was;
- JSON printed is JSON (no NaN or Infinity), with nothing on stderr beside it (no numpy warning).

Reliability tables are mutated with cells that are no numbers too ("nan", "inf", "1e400"); names that look
like markup are fuzzed in the workbench itself (``tests/test_markup_names.py``).

``tests/test_fuzz.py`` runs a short, seeded sample in the suite; ``bench/fuzz_bench.py`` runs a long one
and prints inputs tried, outcomes, peak memory and the worst time per megabyte.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
MEMORY = 2 * 2**30  # bytes of address space (spaCy and numpy map a lot; what they touch is far less)
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "QUALCODE_PATIENCE": "2"}

# (kind, seed file): every reader's real input
SEEDS = [
    *(("transcript", p) for p in sorted((ROOT / "sample_transcripts").iterdir())
      if p.suffix in (".txt", ".md", ".docx", ".vtt")),
    *(("transcript", p) for p in sorted((DATA / "transcripts").rglob("*"))
      if p.suffix in (".txt", ".vtt", ".odt", ".rtf", ".pdf")),
    ("sheet", ROOT / "sample_transcripts" / "participants.csv"),
    *(("codebook", p) for p in sorted((ROOT / "codebooks").glob("*.yaml")) if "framework" not in p.name),
    ("framework", next((ROOT / "codebooks").glob("*framework*.yaml"))),
    ("qdpx", DATA / "refi-qda" / "real" / "nvivo-windows-12.6.qdpx"),
    ("qdpx", DATA / "refi-qda" / "qualcode-emoji.qdpx"),  # qualcode's own: UTF-16 positions, a turn record
    ("qdc", DATA / "refi-qda" / "examples" / "minimal.qdc"),
    ("table", None),  # a reliability table, made below
    ("redaction", None),
]  # fmt: skip
TABLE = "unit,amira,ben\n" + "".join(f"u{n},{n % 3},{(n + n // 4) % 3}\n" for n in range(40))
REDACTION = "Dee\nGreyholm => [prison]\nAngela\n"
RUNS = [b"<" * 20_000, b":" * 20_000, b"[" * 20_000, b"9" * 5_000, b"\x00" * 500, "é".encode() * 3000,
        b"<text:span>" * 3_000, b"<w:gridSpan w:val=\"999999999\"/>", b"<Code guid=\"x\" name=\"c\">" * 500,
        b"\xff\xfe", b"-->", b"\n" * 5_000, b"&lol;" * 200, b"nan", b"inf", b",1e400", b",-inf,", b"NaN",
        b"[/]", b"[@click=app.quit]x[/]"]  # fmt: skip


@dataclass
class Outcome:
    kind: str
    seed: str
    size: int  # bytes of input
    code: int
    said: str
    peak: float  # MB
    seconds: float
    problem: str  # "" when the outcome is acceptable


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: flip, insert (random or a pathological run), delete, repeat, truncate."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        choice = rng.random()
        if choice < 0.25 and out:
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif choice < 0.5:
            out[at:at] = rng.choice(RUNS)
        elif choice < 0.65 and out:
            del out[at : at + rng.randint(1, 2000)]
        elif choice < 0.8 and out:
            piece = out[at : at + rng.randint(1, 500)]
            out[at:at] = piece * rng.randint(2, 200)
        elif choice < 0.9:
            out = out[: at]
        else:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(out)


def mutated(kind: str, seed: Path | None, rng: random.Random) -> tuple[str, bytes]:
    """A file name and its mutated bytes; in zip-based files, half the time an entry is mutated inside."""
    if seed is None:
        name, data = ("table.csv", TABLE.encode()) if kind == "table" else ("names.txt", REDACTION.encode())
        return name, mutate(data, rng)
    data = seed.read_bytes()
    if data[:2] == b"PK" and rng.random() < 0.5:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                entries = {i.filename: archive.read(i) for i in archive.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            return seed.name, mutate(data, rng)
        target = rng.choice([n for n in entries if n.endswith((".xml", ".qde", ".txt"))] or list(entries))
        entries[target] = mutate(entries[target], rng)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in entries.items():
                archive.writestr(name, body)
        return seed.name, buffer.getvalue()
    return seed.name, mutate(data, rng)


def commands(kind: str, path: Path, project: Path, work: Path) -> list[str]:
    """The command that reads a file of this kind (the project already holds the sample study)."""
    sample = ROOT / "sample_transcripts" / "mentee_dee_phase1.txt"
    return {
        "transcript": ["import", str(project), str(path)],
        "sheet": ["import", str(project), str(sample), "--participants", str(path)],
        "codebook": ["codebook", "import", str(project), str(path)],
        "qdc": ["codebook", "import", str(project), str(path)],
        "framework": ["framework", str(project), str(path)],
        "qdpx": ["import-qdpx", str(work / "new.qdb"), str(path)],
        "table": ["agreement", "table", str(path), "--level", "interval", "--json"],
        "redaction": ["export", "quotes", str(project), "-o", str(work / "q.md"), "--force", "--redact", str(path)],
    }[kind]


# qualcode run so that it says its own peak memory as it exits: VmHWM of its own address space, which (unlike
# the rusage of a child) does not count the pages of the process it was forked from.
LAUNCHER = """
import atexit, os, sys
def peak():
    try:
        with open("/proc/self/status") as status, open(os.environ["QUALCODE_PEAK_FILE"], "w") as out:
            out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
    except (OSError, StopIteration, KeyError):
        pass
atexit.register(peak)
sys.argv = ["qualcode", *sys.argv[1:]]
from qualcode.cli import main
main()
"""


def run(args: list[str], seconds: float, stdout: Path | None = None) -> tuple[int, str, float, float]:
    """``qualcode ARGS`` in a process of its own under the caps: exit code (negative: a signal), stderr, peak
    resident memory in MB (of that process alone), seconds; what it prints goes to ``stdout`` if given."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile("w+", encoding="utf-8",
                                                                          errors="replace") as err:  # fmt: skip
        peak_file = Path(folder) / "peak"
        started = time.perf_counter()
        printed = stdout.open("w") if stdout is not None else subprocess.DEVNULL
        child = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], stdout=printed, stderr=err,
                                 env={**ENV, "QUALCODE_PEAK_FILE": str(peak_file)}, preexec_fn=limit,
                                 cwd=ROOT)  # fmt: skip
        if stdout is not None:
            printed.close()
        timer = threading.Timer(seconds, child.kill)
        timer.start()
        _, status, _ = os.wait4(child.pid, 0)
        timer.cancel()
        elapsed = time.perf_counter() - started
        err.seek(0)
        said = err.read()
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else 0.0
    return os.waitstatus_to_exitcode(status), said, peak, elapsed


def digest(path: Path) -> str:
    wal = Path(f"{path}-wal")
    return hashlib.sha256(path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).hexdigest()


def strict_json(text: str) -> object:
    """JSON as any reader takes it: Python's own reader also takes NaN and Infinity, which JSON has not."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def judge(code: int, said: str, data: bytes, unchanged: bool, seconds: float, limit: float, printed: str = "") -> str:
    """What is wrong with an outcome, or "" (``printed``: the JSON a command printed, if it prints JSON)."""
    if seconds >= limit:
        return f"took more than {limit:.0f} s"
    if code not in (0, 1):
        return f"exit {code}: {said.strip().splitlines()[-1:] if said.strip() else '(nothing said)'}"
    if "Traceback" in said or "internal fault" in said:
        return "a traceback or internal fault"
    if code == 1:
        last = said.strip().splitlines()[-1] if said.strip() else ""
        if not last.startswith("Error: "):
            return f"no one-line error: {said[-200:]!r}"
        text = data.decode("utf-8", "ignore")
        for line in text.splitlines():
            words = line.split()
            if len(words) >= 6 and len(line.strip()) >= 40 and line.strip()[:40] in last:
                return "the error quotes a line of the input"
        if not unchanged:
            return "the project changed although the command was refused"
    if code == 0 and printed:
        try:
            strict_json(printed)
        except ValueError:
            return f"printed JSON that is not JSON: {printed[:120]!r}"
        if said.strip():
            return f"said more than its JSON: {said.strip()[:200]!r}"
    return ""


def fuzz(project: Path, work: Path, cases: int, seed: int = 0, kinds: list[str] | None = None) -> list[Outcome]:
    """``cases`` mutated inputs, each given to its command; ``project`` is a copy of the sample study."""
    rng = random.Random(seed)
    seeds = [s for s in SEEDS if kinds is None or s[0] in kinds]
    out = []
    for n in range(cases):
        kind, source = seeds[n % len(seeds)]
        name, data = mutated(kind, source, rng)
        path = work / f"case-{n}-{name}"
        path.write_bytes(data)
        for stale in work.glob("new.qdb*"):
            stale.unlink()
        before = digest(project)
        limit = 60 + 20 * len(data) / 2**20
        printed = work / "printed.json"
        args = commands(kind, path, project, work)
        code, said, peak, seconds = run(args, limit, printed if "--json" in args else None)
        unchanged = code != 1 or digest(project) == before
        shown = printed.read_text(encoding="utf-8", errors="replace") if printed.exists() else ""
        printed.unlink(missing_ok=True)
        problem = judge(code, said, data, unchanged, seconds, limit, shown)
        out.append(Outcome(kind, source.name if source else name, len(data), code, said.strip()[-300:], peak,
                           seconds, problem))  # fmt: skip
        path.unlink()
    return out
