"""Numbers as every report writes them: one rounding rule, and one word for "nothing to measure".

**Half up**, everywhere: 1 of 8 is "13%" in Markdown, Word, HTML, on screen and in the terminal, as Excel
shows the same share (a number formatted ``0%``) — not "12%", which Python's own formatting gives (it rounds
a half to the even neighbour). A figure is rounded from its shortest decimal form (``repr``), as a reader
and Excel see it, so 0.285 is "0.29" and 57 of 200 is "29%".

**"—"** for a statistic that is undefined (nothing varies, no unit to count) in every format a person reads;
machine-readable files keep their own way of saying it (an empty cell in CSV and XLSX, ``null`` with a
reason in JSON), never the word "None".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

UNDEFINED = "—"


def rounded(value: float | Decimal, places: int = 0) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, from its shortest decimal form; never -0."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    found = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return found if found != 0 else abs(found)


def fixed(value: float, places: int = 2) -> str:
    """``value`` with ``places`` decimals, half up, never "-0.00": a kappa of -0.0001 is 0.00, not a
    disagreement worse than chance."""
    return f"{rounded(value, places):.{places}f}"


def figure(value: float | None, places: int = 2) -> str:
    """A statistic for a table: ``fixed``, or "—" when there is nothing to measure."""
    return UNDEFINED if value is None else fixed(value, places)


def percentage(share: float | None, places: int = 1) -> str:
    """A share as a percentage figure for a table of statistics, to one decimal so that 99.9 never reads as
    100 ("99.8"; "—" when there is none); JSON keeps the share."""
    return figure(None if share is None else share * 100, places)


def percent(share: float | None) -> str:
    """A share as a whole percentage, half up ("13%" for 1/8); "" when there is no share (no group)."""
    return "" if share is None else f"{rounded(Decimal(repr(float(share))) * 100, 0)}%"


def percent_of(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, exactly, half up; "" for a whole of nothing."""
    return "" if not whole else f"{(200 * part + whole) // (2 * whole)}%"


def shown(value: object) -> str:
    """Any value in a table a person reads: "—" for nothing, the text otherwise."""
    return UNDEFINED if value is None else str(value)
