#!/usr/bin/env bash
# Run every bundled scenario (samples/scenarios/*.txt) N times with a model and print the pass
# rate per scenario (a run passes when simulate's outcome block met every expectation).
#
#   bash scripts/run_scenarios.sh [N] [--llm local|scripted] [--only NAME...]
#
# Needs the local LLM server for --llm local (bash scripts/setup_local_llm.sh start).
# Reports go to runs/scenarios/<name>-<i>/report.json; a summary to runs/scenarios/summary.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3}
shift || true
LLM=local
ONLY=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --llm) LLM=$2; shift 2 ;;
        --only) shift; while [[ $# -gt 0 && "$1" != --* ]]; do ONLY+=("$1"); shift; done ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
OUT=runs/scenarios
mkdir -p "$OUT"
SUMMARY="$OUT/summary.tsv"
printf "scenario\trun\tpassed\tverified\tseconds\n" >"$SUMMARY"
names=()
if [[ ${#ONLY[@]} -gt 0 ]]; then names=("${ONLY[@]}"); else
    for f in samples/scenarios/*.txt; do names+=("$(basename "$f" .txt)"); done
fi
failed=0
for name in "${names[@]}"; do
    for i in $(seq 1 "$N"); do
        dir="$OUT/$name-$i"
        t0=$SECONDS
        if .venv/bin/python -m worker simulate --scenario "$name" --llm "$LLM" --out "$dir" >"$dir.log" 2>&1; then
            ok=yes
        else
            ok=no
            failed=$((failed + 1))
        fi
        verified=$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))['outcome']['verified'])" \
            "$dir/report.json" 2>/dev/null || echo "?")
        printf "%s\t%s\t%s\t%s\t%s\n" "$name" "$i" "$ok" "$verified" "$((SECONDS - t0))" | tee -a "$SUMMARY"
    done
done
echo "summary: $SUMMARY ($failed failed run(s))"
