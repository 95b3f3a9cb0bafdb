#!/usr/bin/env sh
# Generates TypeScript messages and service descriptors (@bufbuild/protoc-gen-es
# v2, one *_pb.ts per .proto) from proto/ (and plugins/*/proto when present)
# into src/gen/, with the system protoc. Never committed; run_tests.sh calls it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  cat <<'EOF'
Usage: clients/typescript/gen.sh [--proto-root DIR]... [--out DIR]

Generates TypeScript (protoc-gen-es) for every .proto under proto/ and
plugins/*/proto, and under each extra root.

  --proto-root DIR  another tree of .proto files, e.g. an out-of-tree
                    plugin's; its files are named relative to DIR (a file
                    DIR/acme/v1/acme.proto becomes acme/v1/acme_pb.ts) and
                    may import Retain's protos and google/protobuf/*.
                    Repeatable. RETAIN_PROTO_ROOTS (colon-separated) adds
                    more.
  --out DIR         where to write (default clients/typescript/src/gen);
                    emptied first. Keep it inside a package that depends on
                    @bufbuild/protobuf, which the generated files import.
EOF
}

out="$here/src/gen"
extra_roots="${RETAIN_PROTO_ROOTS:-}"
add_root() {
  if [ ! -d "$1" ]; then
    echo "gen: --proto-root $1: not a directory" >&2
    exit 2
  fi
  extra_roots="${extra_roots:+$extra_roots:}$(cd "$1" && pwd)"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --proto-root) [ $# -ge 2 ] || { usage >&2; exit 2; }; add_root "$2"; shift 2 ;;
    --proto-root=*) add_root "${1#*=}"; shift ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gen: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
plugin="$here/node_modules/.bin/protoc-gen-es"
if [ ! -x "$plugin" ]; then
  echo "gen: $plugin missing; run npm ci in clients/typescript (scripts/setup.sh does)" >&2
  exit 2
fi
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
gen_tree() {
  files="$(cd "$1" && find . -name '*.proto' | sed 's#^\./##' | sort)"
  [ -n "$files" ] || return 0
  # shellcheck disable=SC2086
  (cd "$1" && protoc -I . -I "$root/proto" -I /usr/include \
    --plugin=protoc-gen-es="$plugin" --es_out="$out" \
    --es_opt=target=ts,import_extension=js $files)
  echo "gen: $(echo "$files" | wc -l) proto file(s) from ${1#"$root"/}"
}
gen_tree "$root/proto"
for d in "$root"/plugins/*/proto; do
  if [ -d "$d" ]; then gen_tree "$d"; fi
done
# Split on colons only for the extra roots.
old_ifs="$IFS"
IFS=:
for d in $extra_roots; do
  IFS="$old_ifs"
  gen_tree "$(cd "$d" && pwd)"
done
IFS="$old_ifs"
