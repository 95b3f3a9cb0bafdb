#!/usr/bin/env bash
# Renders the HTML portfolio report of a real retaind (demo portfolio) with
# retainctl and checks it in headless Chromium: self-contained (no network,
# no scripts) and every chart present, visible and non-empty.
# Needs: retaind and retainctl ($RETAIND_BIN / $RETAINCTL_BIN, default
# bazel-bin/...; built with bazel if missing), Debian chromium, and
# `npm ci` in clients/typescript (playwright-core). Exits non-zero on failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
RETAIND_BIN="${RETAIND_BIN:-$root/bazel-bin/core/server/retaind}"
RETAINCTL_BIN="${RETAINCTL_BIN:-$root/bazel-bin/clients/cli/retainctl}"
if [ ! -x "$RETAIND_BIN" ] || [ ! -x "$RETAINCTL_BIN" ]; then
  echo "check_html_report: building retaind and retainctl" >&2
  (cd "$root" && bazel build //core/server:retaind //clients/cli:retainctl)
fi
if [ ! -d "$root/clients/typescript/node_modules/playwright-core" ]; then
  echo "check_html_report: playwright-core missing; run scripts/setup.sh (npm ci in clients/typescript)" >&2
  exit 2
fi
command -v "${CHROMIUM_BIN:-chromium}" >/dev/null || { echo "check_html_report: chromium missing (apt-get install chromium)" >&2; exit 2; }

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/data"
"$RETAIND_BIN" --port=0 --port_file="$work/port" --data_dir="$work/data" --demo=true --auth=off >"$work/retaind.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/retaind.log"; echo "check_html_report: retaind exited"; exit 1; }
  sleep 0.1
done
[ -s "$work/port" ] || { cat "$work/retaind.log"; echo "check_html_report: retaind did not start"; exit 1; }
server="127.0.0.1:$(cat "$work/port")"

report="${REPORT_OUT:-$work/portfolio.html}"
"$RETAINCTL_BIN" --server "$server" report portfolio --html "$report" >/dev/null
echo "check_html_report: $(wc -c <"$report") bytes of HTML from retaind at $server"
NODE_PATH="$root/clients/typescript/node_modules" node "$root/clients/html/check_report.cjs" \
  "$report" "${SCREENSHOT_OUT:-$work/portfolio.png}"
