#!/usr/bin/env bash
# Generates the Python client from proto/ and runs its end-to-end tests
# against a real retaind ($RETAIND_BIN, default bazel-bin/core/server/retaind,
# built by `bazel build //core/server:retaind` or `bazel test //...`).
# Needs Debian's python3-grpcio, python3-protobuf, python3-pytest,
# protobuf-compiler and protobuf-compiler-grpc; uses /usr/bin/python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export RETAIND_BIN="${RETAIND_BIN:-$root/bazel-bin/core/server/retaind}"
if [ ! -x "$RETAIND_BIN" ]; then
  echo "python client: building //core/server:retaind" >&2
  (cd "$root" && bazel build //core/server:retaind)
fi
# The bundled plugins, for the plugin tests (--plugins=<dir>/<name>/lib<name>.so),
# and the template plugin for the out-of-tree stub test.
export RETAIN_PLUGIN_DIR="${RETAIN_PLUGIN_DIR:-$root/bazel-bin/plugins}"
for p in onboarding/libonboarding expansion/libexpansion advocacy/libadvocacy voc/libvoc playbooks/libplaybooks template/libnotes; do
  if [ ! -f "$RETAIN_PLUGIN_DIR/$p.so" ]; then
    echo "python client: building //plugins:bundled //plugins/template:libnotes.so" >&2
    (cd "$root" && bazel build //plugins:bundled //plugins/template:libnotes.so)
    break
  fi
done
"$here/gen.sh"
cd "$here"
# scripts/test.sh counts the cases from JUnit XML when it sets $JUNIT_XML.
junit=()
[ -n "${JUNIT_XML:-}" ] && junit=(--junitxml="$JUNIT_XML")
exec /usr/bin/python3 -m pytest -p no:cacheprovider "${junit[@]}" "$@"
