#!/usr/bin/env bash
# The test command: install, lint, type-check, then the whole keyless, offline test suite.
# The services suite (tests/unit/test_services_*.py) runs on SQLite and on a throwaway PostgreSQL
# (scripts/postgres.sh, Debian's `postgresql`, installed when missing), stopped at the end whatever
# happens. Set TEST_POSTGRES_URL to use a server of your own instead. Arguments go to pytest;
# PYTEST_WORKERS sets the number of parallel pytest workers (pytest-xdist; default one per CPU, at most 8;
# 0 or 1 = one process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check worker agents tools services call evals tests benchmarks
.venv/bin/mypy

pg_dir=""
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    bash scripts/postgres.sh stop "$pg_dir" || echo "test: could not stop PostgreSQL in $pg_dir" >&2
    pg_dir=""
  fi
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "test: PostgreSQL from TEST_POSTGRES_URL"
else
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/desk-postgres.XXXXXX")
  status=0
  url=$(bash scripts/postgres.sh start "$pg_dir") || status=$?
  if [ "$status" = 0 ]; then
    export TEST_POSTGRES_URL=$url
    echo "test: PostgreSQL started for the services suite (127.0.0.1:$(cat "$pg_dir/port"))"
  elif [ "$status" = 3 ]; then
    # postgres.sh printed why: "PostgreSQL: not installable here, ... is skipped (...)".
    rm -rf "$pg_dir"
    pg_dir=""
  else
    echo "test: PostgreSQL is installed but did not start (see above)" >&2
    exit "$status"
  fi
fi

cpus=$(nproc 2>/dev/null || echo 1)
workers=${PYTEST_WORKERS:-$((cpus < 8 ? cpus : 8))}
xdist=()
if [ "$workers" -gt 1 ]; then
  xdist=(-n "$workers" --dist worksteal)
fi
.venv/bin/python -m pytest -q "${xdist[@]}" "$@"
