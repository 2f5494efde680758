"""The demo study: the shipped codebooks and the invented sample transcripts in a fresh project file.

``qualcode demo`` builds it so that a new user, or a reviewer, sees a realistic study in seconds. The sample
study and codebooks live at the top of a source checkout and inside an installed wheel (``shipped``).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .codebook.files import import_codebook, load_codebook
from .coding.codings import Selector, apply_code, star
from .errors import QualcodeError
from .ingest.importer import Importer, ImportOptions, Progress
from .project.store import Project

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
DEMO_NAME = "demo.qdb"


def shipped(name: str) -> Path:
    """``codebooks`` or ``sample_transcripts``: inside the installed package (a wheel ships them there), or at
    the top of a source checkout."""
    for path in (PACKAGE / name, ROOT / name):
        if path.is_dir():
            return path
    raise QualcodeError(f"{name}: not found beside qualcode ({PACKAGE}); reinstall qualcode")


# The logic model first, so that the demo's code tree reads inputs -> outcomes, then the rest.
_CODEBOOK_ORDER = ("mentoring-logic-model.yaml", "partnership-logic-model.yaml", "barriers-enablers.yaml")


def shipped_codebooks() -> list[Path]:
    found = sorted(p for p in shipped("codebooks").glob("*.yaml") if "framework" not in p.name)
    return sorted(found, key=lambda p: (_CODEBOOK_ORDER.index(p.name) if p.name in _CODEBOOK_ORDER else 99, p.name))


def demo_path(directory: Path | None) -> Path:
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="qualcode-demo-"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QualcodeError(f"{directory}: cannot make the demo's folder here ({error.strerror})") from None
    path = directory / DEMO_NAME
    if path.exists():
        raise QualcodeError(f"{path}: already exists; give --dir a fresh folder")
    return path


def build_demo(path: Path, nlp: object) -> Iterator[Progress]:
    """Create the project at ``path`` and import the sample study, yielding import progress."""
    samples = shipped("sample_transcripts")
    with Project.new(path) as project:
        for codebook in shipped_codebooks():
            import_codebook(project, load_codebook(codebook), codebook)
        importer = Importer(project, [samples], ImportOptions(participants=samples / "participants.csv"))
        yield from importer.read()
        yield from importer.run(nlp)
        codings = samples / "sample_codings.csv"
        if codings.exists():
            load_sample_codings(project, codings)
        finish_demo(project)


def load_sample_codings(project: Project, path: Path) -> int:
    """Sample codings as rows of coder, document, code, text (the first occurrence of the text) and, when
    it says yes, key_quote."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with project.transaction():
        for row in rows:
            target = {"coder": row["coder"], "document": row["document"], "code": row["code"],
                      "selector": Selector(match=row["text"])}  # fmt: skip
            apply_code(project, **target)
            if (row.get("key_quote") or "").strip().lower() == "yes":
                star(project, **target, starred=True)
    return len(rows)


# How the sample study's groups are written in its reports.
LABELS = {
    "mentee": "Mentees",
    "mentor": "Mentors",
    "lead_organisation": "Lead organisation staff",
    "partner_organisation": "Partner organisations",
    "national_stakeholder": "National stakeholders",
}
FRAMEWORK = "mentoring-evaluation-framework.yaml"


def finish_demo(project: Project) -> None:
    """The sample study's group labels, its evaluation framework, an analyst's memo on one code, and the
    settled (consensus) coding that reports count by default: amira's codings, and ben's where he coded a
    passage with a code amira did not use there."""
    from .coding.codings import add_coding, set_key_quotes
    from .coding.memos import set_memo
    from .findings.framework import keep_framework
    from .ingest.labels import set_label

    for group, text in LABELS.items():
        set_label(project, group, text)
    keep_framework(project, shipped("codebooks") / FRAMEWORK)
    consensus = project.coder_id("consensus")
    rows = project.db.execute(
        'SELECT c.document_id, c.code_id, c.start, c."end", c.key_quote, r.name FROM coding c '
        "JOIN coder r ON r.id = c.coder_id ORDER BY r.name, c.id"
    ).fetchall()
    taken: list[tuple[int, str, int, int]] = []
    for document, code, start, end, key, coder in rows:
        if coder == "ben" and any(d == document and k == code and s < end and e > start for d, k, s, e in taken):
            continue
        taken.append((document, code, start, end))
        new = add_coding(project, document, code, consensus, start, end)
        if key and new is not None:
            set_key_quotes(project, [new], True)
    memo = "Trust is described as built by meeting regularly, not by the memorandum: see housing and lead org."
    set_memo(project, "code", "psp-st-trust", project.coder_id("amira"), memo)
