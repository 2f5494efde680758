"""A real workbench in its own process, driven from stdin: for tests that need several processes.

Run as ``python workbench_driver.py PROJECT CODER``. It starts the qualcode app (headless, through
Textual's pilot, the same app ``qualcode open`` runs), says ``{"event": "ready"}``, then reads one JSON
command per line and answers with JSON lines on stdout:

- ``{"do": "open", "document": NAME}`` opens a document, as Enter on the document list does.
- ``{"do": "code", "segment": N, "code": ID}`` selects sentence N and applies the code through the screen's
  own apply path (the one the code picker's Enter calls); ``"keys": TEXT`` types TEXT into the picker instead.
- ``{"do": "uncode", "segment": N}`` selects sentence N and presses ``x``; ``{"do": "undo"}`` presses ``u``.
- ``{"do": "others", "coder": NAME}`` shows another coder's codings beside the coder's own.
- ``{"do": "state"}`` reports what the screen shows, once nothing waits to be saved.
- ``{"do": "filter", "text": TEXT}`` types TEXT into the start screen's filter (from the start screen).
- ``{"do": "quit"}`` presses Ctrl+Q (EOF on stdin does the same).

Before a write it says ``{"event": "doing", ...}`` with the coding it is about to add or remove; after every
command it reports ``{"event": "state", "document": NAME, "mine": [[code, start, end, key_quote], ...],
"others": [...]}`` — what the workbench shows as applied, which must then be in the file. Every notification
the app shows is echoed as ``{"event": "notify", ...}`` so that tests can see any error a coder would see.
Works with any version of the app that has ``make_app`` (a test can run it against older code).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


def say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


async def settle(app: Any, pilot: Any, limit: float = 60.0) -> None:
    """Let the app finish what it is doing: workers, and any change waiting for a busy project."""
    deadline = time.monotonic() + limit
    await pilot.pause()
    while time.monotonic() < deadline:
        saver = getattr(app, "saver", None)
        if not (saver and saver.waiting):
            break
        await asyncio.sleep(0.1)
    await pilot.pause()


def view_of(app: Any) -> Any:
    from qualcode.tui.transcript import TranscriptView

    return app.screen.query_one(TranscriptView)


def rows(codings: list[dict[str, Any]]) -> list[list[Any]]:
    return sorted([c["code_id"], c["start"], c["end"], int(c.get("key_quote") or 0)] for c in codings)


async def run(path: str, coder: str) -> None:
    from qualcode.tui import make_app

    app = make_app(path, coder=coder, user=f"driver-{coder}")
    app.interviewer_ok = True  # a driver codes any segment: the once-a-session question is answered yes
    shown = app.notify

    def notify(message: Any, *args: Any, **kwargs: Any) -> None:
        say(event="notify", message=str(message), severity=kwargs.get("severity", "information"))
        shown(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        say(event="ready", pid=__import__("os").getpid())
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line.strip() or json.loads(line)["do"] == "quit":
                await pilot.press("ctrl+q")
                await pilot.pause()
                break
            await command(app, pilot, json.loads(line))
            await settle(app, pilot)
            report(app)
    say(event="quit")


async def command(app: Any, pilot: Any, cmd: dict[str, Any]) -> None:
    action = cmd["do"]
    if action == "open":
        row = app.project.db.execute("SELECT id FROM document WHERE name = ?", [cmd["document"]]).fetchone()
        app.open_document(row[0])
        await pilot.pause()
        return
    if action == "state":
        return
    if action == "filter":
        await pilot.press("slash", *cmd["text"], "enter")
        return
    screen, view = app.screen, view_of(app)
    if action in ("code", "uncode"):
        view.go_to_segment(cmd["segment"])
        await pilot.pause()
        start, end = view.selection
        if action == "uncode":
            here = [c for c in view.codings if (c["start"], c["end"]) == (start, end)]
            if len(here) != 1:
                return
            say(event="doing", op="remove", code=here[0]["code_id"], start=start, end=end)
            await pilot.press("x")
        elif cmd.get("keys"):
            say(event="doing", op="add", code=None, start=start, end=end)
            await pilot.press("c", *cmd["keys"], "enter")
        else:
            say(event="doing", op="add", code=cmd["code"], start=start, end=end)
            screen.apply([cmd["code"]])
    elif action == "undo":
        steps = app.history.undo_steps
        if not steps:
            return
        edits = getattr(steps[-1], "edits", None)
        if edits is not None:  # a change (what undo writes): one coding added or removed, nothing else
            if len(edits) != 1 or type(edits[0].before or edits[0].after).__name__ != "Coding":
                return
            fact = edits[0].before or edits[0].after
            say(event="doing", op="remove" if edits[0].after is None else "add", code=fact.code, start=fact.start,
                end=fact.end)  # fmt: skip
        else:  # older apps kept a list of (added, row) steps
            if len(steps[-1]) != 1:
                return
            change = steps[-1][0].row
            say(event="doing", op="remove" if steps[-1][0].added else "add", code=change["code_id"],
                start=change["start"], end=change["end"])  # fmt: skip
        await pilot.press("u")
    elif action == "others":
        screen.others_id = app.project.coder_id(cmd["coder"], create=False)
        screen.refresh_codings()


def report(app: Any) -> None:
    from qualcode.tui.document import DocumentScreen

    place = getattr(app, "place", None)  # where the coder was (older versions of the app had none)
    remembered = {"recent": list(place.recent), "filter": place.filter} if place is not None else {}
    if not isinstance(app.screen, DocumentScreen):
        say(event="state", document=None, mine=[], others=[], **remembered)
        return
    view = view_of(app)
    say(
        event="state",
        document=app.screen.document["name"],
        mine=rows(view.codings),
        others=rows(view.others),
        selection=list(view.selection),
        cursor=view.cursor,
        **remembered,
    )


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2]))
