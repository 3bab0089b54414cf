#!/usr/bin/env bash
# The main job on the embedded default: set up everything (first run builds llama-server and
# assembles the offline model, ~10 minutes, cached afterwards), start the local LLM server, and run
# a whole offline phone call from the bundled caller recording through VAD -> STT -> LLM -> tools ->
# TTS. Prints the transcript and the paths of the report and the agent's audio.
#
#   bash scripts/demo.sh                   # local LLM (Qwen2.5-Coder-1.5B on llama-server)
#   bash scripts/demo.sh --llm scripted    # the same call with the scenario's scripted replies
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ " $* " != *" --llm scripted "* ]]; then
  bash scripts/setup_local_llm.sh install
  bash scripts/setup_local_llm.sh start
fi
exec .venv/bin/python -m worker simulate samples/calls/return_jacket "$@"
