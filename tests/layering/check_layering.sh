#!/usr/bin/env bash
# Proves the Bazel visibility rules (see //:BUILD and
# docs/decisions/0011-names-and-validation.md) turn a forbidden dependency
# into a build error: each forbidden probe must fail analysis with a
# visibility error naming its dependency, and each allowed probe (the
# controls, which show the probes are otherwise sound) must pass. Analysis
# only (--nobuild), on the warm Bazel server: a few seconds.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

# probe target | the dependency it declares | expected: forbidden or allowed
PROBES=(
  "//clients/layering_probe:engine|//core/engine:engine|forbidden"
  "//clients/layering_probe:model|//core/model:account_state|forbidden"
  "//clients/layering_probe:api|//api:validation|allowed"
  "//plugins/layering_probe:store|//core/store:store|forbidden"
  "//plugins/layering_probe:core_protos|//proto:retain_cc_grpc|forbidden"
  "//plugins/layering_probe:api|//api:names|forbidden"
  "//plugins/layering_probe:sdk|//plugins/sdk:sdk|allowed"
  "//core/reports/layering_probe:engine|//core/engine:engine|forbidden"
  "//core/reports/layering_probe:health|//core/health:health|allowed"
)

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for row in "${PROBES[@]}"; do
  IFS='|' read -r probe dep expected <<<"$row"
  bazel build --nobuild "$probe" >"$log" 2>&1
  rc=$?
  if [ "$expected" = forbidden ]; then
    if [ "$rc" -ne 0 ] &&
       grep -qF "target '$dep' is not visible from target '$probe'" "$log"; then
      echo "PASS: $probe -> $dep is refused"
      passed=$((passed + 1))
    else
      echo "FAIL: $probe -> $dep should be refused as not visible (exit $rc)"
      grep -E 'ERROR' "$log" | head -n 5
      failed=$((failed + 1))
    fi
  else
    if [ "$rc" -eq 0 ]; then
      echo "PASS: $probe -> $dep is allowed"
      passed=$((passed + 1))
    else
      echo "FAIL: $probe -> $dep should be allowed (exit $rc)"
      grep -E 'ERROR' "$log" | head -n 5
      failed=$((failed + 1))
    fi
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
