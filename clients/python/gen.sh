#!/usr/bin/env bash
# Generates the Python messages (+ .pyi type stubs) and gRPC stubs for every
# .proto under proto/ (and plugins/*/proto when present) into
# clients/python/gen/, which mirrors the proto tree: `retain/account/v1/
# account_pb2.py` imports `retain.account.v1...` as protoc expects.
# Generated code is never committed; run_tests.sh calls this first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/gen"
rm -rf "$out"
mkdir -p "$out"

gen_tree() {  # gen_tree <proto root>: every .proto below it
  local proto_root="$1"
  local files
  mapfile -t files < <(cd "$proto_root" && find . -name '*.proto' | sed 's#^\./##' | sort)
  ((${#files[@]})) || return 0
  (cd "$proto_root" && protoc -I . -I "$root/proto" -I /usr/include \
    --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
    --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin "${files[@]}")
  echo "gen: ${#files[@]} proto file(s) from ${proto_root#$root/}"
}

gen_tree "$root/proto"
for d in "$root"/plugins/*/proto; do
  [ -d "$d" ] && gen_tree "$d"
done
# Python 3 namespace packages need no __init__.py; src/retain/__init__.py
# extends its __path__ over gen/retain so `import retain` sees both.
exit 0
