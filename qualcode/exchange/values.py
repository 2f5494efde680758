"""Typed REFI-QDA variable values, both ways: a participant's or document's attribute keeps its type through
an export and an import (``phase: 1`` comes back as the number 1, not the text "1").

A variable's type is chosen from the values it holds, as the project stores them (JSON): all whole numbers
are Integer, numbers with a fraction among them Float, all true/false Boolean, all ``YYYY-MM-DD`` texts Date,
anything else (or a mix) Text. Reading gives back the same JSON types.
"""

from __future__ import annotations

import re
from typing import Any

from .reading import local

VALUE = {  # typeOfVariable -> the element holding a value of that type
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Boolean": "BooleanValue",
    "Date": "DateValue",
    "Text": "TextValue",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def variable_type(values: list[Any]) -> str:
    """The REFI-QDA type for a variable holding ``values`` (JSON values, empty ones left out)."""
    if not values:
        return "Text"
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "Float"
    if all(isinstance(v, str) and _DATE.fullmatch(v) for v in values):
        return "Date"
    return "Text"


def written(kind: str, value: Any) -> str:
    """A value as its element's text: ``true``/``false``, a number as Python writes it, else the text."""
    if kind == "Boolean":
        return "true" if value else "false"
    return str(value)


def read_value(element: Any) -> Any:
    """A ``VariableValue``'s typed child back as a JSON value; None when it has none (or it cannot be read)."""
    typed = [c for c in element if local(c.tag) != "VariableRef"]
    if not typed or typed[0].text is None:
        return None
    kind, text = local(typed[0].tag), typed[0].text.strip()
    try:
        if kind == "IntegerValue":
            return int(text)
        if kind == "FloatValue":
            return float(text)
    except ValueError:
        return typed[0].text  # another tool's odd number: kept as it was written
    if kind == "BooleanValue":
        return text.lower() in ("true", "1")
    return typed[0].text
