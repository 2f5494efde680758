"""The core never imports the UI libraries: each core module is imported in a fresh interpreter.

sqlite-utils, the store library, imports click itself (for its own progress bars), so the runtime check
loads sqlite-utils first and then forbids any further import of textual, rich or click: a core module that
reached for one of them fails to import. textual and rich must not be loaded at all.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"
UI_LIBRARIES = ("textual", "rich", "click")
UI_PACKAGES = ("cli", "tui")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__").removesuffix("__init__")


CORE_FILES = sorted(p for p in PACKAGE.rglob("*.py")
                    if p.relative_to(PACKAGE).parts[0] not in UI_PACKAGES and p.name != "__main__.py")  # fmt: skip
CORE = [_module(p) for p in CORE_FILES if _module(p)]


_BLOCKER = """
import importlib.abc, sys
import sqlite_utils  # imports click for its own use
for name in [m for m in sys.modules if m.split('.')[0] == 'click']:
    del sys.modules[name]

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {libraries!r}:
            raise ImportError('core imported ' + name)

sys.meta_path.insert(0, Block())
import qualcode.{module}
print(','.join(m for m in ('textual', 'rich') if m in sys.modules))
"""


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui_library(module: str) -> None:
    code = _BLOCKER.format(libraries=UI_LIBRARIES, module=module)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1]
    assert result.stdout.strip() == "", f"qualcode.{module} pulled in {result.stdout.strip()}"


def test_no_core_source_names_a_ui_library() -> None:
    """Also catches imports hidden inside functions, which the runtime check cannot see."""
    for path in CORE_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in UI_LIBRARIES, f"{path.relative_to(PACKAGE)} imports {name}"


def test_help_does_not_load_spacy() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from qualcode.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0\n"
        "heavy = ('spacy', 'numpy', 'scipy', 'sqlite_utils', 'docx', 'openpyxl', 'textual', 'rich', 'rapidfuzz')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
