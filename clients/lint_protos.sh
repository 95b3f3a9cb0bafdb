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
# Every plugin proto directory is linted, even one not yet listed in
# buf.yaml: missing modules are added to a temporary copy of the config.
config=buf.yaml
extra=()
for d in plugins/*/proto; do
  [ -d "$d" ] || continue
  grep -q -- "- path: $d\$" buf.yaml || extra+=("$d")
done
if ((${#extra[@]})); then
  echo "lint_protos: also linting ${extra[*]} (not yet listed in buf.yaml)"
  config="$(mktemp --suffix=.yaml)"
  trap 'rm -f "$config"' EXIT
  awk -v extra="${extra[*]}" '
    { print }
    /^modules:/ { n = split(extra, e, " "); for (i = 1; i <= n; i++) print "  - path: " e[i] }
  ' buf.yaml >"$config"
fi
echo "lint_protos: buf lint ($("$BUF" --version 2>/dev/null)) over the modules in buf.yaml"
if "$BUF" lint --config "$config"; then
  echo "lint_protos: 1 passed, 0 failed"
else
  rc=$?
  echo "lint_protos: 0 passed, 1 failed (buf lint exit $rc)"
  exit "$rc"
fi
