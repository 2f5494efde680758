"""qualcode's terminal workbench (Textual), over the pure core in ``qualcode``."""

from .app import QualcodeApp, make_app

__all__ = ["QualcodeApp", "make_app"]
