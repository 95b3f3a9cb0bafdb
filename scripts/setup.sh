#!/usr/bin/env bash
# Installs everything Retain needs to build, run and test on Debian 12.
# Idempotent: a second run installs nothing new. Needs root (or sudo) for
# apt-get; the npm packages of the TypeScript client go under clients/.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  # Build: Bazel from Debian, every dependency a system library.
  bazel-bootstrap bazel-rules-cc bazel-rules-java bazel-rules-proto
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev libgtest-dev googletest libgmock-dev libboost-dev
  libboost-filesystem-dev libboost-system-dev pkg-config libsqlite3-dev
  nlohmann-json3-dev libcli11-dev libssl-dev prometheus-cpp-dev g++ git
  # Out-of-tree plugin builds (retainctl plugins new writes a Makefile).
  make
  # TLS test certificates (tests/support/make_certs.sh).
  openssl
  # Clients and their tests.
  python3 python3-grpcio python3-protobuf python3-pytest
  chromium
)

# Node.js may come from elsewhere (a newer build); use Debian's only if absent.
command -v node >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(npm)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# TypeScript client tooling, at the versions package-lock.json pins.
# `npm install --no-save` rather than `npm ci`: the lock records only this
# platform's optional packages (the registry here does not list the others),
# which `npm ci` rejects as out of sync.
if [ -f clients/typescript/package.json ]; then
  (cd clients/typescript && npm install --no-save --no-audit --no-fund --loglevel=error)
fi
echo "setup: done"
