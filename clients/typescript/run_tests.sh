#!/usr/bin/env bash
# Generates the TypeScript client from proto/, type-checks it and runs its
# end-to-end tests (node's test runner through tsx) against a real retaind
# ($RETAIND_BIN, default bazel-bin/core/server/retaind). Needs `npm ci` here
# (scripts/setup.sh runs it), node >= 20, protoc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export RETAIND_BIN="${RETAIND_BIN:-$root/bazel-bin/core/server/retaind}"
export npm_config_nodedir=  # silences npm's "unknown user config" warning
if [ ! -d "$here/node_modules" ]; then
  echo "typescript client: node_modules missing; run scripts/setup.sh (npm ci in clients/typescript)" >&2
  exit 2
fi
if [ ! -x "$RETAIND_BIN" ]; then
  echo "typescript client: building //core/server:retaind" >&2
  (cd "$root" && bazel build //core/server:retaind)
fi
# The bundled plugins, for the plugin tests (--plugins=<dir>/<name>/lib<name>.so),
# and the template plugin for the out-of-tree stub test.
export RETAIN_PLUGIN_DIR="${RETAIN_PLUGIN_DIR:-$root/bazel-bin/plugins}"
for p in onboarding/libonboarding expansion/libexpansion advocacy/libadvocacy voc/libvoc playbooks/libplaybooks template/libnotes; do
  if [ ! -f "$RETAIN_PLUGIN_DIR/$p.so" ]; then
    echo "typescript client: building //plugins:bundled //plugins/template:libnotes.so" >&2
    (cd "$root" && bazel build //plugins:bundled //plugins/template:libnotes.so)
    break
  fi
done
cd "$here"
./gen.sh
echo "typescript client: tsc --noEmit"
node_modules/.bin/tsc --noEmit -p tsconfig.json
# scripts/test.sh counts the cases from JUnit XML when it sets $JUNIT_XML.
junit=()
[ -n "${JUNIT_XML:-}" ] && junit=(--test-reporter=junit --test-reporter-destination="$JUNIT_XML")
exec node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
  "${junit[@]}" "$@" test/*.test.ts
