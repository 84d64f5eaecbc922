#!/usr/bin/python3
"""Differential test: the C++ `merge` command against the independent Python reference
(specs/reference/merge_v1.py).

usage: differential_test.py BIN [SETS] [--seed S] [--keep DIR] [--verbose]
       differential_test.py --self-check [SETS] [--seed S]

For each of SETS (default 1500) seeded random event sets (several subjects mixed in one JSONL
file; chains, forks, supersedes, tampering, unknown and rotated keys, duplicates, noise lines,
shuffled order) it writes INPUT.jsonl and KEYS.json, runs `BIN merge --keys KEYS.json
INPUT.jsonl`, and compares every output line byte for byte with the reference's canon(state) for
the same subject (the reference also trusts specs/keys/, as the engine does by default). Prints
the first mismatches with a short description (and keeps their inputs under --keep DIR, default
a temporary directory), then a final line exactly `N passed, N failed`. Exit 0 iff no failure;
77 when /usr/bin/python3 or PyNaCl is missing or BIN has no `merge` command.

--self-check needs no BIN: it checks the reference against itself (shuffled input plus
duplicates must give the same bytes; the reference CLI must print what the library computes).
"""

import os
import sys

sys.dont_write_bytecode = True  # keep specs/ free of __pycache__

try:
    import nacl.signing  # noqa: F401
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("SKIP: needs /usr/bin/python3 with PyNaCl (Debian package python3-nacl)")
    sys.exit(77)

import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "specs", "reference"))
sys.path.insert(0, os.path.join(ROOT, "specs", "vectors"))

import merge_v1  # noqa: E402
from merge_v1 import canon, EVENT_TYPES  # noqa: E402
import generate as G  # noqa: E402  (fixed test keys and event builders)

SEED_BUNDLE = os.path.join(ROOT, "tests", "data", "seeds", "001_2e83a30e9a2c9dc7.txt")

# ---------------------------------------------------------------------------------------------
# Random event sets
# ---------------------------------------------------------------------------------------------

POOL = {s.name: s for s in [
    G.S["registry"], G.S["registry-2"], G.S["alice"], G.S["alice-2"], G.S["bob"], G.S["carol"],
    G.S["tsa"], G.S["store"], G.S["mirror"], G.S["rogue"],
    G.Signer("diff-rotating", "rot.example", "researcher", rotates_at="2026-01-01T00:10:00Z"),
    G.Signer("diff-mirror-bound", "mirror.example", "mirror", bind_id=True, bind_type=True),
]}
NEVER_TRUSTED = ("rogue",)
ALLOWED = {t: [et for et, (_, _, allowed) in EVENT_TYPES.items() if t in allowed]
           for t in merge_v1.SIGNER_TYPES}
WEIRD = ["\U0001F600", "e\u0301", "\u2028", "\u0000\u001f\u007f", "\uffff", "\"\\", "",
         1e-07, 1e+16, -0.0, 0.1, 2 ** 70, -(2 ** 63), 1.0, 100.0, 5e-324, True, None, [], {}]

with open(SEED_BUNDLE, "r", encoding="utf-8") as _f:
    SEED = merge_v1.strict_loads(_f.read())


def rand_ts(rng):
    return G.ts(60 * rng.randrange(0, 20) + rng.choice([0, 0, 0, 1, 59]))


def rand_payload(rng, et, subject, i):
    p = G.payload(et, i, subject)
    if rng.random() < 0.15:
        p["extra"] = {G.sha256_hex(str(i).encode())[:4]: rng.choice(WEIRD),
                      "\U0001F4C4": [rng.choice(WEIRD) for _ in range(3)]}
    return p


def tamper(rng, e, subject):
    """A modified copy of event e (a dict), or a non-event; its original stays in the set too."""
    d = json.loads(json.dumps(e))
    signer = POOL.get(next((n for n, s in POOL.items() if s.key_id == d["signer"]["key_id"]), ""),
                      G.S["rogue"])
    kind = rng.randrange(21 if d["event_type"] == "record_created" else 17)
    if kind == 0:  # altered content, copied hash and signature
        d["payload"]["tampered"] = rng.randrange(1000)
    elif kind == 1:  # lying content hash with a matching id and a valid signature over the lie
        fake = G.sha256_hex(str(rng.random()).encode())
        d["content_sha256"], d["event_id"] = fake, "sha256:" + fake
        d["signature"]["signature_b64"] = signer.sign(fake)
    elif kind == 2:  # flipped signature bit
        raw = bytearray(merge_v1.strict_b64decode(d["signature"]["signature_b64"]))
        raw[rng.randrange(64)] ^= 1 << rng.randrange(8)
        d["signature"]["signature_b64"] = G.b64(bytes(raw))
    elif kind == 3:  # signed by another key
        d["signature"]["signature_b64"] = rng.choice(list(POOL.values())).sign(d["content_sha256"])
    elif kind == 4:
        d = G.edit(d, signer, created_at=rng.choice(["2026-02-30T00:00:00Z",
                                                     "2026-01-01T00:00:00.5Z",
                                                     "2026-01-01T25:00:00Z"]))
    elif kind == 5:
        d = G.edit(d, signer, signer=dict(d["signer"], public_key_fingerprint="0" * 32))
    elif kind == 6:
        d = G.edit(d, signer, signer=dict(d["signer"], signer_id="someone-else"))
    elif kind == 7:
        d = G.edit(d, signer, signer=dict(d["signer"],
                                          signer_type=rng.choice(merge_v1.SIGNER_TYPES)))
    elif kind == 8:
        del d[rng.choice(list(d))]
    elif kind == 9:
        d = G.edit(d, signer, payload={})
    elif kind == 10:
        d = G.edit(d, signer, schema_version=rng.choice(["2.0", "1"]))
    elif kind == 11:
        d["signature"]["algorithm"] = "ed448"
    elif kind == 12:
        d["signature"] = dict(d["signature"], signed_at="2027-01-01T00:00:00Z")  # same event
    elif kind == 13:
        d["event_id"] = "sha256:" + "f" * 64
    elif kind == 14 and d["event_type"] == "record_created":
        d["payload"]["receipt"]["signature_b64"] = G.S["bob"].sign(d["payload"]["canonical_sha256"])
        d = G.edit(d, signer)
    elif kind == 15:
        d = G.edit(d, signer, event_type=rng.choice(list(EVENT_TYPES) + ["comment"]))
    elif kind == 17:  # canonical record altered after hashing
        d["payload"]["canonical_record"]["schema_version"] = "9"
        d = G.edit(d, signer)
    elif kind == 18:  # a consistent record of another paper under this subject
        d = G.edit(d, signer, payload=G.record_payload(G.record(rng.randrange(100, 200))))
    elif kind == 19:
        d["payload"]["source_id"] = "0000.00000"
        d = G.edit(d, signer)
    elif kind == 20:
        d["payload"]["receipt"]["kind"] = "other"
        d = G.edit(d, signer)
    else:
        d = G.edit(d, signer, prev_event=rng.choice(["sha256:" + "a" * 63, "SHA256:" + "a" * 64]))
    return d


def gen_subject(rng, n_rec, trusted):
    rec = G.record(n_rec)
    subject = G.subject_of(rec)
    docs, ids, heads, own = [], [], {}, {}
    regs = ["registry", "registry-2"]
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        who = rng.choice(regs) if rng.random() < 0.95 else rng.choice(list(POOL))
        key = (who, "record")
        prev = heads.get(key) if rng.random() < 0.8 else None
        sup = [prev] if prev and rng.random() < 0.5 else []
        pay = G.record_payload(rec, attestation_state=rng.choice(["computed", "reissued"]))
        e = G.event(POOL[who], "record_created", subject, rand_ts(rng), pay=pay, prev=prev,
                    supersedes=sup)
        heads[key] = e["event_id"]
        ids.append(e["event_id"])
        docs.append(e)
    for i in range(rng.randrange(0, 14)):
        who = rng.choice(list(POOL) + ["registry", "alice", "bob", "carol"])
        s = POOL[who]
        if rng.random() < 0.9:
            et = rng.choice(ALLOWED[s.signer_type])
        else:
            et = rng.choice(list(EVENT_TYPES))
        if et == "record_created":
            et = "correction"
        tgt = EVENT_TYPES[et][0]
        key = (who, tgt)
        r = rng.random()
        if r < 0.7:
            prev = heads.get(key)
        elif r < 0.82:  # fork: restart the chain or branch from an earlier own event
            prev = rng.choice([None] + own.get(key, []))
        elif r < 0.9 and ids:
            prev = rng.choice(ids)  # possibly foreign
        elif r < 0.95:
            prev = "sha256:" + G.sha256_hex(str(rng.random()).encode())  # missing
        else:
            prev = None
        sup = []
        if ids and rng.random() < 0.3:
            sup = rng.sample(ids, min(len(ids), rng.choice([1, 1, 2])))
        if rng.random() < 0.04:
            sup.append("sha256:" + G.sha256_hex(str(rng.random()).encode()))
        e = G.event(s, et, subject, rand_ts(rng), pay=rand_payload(rng, et, subject, i),
                    prev=prev, supersedes=sup, i=i)
        if rng.random() < 0.75:
            heads[key] = e["event_id"]
        own.setdefault(key, []).append(e["event_id"])
        ids.append(e["event_id"])
        docs.append(e)
    out = []
    for e in docs:
        out.append(e)
        r = rng.random()
        if r < 0.12:
            out.append(tamper(rng, e, subject))
        elif r < 0.18:
            out.append(e)  # the same document again
        elif r < 0.22:
            out.append(dict(e, signature=dict(e["signature"], signed_at="2026-09-09T09:09:09Z")))
    return out


def gen_set(rng):
    trusted = [n for n in POOL if n not in NEVER_TRUSTED and (n == "registry" or rng.random() < 0.85)]
    keys = [POOL[n].entry() for n in trusted]
    docs = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        docs += gen_subject(rng, rng.randrange(1, 60), trusted)
    if rng.random() < 0.06:
        docs += SEED["events"]
        keys.append(SEED["public_keys"][0])  # the engine trusts it by default; so do we
    if rng.random() < 0.08:  # lines that are no subject's documents: skipped by both
        docs += rng.sample([[1, 2], "x", 3, None, {"subject_pith_number": 5}, {"a": 1}], 2)
    rng.shuffle(docs)
    rng.shuffle(keys)
    lines = []
    for d in docs:
        if rng.random() < 0.25:  # same value, other spelling: \u escapes, spaces
            lines.append(json.dumps(d, ensure_ascii=True))
        else:
            lines.append(canon(d).decode("utf-8"))
    return lines, keys


# ---------------------------------------------------------------------------------------------
# Running and comparing
# ---------------------------------------------------------------------------------------------


def reference_lines(lines, keys):
    res = merge_v1.merge_jsonl(lines, merge_v1.default_keys() + keys)
    return [canon(st) for _, st in res]


def describe(ref, got):
    """A short description of how two outputs (lists of canon lines) differ."""
    if len(ref) != len(got):
        return "reference printed %d lines, BIN printed %d" % (len(ref), len(got))
    for a, b in zip(ref, got):
        if a == b:
            continue
        try:
            sa, sb = json.loads(a), json.loads(b)
        except ValueError:
            return "BIN line is not JSON: %r" % b[:200]
        if not isinstance(sb, dict):
            return "BIN line is not an object: %r" % b[:200]
        out = ["subject %s:" % sa.get("pith_number")]
        for k in sorted(set(sa) | set(sb)):
            if k == "state_sha256" or canon(sa.get(k)) == canon(sb.get(k)):
                continue
            if k == "invalid_events" and isinstance(sb.get(k), list):
                ra = {(e["document_sha256"], e["event_id"], e["reason"]) for e in sa[k]}
                rb = {tuple(e.get(x) for x in ("document_sha256", "event_id", "reason"))
                      for e in sb[k] if isinstance(e, dict)}
                out.append("invalid_events: reference-only %s; BIN-only %s" % (
                    sorted(ra - rb)[:3], sorted(rb - ra)[:3]))
            elif k == "current" and isinstance(sb.get(k), dict):
                diff = [m for m in sorted(set(sa[k]) | set(sb[k]))
                        if canon(sa[k].get(m)) != canon(sb[k].get(m))]
                out.append("current differs in %s" % diff)
            elif k == "applied_event_ids" and isinstance(sb.get(k), list):
                i = next((i for i, (x, y) in enumerate(zip(sa[k], sb[k])) if x != y),
                         min(len(sa[k]), len(sb[k])))
                out.append("applied_event_ids differ from index %d (%d vs %d ids)" % (
                    i, len(sa[k]), len(sb[k])))
            else:
                out.append("%s: reference %s, BIN %s" % (k, canon(sa.get(k))[:150].decode(),
                                                          canon(sb.get(k))[:150].decode()))
        if len(out) == 1:
            out.append("same values, different bytes (canon formatting)")
        return " ".join(out)
    return "identical"


def run_bin(bin_path, keys_path, input_path):
    try:
        p = subprocess.run([bin_path, "merge", "--keys", keys_path, input_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, [], "could not run BIN: %s" % e
    out = p.stdout
    lines = out.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return p.returncode, lines, p.stderr.decode("utf-8", "replace")


def write_set(d, lines, keys):
    os.makedirs(d, exist_ok=True)
    kp, ip = os.path.join(d, "KEYS.json"), os.path.join(d, "INPUT.jsonl")
    with open(kp, "wb") as f:
        f.write(canon(keys))
    with open(ip, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    return kp, ip


def parse_args(argv):
    opts = {"bin": None, "sets": 1500, "seed": 1, "keep": None, "self": False, "verbose": False}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--seed":
            opts["seed"] = int(argv[i + 1])
            i += 1
        elif a == "--keep":
            opts["keep"] = argv[i + 1]
            i += 1
        elif a == "--sets":
            opts["sets"] = int(argv[i + 1])
            i += 1
        elif a == "--self-check":
            opts["self"] = True
        elif a == "--verbose":
            opts["verbose"] = True
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        else:
            pos.append(a)
        i += 1
    for a in pos:
        if a.isdigit():
            opts["sets"] = int(a)
        elif opts["bin"] is None:
            opts["bin"] = a
        else:
            raise SystemExit("unexpected argument %r" % a)
    return opts


def self_check(opts):
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="pith-ref-selfcheck-")
    cli = os.path.join(ROOT, "specs", "reference", "merge_v1.py")
    try:
        for n in range(opts["sets"]):
            rng = random.Random("%d/%d" % (opts["seed"], n))
            lines, keys = gen_set(rng)
            ref = reference_lines(lines, keys)
            mixed = lines + rng.sample(lines, len(lines) // 3)
            rng.shuffle(mixed)
            problems = []
            if reference_lines(mixed, keys) != ref:
                problems.append("reference depends on order/duplicates")
            if n < 25:
                kp, ip = write_set(os.path.join(tmp, str(n)), lines, keys)
                rc, out, err = run_bin(cli, kp, ip)
                if rc != 0 or out != ref:
                    problems.append("reference CLI differs from the library (rc %d) %s" % (rc, err))
            if problems:
                failed += 1
                if failed <= 5:
                    print("set %d (seed %d): %s" % (n, opts["seed"], "; ".join(problems)))
            else:
                passed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main(argv):
    opts = parse_args(argv)
    if opts["self"]:
        return self_check(opts)
    if not opts["bin"]:
        print(__doc__)
        return 2
    bin_path = opts["bin"]
    if not (os.path.isfile(bin_path) and os.access(bin_path, os.X_OK)):
        print("error: %s is not an executable file" % bin_path)
        return 2
    probe = subprocess.run([bin_path, "merge", "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if probe.returncode != 0:
        print("SKIP: %s has no `merge` command yet (`merge --help` exited %d)" % (
            bin_path, probe.returncode))
        return 77
    keep = opts["keep"] or tempfile.mkdtemp(prefix="pith-differential-")
    work = tempfile.mkdtemp(prefix="pith-differential-work-")
    passed = failed = nonzero = 0
    try:
        for n in range(opts["sets"]):
            rng = random.Random("%d/%d" % (opts["seed"], n))
            lines, keys = gen_set(rng)
            ref = reference_lines(lines, keys)
            kp, ip = write_set(work, lines, keys)
            rc, got, err = run_bin(bin_path, kp, ip)
            if got == ref:
                passed += 1
                if rc != 0:
                    nonzero += 1
                    if nonzero <= 3:
                        print("note: set %d: BIN exited %d although its output matched: %s" % (
                            n, rc, err.strip().split("\n")[0][:200]))
                continue
            failed += 1
            if failed <= 10 or opts["verbose"]:
                d = os.path.join(keep, "set-%05d" % n)
                write_set(d, lines, keys)
                with open(os.path.join(d, "EXPECTED.jsonl"), "wb") as f:
                    f.write(b"".join(x + b"\n" for x in ref))
                why = describe(ref, got)
                if rc != 0:
                    why += " (BIN exited %d: %s)" % (rc, err.strip()[:300])
                print("MISMATCH set %d (--seed %d): %s\n  inputs: %s" % (n, opts["seed"], why, d))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if opts["keep"] is None and failed == 0:
            shutil.rmtree(keep, ignore_errors=True)
    if nonzero:
        print("note: BIN exited non-zero on %d set(s) whose output matched (not counted as "
              "failures: the exit status of `merge` is not specified)" % nonzero)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
