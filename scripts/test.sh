#!/usr/bin/env bash
# Runs Retain's whole test suite: every Bazel test target (unit, integration
# against a real retaind, plugins, CLI, the runner's own test), the layering
# check (forbidden dependencies fail to build), then the Python and
# TypeScript clients end to end, buf lint, the HTML report in headless
# Chromium and the smoke test of scripts/run.sh.
#
# What is counted is test *cases*: gtest cases from each Bazel target's
# test.xml, pytest and node cases from their JUnit XML, and the checks of the
# other suites from their "N passed, N failed" line. scripts/lib/count_cases.py
# prints one row per suite and fails the run when a suite is missing, was not
# built or run, was skipped, executed no case, skipped every case, or ran
# fewer cases than its minimum in tests/minimum_cases.txt. If the build fails
# the client suites are not run (they would test stale binaries).
#
# C++ suites run with --gtest_shuffle: no test may depend on another's writes.
# Ends with one line "N passed, N failed" (cases) and a non-zero exit status
# if anything is wrong.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=/usr/bin/python3  # Debian's; the first python3 on PATH may be another
[ -x "$PYTHON" ] || PYTHON=python3
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
mkdir "$results/suites"

echo "== bazel query tests(//...)"
if ! bazel query 'tests(//...)' --output=label 2>"$results/query.err" | sort >"$results/targets"; then
  cat "$results/query.err"
  : >"$results/targets"
fi
# `bazel test //...` skips targets tagged manual; name them so they run too.
manual=$(bazel query 'attr(tags, "\bmanual\b", tests(//...))' --output=label 2>/dev/null || true)
echo "$(wc -l <"$results/targets") test targets${manual:+ (manual, run by name: $(echo $manual))}"

echo "== bazel test //..."
# shellcheck disable=SC2086  # $manual is a list of labels
bazel test //... $manual --jobs="${RETAIN_BAZEL_JOBS:-2}" --color=no --curses=no \
  --test_output=errors --test_arg=--gtest_shuffle 2>&1 | tee "$results/bazel.log"
bazel_rc=${PIPESTATUS[0]}
testlogs=$(bazel info bazel-testlogs 2>/dev/null)
bazel_bin=$(bazel info bazel-bin 2>/dev/null)

# name:script of each client suite, in order.
SUITES=(
  layering:tests/layering/check_layering.sh
  python:clients/python/run_tests.sh
  typescript:clients/typescript/run_tests.sh
  buf-lint:clients/lint_protos.sh
  html-report:clients/check_html_report.sh
  smoke-run:scripts/smoke_run.sh
)
suite_names=()
for entry in "${SUITES[@]}"; do suite_names+=("${entry%%:*}"); done

# Bazel exits 0 when every test passed and 3 when it built everything but a
# test failed; anything else means the binaries may be stale or missing.
if [ "$bazel_rc" -eq 0 ] || [ "$bazel_rc" -eq 3 ]; then
  # The clients' suites run against the retaind this build produced.
  export RETAIND_BIN="$bazel_bin/core/server/retaind"
  export RETAINCTL_BIN="$bazel_bin/clients/cli/retainctl"
  export RETAIN_PLUGIN_DIR="$bazel_bin/plugins"
  for entry in "${SUITES[@]}"; do
    name=${entry%%:*} script=${entry#*:}
    echo "== $name ($script)"
    if [ ! -f "$script" ]; then
      echo "$script" >"$results/suites/$name.missing"
      echo "missing: $script"
      continue
    fi
    # Suites that can write JUnit XML do so here; the others print
    # "N passed, N failed".
    JUNIT_XML="$results/suites/$name.xml" bash "$script" 2>&1 | tee "$results/suites/$name.log"
    echo "${PIPESTATUS[0]}" >"$results/suites/$name.rc"
  done
else
  echo "== the build failed (bazel exit $bazel_rc): client suites not run"
fi

echo "== cases per suite"
suite_args=()
for name in "${suite_names[@]}"; do suite_args+=(--suite "$name"); done
"$PYTHON" scripts/lib/count_cases.py \
  --minimums tests/minimum_cases.txt \
  --bazel-rc "$bazel_rc" --bazel-log "$results/bazel.log" \
  --bazel-targets "$results/targets" --bazel-testlogs "$testlogs" \
  --suites-dir "$results/suites" "${suite_args[@]}"
