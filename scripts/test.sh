#!/usr/bin/env bash
# Runs Retain's whole test suite: every Bazel test (unit, integration against
# a real retaind, plugins, CLI), then the Python and TypeScript clients end to
# end, buf lint, and the HTML report in headless Chromium. Ends with one line
# "N passed, N failed" and a non-zero exit status if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
log_dir=$(mktemp -d)

echo "== bazel test //..."
bazel test //... --test_output=errors --jobs="${RETAIN_BAZEL_JOBS:-2}" 2>&1 | tee "$log_dir/bazel.log"
bazel_rc=${PIPESTATUS[0]}
# Bazel's summary has one line per test target.
p=$(grep -cE '^//\S+\s+(\(cached\) )?PASSED' "$log_dir/bazel.log" || true)
f=$(grep -cE '^//\S+\s+(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FLAKY)' "$log_dir/bazel.log" || true)
passed=$((passed + p))
failed=$((failed + f))
if [ "$bazel_rc" -ne 0 ] && [ "$f" -eq 0 ]; then
  # A build failure fails the run even though no test reported.
  failed=$((failed + 1))
  failures+=("bazel build")
fi
grep -E '^//\S+\s+(FAILED|TIMEOUT|NO STATUS|FLAKY)' "$log_dir/bazel.log" | while read -r line; do echo "FAILED: $line"; done

# The clients' suites run against the retaind this build produced.
RETAIND_BIN="$(bazel info bazel-bin 2>/dev/null)/core/server/retaind"
export RETAIND_BIN
export RETAIN_PLUGIN_DIR="$(bazel info bazel-bin 2>/dev/null)/plugins"

for suite in clients/python/run_tests.sh clients/typescript/run_tests.sh \
             clients/lint_protos.sh clients/check_html_report.sh; do
  [ -f "$suite" ] || continue
  echo "== $suite"
  if bash "$suite"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$suite")
  fi
done

rm -rf "$log_dir"
if ((${#failures[@]})); then
  printf 'failed suite: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
