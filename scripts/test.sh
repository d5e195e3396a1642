#!/usr/bin/env bash
# The one command that runs every test (README): set-up, lint, types, Vitest (model + GPU vs CPU
# on Dawn), then Playwright on Debian's Chromium with SwiftShader WebGPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. scripts/vulkan-env.sh

echo "› lint (biome)"
npx biome ci .
echo "› typecheck (tsc)"
npx tsc --noEmit
echo "› unit + GPU tests (vitest)"
npx vitest run
echo "› browser tests (playwright)"
npx playwright test
