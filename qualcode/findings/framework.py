"""Evaluation frameworks: the questions a report answers, linked to codes and to the groups expected to speak.

A framework file is YAML: ``framework`` (a name), optional ``title`` and ``description``, and ``questions``,
a list of overarching questions. Each has an ``id``, its ``question`` text, optional ``notes``, and
``questions``: the specific questions under it, each with ``id``, ``question``, ``codes`` (code ids; a parent
brings its sub-codes), ``groups`` (the stakeholder groups expected to speak to it) and optional ``notes``.
Every problem is reported as ``FILE:LINE: message``, as for codebooks; ``check_framework`` then checks the
codes and groups against a project, with "did you mean" for a near miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codebook.files import _LineLoader
from ..errors import QualcodeError, did_you_mean, located
from ..ingest.groups import group_key
from ..project import limits
from ..project.store import Project

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
TOP_FIELDS = ("framework", "title", "description", "questions")
QUESTION_FIELDS = ("id", "question", "notes", "questions")
SPECIFIC_FIELDS = ("id", "question", "codes", "groups", "notes")


@dataclass
class Specific:
    id: str
    question: str
    codes: list[str]
    groups: list[str]
    notes: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Question:
    id: str
    question: str
    specifics: list[Specific]
    notes: str = ""
    line: int = 0


@dataclass
class Framework:
    name: str
    questions: list[Question]
    title: str = ""
    description: str = ""
    path: str = ""


def load_framework(path: str | Path) -> Framework:
    """Read and validate a framework file; ``QualcodeError('FILE:LINE: ...')`` on the first problem."""
    path = Path(path)
    return parse_framework(limits.read_utf8(path, "framework"), path)


def parse_framework(source: str, path: str | Path) -> Framework:
    data = limits.load_yaml(source, path, _LineLoader)
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise located(path, 1, "a framework needs a non-empty 'questions:' list")
    _fields(path, data, TOP_FIELDS, "framework")
    seen: dict[str, int] = {}
    questions = [_question(path, entry, data["__line__"], seen) for entry in data["questions"]]
    return Framework(
        str(data.get("framework") or Path(path).stem),
        questions,
        _text(path, data, "title"),
        _text(path, data, "description"),
        str(path),
    )


def _fields(path: Any, entry: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    lines = entry.get("__lines__", {})
    for key in entry:
        if key in ("__line__", "__lines__") or key in allowed:
            continue
        hint = did_you_mean(str(key), allowed)
        raise located(path, lines.get(key, entry.get("__line__")), f"unknown field {key!r} in a {what}{hint}")


def _text(path: Any, entry: dict[str, Any], key: str, required: bool = False) -> str:
    value = entry.get(key)
    line = entry.get("__lines__", {}).get(key, entry.get("__line__"))
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise located(path, entry.get("__line__"), f"missing {key!r}")
        return ""
    if not isinstance(value, (str, int, float)):
        raise located(path, line, f"{key!r} must be text")
    return " ".join(str(value).split())


def _id(path: Any, entry: dict[str, Any], seen: dict[str, int]) -> str:
    value = _text(path, entry, "id", required=True)
    line = entry["__lines__"].get("id", entry["__line__"])
    if not _SLUG.match(value):
        raise located(path, line, f"question id {value!r} must be a slug: lower-case letters, digits, - _ .")
    if value in seen:
        raise located(path, line, f"question id {value!r} is used twice (first on line {seen[value]})")
    seen[value] = line
    return value


def _opened(path: Any, entry: Any, parent_line: int, seen: dict[str, int], allowed: tuple[str, ...],
            what: str) -> tuple[str, str]:  # fmt: skip
    """A question's mapping checked (known fields, a unique id, its text): (id, text)."""
    if not isinstance(entry, dict):
        raise located(path, parent_line, f"each question must be a mapping of fields, not {type(entry).__name__}")
    _fields(path, entry, allowed, what)
    return _id(path, entry, seen), _text(path, entry, "question", required=True)


def _question(path: Any, entry: Any, parent_line: int, seen: dict[str, int]) -> Question:
    question_id, text = _opened(path, entry, parent_line, seen, QUESTION_FIELDS, "question")
    specifics = entry.get("questions")
    if not isinstance(specifics, list) or not specifics:
        raise located(
            path, entry["__line__"], f"question {question_id!r} needs its specific questions under 'questions:'"
        )
    return Question(
        question_id,
        text,
        [_specific(path, item, entry["__line__"], seen) for item in specifics],
        _text(path, entry, "notes"),
        entry["__line__"],
    )


def _specific(path: Any, entry: Any, parent_line: int, seen: dict[str, int]) -> Specific:
    specific_id, text = _opened(path, entry, parent_line, seen, SPECIFIC_FIELDS, "specific question")
    lists = {}
    for key in ("codes", "groups"):
        value = entry.get(key)
        line = entry["__lines__"].get(key, entry["__line__"])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
            raise located(path, line, f"question {specific_id!r}: {key!r} must be a non-empty list of names")
        lists[key] = [str(v).strip() for v in value]
    return Specific(
        specific_id,
        text,
        lists["codes"],
        lists["groups"],
        _text(path, entry, "notes"),
        entry["__line__"],
        dict(entry["__lines__"]),
    )


def check_framework(project: Project, framework: Framework) -> list[str]:
    """Check every code and group against the project: an unknown code is an error (FILE:LINE, "did you
    mean"); groups are matched as the project spells them, and a group the project does not have is a
    warning (its gap is reported). Returns the warnings."""
    codes = {r[0] for r in project.db.execute("SELECT id FROM code")}
    spelled = {
        group_key(r[0]): r[0]
        for r in project.db.execute(
            "SELECT DISTINCT stakeholder_group FROM participant WHERE stakeholder_group IS NOT NULL"
        )
    }
    warnings = []
    for question in framework.questions:
        for specific in question.specifics:
            line = specific.lines.get("codes", specific.line)
            for code in specific.codes:
                if code not in codes:
                    hint = did_you_mean(code, codes)
                    raise located(framework.path, line, f"question {specific.id!r}: unknown code {code!r}{hint}")
            line = specific.lines.get("groups", specific.line)
            for n, group in enumerate(specific.groups):
                found = spelled.get(group_key(group))
                if found is None:
                    warnings.append(
                        f"{framework.path}:{line}: question {specific.id!r}: no participant in group {group!r} in "
                        f"this project{did_you_mean(group, spelled.values())}; reported as a gap"
                    )
                else:
                    specific.groups[n] = found
    return warnings


def keep_framework(project: Project, path: str | Path) -> None:
    """Keep a framework's text in the project, for the workbench and for ``qualcode report`` without a file."""
    text = limits.read_utf8(Path(path), "framework")
    with project.transaction():
        project.set_meta("framework", text)
        project.set_meta("framework:path", Path(path).name)


def stored_framework(project: Project) -> Framework:
    """The framework kept in the project; an error that says how to give one when there is none."""
    text = project.meta("framework")
    if not text:
        raise QualcodeError(
            f"{project.path.name}: no evaluation framework kept in this project; give --framework FILE, or keep "
            "one with qualcode framework PROJECT FILE"
        )
    return parse_framework(text, f"{project.path.name} (framework {project.meta('framework:path') or ''})")
