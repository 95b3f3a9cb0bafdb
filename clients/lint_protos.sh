#!/usr/bin/env bash
# Lints every .proto of Retain with buf (npm @bufbuild/buf, installed by
# `npm ci` in clients/typescript, which scripts/setup.sh runs). The rules and
# their documented exceptions are in buf.yaml at the repository root.
# Exits non-zero (buf uses 100) when a proto breaks a rule.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=clients/typescript/node_modules/.bin/buf
if [ ! -x "$BUF" ]; then
  echo "lint_protos: $BUF missing; run scripts/setup.sh (npm ci in clients/typescript)" >&2
  exit 2
fi
# npm's wrapper warns about an unknown "nodedir" user config; not ours.
export npm_config_nodedir=
# Every plugin proto directory must be a module of buf.yaml, or it escapes lint.
for d in plugins/*/proto; do
  [ -d "$d" ] || continue
  if ! grep -q -- "- path: $d\$" buf.yaml; then
    echo "lint_protos: $d is not listed under modules in buf.yaml"
    echo "lint_protos: 0 passed, 1 failed"
    exit 1
  fi
done
echo "lint_protos: buf lint ($("$BUF" --version 2>/dev/null)) over the modules in buf.yaml"
if "$BUF" lint; then
  echo "lint_protos: 1 passed, 0 failed"
else
  rc=$?
  echo "lint_protos: 0 passed, 1 failed (buf lint exit $rc)"
  exit "$rc"
fi
