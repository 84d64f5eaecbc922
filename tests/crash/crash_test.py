#!/usr/bin/python3
"""Crash consistency of the store: SIGKILL `pith-merge ingest` at random moments.

usage: crash_test.py PITH_MERGE MAKE_EVENTS [--trials N (80)] [--seed S] [--keep]

Every ingest is, at random, `ingest --sync` (each batch through the write-ahead log, fsynced) or a
bulk load (`ingest` alone: no write-ahead log, one atomic flush of every column family at the end).
A deterministic corpus of signed events (valid and invalid ones, several signers, chains,
supersessions, equivocations) is written by MAKE_EVENTS and split into small chunk files, each
well under one ingest batch (2048 events), so one `ingest` of one chunk commits all of it in one
atomic batch or nothing. A chunk is *acknowledged* when its ingest process exited 0.

Each trial, on a store that lives for several trials (so crashes pile up on one store):
  1. ingests 0-2 further chunks normally (each must exit 0: acknowledged);
  2. sometimes starts a reading command (`replay --all`, which also runs RocksDB's recovery and
     writes) and SIGKILLs it at a random moment, and sometimes `rebuild --all` (which rewrites every
     subject's records, verdicts and cached state, one atomic batch per subject);
  3. starts an ingest of the next chunk and SIGKILLs it at a random moment (uniform over the
     measured duration of an ingest, or over its last part, so kills land in start-up, RocksDB
     recovery, verification, the write and sync, and close);
  4. reopens and checks: `check` exits 0; `state --all` equals `replay --all` byte for byte; the
     states equal `merge` of exactly the acknowledged chunks, or of the acknowledged chunks plus the
     killed one (all of it or none of it, never part); the store's log holds exactly that many
     entries. A killed chunk is ingested again (idempotently) in the next trial.

Prints one line per trial and `N passed, N failed`; exits 1 on any failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CHUNK_LINES = 24      # events per chunk file (one atomic batch each)
SUBJECTS = 24
EVENTS_PER_SUBJECT = 14
TRIALS_PER_STORE = 8
TIME_BUDGET = 150.0   # seconds: stop starting new trials after this (the minimum is still run)
MIN_TRIALS = 50


from store_cli import run, states_by_subject  # noqa: E402 (beside this script)


class Crash:
    def __init__(self, bin_path, make_events, work, rng):
        self.bin = bin_path
        self.work = work
        self.rng = rng
        corpus = os.path.join(work, "corpus")
        rc, out, err = run([make_events, "--out", corpus, "--subjects", str(SUBJECTS),
                            "--events", str(EVENTS_PER_SUBJECT), "--seed", "crash"])
        if rc != 0:
            raise SystemExit("make_events failed (%d): %s" % (rc, err))
        print(out.strip())
        self.keys = os.path.join(corpus, "keys.json")
        with open(os.path.join(corpus, "events.jsonl"), "rb") as f:
            lines = f.read().splitlines(keepends=True)
        self.chunks = []  # (path, line count)
        for i in range(0, len(lines), CHUNK_LINES):
            path = os.path.join(corpus, "chunk%03d.jsonl" % (i // CHUNK_LINES))
            with open(path, "wb") as f:
                f.writelines(lines[i:i + CHUNK_LINES])
            self.chunks.append((path, len(lines[i:i + CHUNK_LINES])))
        self.merge_cache = {}
        self.ingest_seconds = []  # durations of completed ingests, to aim the kills
        self.store_count = 0
        self.outcomes = {}  # what the killed ingests left, counted
        self.modes = {}  # ingests run with --sync and in bulk, counted
        self.new_store()

    def new_store(self):
        self.store_count += 1
        self.db = os.path.join(self.work, "db%02d" % self.store_count)
        rc, _, err = run([self.bin, "keys", "add", "--db", self.db, self.keys])
        if rc != 0:
            raise SystemExit("keys add failed (%d): %s" % (rc, err))
        self.acked = []          # chunk indices acknowledged, in order
        self.pending = list(range(len(self.chunks)))
        self.trials_on_store = 0

    def merged(self, indices):
        key = frozenset(indices)
        if key not in self.merge_cache:
            if not indices:
                self.merge_cache[key] = {}
            else:
                # --keys last: it takes several values, so before the inputs it would swallow them
                rc, out, err = run([self.bin, "merge"] + [self.chunks[i][0] for i in sorted(indices)] +
                                   ["--keys", self.keys])
                if rc != 0:
                    raise SystemExit("merge failed (%d): %s" % (rc, err))
                self.merge_cache[key] = states_by_subject(out)
        return self.merge_cache[key]

    def ingest(self, index):
        start = time.monotonic()
        rc, out, err = run(self.ingest_command(index)[0])
        if rc != 0:
            return "ingest of acknowledged-to-be chunk %d exited %d: %s" % (index, rc, err.strip())
        self.ingest_seconds.append(time.monotonic() - start)
        self.acked.append(index)
        return None

    def ingest_command(self, index):
        """(command, mode): `ingest --sync` or a bulk load (no write-ahead log, flushed at the end), at random."""
        mode = self.rng.choice(["--sync", "bulk"])
        self.modes[mode] = self.modes.get(mode, 0) + 1
        flags = ["--sync"] if mode == "--sync" else []
        return [self.bin, "ingest"] + flags + ["--db", self.db, self.chunks[index][0]], mode

    def kill_delay(self):
        """Uniform over 1.3x the mean ingest time, or (half the time) over its last part, where the
        batch is written, synced and the store closed."""
        recent = self.ingest_seconds[-20:] or [0.05]
        mean = sum(recent) / len(recent)
        if self.rng.random() < 0.5:
            return self.rng.uniform(0, 1.3 * mean)
        return self.rng.uniform(0.7 * mean, 1.1 * mean)

    def killed(self, cmd):
        """Runs cmd, SIGKILLs it after a random delay; returns (returncode, delay, stderr)."""
        delay = self.kill_delay()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, err = p.communicate(timeout=120)
        return p.returncode, delay, err.decode("utf-8", "replace")

    def trial(self):
        """One trial; returns (ok, description)."""
        if self.trials_on_store >= TRIALS_PER_STORE or len(self.pending) < 3:
            self.new_store()
        self.trials_on_store += 1
        notes = []
        for _ in range(self.rng.randint(0, 2)):
            if len(self.pending) > 1:
                problem = self.ingest(self.pending.pop(0))
                if problem:
                    return False, problem
        if self.rng.random() < 0.25:
            rc, delay, err = self.killed([self.bin, "replay", "--all", "--db", self.db])
            notes.append("replay killed after %.0f ms (rc %d)" % (delay * 1000, rc))
            if rc not in (0, -signal.SIGKILL):
                return False, "replay exited %d before the kill: %s" % (rc, err.strip())
        if self.rng.random() < 0.25:
            rc, delay, err = self.killed([self.bin, "rebuild", "--all", "--db", self.db])
            notes.append("rebuild killed after %.0f ms (rc %d)" % (delay * 1000, rc))
            if rc not in (0, -signal.SIGKILL):
                return False, "rebuild exited %d before the kill: %s" % (rc, err.strip())
        index = self.pending.pop(0)
        command, mode = self.ingest_command(index)
        rc, delay, err = self.killed(command)
        in_flight = None
        if rc == 0:
            self.acked.append(index)
            notes.append("ingest %s of chunk %d finished before the kill at %.0f ms" % (mode, index, delay * 1000))
        elif rc == -signal.SIGKILL:
            in_flight = index
            self.pending.insert(0, index)  # ingested again (idempotently) next trial
            notes.append("ingest %s of chunk %d killed at %.0f ms" % (mode, index, delay * 1000))
        else:
            return False, "ingest of chunk %d exited %d before the kill: %s" % (index, rc, err.strip())
        problem, which = self.verify(in_flight)
        if which:
            notes.append(which)
            kind = "finished before the kill" if in_flight is None else "killed (%s), %s" % (mode, which)
            self.outcomes[kind] = self.outcomes.get(kind, 0) + 1
        if problem:
            return False, "; ".join(notes + [problem])
        return True, "; ".join(notes)

    def verify(self, in_flight):
        rc, out, err = run([self.bin, "check", "--db", self.db])
        if rc != 0:
            return "check exited %d: %s %s" % (rc, out.strip()[-400:], err.strip()), None
        rc, state_out, err = run([self.bin, "state", "--all", "--db", self.db])
        if rc != 0:
            return "state --all exited %d: %s" % (rc, err.strip()), None
        rc, replay_out, err = run([self.bin, "replay", "--all", "--db", self.db])
        if rc != 0:
            return "replay --all exited %d: %s" % (rc, err.strip()), None
        state = states_by_subject(state_out)
        replay = states_by_subject(replay_out)
        if state != replay:
            differ = sorted(s for s in set(state) | set(replay) if state.get(s) != replay.get(s))
            return "state differs from replay for %d subjects: %s" % (len(differ), differ[:3]), None
        entries = None
        for word in out.split("("):
            if "log entries" in word:
                entries = int(word.split(",")[1].split()[0])
        alternatives = [("acknowledged only", self.acked)]
        if in_flight is not None:
            alternatives.append(("acknowledged + the killed chunk, whole", self.acked + [in_flight]))
        for name, indices in alternatives:
            if state == self.merged(indices):
                expected_entries = sum(self.chunks[i][1] for i in indices)
                if entries != expected_entries:
                    return ("states match %s but the log holds %s entries, expected %d" %
                            (name, entries, expected_entries)), name
                return None, "store = " + name
        truth = self.merged(self.acked)
        missing = sorted(s for s in truth if s not in state)
        differ = sorted(s for s in truth if s in state and state[s] != truth[s])
        return ("stored states match neither the acknowledged chunks nor acknowledged + killed: "
                "%d acknowledged subjects missing, %d differ (e.g. %s)" %
                (len(missing), len(differ), (missing + differ)[:2])), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("make_events")
    ap.add_argument("--trials", type=int, default=80)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    for path in (args.bin, args.make_events):
        if not os.access(path, os.X_OK):
            print("not an executable: %s" % path, file=sys.stderr)
            return 2
    seed = args.seed if args.seed is not None else int(time.time())
    print("crash_test: seed %d (rerun with --seed %d)" % (seed, seed))
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="pith-crash-")
    env_db = os.environ.pop("PITH_DB", None)
    passed = failed = 0
    started = time.monotonic()
    try:
        crash = Crash(args.bin, args.make_events, work, rng)
        trial = 0
        while trial < args.trials:
            if trial >= MIN_TRIALS and time.monotonic() - started > TIME_BUDGET:
                print("time budget reached after %d trials" % trial)
                break
            trial += 1
            ok, what = crash.trial()
            if ok:
                passed += 1
                print("trial %3d ok    store %d: %s" % (trial, crash.store_count, what))
            else:
                failed += 1
                print("trial %3d FAIL  store %d (%s): %s" % (trial, crash.store_count, crash.db, what))
                args.keep = True
                crash.new_store()  # a fresh store, so one failure does not cascade
        print("outcomes: " + ", ".join("%s: %d" % kv for kv in sorted(crash.outcomes.items())))
        print("ingests: " + ", ".join("%s: %d" % kv for kv in sorted(crash.modes.items())))
    finally:
        if env_db is not None:
            os.environ["PITH_DB"] = env_db
        if args.keep:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed (%.0f s)" % (passed, failed, time.monotonic() - started))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
