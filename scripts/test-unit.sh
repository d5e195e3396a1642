#!/usr/bin/env bash
# Runs the Vitest suites (model, generator, GPU vs CPU on Dawn) with a Vulkan driver for Dawn.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/vulkan-env.sh
exec npx vitest run "$@"
