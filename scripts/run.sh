#!/usr/bin/env bash
# Builds and starts retaind on its embedded store (./retain-data) with the
# bundled plugins and, on first start, a demo portfolio. Extra arguments go to
# retaind, e.g. scripts/run.sh --demo=false --port=7443.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build //core/server:retaind //plugins:bundled //clients/cli:retainctl
bin=$(bazel info bazel-bin 2>/dev/null)
# The bundled plugins, each built in its own package.
exec_root=$(bazel info execution_root 2>/dev/null)
plugins=$(bazel cquery //plugins:bundled --output=starlark \
  --starlark:expr="'\\n'.join([f.path for f in target.files.to_list()])" 2>/dev/null |
  sed "s|^|$exec_root/|" | paste -sd, -)
plugin_flags=()
[ -n "$plugins" ] && plugin_flags+=("--plugins=$plugins")
echo "retaind: listening on 127.0.0.1:${RETAIN_PORT:-7443}; stop with Ctrl-C"
echo "retaind: every call needs an API key; the first operator key is written to"
echo "  retain-data/operator.key on the first start:  export RETAIN_TOKEN=\$(cat retain-data/operator.key)"
exec "$bin/core/server/retaind" --data_dir="$PWD/retain-data" \
  --port="${RETAIN_PORT:-7443}" "${plugin_flags[@]}" "$@"
