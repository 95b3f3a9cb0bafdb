#!/usr/bin/env bash
# Builds and starts retaind on its embedded store (./retain-data) with the
# bundled plugins and, on first start, a demo portfolio. Extra arguments go to
# retaind, e.g. scripts/run.sh --demo=false --port=7443.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build //core/server:retaind //plugins:bundled 2>/dev/null || bazel build //core/server:retaind
bin=$(bazel info bazel-bin 2>/dev/null)
plugin_flags=()
if [ -d "$bin/plugins/bundled" ]; then
  plugin_flags+=("--plugin_dir=$bin/plugins/bundled")
fi
echo "retaind: listening on 127.0.0.1:${RETAIN_PORT:-7443}; stop with Ctrl-C"
exec "$bin/core/server/retaind" --data_dir="$PWD/retain-data" \
  --port="${RETAIN_PORT:-7443}" "${plugin_flags[@]}" "$@"
