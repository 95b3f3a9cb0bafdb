#!/usr/bin/env bash
# Runs the runner's own tests with Debian's pytest; under Bazel the cases go
# to $XML_OUTPUT_FILE so they are counted one by one. Arguments (such as the
# --gtest_shuffle test.sh gives every target) are not for pytest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
xml=()
[ -n "${XML_OUTPUT_FILE:-}" ] && xml=(--junitxml="$XML_OUTPUT_FILE")
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "${xml[@]}" "$here/count_cases_test.py"
