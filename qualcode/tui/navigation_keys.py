"""Moving around the study from the document screen: the next passage with a code (across documents), the
next sentence not yet coded, full-text search, reloading, and showing another coder's codings beside one's
own. Mixed into ``DocumentScreen``."""

from __future__ import annotations

from typing import Any

from ..coding.navigation import next_coded, next_uncoded, search
from ..ingest.labels import member_labels
from .codebook import CodebookPanel
from .dialogs import SearchDialog
from .transcript import TranscriptView


class NavigationMixin:
    """Needs the screen's ``project``, ``document_id``, ``load_document`` and friends."""

    # -- navigation ----------------------------------------------------------------------------------

    def action_next_coded(self, backwards: bool, any_code: bool = False) -> None:
        """To the next (previous) passage coded with the code highlighted in the codebook, or with any code;
        the message names the code and says when the jump leaves this document."""
        code_id = None if any_code else self.query_one(CodebookPanel).highlighted_code
        if not code_id and not any_code:
            self.app.notify("Highlight a code in the codebook first (b).", timeout=3)
            return
        view = self.query_one(TranscriptView)
        coders = [self.coder_id] + ([self.others_id] if self.others_id else [])
        offset = view.selection[0]
        place = next_coded(self.project, [code_id] if code_id else None, coders, self.document_id, offset, backwards)
        what = f"coded “{self.code_name(code_id)}”" if code_id else "coded with any code"
        if place is None:
            where = "before" if backwards else "after"
            self.app.notify(f"No passage {what} {where} this one, in this or any other document.", timeout=4)
            return
        found = self.code_name(place.code_id)
        if place.document_id == self.document_id:
            view.select_range(place.start, place.end)
            self.app.notify(f"{'Previous' if backwards else 'Next'} passage {what}: {found}.", timeout=2)
        else:
            self.load_document(place.document_id, (place.start, place.end))
            self.app.notify(f"{found}: on to {place.document}.", timeout=3)

    def action_next_uncoded(self) -> None:
        view = self.query_one(TranscriptView)
        found = next_uncoded(self.project, self.document_id, [self.coder_id], view.cursor)
        if found is None:
            found = next_uncoded(self.project, self.document_id, [self.coder_id], -1)
            if found is not None and found != view.cursor:
                self.app.notify("Wrapped to the start of the document.", timeout=2)
        if found is None:
            self.app.notify("Every sentence in this document has a code of yours.", timeout=3)
        else:
            view.go_to_segment(found)

    def action_search(self) -> None:
        def chosen(hit: dict[str, Any] | None) -> None:
            if hit is None:
                return
            if hit["document_id"] != self.document_id:
                self.load_document(hit["document_id"], (hit["start"], hit["end"]))
            else:
                self.query_one(TranscriptView).select_range(hit["start"], hit["end"])

        def found(words: str) -> list[dict[str, Any]]:
            hits = search(self.project, words)
            members = member_labels(self.project)
            for hit in hits:  # who said it as a reader says it: "Claire (lead organisation staff)"
                hit["group_label"] = members.get(hit["group"], hit["group"]) if hit["group"] else None
            return hits

        self.app.push_screen(SearchDialog(found), chosen)

    def action_refresh(self) -> None:
        self.app.forget_counts()  # type: ignore[attr-defined]
        self.app.reload_codes()  # type: ignore[attr-defined]
        self.load_memos()
        self.refresh_codings()

    def action_others(self) -> None:
        if self.others_id:
            self.others_id = None
            self.refresh_codings()
            self.show_title()
            return
        others = [
            r[0] for r in self.project.db.execute("SELECT name FROM coder WHERE id != ? ORDER BY name", [self.coder_id])
        ]
        if not others:
            self.app.notify("No other coder has coded in this project yet.", timeout=3)
            return

        def chosen(name: str | None) -> None:
            if name and name in others:
                self.others_id = self.project.coder_id(name, create=False)
                self.refresh_codings()
                self.show_title()

        from .dialogs import CoderDialog

        title = "Show whose codings beside yours? (Esc: none)"
        self.app.push_screen(CoderDialog(others, title=title, allow_new=False), chosen)
