#!/usr/bin/env bash
# npm run bench [-- --quick]: bundle the benchmarks and run them on whatever WebGPU adapter Dawn
# finds: the engine benchmark, then the training benchmark (steps per second of gradient descent).
# --training-only runs the training benchmark alone; --no-training the engine benchmark alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. scripts/vulkan-env.sh
node bench/build.mjs
mkdir -p bench/results
args=()
training=1
engine=1
for a in "$@"; do
  case "$a" in
    --training-only) engine=0 ;;
    --no-training) training=0 ;;
    *) args+=("$a") ;;
  esac
done
if [ "$engine" = 1 ]; then node bench/dist/engine-bench.mjs "${args[@]}"; fi
if [ "$training" = 1 ]; then
  targs=()
  for a in "${args[@]}"; do
    case "$a" in
      --cpu-only | --repeat=*) ;; # engine-benchmark flags
      --out=*) ;;
      *) targs+=("$a") ;;
    esac
  done
  node bench/dist/train-bench.mjs "${targs[@]}"
fi
