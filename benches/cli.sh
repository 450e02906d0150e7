#!/usr/bin/env bash
# The `strapi-kit` binary against curl on the bundled Strapi 5 (tests/strapi/v5, SQLite, on
# loopback, its database and uploads in /dev/shm when there is one):
#
#   - `strapi-kit media upload DIR --parallel 4` of N files (default 100 × 64 KiB, random
#     bytes: no image processing) against `curl --parallel --parallel-max 4`, one
#     `POST /api/upload` per file;
#   - `strapi-kit media download --all --out DIR --parallel 4` of the same files (into an
#     empty directory: everything is fetched) against `curl --parallel --parallel-max 4`
#     of their URLs.
#
# Rounds alternate the two (ours first in odd rounds, curl first in even ones); between
# upload rounds the files are deleted. Prints a Markdown table on stdout, progress on stderr.
#
#   benches/cli.sh                          # 5 rounds, 100 files of 64 KiB
#   BENCH_ROUNDS=3 BENCH_FILES=100 BENCH_FILE_KIB=64 benches/cli.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS="${BENCH_ROUNDS:-5}"
FILES="${BENCH_FILES:-100}"
KIB="${BENCH_FILE_KIB:-64}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/strapi-kit-bench-cli.XXXXXX")"
SDIR="$WORK/strapi"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then SDIR="$(mktemp -d /dev/shm/strapi-kit-bench-cli.XXXXXX)"; fi
NODE_PID=""
log() { echo "bench-cli: $*" >&2; }
cleanup() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK" "$SDIR"
}
trap cleanup EXIT INT TERM

bash "$ROOT/tests/strapi/install.sh" v5 >&2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --quiet --release --features cli --bin strapi-kit >&2
BIN="$CARGO_TARGET_DIR/release/strapi-kit"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$SDIR"
(
  cd "$ROOT/tests/strapi/v5"
  HOST=127.0.0.1 PORT="$PORT" DATABASE_FILENAME="$SDIR/data.db" ITEST_PUBLIC_DIR="$SDIR/public" \
    ITEST_FULL_ACCESS_TOKEN="$TOKEN" ITEST_INFO_FILE="$SDIR/info.json" ITEST_WATCH_STDIN=0 \
    ITEST_LOG_LEVEL=error exec node start.js
) >"$WORK/strapi.log" 2>&1 &
NODE_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  curl -s -o /dev/null "$URL/_health" && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -n 40 "$WORK/strapi.log" >&2; exit 1; }
  sleep 0.5
done
SV="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["strapiVersion"])' "$SDIR/info.json")"
log "strapi $SV on $URL"
export STRAPI_BASE_URL="$URL" STRAPI_API_TOKEN="$TOKEN"

SRC="$WORK/src"
mkdir -p "$SRC"
for i in $(seq -w 1 "$FILES"); do head -c $((KIB * 1024)) /dev/urandom >"$SRC/bench-$i.bin"; done

now() { date +%s.%N; }
# curl's config: one transfer per file (`next` keeps the options per transfer).
CFG="$WORK/upload.curl"
: >"$CFG"
for f in "$SRC"/*.bin; do
  printf 'url = "%s/api/upload"\nheader = "Authorization: Bearer %s"\nform = "files=@%s"\noutput = "/dev/null"\nfail\nnext\n' \
    "$URL" "$TOKEN" "$f" >>"$CFG"
done
sed -i '$d' "$CFG" # no `next` after the last transfer
wipe() { # deletes every media file
  local ids
  ids="$("$BIN" --quiet media ls --format json | python3 -c 'import json,sys; print(" ".join(str(f["id"]) for f in json.load(sys.stdin)))')"
  if [ -n "$ids" ]; then "$BIN" --quiet media rm --yes $ids >/dev/null; fi
}
count() { "$BIN" --quiet media ls --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
ours_up() { "$BIN" --quiet media upload --parallel 4 "$SRC" >/dev/null; }
curl_up() { curl --no-progress-meter --parallel --parallel-max 4 -K "$CFG"; }
ours_down() { rm -rf "$WORK/out"; "$BIN" --quiet media download --all --parallel 4 --out "$WORK/out" >/dev/null; }
curl_down() {
  rm -rf "$WORK/out"; mkdir -p "$WORK/out"
  curl --no-progress-meter --fail --parallel --parallel-max 4 -K "$WORK/down.curl"
}

UP_OURS=(); UP_CURL=(); DOWN_OURS=(); DOWN_CURL=()
timed() { local t0 t1; t0="$(now)"; "$@"; t1="$(now)"; python3 -c "print($t1-$t0)"; }
check() { local n; n="$(count)"; [ "$n" = "$FILES" ] || { log "expected $FILES files on the server, found $n"; exit 1; }; }
for r in $(seq 1 "$ROUNDS"); do
  log "round $r/$ROUNDS"
  if [ $((r % 2)) = 1 ]; then
    wipe; UP_OURS+=("$(timed ours_up)"); check
    wipe; UP_CURL+=("$(timed curl_up)"); check
  else
    wipe; UP_CURL+=("$(timed curl_up)"); check
    wipe; UP_OURS+=("$(timed ours_up)"); check
  fi
  # The download list of what is there now.
  "$BIN" --quiet media ls --format json | python3 -c '
import json, sys
base, out = sys.argv[1], sys.argv[2]
for f in json.load(sys.stdin):
    print("url = \"%s%s\"\noutput = \"%s/%s\"\nnext" % (base, f["url"], out, f["url"].rsplit("/", 1)[-1]))
' "$URL" "$WORK/out"  | sed '$d' >"$WORK/down.curl"
  if [ $((r % 2)) = 1 ]; then
    DOWN_OURS+=("$(timed ours_down)"); DOWN_CURL+=("$(timed curl_down)")
  else
    DOWN_CURL+=("$(timed curl_down)"); DOWN_OURS+=("$(timed ours_down)")
  fi
  n="$(find "$WORK/out" -type f -name '*.bin' | wc -l)"; [ "$n" = "$FILES" ] || { log "downloaded $n files"; exit 1; }
done

python3 - "$SV" "$FILES" "$KIB" "$ROUNDS" "${UP_OURS[*]}" "${UP_CURL[*]}" "${DOWN_OURS[*]}" "${DOWN_CURL[*]}" <<'PY'
import statistics, sys
sv, files, kib, rounds = sys.argv[1:5]
up_o, up_c, dn_o, dn_c = ([float(x) for x in a.split()] for a in sys.argv[5:9])
print(f"### CLI (`strapi-kit` binary, release) against curl, Strapi {sv} (bundled app, SQLite, loopback)")
print()
print(f"{files} files of {kib} KiB, 4 at a time, {rounds} rounds alternating; medians (min–max). "
      "Each figure is a whole process run (ours includes start-up and the listing a download makes).")
print()
print("| task | strapi-kit | curl --parallel-max 4 | ratio (ours / curl) |")
print("|---|---|---|---|")
for name, o, c in (("media upload", up_o, up_c), ("media download --all", dn_o, dn_c)):
    mo, mc = statistics.median(o), statistics.median(c)
    print(f"| {name} | {mo:.3f} s ({min(o):.3f}–{max(o):.3f}) | {mc:.3f} s ({min(c):.3f}–{max(c):.3f}) | {mo/mc:.2f}× |")
PY
