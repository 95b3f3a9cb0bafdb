#!/usr/bin/env bash
# Generates the Python messages (+ .pyi type stubs) and gRPC stubs for every
# .proto under proto/ (and plugins/*/proto when present) into
# clients/python/gen/, which mirrors the proto tree: `retain/account/v1/
# account_pb2.py` imports `retain.account.v1...` as protoc expects.
# Generated code is never committed; run_tests.sh calls this first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  cat <<'EOF'
Usage: clients/python/gen.sh [--proto-root DIR]... [--out DIR]

Generates Python messages, .pyi stubs and gRPC stubs for every .proto under
proto/ and plugins/*/proto, and under each extra root.

  --proto-root DIR  another tree of .proto files, e.g. an out-of-tree
                    plugin's; its files are named relative to DIR (a file
                    DIR/acme/v1/acme.proto becomes acme/v1/acme_pb2.py) and
                    may import Retain's protos and google/protobuf/*.
                    Repeatable. RETAIN_PROTO_ROOTS (colon-separated) adds
                    more.
  --out DIR         where to write (default clients/python/gen, which the
                    `retain` package already puts on its path); emptied
                    first.
EOF
}

out="$here/gen"
extra_roots=()
if [ -n "${RETAIN_PROTO_ROOTS:-}" ]; then
  IFS=: read -r -a extra_roots <<<"$RETAIN_PROTO_ROOTS"
fi
while (($#)); do
  case "$1" in
    --proto-root) [ $# -ge 2 ] || { usage >&2; exit 2; }; extra_roots+=("$2"); shift 2 ;;
    --proto-root=*) extra_roots+=("${1#*=}"); shift ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gen: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for d in "${extra_roots[@]}"; do
  [ -d "$d" ] || { echo "gen: --proto-root $d: not a directory" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

gen_tree() {  # gen_tree <proto root>: every .proto below it
  local proto_root="$1"
  local files
  mapfile -t files < <(cd "$proto_root" && find . -name '*.proto' | sed 's#^\./##' | sort)
  ((${#files[@]})) || return 0
  (cd "$proto_root" && protoc -I . -I "$root/proto" -I /usr/include \
    --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
    --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin "${files[@]}")
  echo "gen: ${#files[@]} proto file(s) from ${proto_root#"$root"/}"
}

gen_tree "$root/proto"
for d in "$root"/plugins/*/proto; do
  [ -d "$d" ] && gen_tree "$d"
done
for d in "${extra_roots[@]}"; do
  gen_tree "$(cd "$d" && pwd)"
done
# Python 3 namespace packages need no __init__.py; src/retain/__init__.py
# extends its __path__ over gen/retain so `import retain` sees both.
exit 0
