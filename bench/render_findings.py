"""Look at the findings pack as a reader will: render the demo's Word file to PDF and PNG pages with LibreOffice
(headless) and pdftoppm, and its HTML page to a PNG with headless Chromium, when those programs are installed
(CI does not need them). Also renders the frequencies and evidence-map Word files and lists, for each Word
file, any table word the rendering breaks (``tests/rendering.py``; expected: none). Prints where the images
are; open them before calling a change to the pack done.

    python bench/render_findings.py [--out DIR] [--project demo.qdb] [--pages 6]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ROOT / "codebooks" / "mentoring-evaluation-framework.yaml"


def qualcode(*args: object) -> None:
    subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "findings-look")
    parser.add_argument("--project", type=Path, help="A project to report on (default: a fresh demo).")
    parser.add_argument("--pages", type=int, default=6, help="How many pages of the Word file to render.")
    options = parser.parse_args()
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    project = options.project
    if project is None:
        folder = Path(tempfile.mkdtemp(prefix="qualcode-look-"))
        qualcode("demo", "--dir", folder, "--no-tui")
        project = folder / "demo.qdb"
    for suffix in ("docx", "html", "md"):
        qualcode("report", project, "--framework", FRAMEWORK, "-o", out / f"findings.{suffix}", "--force")

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office and shutil.which("pdftoppm"):
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", out, out / "findings.docx"],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(options.pages), out / "findings.pdf",
                        out / "docx-page"], check=True, timeout=300)  # fmt: skip
        print(f"Word pages: {sorted(p.name for p in out.glob('docx-page*.png'))}")
        sys.path.insert(0, str(ROOT / "tests"))
        from rendering import broken_words

        qualcode("export", "frequencies", project, "-o", out / "frequencies.docx", "--force")
        qualcode("export", "evidence-map", project, "-o", out / "evidence-map.docx", "--force")
        for name in ("findings.docx", "frequencies.docx", "evidence-map.docx"):
            broken = broken_words(out / name, out)
            pages = subprocess.run(["pdfinfo", out / name.replace(".docx", ".pdf")], capture_output=True,
                                   text=True).stdout.split("Pages:")[-1].split()[0]  # fmt: skip
            print(f"{name}: {pages} pages; table words broken in the rendering: {broken or 'none'}")
    else:
        print("LibreOffice or pdftoppm is not installed: the Word file was not rendered")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={out / 'html.png'}", "--window-size=1100,3000",
                        (out / "findings.html").as_uri()], check=True, capture_output=True, timeout=300)  # fmt: skip
        print("HTML page: html.png")
    else:
        print("Chromium is not installed: the HTML page was not rendered")
    print(f"in {out}")


if __name__ == "__main__":
    main()
