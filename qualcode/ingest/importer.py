"""Importing transcripts: read every file, decide who spoke each turn, segment, store — all or nothing.

Import runs in phases so that bad input never half-imports and a big import never keeps colleagues waiting.
Phase one reads and parses every file and checks the participants sheet against them (unknown documents,
unknown speakers, conflicting groups); any problem stops the import before the project is touched. Phase
two runs spaCy over the texts, outside any transaction: coders go on coding meanwhile. Phase three writes
documents, participants, turns and segments in one short transaction, which first looks again for documents
another process imported meanwhile (skipped, and said so). The caller iterates ``Importer.run()`` for
progress events and may stop at any point, which writes nothing.

Attribution follows DESIGN.md: a turn belongs to one participant, or to no one when its speaker is an
interviewer (Interviewer, I, Q, Int, Moderator, Facilitator... or a label the study names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QualcodeError, located
from ..project.schema import KINDS
from ..project.store import Project, dumps, now_iso
from ..text import count_words, sha256
from .files import collect_files
from .formats import Transcript, read_transcript, transcript_from_text
from .groups import Groups
from .participants import Sheet, read_sheet
from .people import People, Speaker, called, from_row, front_matter_people, names, plain
from .speakers import is_generic, kind_voices, probable_interviewer, unlabelled
from .turns import compile_patterns, is_interviewer

_RESERVED_META = {"title", "kind", "participants", "interviewers", "attributes"}
_NAME_WORD = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*"
_FULL_NAME = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[A-Z]\.))+")  # "Joanne Kerr", as Teams and Zoom write


@dataclass
class ImportOptions:
    kind: str | None = None
    group: str | None = None
    participants: Path | None = None
    speaker_patterns: Sequence[str] = ()
    interviewers: Sequence[str] = ()
    encoding: str | None = None
    model: str | None = None
    detect_speakers: bool = True  # off: each text is one unattributed turn (a foreign project that is not interviews)
    labels_are_people: bool = False  # labels are participants' names as given (a foreign project's cases)
    people: dict[str, dict[str, Speaker]] = field(default_factory=dict)  # per document, who each label is


@dataclass
class Progress:
    """One step of an import: ``done`` of ``total`` in ``stage`` ('read' or 'segment')."""

    stage: str
    done: int
    total: int
    name: str = ""


@dataclass
class Planned:
    transcript: Transcript
    sha256: str
    kind: str
    speakers: dict[str | None, Speaker]
    attributes: dict[str, Any]
    words: int = 0  # spoken words, not labels (counted once, for the report and the document row)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    warnings: list[str] = field(default_factory=list)
    turns: int = 0
    segments: int = 0
    words: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)  # one row per document read: see _row


class Importer:
    """Plan on construction (phase one, may raise); ``run()`` writes (phase two). ``given`` adds transcripts
    already in memory, by name (REFI-QDA sources: nothing is written to disk to import them)."""

    def __init__(
        self, project: Project, paths: Sequence[Path], options: ImportOptions, given: dict[str, Any] | None = None
    ) -> None:
        self.project = project
        self.options = options
        self.report = ImportReport()
        if options.kind and options.kind not in KINDS:
            raise QualcodeError(f"unknown kind {options.kind!r} (use {', '.join(KINDS)})")
        self.patterns = compile_patterns(options.speaker_patterns) if options.speaker_patterns else None
        if options.participants:
            project.refuse_own_file(options.participants, "participants sheet")
        self.sheet: Sheet | None = read_sheet(options.participants) if options.participants else None
        quiet = [options.participants] if options.participants else []
        self.files: list[tuple[Any, str]] = list(collect_files(paths, self.report.skipped, quiet))
        for path, _ in self.files:
            project.refuse_own_file(Path(path), "transcript")
        self.files += [(text, name) for name, text in (given or {}).items()]
        self.planned: list[Planned] = []
        self.segmented: list[tuple[Planned, list[tuple[int, int, int]]]] = []
        self.full_names: dict[str, str] = {}  # label -> document: speakers that look like a real full name
        self.groups = Groups(project)

    def read(self) -> Iterator[Progress]:
        """Phase one: parse and check everything; raises QualcodeError before any write."""
        existing = {row["sha256"]: row["name"] for row in self.project.db.query("SELECT sha256, name FROM document")}
        existing_names = {name: digest for digest, name in existing.items()}
        seen: dict[str, str] = {}
        for done, (source, name) in enumerate(self.files):
            yield Progress("read", done, len(self.files), name)
            if isinstance(source, Path):
                path, transcript = source, read_transcript(source, name, self.patterns, self.options.encoding)
            else:  # text given in memory: messages name it, never quote it
                text, turns = source if isinstance(source, tuple) else (source, None)
                detect = self.options.detect_speakers
                path, transcript = Path(name), transcript_from_text(text, name, self.patterns, turns, detect)
            digest = sha256(transcript.text)
            if digest in existing:
                self.report.skipped.append((name, f"already in the project as {existing[digest]!r}"))
                continue
            if digest in seen:
                self.report.skipped.append((name, f"same text as {seen[digest]!r} in this import"))
                continue
            if name in existing_names:
                raise QualcodeError(f"{path}: a different document named {name!r} is already in the project")
            seen[digest] = name
            self.planned.append(self._plan(path, transcript, digest))
        yield Progress("read", len(self.files), len(self.files))
        self._check_sheet(set(existing_names))
        if self.full_names:
            found = [f"{label!r} ({document})" for label, document in list(self.full_names.items())[:6]]
            more = f" and {len(self.full_names) - 6} more" if len(self.full_names) > 6 else ""
            self.report.warnings.append(
                f"{len(self.full_names)} speaker label(s) look like full names and will appear in quote banks as "
                f"written: {', '.join(found)}{more}. Map each to a pseudonym in a participants sheet (--participants) "
                "before importing, or list them for --redact"
            )

    def _plan(self, path: Path, transcript: Transcript, digest: str) -> Planned:
        meta = transcript.meta
        kind = meta.get("kind") or self.options.kind
        if kind is not None and kind not in KINDS:
            raise QualcodeError(f"{path}: unknown kind {kind!r} in front matter (use {', '.join(KINDS)})")
        speakers = self._speakers(path, transcript)
        named = {label for label, s in speakers.items() if label and s.role == "participant"}
        labelled = any(s.role == "interviewer" for s in speakers.values())
        probable = None if labelled else probable_interviewer(transcript.text, transcript.turns, named)
        kind_from = "front matter" if meta.get("kind") else "--kind" if kind else "inferred"
        if kind is None:
            voices = kind_voices(speakers, probable)
            kind = "focus_group" if voices >= 3 else "interview" if voices else "other"
        words = self._describe(path, transcript, speakers, kind, kind_from, probable)
        attributes = {k: plain(v) for k, v in meta.items() if k not in _RESERVED_META}
        extra = meta.get("attributes") or {}
        if not isinstance(extra, dict):
            raise QualcodeError(f"{path}: front matter 'attributes' must be a mapping")
        attributes.update({str(k): plain(v) for k, v in extra.items()})
        return Planned(transcript, digest, kind, speakers, attributes, words)

    def _describe(
        self, path: Path, transcript: Transcript, speakers: dict[str | None, Speaker], kind: str, kind_from: str,
        probable: str | None,
    ) -> int:  # fmt: skip
        """The document's row in the import report, and its warnings; returns its spoken words."""
        row = describe(transcript, speakers, kind, kind_from, probable)
        self.report.documents.append(row)
        name = transcript.name
        if probable is not None:
            self.report.warnings.append(
                f"{name}: {probable!r} asks the questions and may be the interviewer, but is imported as a "
                f"participant. If so: qualcode speaker {self.project.path} --document {name!r} {probable!r} "
                f"--interviewer (or, in later imports, --interviewer {probable!r})"
            )
        whole = self.sheet is not None and "" in self.sheet.for_document(names(name))
        intended = whole or self.options.group or kind in ("field_notes", "other") and kind_from != "inferred"
        if not row["speakers_found"] and not intended and self.options.detect_speakers and transcript.turns:
            self.report.warnings.append(unlabelled(name, transcript.text))
        return int(row["words"])

    def _speakers(self, path: Path, transcript: Transcript) -> dict[str | None, Speaker]:
        """Who each label in this document is: sheet row, front matter, interviewer role, or the label."""
        meta = transcript.meta
        roles = list(self.options.interviewers) + [str(r) for r in meta.get("interviewers") or []]
        declared = front_matter_people(path, meta.get("participants"))
        declared.update(self.options.people.get(transcript.name, {}))  # a qualcode archive's recorded speakers
        rows = self.sheet.for_document(names(transcript.name)) if self.sheet else {}
        labels = list(dict.fromkeys(t.speaker for t in transcript.turns))
        stem = Path(transcript.name).stem
        speakers: dict[str | None, Speaker] = {}
        for label in labels:
            if label is None:
                whole = rows.get("") if labels == [None] else None
                if whole:
                    speakers[None] = from_row(whole, self.sheet)
                elif labels == [None] and self.options.group:
                    speakers[None] = Speaker("participant", stem, self.options.group, source=str(path))
                else:
                    speakers[None] = Speaker("none")
            elif label in rows:
                speakers[label] = from_row(rows[label], self.sheet)
            elif label in declared:
                speakers[label] = declared[label]
            elif is_interviewer(label, roles):
                speakers[label] = Speaker("interviewer")
            else:
                generic = is_generic(label) and not self.options.labels_are_people
                pseudonym = f"{stem} {label}" if generic else label
                speakers[label] = Speaker("participant", pseudonym, None, source=str(path))
                if _FULL_NAME.fullmatch(label):
                    self.full_names.setdefault(label, transcript.name)
        for speaker in speakers.values():
            if speaker.role == "participant" and not speaker.group and self.options.group:
                speaker.group = self.options.group
            speaker.group = self.groups.resolve(speaker.group, speaker.source or transcript.name)
        return speakers

    def _check_sheet(self, project_names: set[str]) -> None:
        if not self.sheet:
            return
        planned = {p.transcript.name: p for p in self.planned}
        known = {n: n for n in project_names | {name for _, name in self.files}}
        known.update({Path(n).name: n for n in list(known)})
        beside = self.sheet.path.parent  # a whole-study sheet may name transcripts not imported this time
        for row in self.sheet.rows:
            if row.document not in known:
                if _is_file(beside / row.document):
                    continue
                raise located(
                    self.sheet.path,
                    row.line,
                    f"unknown document {row.document!r} (not in this import, the project, or the sheet's folder)",
                )
            plan = planned.get(known[row.document])
            if plan is None:
                continue
            labels = {t.speaker for t in plan.transcript.turns}
            if not row.speaker and labels != {None}:
                spoken = ", ".join(sorted(str(s) for s in labels if s))
                raise located(
                    self.sheet.path,
                    row.line,
                    f"{row.document!r} has speaker labels ({spoken}); map each speaker on its own row",
                )
            if row.speaker and row.speaker not in labels:
                spoken = ", ".join(sorted(str(s) for s in labels if s)) or "no speaker labels"
                raise located(
                    self.sheet.path,
                    row.line,
                    f"speaker {row.speaker!r} does not speak in {row.document!r} (found: {spoken})",
                )

    def run(self, nlp: Any) -> Iterator[Progress]:
        """Phases two and three: segment (no lock held), then write in one short transaction. Stop iterating
        to cancel: nothing is written."""
        yield from self.segment(nlp)
        yield from self.write()

    def segment(self, nlp: Any) -> Iterator[Progress]:
        """Phase two: sentences for every planned document, kept in memory; the project is only read."""
        from .segment import BATCH_SIZE, NOT_FOR_IMPORT, cut_segments, sentence_spans, tokenisable

        total = len(self.planned)
        self.segmented = []
        texts = ((tokenisable(p.transcript.text), p) for p in self.planned)
        unused = [name for name in NOT_FOR_IMPORT if name in nlp.pipe_names and name != "parser"]
        if "sentencizer" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
            unused = [name for name in unused if name not in ("tagger", "attribute_ruler")]  # the parser may need them
        for done, (doc, plan) in enumerate(nlp.pipe(texts, as_tuples=True, batch_size=BATCH_SIZE, disable=unused)):
            transcript = plan.transcript
            turns = [(t.start, t.end) for t in transcript.turns]
            voices = [called(t.speaker, plan.speakers.get(t.speaker)) for t in transcript.turns]
            sentences = sentence_spans(doc, transcript.text)
            self.segmented.append((plan, cut_segments(transcript.text, turns, sentences, transcript.wrapped, voices)))
            yield Progress("segment", done + 1, total, plan.transcript.name)

    def write(self) -> Iterator[Progress]:
        """Phase three: everything segmented, in one transaction (a savepoint inside a caller's)."""
        total = len(self.segmented)
        yield Progress("write", 0, total)
        with self.project.transaction(f"import of {total:,} document(s)"):
            people = People(self.project)
            present = dict(self.project.db.execute("SELECT sha256, name FROM document").fetchall())
            names = set(present.values())
            for done, (plan, segments) in enumerate(self.segmented):
                name = plan.transcript.name
                if plan.sha256 in present:
                    why = f"imported meanwhile as {present[plan.sha256]!r}, by another process"
                    self.report.skipped.append((name, why))
                elif name in names:
                    raise QualcodeError(f"{name}: another process imported a different document named {name!r} "
                                        "meanwhile; nothing was imported")  # fmt: skip
                else:
                    self._write(plan, people, segments)
                if done % 50 == 49:
                    yield Progress("write", done + 1, total, name)
            self.report.warnings.extend(people.ungrouped_warning())
        self.report.warnings.extend(self.groups.warnings)
        yield Progress("write", total, total)

    def _write(self, plan: Planned, people: People, segments: list[tuple[int, int, int]]) -> None:
        db = self.project.db
        transcript = plan.transcript
        words = plan.words
        cursor = db.execute(
            "INSERT INTO document(name, kind, sha256, text, title, source_format, attributes, words, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                transcript.name,
                plan.kind,
                plan.sha256,
                transcript.text,
                plain(transcript.meta.get("title")) or Path(transcript.name).stem,
                transcript.source_format,
                dumps(plan.attributes),
                words,
                now_iso(),
            ],
        )
        document_id = cursor.lastrowid
        turn_ids = []
        for seq, turn in enumerate(transcript.turns):
            speaker = plan.speakers[turn.speaker]
            participant = people.id_for(speaker) if speaker.role == "participant" else None
            cursor = db.execute(
                'INSERT INTO turn(document_id, seq, start, "end", speaker, role, participant_id, time_start, time_end)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    document_id,
                    seq,
                    turn.start,
                    turn.end,
                    turn.speaker,
                    speaker.role,
                    participant,
                    turn.time_start,
                    turn.time_end,
                ],
            )
            turn_ids.append(cursor.lastrowid)
        text = transcript.text
        first_id = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM segment").fetchone()[0])
        db.conn.executemany(
            'INSERT INTO segment(id, document_id, turn_id, seq, start, "end") VALUES (?, ?, ?, ?, ?, ?)',
            [(first_id + seq, document_id, turn_ids[t], seq, s, e) for seq, (t, s, e) in enumerate(segments)],
        )
        db.conn.executemany(
            "INSERT INTO segment_fts(rowid, text) VALUES (?, ?)",
            [(first_id + seq, text[s:e]) for seq, (_, s, e) in enumerate(segments)],
        )
        self.report.imported.append(transcript.name)
        self.report.turns += len(turn_ids)
        self.report.segments += len(segments)
        self.report.words += words


def describe(
    transcript: Transcript, speakers: dict[str | None, Speaker], kind: str, kind_from: str, probable: str | None
) -> dict[str, Any]:
    """One document as the import report shows it: each label found, who it became, its turns and words."""
    text = transcript.text
    counts: dict[str | None, list[int]] = {}
    for turn in transcript.turns:
        tally = counts.setdefault(turn.speaker, [0, 0])
        tally[0] += 1
        tally[1] += count_words(text[turn.start : turn.end])
    rows = []
    for label, (turns, words) in counts.items():
        speaker = speakers[label]
        rows.append({
            "label": label, "role": speaker.role, "participant": speaker.pseudonym, "group": speaker.group,
            "turns": turns, "words": words, "probable_interviewer": label is not None and label == probable,
        })  # fmt: skip
    return {
        "document": transcript.name, "format": transcript.source_format, "kind": kind, "kind_from": kind_from,
        "turns": len(transcript.turns), "words": sum(w for _, w in counts.values()), "wrapped": transcript.wrapped,
        "speakers_found": sum(1 for label in counts if label is not None), "speakers": rows,
    }  # fmt: skip


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name no file system takes (too long, a NUL in it) is simply not one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
