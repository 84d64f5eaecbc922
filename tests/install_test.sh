#!/bin/sh
# cmake --install the build into a scratch prefix, build tools/example against the installed
# package with find_package(pithmerge), run it on the seed bundle and check the state it reads.
set -eu
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tools/example" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/store_example" "$work/db" "$source_dir/tests/data/seeds/001_2e83a30e9a2c9dc7.txt")
echo "$out"
echo "$out" | grep -q "state_sha256 714b945c9109b8481bc60f82bc23a6ea3b8d03f430b52e10c2326cdb229af968"
echo "$out" | grep -q "added 2, duplicates 0, log entries 2"
