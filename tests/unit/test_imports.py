"""The packages form a one-way stack: every module imports alone, in a fresh interpreter.

``worker → agents → tools → call → services``. An import cycle shows up here as an
ImportError when the module that closes the cycle is imported first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "call", "tools", "agents", "worker")
LAYER = {name: i for i, name in enumerate(PACKAGES)}


def _modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    r = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True, text=True)\n"
        "    if r.returncode: failed.append((name, r.stderr.strip().splitlines()[-1:]))\n"
        "print(failed)\n"
        "sys.exit(1 if failed else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *_modules()], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lower_layers_never_import_higher_ones() -> None:
    """services ← call ← tools ← agents ← worker: an import from a higher layer is a violation."""
    violations = []
    for module in _modules():
        package = module.split(".")[0]
        path = ROOT / Path(*module.split("."))
        source = (path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py").read_text()
        for line in source.splitlines():
            words = line.strip().split()
            if len(words) >= 2 and words[0] in ("import", "from"):
                target = words[1].split(".")[0]
                if target in LAYER and LAYER[target] > LAYER[package]:
                    violations.append(f"{module}: {line.strip()}")
    assert violations == []
