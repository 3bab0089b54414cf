#!/usr/bin/env bash
# The test command: install, lint, type-check, then the whole keyless, offline test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check worker agents tools services call tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
