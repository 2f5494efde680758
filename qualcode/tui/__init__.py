"""qualcode's terminal workbench (Textual), over the pure core.

May import: every core package; never the CLI.
"""

from .app import QualcodeApp, make_app

__all__ = ["QualcodeApp", "make_app"]
