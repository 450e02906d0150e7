#!/usr/bin/env bash
# Boots the bundled Strapi 5 test server (fresh database, loopback only) and runs an
# example against it. Needs Rust and Node.js 20+.
#
#   scripts/demo.sh                 # examples/media_sync.rs
#   scripts/demo.sh media_async     # another example
#   STRAPI_DEMO_VERSION=v4 scripts/demo.sh   # against the bundled Strapi 4
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="${1:-media_sync}"
VERSION="${STRAPI_DEMO_VERSION:-v5}"
case "$EXAMPLE" in *_async) FEATURES="async" ;; *) FEATURES="sync" ;; esac

bash "$ROOT/tests/strapi/install.sh" "$VERSION"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/strapi-kit-demo.XXXXXX")"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TOKEN="demo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
LOG="$WORK/strapi.log"

cleanup() {
  if [ -n "${NODE_PID:-}" ]; then
    kill "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "demo: starting Strapi $VERSION on 127.0.0.1:$PORT (log: $LOG)"
(
  cd "$ROOT/tests/strapi/$VERSION"
  HOST=127.0.0.1 PORT="$PORT" DATABASE_FILENAME="$WORK/data.db" ITEST_PUBLIC_DIR="$WORK/public" \
    ITEST_FULL_ACCESS_TOKEN="$TOKEN" ITEST_INFO_FILE="$WORK/info.json" ITEST_WATCH_STDIN=0 \
    exec node start.js
) >"$LOG" 2>&1 &
NODE_PID=$!

for _ in $(seq 1 600); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/_health"; then break; fi
  if ! kill -0 "$NODE_PID" 2>/dev/null; then
    tail -n 40 "$LOG" >&2
    echo "demo: Strapi exited before it was ready" >&2
    exit 1
  fi
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/_health" || { tail -n 40 "$LOG" >&2; echo "demo: Strapi not ready" >&2; exit 1; }
echo "demo: Strapi ready; running examples/$EXAMPLE.rs"

cd "$ROOT"
STRAPI_BASE_URL="http://127.0.0.1:$PORT" STRAPI_API_TOKEN="$TOKEN" \
  cargo run --quiet --example "$EXAMPLE" --features "$FEATURES"
