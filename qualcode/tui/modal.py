"""The workbench's dialogs close once.

A dialog is dismissed by a key; keys that arrive before it has gone — a held arrow or Enter, a fast typist's
"y y" — would each dismiss it again. Textual's ``dismiss`` answers its caller and pops whatever screen is on
top, so a second dismissal would run the answer twice (a removal asked for once, done twice) and then close
the screen beneath (the transcript), or stop the workbench when nothing is beneath. Every dialog is a
``Dialog``, whose ``dismiss`` does its work the first time only.
"""

from __future__ import annotations

from typing import Any

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen dismissed once: later dismissals, while it is on its way out, do nothing."""

    _dismissed = False

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self._dismissed:
            return AwaitComplete()
        self._dismissed = True
        return super().dismiss(result)
