"""The participants sheet: who each speaker in each transcript is, and which stakeholder group they are in.

A CSV or XLSX sheet with a header row ``document, speaker, participant, group`` and any attribute columns
(site, gender, engagement...). One row maps one speaker label in one document to a participant pseudonym;
the same pseudonym on several rows is one person interviewed more than once. A row with an empty speaker
covers a whole document that has no speaker labels (a written submission, field notes). The sheet is checked
as a whole before anything is imported, and every problem names the sheet and its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QualcodeError, located
from ..project import limits
from ..project.limits import read_text_file
from .groups import INTERVIEWER_GROUPS  # a row whose group is one: the speaker is an interviewer

REQUIRED = ("document", "speaker", "participant", "group")


@dataclass
class SheetRow:
    line: int
    document: str
    speaker: str
    participant: str
    group: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    path: Path
    rows: list[SheetRow]

    def for_document(self, names: tuple[str, ...]) -> dict[str, SheetRow]:
        """The rows of one document, by speaker label ('' for the whole document)."""
        return {row.speaker: row for row in self.rows if row.document in names}


def read_sheet(path: Path) -> Sheet:
    limits.regular_file(path, "participants sheet")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    else:
        raise QualcodeError(f"{path}: a participants sheet must be .csv or .xlsx")
    return Sheet(path, _rows(path, table))


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """RFC 4180, read by the csv module over the whole file: quoted commas, doubled quotes and line breaks
    inside cells are cells. The separator is the header's (Excel writes semicolons in some locales, or tabs);
    each row is numbered by the line it starts on."""
    text = read_text_file(path, what="participants sheet")
    first = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=lambda s: (len(next(csv.reader([first], delimiter=s))), s == ","))
    reader = csv.reader(io.StringIO(text), delimiter=separator, quotechar='"', doublequote=True, strict=True)
    rows: list[tuple[int, list[Any]]] = []
    starts = 1
    try:
        for row in reader:
            rows.append((starts, row))
            starts = reader.line_num + 1
            if len(rows) > limits.SHEET_ROWS:
                raise located(path, starts, f"more than {limits.SHEET_ROWS:,} rows")
    except csv.Error as exc:
        raise located(path, starts, f"not valid CSV ({exc})") from None
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    import openpyxl  # imported here so that `qualcode --help` stays fast

    limits.checked_zip(path, limits.XLSX, limits.TEXT_FILE)  # a zip bomb is refused before openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and its own errors for damaged files
        raise QualcodeError(f"{path}: not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # streamed: read-only mode
            if n > limits.SHEET_ROWS:
                raise located(path, n, f"more than {limits.SHEET_ROWS:,} rows")
            rows.append((n, list(row)))
        return rows
    finally:
        book.close()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _rows(path: Path, table: list[tuple[int, list[Any]]]) -> list[SheetRow]:
    table = [(n, [_cell(v) for v in row]) for n, row in table if any(_cell(v) != "" for v in row)]
    if not table:
        raise QualcodeError(f"{path}: empty participants sheet")
    header_line, header = table[0]
    columns = [str(c).strip().lower().lstrip("\ufeff") for c in header]
    for required in REQUIRED:
        if required not in columns:
            raise located(path, header_line, f"missing column {required!r} (header must start {', '.join(REQUIRED)})")
    seen_columns: set[str] = set()
    for column in columns:
        if column and column in seen_columns:
            raise located(path, header_line, f"column {column!r} appears twice")
        seen_columns.add(column)
    rows: list[SheetRow] = []
    seen: dict[tuple[str, str], int] = {}
    people: dict[str, SheetRow] = {}
    for line, values in table[1:]:
        record = dict(zip(columns, values + [""] * (len(columns) - len(values)), strict=False))
        document, speaker = str(record["document"]), str(record["speaker"])
        participant, group = str(record["participant"]), str(record["group"])
        if not document:
            raise located(path, line, "no document named")
        if not participant and group.lower() not in INTERVIEWER_GROUPS:
            raise located(path, line, f"speaker {speaker!r} in {document!r} has no participant pseudonym")
        if not group:
            raise located(path, line, f"participant {participant!r} has no group")
        key = (document, speaker)
        if key in seen:
            what = f"speaker {speaker!r}" if speaker else "the whole document"
            raise located(path, line, f"{what} in {document!r} is already mapped on line {seen[key]}")
        seen[key] = line
        attributes = {k: v for k, v in record.items() if k and k not in REQUIRED and v != ""}
        row = SheetRow(line, document, speaker, participant, group, attributes)
        earlier = people.get(participant) if participant else None
        if earlier is not None:
            _check_consistent(path, earlier, row)
        if participant:
            people[participant] = row
        rows.append(row)
    return rows


def _check_consistent(path: Path, earlier: SheetRow, row: SheetRow) -> None:
    from .groups import group_key

    if group_key(earlier.group) != group_key(row.group):
        raise located(
            path,
            row.line,
            f"participant {row.participant!r} is in group {row.group!r} here but "
            f"{earlier.group!r} on line {earlier.line}",
        )
    for key in earlier.attributes.keys() & row.attributes.keys():
        if earlier.attributes[key] != row.attributes[key]:
            raise located(
                path,
                row.line,
                f"participant {row.participant!r} has {key}={row.attributes[key]!r} here but "
                f"{earlier.attributes[key]!r} on line {earlier.line}",
            )
