#!/usr/bin/env bash
# Create .venv and install the project with its offline speech models and dev tools.
# Idempotent: re-running only installs what changed. Debian packages are installed when missing
# (espeak-ng + sox make synthetic callers in tests and audio eval scenarios; libportaudio2 lets `console`
# open audio devices; chromium renders the eval report headless).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need_apt+=(sox)
ldconfig -p 2>/dev/null | grep -q libportaudio || need_apt+=(libportaudio2)
# Headless Chromium checks the eval suite's HTML report (python -m evals.screenshot, tests/unit/test_evals_html.py).
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${need_apt[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: please install: ${need_apt[*]} (voice tests that need them will be skipped)" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[local,dev,evals]"
echo "bootstrap: ready (.venv)"
