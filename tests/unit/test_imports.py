"""The packages form a one-way stack: every module imports alone, in a fresh interpreter.

``benchmarks → evals → worker → agents → tools → call → services``. An import cycle shows up here as an
ImportError when the module that closes the cycle is imported first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "call", "tools", "agents", "worker", "evals", "benchmarks")
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


_FORKED_IMPORTS = """
import importlib, os, sys, traceback
project, modules = set(sys.argv[1].split(",")), sys.argv[2:]
# Preload the third-party libraries the project imports (never a project module): each forked child
# then imports one project module with no other project module loaded, as a fresh interpreter would,
# without paying for livekit, SQLAlchemy and friends 100 times.
for line in sys.stdin.read().splitlines():
    try:
        importlib.import_module(line)
    except Exception:
        pass
assert not any(name.split(".")[0] in project for name in sys.modules), "a library imported a project module"
failed = []
for name in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            os._exit(0)
        except BaseException:
            os.write(write, traceback.format_exc().strip().splitlines()[-1].encode())
            os._exit(1)
    os.close(write)
    message = os.read(read, 4096).decode()
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append((name, message))
print(failed)
sys.exit(1 if failed else 0)
"""


def _third_party_imports() -> list[str]:
    """Top-level names the project imports from outside itself (stdlib and libraries)."""
    names: set[str] = set()
    for module in _modules():
        path = ROOT / Path(*module.split("."))
        source = (path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py").read_text()
        for line in source.splitlines():
            words = line.strip().split()
            if len(words) >= 2 and words[0] in ("import", "from") and not words[1].startswith("."):
                target = words[1].rstrip(",")
                if target.split(".")[0] not in LAYER and target != "__future__":
                    names.add(target)
    return sorted(names)


def test_every_module_imports_alone() -> None:
    """Each project module imports with no other project module loaded (a forked child per module).

    The children fork from one interpreter that preloaded only the third-party libraries, so a module
    that needs another project module to have been imported first — an import cycle, or a missing
    import — fails here exactly as it would in a fresh interpreter.
    """
    result = subprocess.run(
        [sys.executable, "-c", _FORKED_IMPORTS, ",".join(PACKAGES), *_modules()],
        input="\n".join(_third_party_imports()),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_module_that_needs_another_loaded_first_is_caught(tmp_path: Path) -> None:
    """The forked check fails for a module whose import needs a sibling loaded first (a cycle)."""
    package = tmp_path / "cyc"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyc import b\nVALUE = 1\n")
    (package / "b.py").write_text("from cyc.a import VALUE\n")
    result = subprocess.run(
        [sys.executable, "-c", _FORKED_IMPORTS, "cyc", "cyc.a", "cyc.b"],
        input="json",
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "cyc.a" in result.stdout  # importing cyc.a alone closes the cycle


def test_lower_layers_never_import_higher_ones() -> None:
    """services ← call ← tools ← agents ← worker ← evals ← benchmarks: an import from a higher layer is a violation."""
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
