#!/usr/bin/env bash
# The main job on real data: verify the real signed seed bundle, ingest it into the embedded
# RocksDB store, read its state back, check the store, and print the seed records' pith numbers.
# Usage: scripts/main-job.sh PATH/TO/pith-merge [STORE_DIR]
set -euo pipefail
bin=${1:?usage: main-job.sh PATH/TO/pith-merge [STORE_DIR]}
here=$(cd "$(dirname "$0")/.." && pwd)
seeds="$here/tests/data/seeds"
db=${2:-$(mktemp -d)/pith-db}
bundle="$seeds/001_2e83a30e9a2c9dc7.txt"
subject=pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W

echo "== verify the real seed bundle (hashes, 4 signatures, recomputed state)"
"$bin" verify "$bundle"
echo "== ingest it into the RocksDB store at $db"
"$bin" ingest --db "$db" "$bundle"
echo "== the stored subject's log and cached state_sha256 (the bundle's is 714b945c...)"
"$bin" log --db "$db" "$subject"
"$bin" state --db "$db" "$subject" | "$bin" canon - >/dev/null
"$bin" replay --db "$db" --check "$subject" | grep -o '"state_sha256":"[0-9a-f]*"'
echo "== check the store (re-hash, re-verify, recompute)"
"$bin" check --db "$db"
echo "== pith numbers of the seed records"
"$bin" number "$seeds"/00*.txt
