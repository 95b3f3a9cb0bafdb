#!/usr/bin/env bash
# Makes throw-away TLS material for tests with the `openssl` command: EC P-256
# keys, valid for two days, never reused between runs. One script for every
# test (C++, Python, TypeScript), so all of them trust the same way.
#
#   make_certs.sh ca DIR NAME
#       DIR/NAME.pem (a CA certificate) and DIR/NAME.key.
#   make_certs.sh server DIR CA NAME
#       DIR/NAME.pem and DIR/NAME.key for "localhost" and 127.0.0.1 (DNS and
#       IP SANs), signed by DIR/CA.pem.
#   make_certs.sh client DIR CA NAME [URI...]
#       DIR/NAME.pem and DIR/NAME.key for client authentication, signed by
#       DIR/CA.pem, with each URI as a URI SAN (e.g.
#       retain://tenant/acme/role/writer).
#   make_certs.sh all DIR
#       ca, other-ca (a CA nobody trusts), server (signed by ca).
set -euo pipefail

usage() {
  sed -n '2,17p' "$0" >&2
  exit 2
}

new_key_and_csr() {  # DIR NAME SUBJECT
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1/$2.key" -out "$1/$2.csr" -subj "$3" 2>/dev/null
}

sign() {  # DIR CA NAME EXTENSIONS
  local ext="$1/$3.ext"
  printf '%s\n' "$4" >"$ext"
  openssl x509 -req -in "$1/$3.csr" -CA "$1/$2.pem" -CAkey "$1/$2.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 2 -sha256 \
    -extfile "$ext" -out "$1/$3.pem" 2>/dev/null
  rm -f "$1/$3.csr" "$ext"
}

make_ca() {  # DIR NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -sha256 \
    -subj "/CN=Retain test CA $2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_server() {  # DIR CA NAME
  new_key_and_csr "$1" "$3" "/CN=localhost"
  sign "$1" "$2" "$3" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
}

make_client() {  # DIR CA NAME [URI...]
  local dir=$1 ca=$2 name=$3
  shift 3
  local ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
  if (($#)); then
    local sans=()
    for uri in "$@"; do sans+=("URI:$uri"); done
    ext+=$'\n'"subjectAltName=$(IFS=,; echo "${sans[*]}")"
  fi
  new_key_and_csr "$dir" "$name" "/CN=$name"
  sign "$dir" "$ca" "$name" "$ext"
}

(($# >= 2)) || usage
cmd=$1 dir=$2
shift 2
mkdir -p "$dir"
case "$cmd" in
  ca) (($# == 1)) || usage; make_ca "$dir" "$1" ;;
  server) (($# == 2)) || usage; make_server "$dir" "$1" "$2" ;;
  client) (($# >= 2)) || usage; make_client "$dir" "$@" ;;
  all)
    make_ca "$dir" ca
    make_ca "$dir" other-ca
    make_server "$dir" ca server
    ;;
  *) usage ;;
esac
