#!/usr/bin/env bash
# Boots the bundled Strapi 5 test server (fresh database, loopback only) and runs an
# example against it. Needs Rust, Node.js 20+ with npm, and (for the first install's
# better-sqlite3 source build) a C/C++ toolchain, make and python3.
#
#   scripts/demo.sh                 # examples/media_sync.rs
#   scripts/demo.sh media_async     # another example
#   STRAPI_DEMO_VERSION=v4 scripts/demo.sh   # against the bundled Strapi 4
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="${1:-media_sync}"
VERSION="${STRAPI_DEMO_VERSION:-v5}"
case "$EXAMPLE" in *_async) FEATURES="async" ;; *) FEATURES="sync" ;; esac

say() { printf 'demo: %s\n' "$*"; }

say "step 1/3: the bundled Strapi $VERSION app (npm ci and a better-sqlite3 build the first time, 3-5 min; then a no-op)"
bash "$ROOT/tests/strapi/install.sh" "$VERSION"

# Built before Strapi starts, with cargo's progress visible: the first build takes a few
# minutes on 2 cores and would otherwise look like a hang.
say "step 2/3: building examples/$EXAMPLE.rs (features: $FEATURES)"
(cd "$ROOT" && cargo build --example "$EXAMPLE" --features "$FEATURES")

WORK="$(mktemp -d "${TMPDIR:-/tmp}/strapi-kit-demo.XXXXXX")"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
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

say "step 3/3: starting Strapi $VERSION on 127.0.0.1:$PORT with a fresh database (log: $LOG)"
mkdir -p "$WORK/tmp"
(
  cd "$ROOT/tests/strapi/$VERSION"
  TMPDIR="$WORK/tmp" HOST=127.0.0.1 PORT="$PORT" DATABASE_FILENAME="$WORK/data.db" ITEST_PUBLIC_DIR="$WORK/public" \
    ITEST_FULL_ACCESS_TOKEN="$TOKEN" ITEST_INFO_FILE="$WORK/info.json" ITEST_WATCH_STDIN=0 \
    exec node start.js
) >"$LOG" 2>&1 &
NODE_PID=$!

healthy() {
  node -e 'require("http").get("http://127.0.0.1:"+process.argv[1]+"/_health",r=>process.exit(r.statusCode<300?0:1)).on("error",()=>process.exit(1))' "$PORT"
}
for _ in $(seq 1 600); do
  if healthy; then break; fi
  if ! kill -0 "$NODE_PID" 2>/dev/null; then
    tail -n 40 "$LOG" >&2
    echo "demo: Strapi exited before it was ready" >&2
    exit 1
  fi
  sleep 0.5
done
healthy || { tail -n 40 "$LOG" >&2; echo "demo: Strapi not ready" >&2; exit 1; }
say "Strapi ready; running examples/$EXAMPLE.rs"
echo

cd "$ROOT"
STRAPI_BASE_URL="http://127.0.0.1:$PORT" STRAPI_API_TOKEN="$TOKEN" \
  cargo run --quiet --example "$EXAMPLE" --features "$FEATURES"
