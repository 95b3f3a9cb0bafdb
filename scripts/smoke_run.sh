#!/usr/bin/env bash
# Checks the README's first command: scripts/run.sh starts retaind with the
# demo portfolio and the five bundled plugins, and retainctl reaches it.
# (Port 0 and a temporary store, so it never collides with a running server.)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
scripts/run.sh --port=0 --port_file="$work/port" --data_dir="$work/data" \
  >"$work/run.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ -s "$work/port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/run.log"; echo "smoke_run: run.sh exited"; exit 1; }
  sleep 0.5
done
[ -s "$work/port" ] || { tail -20 "$work/run.log"; echo "smoke_run: retaind did not start"; exit 1; }
# Authentication is on: retainctl uses the first operator key, as the README says.
RETAIN_TOKEN=$(cat "$work/data/operator.key")
export RETAIN_TOKEN
ctl="$(bazel info bazel-bin 2>/dev/null)/clients/cli/retainctl --server 127.0.0.1:$(cat "$work/port")"
passed=0
failed=0
check() {  # name, command...
  local name=$1; shift
  if out=$("$@" 2>&1); then
    echo "ok    $name"; passed=$((passed + 1))
  else
    echo "FAIL  $name: $out"; failed=$((failed + 1))
  fi
}
ready=$($ctl plugins list -o json | grep -o 'PLUGIN_STATE_READY' | wc -l)
check "five bundled plugins ready (got $ready)" test "$ready" -eq 5
check "demo portfolio loaded" bash -c "$ctl accounts list -o json | grep -q demo-03"
check "explained health" bash -c "$ctl health demo-03 | grep -q engagement"
# demo-00 signed 60 days ago: the onboarding plugin started its plan.
check "onboarding section and health component on the account report" \
  bash -c "$ctl health demo-00 -o json | grep -q '\"source\":\"onboarding\"'"
check "a plugin's own verbs" bash -c "$ctl milestones show demo-00 | grep -qi kickoff"
check "portfolio report" bash -c "$ctl report portfolio | grep -q NRR"
# Server reflection knows the bundled plugins' schemas, so buf curl (as the
# README shows it) reaches a plugin method without --schema.
export npm_config_nodedir=  # npm's wrapper warns about this user config
bufcurl="clients/typescript/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge"
server="http://127.0.0.1:$(cat "$work/port")"
check "reflection lists a bundled plugin's methods" bash -c \
  "$bufcurl --list-methods $server | grep -qx retain.plugins.onboarding.v1.OnboardingService/GetPlan"
check "buf curl calls a plugin method without --schema" bash -c \
  "$bufcurl -H 'authorization: Bearer $RETAIN_TOKEN' -d '{\"account_id\":\"demo-00\"}' \
   $server/retain.plugins.onboarding.v1.OnboardingService/GetPlan | grep -qi kickoff"
echo "smoke_run: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
