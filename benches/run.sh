#!/usr/bin/env bash
# Runs every benchmark and writes the results into BENCHMARKS.md (between the
# `results` markers; the notes around them are kept).
#
#   benches/run.sh                 # everything, 5 rounds each
#   BENCH_ROUNDS=3 BENCH_SIZE_MIB=256 benches/run.sh     # shorter
#   BENCH_PARTS="cpu files" benches/run.sh               # some parts: cpu files strapi cli
#   (also BENCH_STRAPI_SIZE_MIB=200, BENCH_FILES=100, BENCH_ENTRIES=2000, BENCH_OUT=BENCHMARKS.md)
#
# Needs what the README asks for (Rust, Node.js 20+ with npm, curl, python3), and installs:
#   - nginx (Debian package `nginx-light`, with apt-get, when `nginx` is not on PATH): the
#     static file server and upload sink of the transfer baseline, run in the foreground
#     on a free 127.0.0.1 port with a config in a temporary directory;
#   - a venv with the Python strapi-kit 0.6.0 from PyPI (needs a Python >= 3.12:
#     python3.13/python3.12 on PATH or under ~/.pyenv; without one the CPU table compares
#     with the fixture README's figures only), in $BENCH_VENV (default /tmp/pyenv-strapi);
#   - the bundled Strapi 5 app's npm packages (tests/strapi/install.sh v5, as the tests do).
# Every process it starts (nginx, Strapi) is stopped on exit; the big test files live under
# target/bench-transfer/ and are deleted at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROUNDS="${BENCH_ROUNDS:-5}"
SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
STRAPI_SIZE_MIB="${BENCH_STRAPI_SIZE_MIB:-200}"
PARTS="${BENCH_PARTS:-cpu files strapi cli}"
ENTRIES="${BENCH_ENTRIES:-2000}"
FILES="${BENCH_FILES:-100}"
VENV="${BENCH_VENV:-/tmp/pyenv-strapi}"
OUT="${BENCH_OUT:-$ROOT/BENCHMARKS.md}"
DIR="$ROOT/target/bench-transfer"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/strapi-kit-bench.XXXXXX")"
RESULTS="$WORK/results.md"
NGINX_PID=""
NODE_PID=""
SDIR=""
BODY_TMP=""

log() { echo "bench: $*" >&2; }

cleanup() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK" "$DIR"
  [ -z "${SDIR:-}" ] || rm -rf "$SDIR"
  [ -z "${BODY_TMP:-}" ] || rm -rf "$BODY_TMP"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # url pid what
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { log "$3 exited before it was ready"; return 1; }
    sleep 0.5
  done
  log "$3 not ready"; return 1
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
FAILED=""
fail() { FAILED="$FAILED $1"; log "part $1 FAILED (see the output above)"; echo; echo "**$1: the run failed; see the log of benches/run.sh.**"; }

# ---------------------------------------------------------------------------------------
# The machine.
{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), \
$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) memory, $(uname -sr); \
$(rustc --version); $(curl --version | head -1 | cut -d' ' -f1-2)."
  echo
} >"$RESULTS"
# Each part says when it ran: a run of some parts keeps the others' tables (see the end).
ran() { echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $ROUNDS rounds per figure."; echo; }

# ---------------------------------------------------------------------------------------
# CPU paths against the Python client.
PY=""
find_python() { # a Python with strapi-kit 0.6.0, made once
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import strapi_kit' 2>/dev/null; then
    PY="$VENV/bin/python"; return
  fi
  for c in python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      log "making $VENV with $c and installing strapi-kit==0.6.0 from PyPI"
      "$c" -m venv "$VENV" && "$VENV/bin/pip" install -q strapi-kit==0.6.0 && PY="$VENV/bin/python"
      return
    fi
  done
  log "no Python >= 3.12 found: no Python figures measured here (the CPU table keeps the fixture's)"
}
if [[ " $PARTS " == *" cpu "* || " $PARTS " == *" strapi "* ]]; then find_python; fi

if [[ " $PARTS " == *" cpu "* ]]; then
  log "cpu: building and running (load $(load))"
  {
    echo "### CPU paths (µs per operation, lower is better)"
    echo
    ran
    echo "Load average before: $(load)."
    echo
    cargo bench --quiet --bench cpu -- --rounds "$ROUNDS" ${PY:+--python "$PY"} || fail cpu
    echo
  } >>"$RESULTS"
fi

# ---------------------------------------------------------------------------------------
# Big-file download and upload: our client against curl, served by nginx.
if [[ " $PARTS " == *" files "* ]]; then
  if ! command -v nginx >/dev/null 2>&1; then
    log "installing nginx-light (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  fi
  NGINX="$(command -v nginx)"
  PORT="$(free_port)"
  mkdir -p "$DIR/www/uploads" "$WORK/nginx"
  # The upload sink reads the whole body (proxy request buffering, body kept in memory-backed
  # /dev/shm when there is one) before answering 201 with a Strapi-like file array.
  BODY_TMP="$WORK/nginx/body"
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BODY_TMP="$(mktemp -d /dev/shm/strapi-kit-bench.XXXXXX)"; fi
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path $BODY_TMP;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$PORT;
    root $DIR/www;
    location = /api/upload {
      client_max_body_size 0;
      proxy_pass http://127.0.0.1:$PORT/__created;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Content-Type "";
    }
    location = /__created {
      default_type application/json;
      return 201 '[{"id":1,"name":"x","hash":"x","mime":"application/octet-stream","url":"/x","size":1,"provider":"local"}]';
    }
  }
}
EOF
  "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
  NGINX_PID=$!
  wait_http "http://127.0.0.1:$PORT/" "$NGINX_PID" nginx
  log "files: nginx $("$NGINX" -v 2>&1 | cut -d/ -f2) on 127.0.0.1:$PORT; $SIZE_MIB MiB (load $(load))"
  {
    echo "### Big file, download and upload, against curl (nginx on loopback)"
    echo
    ran
    echo "Load average before: $(load). nginx $("$NGINX" -v 2>&1 | cut -d/ -f2), one worker; each transfer is its own process."
    echo
    cargo bench --quiet --bench transfer --features sync -- files --base "http://127.0.0.1:$PORT" \
      --dir "$DIR" --size-mib "$SIZE_MIB" --rounds "$ROUNDS" || fail files
    echo
  } >>"$RESULTS"
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
fi

# ---------------------------------------------------------------------------------------
# The bundled Strapi 5: batch upload, paging, and a large file up and down.
if [[ " $PARTS " == *" strapi "* ]]; then
  bash "$ROOT/tests/strapi/install.sh" v5 >&2
  SPORT="$(free_port)"
  TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  # The server's database and uploads go to memory-backed /dev/shm when there is one, so
  # that the disk (and whatever else uses it) does not set the pace of a client benchmark.
  SDIR="$DIR/strapi"
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then SDIR="$(mktemp -d /dev/shm/strapi-kit-bench-strapi.XXXXXX)"; fi
  mkdir -p "$SDIR"
  LIMIT=$(( (STRAPI_SIZE_MIB + 16) << 20 ))
  (
    cd "$ROOT/tests/strapi/v5"
    HOST=127.0.0.1 PORT="$SPORT" DATABASE_FILENAME="$SDIR/data.db" ITEST_PUBLIC_DIR="$SDIR/public" \
      ITEST_FULL_ACCESS_TOKEN="$TOKEN" ITEST_INFO_FILE="$SDIR/info.json" ITEST_WATCH_STDIN=0 \
      ITEST_UPLOAD_SIZE_LIMIT="$LIMIT" ITEST_MAX_FILE_SIZE="$LIMIT" \
      exec node start.js
  ) >"$WORK/strapi.log" 2>&1 &
  NODE_PID=$!
  wait_http "http://127.0.0.1:$SPORT/_health" "$NODE_PID" Strapi || { tail -n 40 "$WORK/strapi.log" >&2; exit 1; }
  SV="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["strapiVersion"])' "$SDIR/info.json")"
  log "strapi: $SV on 127.0.0.1:$SPORT (load $(load))"
  T=(cargo bench --quiet --bench transfer --features sync --)
  {
    echo "### Strapi $SV (the bundled test app, SQLite, on loopback)"
    echo
    ran
    echo "Load average before: $(load)."
    echo
    "${T[@]}" batch --base "http://127.0.0.1:$SPORT" --token "$TOKEN" --dir "$DIR" --rounds "$ROUNDS" --files "$FILES" || fail batch
    echo
    echo "Load average before: $(load)."
    echo
    "${T[@]}" list --base "http://127.0.0.1:$SPORT" --token "$TOKEN" --dir "$DIR" --rounds "$ROUNDS" --entries "$ENTRIES" ${PY:+--python "$PY"} || fail list
    echo
    echo "Load average before: $(load)."
    echo
    "${T[@]}" files --base "http://127.0.0.1:$SPORT" --token "$TOKEN" --dir "$DIR" --www "$SDIR/public" \
      --size-mib "$STRAPI_SIZE_MIB" --rounds "$ROUNDS" --cleanup-media --label "Strapi $SV" || fail strapi-files
    echo
  } >>"$RESULTS"
fi

# ---------------------------------------------------------------------------------------
# The `strapi-kit` binary (feature `cli`) against curl, on a Strapi 5 of its own: see
# benches/cli.sh.
if [[ " $PARTS " == *" cli "* ]]; then
  { BENCH_ROUNDS="$ROUNDS" BENCH_FILES="$FILES" bash "$ROOT/benches/cli.sh" || fail cli; echo; } >>"$RESULTS"
fi

# ---------------------------------------------------------------------------------------
# Into BENCHMARKS.md, between the markers (the notes outside them are kept). The results
# are one section per part (`### CPU…`, `### Big file…`, `### Strapi…`, `### CLI…`): the parts run now
# replace theirs; the other parts' sections are kept as they were.
python3 - "$OUT" "$RESULTS" "$PARTS" <<'EOF'
import re, sys
out, results, parts = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3].split()
begin, end = "<!-- results:begin (benches/run.sh writes this part) -->", "<!-- results:end -->"
try:
    doc = open(out).read()
except FileNotFoundError:
    doc = "# Benchmarks\n\n" + begin + "\n" + end + "\n"
if begin not in doc or end not in doc:
    doc += "\n" + begin + "\n" + end + "\n"
head, rest = doc.split(begin, 1)
old, tail = rest.split(end, 1)
HEADINGS = {"cpu": "### CPU paths", "files": "### Big file", "strapi": "### Strapi", "cli": "### CLI"}

def split(text):
    """The text before the first `### ` heading, and the sections by part (others by heading)."""
    chunks = re.split(r"(?m)^(?=### )", text.strip())
    preamble = "" if chunks[0].startswith("### ") else chunks.pop(0).strip()
    sections = {}
    for c in chunks:
        part = next((p for p, h in HEADINGS.items() if c.startswith(h)), c.split("\n", 1)[0])
        sections[part] = c.strip()
    return preamble, sections

_, old_sections = split(old)
new_preamble, new_sections = split(results)
merged = dict(old_sections)
for p in parts:
    merged.pop(p, None)
merged.update(new_sections)
order = [p for p in HEADINGS if p in merged] + [k for k in merged if k not in HEADINGS]
body = "\n\n".join([new_preamble] + [merged[k] for k in order])
open(out, "w").write(head + begin + "\n\n" + body.strip() + "\n\n" + end + tail)
EOF
log "results written to $OUT"
if [ -n "$FAILED" ]; then log "failed parts:$FAILED"; exit 1; fi
