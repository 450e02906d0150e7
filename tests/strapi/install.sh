#!/usr/bin/env bash
# Installs the Strapi fixture apps used by the integration tests (see README.md).
#
#   tests/strapi/install.sh            # both apps (v5, then v4)
#   tests/strapi/install.sh v5         # only the listed apps
#
# Per app:
#   1. `npm ci --ignore-scripts` when node_modules is missing or was installed from
#      another package-lock.json (stamp = sha256 of package-lock.json, kept in
#      node_modules/.itest-install-stamp);
#   2. make better-sqlite3's native module exist: copy it from the other app or from
#      the per-user cache when the better-sqlite3 and Node versions match, else
#      `npm rebuild better-sqlite3` (a source build, ~1.5-2.5 min: no prebuilt binary
#      can be downloaded here) and store the result in the cache
#      (ITEST_NATIVE_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/strapi-kit-itest; 0 = off);
#   3. check that better-sqlite3 and sharp load.
# A second run with nothing to do takes about a second.
set -euo pipefail

case "${BASH_SOURCE[0]}" in
*/*) HERE="${BASH_SOURCE[0]%/*}" ;;
*) HERE=. ;;
esac
HERE="$(cd "$HERE" && pwd)"

die() {
  echo "install.sh: ERROR: $*" >&2
  exit 1
}
log() { echo "install.sh: $*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

command -v node >/dev/null 2>&1 || die "node not found on PATH: install Node.js 20+ (with npm) first"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH: install Node.js 20+ (with npm) first"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')" || die "node does not run: install Node.js 20+"
[ "$NODE_MAJOR" -ge 20 ] || die "Node.js $(node -v) is too old: install Node.js 20+"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (coreutils)"

# node-gyp: use the local Node headers instead of downloading them from nodejs.org.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=(v5 v4)
for app in "${APPS[@]}"; do
  [ -f "$HERE/$app/package-lock.json" ] || die "unknown app '$app' (expected v5 and/or v4)"
done

# One install at a time (parallel test processes may all call this script).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$HERE/.install.lock"
  flock 9
fi

T_ALL="$(now)"
log "node $(node -v), npm $(npm -v)"

BSQL_REL=node_modules/better-sqlite3/build/Release/better_sqlite3.node
NATIVE_CACHE="${ITEST_NATIVE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/strapi-kit-itest}"
NODE_KEY="$(node -p 'process.version + "-abi" + process.versions.modules + "-" + process.platform + "-" + process.arch')"

pkg_version() { # <app dir> <package>
  node -e 'try { console.log(require(process.argv[1] + "/node_modules/" + process.argv[2] + "/package.json").version) } catch { console.log("") }' "$1" "$2"
}

bsql_loads() { # <app dir>
  (cd "$1" && node -e 'const D = require("better-sqlite3"); const db = new D(":memory:"); db.prepare("select 1").get(); db.close()') >/dev/null 2>&1
}

run_logged() { # <log file> <command...>; prints the log tail on failure
  local logf="$1"
  shift
  if ! "$@" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "'$*' failed in $(pwd) (full log: $logf)"
  fi
}

ensure_modules() { # <app>
  local app="$1" dir="$HERE/$1"
  local want have=""
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  [ -f "$dir/node_modules/.itest-install-stamp" ] && have="$(cat "$dir/node_modules/.itest-install-stamp")"
  if [ -d "$dir/node_modules" ] && [ "$want" = "$have" ]; then
    log "$app: node_modules up to date"
    return
  fi
  local t
  t="$(now)"
  log "$app: npm ci --ignore-scripts (node_modules missing or stale) ..."
  (cd "$dir" && run_logged "$dir/.npm-ci.log" npm ci --ignore-scripts --no-audit --no-fund)
  rm -f "$dir/.npm-ci.log"
  echo "$want" >"$dir/node_modules/.itest-install-stamp"
  log "$app: npm ci done in $(elapsed "$t") s"
}

cache_file() { # <better-sqlite3 version>; empty when the cache is off
  [ "$NATIVE_CACHE" = 0 ] || echo "$NATIVE_CACHE/better_sqlite3-$1-node$NODE_KEY.node"
}

store_in_cache() { # <app dir> <better-sqlite3 version>; best effort
  local cached
  cached="$(cache_file "$2")"
  [ -n "$cached" ] && [ ! -f "$cached" ] || return 0
  if mkdir -p "$NATIVE_CACHE" 2>/dev/null && cp "$1/$BSQL_REL" "$cached.$$" 2>/dev/null &&
    mv "$cached.$$" "$cached"; then
    log "cached better-sqlite3's native module as $cached"
  fi
  return 0
}

ensure_better_sqlite3() { # <app>
  local app="$1" dir="$HERE/$1"
  local ver other t cached
  ver="$(pkg_version "$dir" better-sqlite3)"
  [ -n "$ver" ] || die "$app: better-sqlite3 is not installed"
  if bsql_loads "$dir"; then
    log "$app: better-sqlite3 $ver native module OK"
    store_in_cache "$dir" "$ver"
    return
  fi
  # Reuse the other app's build when it is the same version (same Node ABI: same node).
  for other in v5 v4; do
    [ "$other" != "$app" ] || continue
    if [ -f "$HERE/$other/$BSQL_REL" ] && [ "$(pkg_version "$HERE/$other" better-sqlite3)" = "$ver" ] &&
      bsql_loads "$HERE/$other"; then
      mkdir -p "$(dirname "$dir/$BSQL_REL")"
      cp "$HERE/$other/$BSQL_REL" "$dir/$BSQL_REL"
      if bsql_loads "$dir"; then
        log "$app: better-sqlite3 $ver native module copied from $other"
        return
      fi
    fi
  done
  cached="$(cache_file "$ver")"
  if [ -n "$cached" ]; then
    if [ -f "$cached" ]; then
      mkdir -p "$(dirname "$dir/$BSQL_REL")"
      cp "$cached" "$dir/$BSQL_REL"
      if bsql_loads "$dir"; then
        log "$app: better-sqlite3 $ver native module copied from $cached"
        return
      fi
      rm -f "$dir/$BSQL_REL"
    fi
  fi
  t="$(now)"
  log "$app: npm rebuild better-sqlite3 $ver (compiles SQLite from source, ~2 min) ..."
  (cd "$dir" && run_logged "$dir/.npm-rebuild.log" npm rebuild better-sqlite3)
  rm -f "$dir/.npm-rebuild.log"
  bsql_loads "$dir" || die "$app: better-sqlite3 still does not load after the rebuild"
  log "$app: better-sqlite3 rebuilt in $(elapsed "$t") s"
  store_in_cache "$dir" "$ver"
}

check_sharp() { # <app>
  local app="$1" dir="$HERE/$1" out
  # Resolve sharp the way the upload plugin does (v5: @strapi/upload, v4: @strapi/plugin-upload).
  if ! out="$(cd "$dir" && node -e '
    const path = require("path");
    const from = ["@strapi/upload", "@strapi/plugin-upload"]
      .map((p) => path.join(process.cwd(), "node_modules", p))
      .filter((p) => require("fs").existsSync(p));
    const sharp = require(require.resolve("sharp", { paths: from.length ? from : [process.cwd()] }));
    console.log(`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips})`);
  ' 2>&1)"; then
    echo "$out" >&2
    die "$app: sharp does not load (it should come prebuilt from the @img/sharp-* packages)"
  fi
  log "$app: $out OK"
}

for app in "${APPS[@]}"; do
  ensure_modules "$app"
  ensure_better_sqlite3 "$app"
  check_sharp "$app"
  log "$app: @strapi/strapi $(pkg_version "$HERE/$app" @strapi/strapi) ready"
done
log "all done in $(elapsed "$T_ALL") s"
