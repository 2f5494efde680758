"""``python -m qualcode``: the same command line as ``qualcode``."""

from .cli import main

main()
