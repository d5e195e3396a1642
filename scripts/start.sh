#!/usr/bin/env bash
# Starts the app on localhost (installing npm packages first if needed) and prints the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PORT="${PORT:-5173}"
echo "› open http://localhost:${PORT}/ in Chrome (WebGPU); other browsers get the CPU engine"
exec npx vite --host 127.0.0.1 --port "$PORT" --strictPort
