#!/usr/bin/env sh
# Generates TypeScript messages and service descriptors (@bufbuild/protoc-gen-es
# v2, one *_pb.ts per .proto) from proto/ (and plugins/*/proto when present)
# into src/gen/, with the system protoc. Never committed; run_tests.sh calls it.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/src/gen"
rm -rf "$out"
mkdir -p "$out"
plugin="$here/node_modules/.bin/protoc-gen-es"
if [ ! -x "$plugin" ]; then
  echo "gen: $plugin missing; run npm ci in clients/typescript (scripts/setup.sh does)" >&2
  exit 2
fi
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
