"""Hostile input: the files of the audit, built here, each read by qualcode in its own process.

For every bomb: the file's size on disk, the outcome (refused, with the first words of the message), the
time, and the peak memory of the process beside that of the same command on a tiny valid file (the
interpreter and its libraries), so that what the bomb itself cost shows. Then linearity: importing captions
of 40,000 and 200,000 cues (the time should grow five times, not twenty-five), and a code tree 5,000 deep.

    python bench/input_bench.py
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LAUNCH = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.write(f"{time.perf_counter() - started} {peak} {done.returncode}\\n" + (done.stderr or done.stdout))
"""
MB = 1024**2


def run(*args: object) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", LAUNCH, sys.executable, "-m", "qualcode", *map(str, args)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    head, _, said = done.stdout.partition("\n")
    seconds, peak_kb, code = head.split()
    return {"seconds": round(float(seconds), 2), "peak_mb": round(int(peak_kb) / 1024), "exit": int(code),
            "said": said.strip().splitlines()[-1][:110] if said.strip() else ""}  # fmt: skip


def zip_of(path: Path, entries: dict[str, bytes | int]) -> Path:
    """A zip whose entries are bytes, or that many zero bytes streamed in (a bomb, without the memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries.items():
            if isinstance(data, bytes):
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as handle:
                for _ in range(data // MB):
                    handle.write(bytes(MB))
    return path


ALIAS = "codebook: b\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(7)
) + "codes:\n  - {id: x, name: X, level: input, definition: *h}\n"  # fmt: skip


def bombs(folder: Path) -> dict[str, dict[str, object]]:
    project = folder / "p.qdb"
    subprocess.run([sys.executable, "-m", "qualcode", "init", str(project)], check=True, capture_output=True)
    small = folder / "small.txt"
    small.write_text("Interviewer: Hi?\nDee: Hello.\n")
    qde = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>' + b"".join(
        f'<TextSource guid="{n:08d}-0000-4000-8000-000000000000" name="s{n}.txt" '
        f'plainTextPath="internal://s{n}.txt"/>'.encode() for n in range(2000)) + b"</Sources></Project>"  # fmt: skip
    cases = {
        "Word zip bomb (.docx, 1.7 GB of zeros)": (
            zip_of(folder / "bomb.docx", {"[Content_Types].xml": b"<x/>", "word/document.xml": 1700 * MB}),
            ("import", project),
        ),
        "YAML alias bomb (codebook)": ((folder / "bomb.yaml"), ("codebook", "validate")),
        "Excel shared strings bomb (.xlsx participants sheet)": (
            zip_of(folder / "people.xlsx", {"xl/workbook.xml": b"<x/>", "xl/sharedStrings.xml": 1500 * MB}),
            ("import", project, small, "--participants"),
        ),
        "REFI-QDA project of 2,000 sources of 1 MiB (.qdpx)": (
            zip_of(folder / "many.qdpx", {"project.qde": qde, **{f"sources/s{n}.txt": MB for n in range(2000)}}),
            ("import-qdpx", folder / "new.qdb"),
        ),
    }
    (folder / "bomb.yaml").write_text(ALIAS)
    baseline = run("import", project, small)
    found = {"baseline (import of a two-line transcript)": baseline}
    for name, (path, command) in cases.items():
        result = run(*command, path)
        result["file_mb"] = round(path.stat().st_size / MB, 3)
        result["extra_mb_over_baseline"] = max(0, int(result["peak_mb"]) - int(baseline["peak_mb"]))
        found[name] = result
    return found


def linear(folder: Path) -> dict[str, object]:
    project = folder / "l.qdb"
    subprocess.run([sys.executable, "-m", "qualcode", "init", str(project)], check=True, capture_output=True)
    figures = {}
    for cues in (40_000, 200_000):
        lines = ["WEBVTT", ""]
        for n in range(cues):
            a, b = n * 2, n * 2 + 1
            lines += [f"00:{a // 3600 % 60:02}:{a % 60:02}.000 --> 00:{b // 3600 % 60:02}:{b % 60:02}.000",
                      f"<v {'Dee' if n % 2 else 'Interviewer'}>Words of cue {n} said here.</v>", ""]  # fmt: skip
        path = folder / f"c{cues}.vtt"
        path.write_text("\n".join(lines))
        figures[f"import of {cues:,} cues ({path.stat().st_size / MB:.1f} MB)"] = run("import", project, path)
    chain = "codebook: chain\ncodes:\n  - {id: c0, name: C0, level: input}\n" + "".join(
        f"  - {{id: c{n}, name: C{n}, parent: c{n - 1}}}\n" for n in range(1, 5000))  # fmt: skip
    (folder / "chain.yaml").write_text(chain)
    figures["codebook 5,000 codes deep (parent: chains)"] = run("codebook", "validate", folder / "chain.yaml")
    nested = "codebook: deep\ncodes:\n" + "".join(f"{'  ' * n}- id: c\n{'  ' * n}  children:\n" for n in range(5000))
    (folder / "nested.yaml").write_text(nested)
    figures["codebook 5,000 codes deep (nested children)"] = run("codebook", "validate", folder / "nested.yaml")
    return figures


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="qualcode-input-"))
    print(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "bombs": bombs(folder), "linear": linear(folder),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
