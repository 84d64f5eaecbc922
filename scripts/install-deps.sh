#!/usr/bin/env bash
# Installs what pith-merge needs to build and test (and clang with its sanitizer runtimes for the
# fuzz targets), from Debian 12's packages. Run as root.
# Skips apt entirely when everything is already installed.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  librocksdb-dev libsodium-dev rapidjson-dev libboost-graph-dev libgtest-dev
  libcli11-dev libbenchmark-dev libssl-dev
  python3 python3-nacl
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
