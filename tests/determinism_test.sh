#!/bin/sh
# Determinism: the same event set merged under 1 and N threads, with its lines shuffled and
# duplicated, under another locale, gives identical bytes; and --shard I/N over all N shards gives
# exactly the single-machine states. (Debug and Release agree because CI runs every vector and the
# reference differential test in both builds.)
# Usage: determinism_test.sh PATH/TO/pith-merge
set -eu
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
same() {
  if cmp -s "$2" "$3"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1"; fi
}

"$bin" keygen --out "$work/key.json" --key-id determinism-key >/dev/null
"$bin" synth --subjects 40 --events-per-subject 25 --key "$work/key.json" --seed 7 \
  --fork-rate 0.05 --tamper-rate 0.05 --foreign-rate 0.05 -o "$work/events.jsonl"
"$bin" merge --keys "$work/key.json" --threads 1 "$work/events.jsonl" >"$work/one.txt"
test -s "$work/one.txt"

"$bin" merge --keys "$work/key.json" --threads 4 "$work/events.jsonl" >"$work/four.txt"
same "1 vs 4 threads" "$work/one.txt" "$work/four.txt"

# Shuffled with a fixed seed (shuf --random-source), and every line twice.
yes | head -c 1000000 >"$work/random"
cat "$work/events.jsonl" "$work/events.jsonl" | shuf --random-source="$work/random" >"$work/shuffled.jsonl"
"$bin" merge --keys "$work/key.json" --threads 2 "$work/shuffled.jsonl" >"$work/shuffled.txt"
same "shuffled and duplicated" "$work/one.txt" "$work/shuffled.txt"

# Split in two files in another order.
split -n l/2 "$work/shuffled.jsonl" "$work/part-"
"$bin" merge --keys "$work/key.json" "$work/part-ab" "$work/part-aa" >"$work/split.txt" 2>/dev/null || true
mv "$work/part-aa" "$work/part-aa.jsonl"; mv "$work/part-ab" "$work/part-ab.jsonl"
"$bin" merge --keys "$work/key.json" "$work/part-ab.jsonl" "$work/part-aa.jsonl" >"$work/split.txt"
same "split across files" "$work/one.txt" "$work/split.txt"

# Blank lines, lines of spaces (longer than the gap pass 2 reads across) and CRLF endings
# between the events change nothing (pass 2 reads a subject's lines back in runs).
awk '{ printf "%s\r\n", $0; if (NR % 3 == 0) print ""; if (NR % 7 == 0) printf "%300s\n", "" }' \
  "$work/events.jsonl" >"$work/spaced.jsonl"
"$bin" merge --keys "$work/key.json" "$work/spaced.jsonl" >"$work/spaced.txt"
same "blank lines, spaces and CRLF" "$work/one.txt" "$work/spaced.txt"

# synth --interleave: the same lines, round robin over the 40 subjects (line k+40 continues line
# k's subject), merged to the same states; and ingested (the states updated once, at the end) to the
# same states, with `check` clean.
"$bin" synth --subjects 40 --events-per-subject 25 --key "$work/key.json" --seed 7 \
  --fork-rate 0.05 --tamper-rate 0.05 --foreign-rate 0.05 --interleave -o "$work/interleaved.jsonl" 2>/dev/null
sort "$work/events.jsonl" >"$work/events-sorted.jsonl"
sort "$work/interleaved.jsonl" >"$work/interleaved-sorted.jsonl"
same "synth --interleave: the same lines" "$work/events-sorted.jsonl" "$work/interleaved-sorted.jsonl"
sed 's/.*"subject_pith_number":"\([^"]*\)".*/\1/' "$work/interleaved.jsonl" >"$work/interleaved-subjects.txt"
awk 'NR <= 40 { s[NR % 40] = $0; n[$0]++; next } $0 != s[NR % 40] { bad = 1 } END { print (bad || length(n) != 40) ? "no" : "yes" }' \
  "$work/interleaved-subjects.txt" >"$work/round-robin.txt"
echo yes >"$work/yes.txt"
same "synth --interleave: round robin" "$work/yes.txt" "$work/round-robin.txt"
"$bin" merge --keys "$work/key.json" "$work/interleaved.jsonl" >"$work/interleaved.txt"
same "interleaved merge" "$work/one.txt" "$work/interleaved.txt"
"$bin" keys add --db "$work/db-interleaved" "$work/key.json" >/dev/null
"$bin" ingest --db "$work/db-interleaved" "$work/interleaved.jsonl" >/dev/null
"$bin" state --db "$work/db-interleaved" --all >"$work/ingested-interleaved.txt"
same "interleaved ingest" "$work/one.txt" "$work/ingested-interleaved.txt"
"$bin" check --db "$work/db-interleaved" >/dev/null
# Trusting another key leaves every cached state behind (computed under other keys); ingesting
# the same input again adds nothing and brings every subject it reads up to date.
"$bin" keygen --out "$work/other-key.json" --key-id determinism-other >/dev/null
"$bin" keys add --db "$work/db-interleaved" "$work/other-key.json" >/dev/null
"$bin" ingest --db "$work/db-interleaved" "$work/interleaved.jsonl" >"$work/again.txt"
grep -o '0 new, 1000 duplicate, 0 invalid, 0 subjects touched, 40 states updated' "$work/again.txt" >"$work/again-found.txt" || true
echo '0 new, 1000 duplicate, 0 invalid, 0 subjects touched, 40 states updated' >"$work/again-wanted.txt"
same "ingest again: every subject read brought up to date" "$work/again-wanted.txt" "$work/again-found.txt"
"$bin" ingest --db "$work/db-interleaved" "$work/interleaved.jsonl" >"$work/third.txt"
grep -o '0 subjects touched, 0 states updated' "$work/third.txt" >"$work/third-found.txt" || true
echo '0 subjects touched, 0 states updated' >"$work/third-wanted.txt"
same "ingest a third time: nothing behind, nothing written" "$work/third-wanted.txt" "$work/third-found.txt"
"$bin" state --db "$work/db-interleaved" --all >"$work/ingested-again.txt"
same "states after the key change" "$work/one.txt" "$work/ingested-again.txt"

# Another locale in the environment changes nothing (numbers and order never use it).
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 "$bin" merge --keys "$work/key.json" "$work/events.jsonl" >"$work/locale.txt" 2>/dev/null
same "another locale" "$work/one.txt" "$work/locale.txt"

# Shards: the union of 3 shards' states, sorted by pith number, is the single-machine output.
for i in 0 1 2; do "$bin" merge --keys "$work/key.json" --shard "$i/3" "$work/events.jsonl"; done | sort >"$work/shards.txt"
sort "$work/one.txt" >"$work/one-sorted.txt"
same "union of 3 shards" "$work/one-sorted.txt" "$work/shards.txt"

# Ingest sharded the same way: each shard's store holds exactly that shard's subjects and states.
for i in 0 1 2; do
  "$bin" ingest --db "$work/db$i" --shard "$i/3" "$work/events.jsonl" >/dev/null
  "$bin" keys add --db "$work/db$i" "$work/key.json" >/dev/null
  "$bin" state --db "$work/db$i" --all
done | sort >"$work/ingested-shards.txt"
same "ingest --shard over 3 stores" "$work/one-sorted.txt" "$work/ingested-shards.txt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
