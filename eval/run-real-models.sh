#!/usr/bin/env bash
# The real-model leaderboard: the rule baseline and three real instruct models (GGUF files
# fetched from the package index by ../shared/tools/real-models) on both dev sets.
# Writes eval/results/<dataset>/ (leaderboard.md/.json/.png and one report folder per model).
# Every generation goes to the run store, so a rerun only re-scores.
#
#   eval/run-real-models.sh [MODELS_DIR]     # default: $REAL_MODELS_DIR or ~/.cache/real-models
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-${REAL_MODELS_DIR:-$HOME/.cache/real-models}}
models=(--model rules
        --model "$DIR/smollm2-135m-instruct.gguf"
        --model "$DIR/qwen2.5-coder-0.5b-instruct.gguf"
        --model "$DIR/qwen2.5-coder-1.5b-instruct.gguf")
for data in eval/datasets/dev-other-wars eval/datasets/dev-familiar seeds; do
  /usr/bin/time -f "$data: %e s wall, %M KB max RSS" \
    summarizer compare "${models[@]}" --data "$data" --out "eval/results/$(basename "$data")" --quiet
done
