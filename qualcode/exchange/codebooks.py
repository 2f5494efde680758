"""A REFI-QDA code tree into a project: each code matched by the id qualcode wrote into its description or by
its name, else added (through ``project.changes``, as every change to codes), with the fields qualcode
folds into a description (definition, criteria, example, keywords, phrases, level, the codebook it came
from) unfolded again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from ..codebook.files import project_codes
from ..errors import QualcodeError
from ..project import limits
from ..project.changes import adding, apply
from ..project.facts import Code
from ..project.store import Project
from .exports import PHRASES
from .reading import child, children, guid

_LINES = {"Include": "include", "Exclude": "exclude", "Example": "example"}
_LEVEL = re.compile(r"^Logic-model level: ([a-z-]+)(?: \((.+)\))?$")


def unfold(description: str) -> dict[str, Any]:
    """A description back into the code's fields (qualcode's own layout; anything else is the definition)."""
    fields: dict[str, Any] = {"definition": [], "keywords": [], "phrases": [], "level": "other", "beneficiary": None,
                              "id": None, "codebook": None}  # fmt: skip
    for line in description.splitlines():
        label, _, rest = line.partition(": ")
        level = _LEVEL.match(line)
        if label in _LINES and rest:
            fields[_LINES[label]] = rest
        elif label == "Keywords" and rest:
            fields["keywords"] = [k.strip() for k in rest.split(";") if k.strip()]
        elif label == PHRASES and rest:
            fields["phrases"] = [k.strip() for k in rest.split(";") if k.strip()]
        elif level:
            fields["level"], fields["beneficiary"] = level.group(1).replace("-", "_"), level.group(2)
        elif label == "Codebook" and rest:
            fields["codebook"] = rest.strip()
        elif label == "Id" and rest:
            fields["id"] = rest.strip()
        else:
            fields["definition"].append(line)
    fields["definition"] = "\n".join(fields["definition"]).strip()
    return fields


def _slug(name: str, taken: set[str]) -> str:
    """A code id from its name, transliterated ("sárga" -> "sarga"); letters no transliteration reaches
    (Cyrillic, Han...) are kept as they are."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))
    plain = plain.replace("ø", "o").replace("ł", "l").replace("ß", "ss").replace("æ", "ae").replace("đ", "d")
    base = re.sub(r"[\W_]+", "-", plain).strip("-")[:40] or "code"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_codes(project: Project, codes_element: Any, source: str, report: Any) -> dict[str, str]:
    """The code tree under ``Codes``; returns REFI GUID -> qualcode code id."""
    from ..project.schema import LEVELS

    existing = {c["id"]: c for c in project_codes(project)}
    by_name = {c["name"].lower(): c["id"] for c in existing.values()}
    mapping: dict[str, str] = {}

    def walk(element: Any, parent: str | None, position: int, depth: int = 1) -> None:
        if depth > limits.CODE_DEPTH:
            raise QualcodeError(f"{source}: refused: codes nested more than {limits.CODE_DEPTH} levels deep "
                                f"(under {parent!r})")  # fmt: skip
        name = (element.get("name") or "").strip()
        if not name or not element.get("guid"):
            raise QualcodeError(f"{source}: a code without a name or guid")
        description = child(element, "Description")
        fields = unfold((description.text or "") if description is not None else "")
        code_id = fields["id"] if fields["id"] in existing else by_name.get(name.lower())
        if code_id is None:
            code_id = fields["id"] or _slug(name, set(existing))
            if code_id in existing:
                code_id = _slug(name, set(existing))
            level = fields["level"] if fields["level"] in LEVELS else "other"
            colour = element.get("color")
            fact = Code(code_id, parent, name, level, fields["beneficiary"], fields["definition"],
                        fields.get("include", ""), fields.get("exclude", ""), fields.get("example", ""),
                        keywords=json.dumps(fields["keywords"], ensure_ascii=False),
                        phrases=json.dumps(fields["phrases"], ensure_ascii=False), colour=colour,
                        codebook=fields["codebook"] or Path(source).stem, position=position)  # fmt: skip
            apply(project, adding(f"code {name}", [fact]))
            existing[code_id] = {"id": code_id, "name": name}
            by_name[name.lower()] = code_id
            report.codes_added += 1
        mapping[guid(element.get("guid"))] = code_id
        for n, sub_code in enumerate(children(element, "Code")):
            walk(sub_code, code_id, n, depth + 1)

    for n, element in enumerate(children(codes_element, "Code")):
        walk(element, None, n)
    return mapping
