"""Display names for stakeholder groups and attribute values: ``mentee`` → "Mentees", ``national_stakeholder``
→ "National stakeholders". Kept in the project (``label:group:NAME`` and ``label:KEY=VALUE`` rows of its
``project`` table), set with ``qualcode label``, and used by every report and by the workbench; a value
without a label of its own is written out as words, plural for a group.
"""

from __future__ import annotations

import json

from ..project.store import Project

PREFIX = "label:"
NO_GROUP_LABEL = "No group"  # what participants without a stakeholder group are called, wherever they are shown


def default_label(value: str, plural: bool = True) -> str:
    """ "national_stakeholder" → "National stakeholders"; "lead_organisation" → "Lead organisations"."""
    words = " ".join(value.replace("_", " ").replace("-", " ").split())
    if not words:
        return value
    if plural and not words.endswith("s"):
        words += "s"
    return words[0].upper() + words[1:]


def member(label: str) -> str:
    """A group's display name as one of its members: "Mentees" -> "mentee", "National stakeholders" ->
    "national stakeholder", "Lead organisation staff" -> "lead organisation staff"; "No group" -> "participant"."""
    if label == NO_GROUP_LABEL:
        return "participant"
    words = label.split()
    if not words:
        return label
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
    if words[0][1:2].islower() or len(words[0]) == 1:  # keep an acronym ("NHS staff") as it is
        words[0] = words[0].lower()
    return " ".join(words)


def people(count: int, label: str) -> str:
    """A count of a group's people as a sentence says it: "9 mentees", "1 national stakeholder", "1 lead
    organisation staff member", "2 participants without a group"."""
    if label == NO_GROUP_LABEL:
        return f"{count} participant{'' if count == 1 else 's'} without a group"
    one = member(label)
    if count == 1:
        return f"1 {one}" + (" member" if one.lower() == label.lower() else "")
    first = label.split()[0] if label.split() else label
    return f"{count} {label[:1].lower() + label[1:] if first[1:2].islower() else label}"  # an acronym as it is


def _key(value: str, attribute: str | None) -> str:
    return f"{PREFIX}{attribute}={value}" if attribute else f"{PREFIX}group:{value}"


def group_labels(project: Project) -> dict[str, str]:
    """Every group in the project with its display name."""
    stored = {
        key[len(PREFIX) + len("group:") :]: value
        for key, value in project.db.execute("SELECT key, value FROM project WHERE key LIKE 'label:group:%'")
    }
    groups = [
        r[0]
        for r in project.db.execute(
            "SELECT DISTINCT stakeholder_group FROM participant WHERE stakeholder_group IS NOT NULL"
        )
    ]
    return {g: stored.get(g) or default_label(g) for g in sorted(set(groups) | set(stored))}


def member_labels(project: Project) -> dict[str, str]:
    """Every group as one of its members is described: {"lead_organisation": "lead organisation staff"}."""
    return {group: member(label) for group, label in group_labels(project).items()}


def value_labels(project: Project, by: str = "group") -> dict[str, str]:
    """Display names for what a frequency table is by: the groups, or the labelled values of an attribute
    (a value without a label is shown as it is)."""
    if by == "group":
        return group_labels(project)
    prefix = f"{PREFIX}{by}="
    rows = project.db.execute("SELECT key, value FROM project WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])
    return {key[len(prefix) :]: value for key, value in rows}


def label(project: Project, value: str, attribute: str | None = None) -> str:
    """One group's (or, with ``attribute``, one attribute value's) display name."""
    stored = project.meta(_key(value, attribute))
    return stored or default_label(value, plural=attribute is None)


def find_value(project: Project, attribute: str, value: str) -> str:
    """``value`` of participant attribute ``attribute`` as the project holds it; an unknown attribute or value
    is an error with what there is and "did you mean"."""
    from ..errors import QualcodeError, closest

    values: dict[str, set[str]] = {}
    for (attributes,) in project.db.execute("SELECT attributes FROM participant"):
        for key, found in json.loads(attributes or "{}").items():
            values.setdefault(key, set()).add(str(found))
    if attribute not in values:
        near = closest(attribute, sorted(values))
        hint = f"; did you mean {near!r}?" if near else ""
        known = ", ".join(sorted(values)) or "none"
        raise QualcodeError(f"no participant attribute {attribute!r} (attributes: {known}){hint}")
    if value not in values[attribute]:
        near = closest(value, sorted(values[attribute]))
        hint = f"; did you mean {near!r}?" if near else ""
        shown = ", ".join(sorted(values[attribute])[:20])
        raise QualcodeError(f"no participant has {attribute}={value!r} (values: {shown}){hint}")
    return value


def set_label(project: Project, value: str, text: str, attribute: str | None = None) -> None:
    """Give a group (or an attribute value) a display name; an empty text goes back to the default."""
    with project.transaction():
        if text.strip():
            project.set_meta(_key(value, attribute), " ".join(text.split()))
        else:
            project.db.execute("DELETE FROM project WHERE key = ?", [_key(value, attribute)])
