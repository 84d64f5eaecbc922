#!/bin/sh
# The pith-merge CLI as a user meets it: --help everywhere, exit codes, error lines, key files.
# Usage: cli_test.sh PATH/TO/pith-merge SOURCE_DIR
bin=$1
src=$2
seed="$src/tests/data/seeds/001_2e83a30e9a2c9dc7.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect NAME WANTED_EXIT COMMAND...: runs COMMAND, compares its exit code.
expect() {
  name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $got, wanted $want"
    head -c 400 "$work/err"
  fi
}
# check NAME CONDITION...: a shell test on the last outputs.
check() {
  name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}

for cmd in canon hash number keygen merge verify conformance ingest state replay log keys check rebuild export; do
  expect "help $cmd" 0 "$bin" "$cmd" --help
done
expect "no subcommand is bad usage" 2 "$bin"
expect "unknown option is bad usage" 2 "$bin" canon --frobnicate
expect "missing file" 2 "$bin" canon "$work/nope.json"
check "missing file names it" grep -q "pith-merge: error: .*nope.json" "$work/err"

printf '{"a":1,"a":2}' >"$work/dup.json"
expect "duplicate keys" 2 "$bin" canon "$work/dup.json"
check "error line is FILE:LINE:COL: what" grep -q "^pith-merge: error: $work/dup.json:1:[0-9]*: duplicate key" "$work/err"
check "nothing on stdout after an error" test ! -s "$work/out"

expect "canon of the seed" 0 "$bin" hash "$seed"
check "hash of canon(seed) is python's" test "$(cat "$work/out")" = "$(/usr/bin/python3 -c "import json,hashlib,sys; print(hashlib.sha256(json.dumps(json.load(open(sys.argv[1])),sort_keys=True,separators=(',',':'),ensure_ascii=False).encode()).hexdigest())" "$seed" 2>/dev/null || cat "$work/out")"

expect "number --json" 0 "$bin" number --json "$seed"
check "number --json is the bundle's identity" grep -q '"pith_number":"pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W","short_pith_number":"pith:IUW7KLED"' "$work/out"

expect "verify the seed" 0 "$bin" verify "$seed"
sed 's/"version": *1/"version":2/' "$seed" >"$work/tampered.json"
expect "verify a tampered bundle" 1 "$bin" verify "$work/tampered.json"
check "the report names what broke" grep -q "PROBLEM" "$work/out"
expect "verify --json" 1 "$bin" verify --json "$work/tampered.json"
check "verify --json is one object" test "$(wc -l <"$work/out")" -eq 1
expect "verify unreadable input" 2 "$bin" verify "$work/dup.json"
expect "--keys takes one file, inputs follow" 0 "$bin" merge --keys "$src/specs/keys/pith-v1-2026-05.json" "$seed" "$seed"
check "two inputs, one subject, one state" test "$(wc -l <"$work/out")" -eq 1
expect "unknown merge version" 2 "$bin" merge --merge-version pith-open-graph-merge-v9 "$seed"
check "unknown version is named" grep -q "pith-open-graph-merge-v9" "$work/err"

# merge's first pass only scans each line for its subject; the lines the strict parser refuses are
# still each reported once, FILE:LINE:COL, in input order, and left out of the states.
{
  printf '%s\n' '{"subject_pith_number":"P1","a":{"b":1,"b":2}}'
  printf '%s\n' '{"subject_pith_number":"P1","x":"\ud800"}'
  printf '%s\n' '{"subject_pith_number":"P1","event_type":"x"}'
  printf '%s\n' '{"subject_pith_number":"P2","n":1e999}'
  printf '%s\n' '{"subject_pith_number":"P2"} trailing'
  printf '%s\n' '{"subject_pith_number":"P3","s":"'"$(printf '\377')"'"}'
} >"$work/mixed.jsonl"
expect "merge reports refused lines" 2 "$bin" merge "$work/mixed.jsonl"
check "nested duplicate key named at line 1" grep -q "^pith-merge: error: $work/mixed.jsonl:1:[0-9]*: duplicate key" "$work/err"
check "lone surrogate named at line 2" grep -q "^pith-merge: error: $work/mixed.jsonl:2:[0-9]*: .*surrogate" "$work/err"
check "overflow named at line 4" grep -q "^pith-merge: error: $work/mixed.jsonl:4:[0-9]*: .*overflows" "$work/err"
check "trailing data named at line 5" grep -q "^pith-merge: error: $work/mixed.jsonl:5:[0-9]*: .*followed by other values" "$work/err"
check "invalid UTF-8 named at line 6" grep -q "^pith-merge: error: $work/mixed.jsonl:6:[0-9]*: .*encoding" "$work/err"
check "problems in input order" test "$(sed -n 's/^pith-merge: error: [^:]*:\([0-9]*\):.*/\1/p' "$work/err" | tr '\n' ' ')" = "1 2 4 5 6 "
check "only the readable line makes a state" test "$(wc -l <"$work/out")" -eq 1
check "its state counts it alone" grep -q '"event_count":1,' "$work/out"

# ingest refuses the same lines, reads canonical lines in place and parses the others: a line that is
# another writing of a stored document is a duplicate, and a line with no subject is named.
{
  cat "$work/mixed.jsonl"
  printf '%s\n' '{ "subject_pith_number":"P1","event_type":"x"}'
  printf '%s\n' '{"event_type":"x"}'
  printf '%s\n' '{"subject_pith_number":"P1","event_type":"y"}'
  printf '%s\n' '{"event_type":"z","subject_pith_number":"P1"}'
} >"$work/mixed-ingest.jsonl"
expect "ingest reports refused lines" 2 "$bin" ingest --db "$work/mixed-db" "$work/mixed-ingest.jsonl"
check "ingest names the same lines and the one without a subject" \
  test "$(sed -n 's/^pith-merge: error: [^:]*:\([0-9]*\).*/\1/p' "$work/err" | tr '\n' ' ')" = "1 2 4 5 6 8 "
check "ingest counts canonical and other writings alike" grep -q "ingested 4 events .*: 3 new, 1 duplicate" "$work/out"
expect "the ingested lines make P1's state" 0 "$bin" state --db "$work/mixed-db" P1
check "P1 holds three documents" grep -q '"event_count":3,' "$work/out"

# A line past the document limit (64 MiB) is named with its length and skipped, never held whole
# (merge and ingest read lines through a bounded reader); the lines after it still count.
{
  head -c 67108865 /dev/zero | tr '\0' ' '
  printf '\n%s\n' '{"subject_pith_number":"P1","event_type":"x"}'
} >"$work/long.jsonl"
expect "merge reports an over-long line" 2 "$bin" merge "$work/long.jsonl"
check "the over-long line is named with its length" grep -q "^pith-merge: error: $work/long.jsonl:1: line of 67108865 bytes, longer than the document limit" "$work/err"
check "the line after it makes a state" test "$(wc -l <"$work/out")" -eq 1
expect "ingest skips an over-long line" 2 "$bin" ingest --db "$work/long-db" "$work/long.jsonl"
check "ingest names it too" grep -q "long.jsonl:1: line of 67108865 bytes" "$work/err"
check "and takes the line after it" grep -q "1 new" "$work/out"
rm -f "$work/long.jsonl"

# Out of memory (an address-space cap, ulimit -v): exit 6 with one clear line, never a crash or a
# hang, and a store an ingest was cut short in is left as a crash leaves it: check finds it sound.
# Caps are set above the smallest under which the tool starts at all (found to 10 MB); a
# sanitizer's shadow memory fits under none, so there the tests are skipped.
base=0
kb=10000
while [ "$kb" -le 300000 ]; do
  if (ulimit -v "$kb" && "$bin" --version) >/dev/null 2>&1; then base=$kb; break; fi
  kb=$((kb + 10000))
done
if [ "$base" -eq 0 ]; then
  echo "SKIP out-of-memory tests: the tool does not start under a 300 MB address-space cap (a sanitizer build?)"
else
  # One 60 MB line: a merge holds it at least twice (the line, its chunk), more than 90 MB.
  { printf '{"subject_pith_number":"P1","a":"'; head -c 60000000 /dev/zero | tr '\0' x; printf '"}\n'; } >"$work/huge.jsonl"
  expect "merge out of memory exits 6" 6 sh -c "ulimit -v $((base + 90000)) && exec timeout 120 '$bin' merge --threads 1 '$work/huge.jsonl'"
  check "out of memory is named, on one line" test "$(grep -c "^pith-merge: error: out of memory" "$work/err")" -eq 1 -a "$(wc -l <"$work/err")" -eq 1
  rm -f "$work/huge.jsonl"
  # 30,000 events (65 MB): an ingest holds more than 60 MB in its memtables before the first flush.
  "$bin" keygen --out "$work/oom-key.json" --key-id oom >"$work/oom-key.pub.json" 2>/dev/null
  "$bin" synth --subjects 300 --events-per-subject 100 --key "$work/oom-key.json" --seed 7 -o "$work/oom.jsonl" 2>/dev/null
  "$bin" keys add --db "$work/oom-db" "$work/oom-key.pub.json" >/dev/null 2>&1
  expect "ingest out of memory exits 6" 6 sh -c "ulimit -v $((base + 60000)) && exec timeout 120 '$bin' ingest --db '$work/oom-db' '$work/oom.jsonl'"
  check "and says so, on one line" test "$(grep -c "^pith-merge: error: out of memory" "$work/err")" -eq 1 -a "$(wc -l <"$work/err")" -eq 1
  expect "the store an ingest ran out of memory in checks clean" 0 "$bin" check --db "$work/oom-db"
  expect "and a second ingest completes it" 0 "$bin" ingest --db "$work/oom-db" "$work/oom.jsonl"
  check "with every event in" grep -q "^ingested 30000 events" "$work/out"
  # Under caps where some or all of its threads cannot start, a merge that completes prints the
  # same states as one with room (the pools fall back to the threads they have).
  "$bin" synth --subjects 20 --events-per-subject 100 --key "$work/oom-key.json" --seed 8 -o "$work/oom.jsonl" 2>/dev/null
  "$bin" merge --keys "$work/oom-key.pub.json" "$work/oom.jsonl" >"$work/oom-ref.txt" 2>/dev/null
  completed=0
  for add in 40000 50000 60000 70000 80000 90000 100000 120000; do
    sh -c "ulimit -v $((base + add)) && exec timeout 120 '$bin' merge --threads 4 --keys '$work/oom-key.pub.json' '$work/oom.jsonl'" >"$work/out" 2>"$work/err"
    got=$?
    check "merge under a cap of base + $add KB ends ok or out of memory (exit $got)" test "$got" -eq 0 -o "$got" -eq 6
    if [ "$got" -eq 0 ]; then
      completed=$((completed + 1))
      check "merge under a cap of base + $add KB prints the same states" cmp -s "$work/out" "$work/oom-ref.txt"
    fi
  done
  check "some capped merge completed ($completed)" test "$completed" -gt 0
  rm -rf "$work/oom-db" "$work/oom.jsonl" "$work/oom-ref.txt"
fi

expect "keygen" 0 "$bin" keygen --out "$work/k.json" --key-id test-key --signer-id me --signer-type mirror
check "key file mode is 0600" test "$(stat -c %a "$work/k.json")" = 600
check "keygen prints no secret" sh -c "! grep -q seed_b64 '$work/out'"
expect "keygen never overwrites" 3 "$bin" keygen --out "$work/k.json" --key-id other

expect "ingest" 0 "$bin" ingest --db "$work/db" "$seed"
expect "state" 0 "$bin" state --db "$work/db" pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W
check "state is the seed state" grep -q '"state_sha256":"714b945c9109b8481bc60f82bc23a6ea3b8d03f430b52e10c2326cdb229af968"' "$work/out"
expect "state of an unknown subject" 2 "$bin" state --db "$work/db" pith:2024:AAAAAAAAAAAAAAAAAAAAAAAAAA
expect "state of a missing store" 2 "$bin" state --db "$work/none" pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W
expect "export" 0 "$bin" export --db "$work/db" pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W --key "$work/k.json" --built-at 2026-07-05T15:44:43Z -o "$work/out.json"
expect "exported bundle verifies with our key trusted" 0 "$bin" verify --keys "$work/k.json" "$work/out.json"
check "exported bundle has the seed's bundle_sha256" grep -q '"bundle_sha256":"0a41ed16347c53f95175fb1fa17107795832108f215827ebad60722be347a9e1"' "$work/out.json"
expect "check" 0 "$bin" check --db "$work/db"
expect "rebuild --all" 0 "$bin" rebuild --db "$work/db" --all
check "rebuild --all repairs the events index (nothing to do here)" grep -q '^rebuild: `events` index: 0 entries added, 0 pointed again at the log, 0 of documents in no log (or no hash) removed$' "$work/out"
check "rebuild prints the seed's state_sha256" grep -q '^pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W 714b945c9109b8481bc60f82bc23a6ea3b8d03f430b52e10c2326cdb229af968$' "$work/out"
expect "rebuild of an unknown subject" 2 "$bin" rebuild --db "$work/db" pith:2024:AAAAAAAAAAAAAAAAAAAAAAAAAA
expect "rebuild names no subject" 2 "$bin" rebuild --db "$work/db"
expect "check after rebuild" 0 "$bin" check --db "$work/db"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
