#!/usr/bin/env bash
# Runs Retain's whole test suite: every Bazel test (unit, integration against
# a real retaind, plugins, CLI), the layering check (forbidden dependencies
# fail to build), then the Python and TypeScript clients end to end, buf
# lint, and the HTML report in headless Chromium. Ends with one line
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

# Counts a suite's own results from its runner's closing lines (a plain
# "N passed, N failed", node's "ℹ pass N"/"ℹ fail N", pytest's summary);
# a suite that printed none counts as one test. A non-zero exit always
# counts as a failure.
count_suite() {  # log, exit status -> "passed failed"
  local log=$1 rc=$2 p f
  if line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1) && [ -n "$line" ]; then
    p=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    f=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
  elif grep -qE '^ℹ pass [0-9]+' "$log"; then
    p=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
    f=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
  elif line=$(grep -E '^=+ .*[0-9]+ (passed|failed)' "$log" | tail -n 1) && [ -n "$line" ]; then
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    f=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$line" | awk '{n += $1} END {print n + 0}')
  else
    p=1; f=0
    [ "$rc" -ne 0 ] && { p=0; f=1; }
  fi
  [ -z "$f" ] && f=0
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  echo "$p $f"
}

for suite in tests/layering/check_layering.sh \
             clients/python/run_tests.sh clients/typescript/run_tests.sh \
             clients/lint_protos.sh clients/check_html_report.sh \
             scripts/smoke_run.sh; do
  [ -f "$suite" ] || continue
  echo "== $suite"
  bash "$suite" 2>&1 | tee "$log_dir/suite.log"
  rc=${PIPESTATUS[0]}
  read -r p f < <(count_suite "$log_dir/suite.log" "$rc")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then failures+=("$suite"); fi
done

rm -rf "$log_dir"
if ((${#failures[@]})); then
  printf 'failed suite: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
