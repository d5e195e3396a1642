#!/usr/bin/env bash
# npm run bench [-- --quick]: bundle the benchmark and run it on whatever WebGPU adapter Dawn finds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. scripts/vulkan-env.sh
node bench/build.mjs
mkdir -p bench/results
node bench/dist/engine-bench.mjs "$@"
