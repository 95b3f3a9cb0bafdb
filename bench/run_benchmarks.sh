#!/usr/bin/env bash
# Ingest benchmark, side by side with the no-op baseline on the same machine
# in the same run, reported as ratios. Optimised build; both servers are
# separate processes on loopback, fed by the same load client.
#   bench/run_benchmarks.sh [signals] [batch] [streams]
set -euo pipefail
cd "$(dirname "$0")/.."
signals=${1:-200000}
batch=${2:-100}
streams=${3:-4}
bazel build -c opt //bench:all //core/server:retaind >/dev/null 2>&1
bin=$(bazel info -c opt bazel-bin 2>/dev/null)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

wait_port() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

run_noop() {
  rm -f "$work/noop.port"
  "$bin/bench/noop_signal_server" --port_file="$work/noop.port" 2>/dev/null &
  local pid=$!
  wait_port "$work/noop.port"
  "$bin/bench/ingest_bench" --target="127.0.0.1:$(cat "$work/noop.port")" \
    --create_accounts=false --signals="$signals" --batch="$batch" \
    --streams="$streams" --mode="$1" --label="noop-$1"
  kill $pid; wait $pid 2>/dev/null || true
}

run_retaind() {
  local durability=$1 mode=$2
  rm -rf "$work/data" "$work/retaind.port"
  "$bin/core/server/retaind" --data_dir="$work/data" --port=0 \
    --port_file="$work/retaind.port" --demo=false \
    --durability="$durability" 2>"$work/retaind.log" &
  local pid=$!
  wait_port "$work/retaind.port"
  # Authentication is on, as in production: every call carries the key.
  "$bin/bench/ingest_bench" --target="127.0.0.1:$(cat "$work/retaind.port")" \
    --token="$(cat "$work/data/operator.key")" \
    --signals="$signals" --batch="$batch" --streams="$streams" \
    --mode="$mode" --label="retaind-$durability-$mode"
  kill -TERM $pid; wait $pid 2>/dev/null || true
  # Start-up replay of the log just written.
  "$bin/core/server/retaind" --data_dir="$work/data" --port=0 \
    --port_file="$work/retaind2.port" --demo=false 2>"$work/restart.log" &
  pid=$!
  wait_port "$work/retaind2.port"
  grep '"store loaded"' "$work/restart.log"
  kill -TERM $pid; wait $pid 2>/dev/null || true
  rm -f "$work/retaind2.port"
}

for mode in stream unary; do
  run_noop "$mode"
  run_retaind full "$mode"
  run_retaind normal "$mode"
done

# Health read cost against history size (no rescans of history).
rm -rf "$work/data" "$work/retaind.port"
"$bin/core/server/retaind" --data_dir="$work/data" --port=0 \
  --port_file="$work/retaind.port" --demo=false --durability=normal 2>/dev/null &
pid=$!
wait_port "$work/retaind.port"
"$bin/bench/report_bench" --target="127.0.0.1:$(cat "$work/retaind.port")" \
  --token="$(cat "$work/data/operator.key")"
kill -TERM $pid; wait $pid 2>/dev/null || true
