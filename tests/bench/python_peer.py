#!/usr/bin/python3
"""The Python peer of tests/bench/run.sh: the minimum any merger must do, in plain Python.

For every line of a .jsonl corpus: parse it, re-hash its canonical bytes (document_sha256, which
identifies the document, and content_sha256 over the event without signature/content_sha256/
event_id), verify its Ed25519 signature with python3-nacl (libsodium underneath), and for a
record_created also the canonical record's hash and the receipt signature; then group by subject.
No ordering, no equivocation search, no state: a lower bound on a merger's work, single process.

--no-verify is the "warm" peer: parse, re-hash the document (to find its cached verdict) and group.

Prints one JSON line: {"mode", "events", "subjects", "failed", "seconds", "events_per_second"}.
Exit 77 when python3-nacl is missing (the caller skips the comparison).
"""
import argparse
import base64
import glob
import hashlib
import json
import os
import sys
import time

try:
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey
except ImportError:  # pragma: no cover
    print("python_peer: python3-nacl is not installed", file=sys.stderr)
    sys.exit(77)

UNHASHED = ("signature", "content_sha256", "event_id")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def canon(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_keys(paths):
    keys = {}
    files = sorted(glob.glob(os.path.join(ROOT, "specs", "keys", "*.json"))) + list(paths)
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if isinstance(doc, dict) and doc.get("key_type") == "pith_ed25519_signing_key":
            doc = doc["public_key"]
        if isinstance(doc, dict) and isinstance(doc.get("public_keys"), list):
            doc = doc["public_keys"]
        for entry in doc if isinstance(doc, list) else [doc]:
            keys[entry["key_id"]] = (VerifyKey(base64.b64decode(entry["public_key_b64"])), entry["fingerprint_sha256_hex"])
    return keys


def verify(keys, key_id, fingerprint, message, signature_b64):
    found = keys.get(key_id)
    if found is None or found[1] != fingerprint:
        return False
    try:
        sig = base64.b64decode(signature_b64, validate=True)
        if len(sig) != 64:
            return False
        found[0].verify(message, sig)
        return True
    except (BadSignatureError, ValueError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keys", action="append", default=[], help="trusted key file (repeatable)")
    ap.add_argument("--no-verify", action="store_true", help="warm peer: no content hash, no signatures")
    ap.add_argument("corpus")
    args = ap.parse_args()
    keys = load_keys(args.keys)

    start = time.perf_counter()
    by_subject = {}
    events = failed = 0
    with open(args.corpus, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            events += 1
            d = json.loads(line)
            document_sha256 = hashlib.sha256(canon(d)).hexdigest()
            ok = True
            if not args.no_verify:
                content = {k: v for k, v in d.items() if k not in UNHASHED}
                digest = hashlib.sha256(canon(content)).digest()
                sig = d.get("signature") or {}
                signer = d.get("signer") or {}
                ok = (digest.hex() == d.get("content_sha256")
                      and verify(keys, signer.get("key_id"), signer.get("public_key_fingerprint"), digest,
                                 sig.get("signature_b64", "")))
                if ok and d.get("event_type") == "record_created":
                    payload = d["payload"]
                    record_digest = hashlib.sha256(canon(payload["canonical_record"])).digest()
                    receipt = payload["receipt"]
                    ok = (record_digest.hex() == payload.get("canonical_sha256")
                          and verify(keys, receipt.get("key_id"), receipt.get("public_key_fingerprint"),
                                     record_digest, receipt.get("signature_b64", "")))
            failed += not ok
            by_subject.setdefault(d.get("subject_pith_number"), []).append((document_sha256, ok))
    seconds = time.perf_counter() - start
    print(json.dumps({"mode": "warm" if args.no_verify else "cold", "events": events, "subjects": len(by_subject),
                      "failed": failed, "seconds": round(seconds, 3),
                      "events_per_second": round(events / seconds, 1) if seconds > 0 else None}))


if __name__ == "__main__":
    main()
