#!/usr/bin/env bash
# The main job on real data: the pith numbers of the seed records and the real seed bundle.
# Usage: scripts/main-job.sh PATH/TO/pith-merge
set -euo pipefail
bin=${1:?usage: main-job.sh PATH/TO/pith-merge}
here=$(cd "$(dirname "$0")/.." && pwd)
seeds="$here/tests/data/seeds"
echo "== pith numbers of the seed records"
"$bin" number "$seeds"/00*.txt
