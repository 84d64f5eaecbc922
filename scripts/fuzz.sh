#!/usr/bin/env bash
# Configure and build the `fuzz` preset (clang, libFuzzer, ASan + UBSan), then run every fuzz target
# of tests/fuzz for SECONDS_PER_TARGET seconds (default 60) on a scratch copy of its checked-in
# corpus and regression inputs, with its dictionary. Prints one line per target; exits 1 if any
# target found a crash, a leak, a timeout or a property violation (artifacts are kept, see below).
#
#   scripts/fuzz.sh            # 60 s per target
#   scripts/fuzz.sh 3600       # an hour per target
#
# Environment: PITH_FUZZ_TARGETS="json merge" runs only those; PITH_FUZZ_BUILD_DIR=DIR uses an
# already built fuzz tree in DIR instead of configuring and building the preset.
# Scratch corpora, logs and crash artifacts: BUILD/fuzz-runs/<target>/{corpus,artifacts,log}.
# A crash input becomes a regression test once fixed: copy it to tests/fuzz/regressions/<target>/.
set -uo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
targets=${PITH_FUZZ_TARGETS:-json event bundle merge jsonl stored}

if [ -n "${PITH_FUZZ_BUILD_DIR:-}" ]; then
  build=$PITH_FUZZ_BUILD_DIR
else
  build=$root/build/fuzz
  (cd "$root" && cmake --preset fuzz >/dev/null && cmake --build --preset fuzz --target pith_fuzzers) || {
    echo "fuzz: configure or build failed" >&2
    exit 2
  }
fi

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=0
for t in $targets; do
  exe=$build/tests/fuzz/fuzz_$t
  if [ ! -x "$exe" ]; then
    echo "fuzz_$t: no binary at $exe" >&2
    failed=1
    continue
  fi
  run=$build/fuzz-runs/$t
  dict=events.dict  # one dictionary for every target of event documents
  [ "$t" = json ] && dict=json.dict
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp -R "$root/tests/fuzz/corpus/$t/." "$run/corpus/"
  if [ -d "$root/tests/fuzz/regressions/$t" ]; then
    find "$root/tests/fuzz/regressions/$t" -type f ! -name '.*' -exec cp {} "$run/corpus/" \;
  fi
  seeds=$(find "$run/corpus" -type f | wc -l)
  # The .jsonl reader reports every bad line on stderr (pith-merge: error: ...); keep it out of the log.
  "$exe" "$run/corpus" \
    -dict="$root/tests/fuzz/$dict" \
    -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$run/artifacts/" 2>&1 | grep -av '^pith-merge: error: ' > "$run/log"
  rc=${PIPESTATUS[0]}
  execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$run/log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec:/ {print $2}' "$run/log" | tail -1)
  corpus=$(find "$run/corpus" -type f | wc -l)
  artifacts=$(find "$run/artifacts" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ "$artifacts" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc; $artifacts artifact(s) in $run/artifacts; log $run/log)"
    failed=1
  fi
  printf 'fuzz_%-7s %4ss  execs=%-10s exec/s=%-7s corpus=%s->%s  %s\n' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$seeds" "$corpus" "$result"
done
exit $failed
