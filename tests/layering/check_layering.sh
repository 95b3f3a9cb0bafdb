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

# Whether a probe came out as expected: a forbidden one fails with a
# visibility error naming its dependency (not some other error), an allowed
# one builds.
as_expected() {  # probe, dependency, expected, bazel's exit status, log
  if [ "$3" = forbidden ]; then
    [ "$4" -ne 0 ] &&
      grep -qF "target '$2' is not visible from target '$1'" "$5"
  else
    [ "$4" -eq 0 ]
  fi
}

for row in "${PROBES[@]}"; do
  IFS='|' read -r probe dep expected <<<"$row"
  bazel build --nobuild "$probe" >"$log" 2>&1
  rc=$?
  if as_expected "$probe" "$dep" "$expected" "$rc" "$log"; then
    echo "PASS: $probe -> $dep is $expected"
    passed=$((passed + 1))
  else
    echo "FAIL: $probe -> $dep should be $expected (bazel exit $rc)"
    grep -E 'ERROR' "$log" | head -n 5
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
