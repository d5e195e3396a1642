#!/usr/bin/env bash
# Installs what the app and the tests need on a fresh Debian machine. Idempotent.
#   scripts/setup.sh          npm packages only (enough to start the app)
#   scripts/setup.sh --test   also Debian's chromium (browser tests; its SwiftShader Vulkan
#                             driver serves Dawn in Node) and the Vulkan loader libvulkan1
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20+ and npm are required: apt-get install -y nodejs npm (or https://nodejs.org)" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
  ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "› installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "The tests need these Debian packages: ${missing[*]}" >&2
      echo "Install them as root:  sudo apt-get install -y ${missing[*]}" >&2
      echo "(or set CHROMIUM_PATH to another Chromium/Chrome binary)" >&2
      exit 1
    fi
  fi
fi
