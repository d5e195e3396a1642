#!/usr/bin/env bash
# The training benchmark on a lent GPU machine (no Node there, no network): two halves.
#
#   bash bench/lent-gpu-train.sh prepare   # here: fills the ignored .carry/ and .gl/ (~30 MB)
#   bash bench/lent-gpu-train.sh run       # there, from the repository root, with .carry and .gl
#                                          # carried; writes $OUT/train-bench.json (≈ 1–2 min)
#
# The recipe is bench/README.md's "On a lent GPU" (Node and dawn.node compressed with xz, the
# Vulkan loader and glvnd unpacked, VK_DRIVER_FILES at the NVIDIA ICD manifest).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  prepare)
    node bench/build.mjs
    mkdir -p .carry/node_modules/webgpu/dist/linux-x64
    cp node_modules/webgpu/{index.js,package.json} .carry/node_modules/webgpu/
    [ -f .carry/node_modules/webgpu/dist/linux-x64/dawn.node.xz ] ||
      xz -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > .carry/node_modules/webgpu/dist/linux-x64/dawn.node.xz
    [ -f .carry/node.xz ] || xz -6 -c "$(command -v node)" > .carry/node.xz
    cp bench/dist/train-bench.mjs bench/dist/engine-bench.mjs bench/dist/shard-worker.mjs .carry/
    if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
      o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
      mkdir -p .gl /tmp/amd64/partial && apt-get $o update >/dev/null
      (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
    fi
    du -sh .carry .gl
    ;;
  run)
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    (cd .carry && xz -dkf node.xz && chmod +x node && xz -dkf node_modules/webgpu/dist/linux-x64/dawn.node.xz)
    export XDG_RUNTIME_DIR=/tmp VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    timeout 170 ./.carry/node .carry/train-bench.mjs --seconds=1 --out="${OUT:-/tmp}/train-bench.json"
    ;;
  *)
    echo "usage: bash bench/lent-gpu-train.sh prepare|run" >&2
    exit 2
    ;;
esac
