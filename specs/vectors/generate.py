#!/usr/bin/python3
"""Deterministic generator of the `pith-open-graph-merge-v1` conformance vectors.

Writes specs/vectors/pith-open-graph-merge-v1/NNNN-short-name/{vector.json,expected_state.json}
and specs/vectors/README.md. Expected states are computed by the independent reference
(specs/reference/merge_v1.py). Keys are fixed: the Ed25519 seed of key NAME is
sha256(b"pith-merge conformance key " + NAME). Published vectors never change: the script refuses
to overwrite a vector whose bytes would differ unless given --force.

usage: generate.py [--force] [--check] [--out DIR]
  --check  write nothing; exit 1 if any vector on disk is missing or differs.
"""

import sys

sys.dont_write_bytecode = True  # keep specs/ free of __pycache__

import base64
import hashlib
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "specs", "reference"))

import nacl.signing  # noqa: E402

import merge_v1  # noqa: E402
from merge_v1 import canon, sha256_hex, EVENT_TYPES  # noqa: E402

SEED_BUNDLE = os.path.join(ROOT, "tests", "data", "seeds", "001_2e83a30e9a2c9dc7.txt")

# ---------------------------------------------------------------------------------------------
# Fixed keys and signers
# ---------------------------------------------------------------------------------------------


def b64(data):
    return base64.b64encode(data).decode("ascii")


class Signer:
    """A fixed Ed25519 key plus the signer identity that uses it."""

    def __init__(self, name, signer_id, signer_type, bind_id=False, bind_type=False,
                 rotates_at=None, key_id=None):
        self.name = name
        self.sk = nacl.signing.SigningKey(
            hashlib.sha256(b"pith-merge conformance key " + name.encode("utf-8")).digest())
        self.raw = bytes(self.sk.verify_key)
        self.key_id = key_id or ("conformance-" + name)
        self.fingerprint = hashlib.sha256(self.raw).digest()[:16].hex()
        self.signer_id = signer_id
        self.signer_type = signer_type
        self.bind_id, self.bind_type, self.rotates_at = bind_id, bind_type, rotates_at

    def entry(self):
        digest = hashlib.sha256(self.raw).digest()
        e = {"key_id": self.key_id, "algorithm": "ed25519", "format": "raw",
             "public_key_b64": b64(self.raw), "public_key_hex": self.raw.hex(),
             "fingerprint_sha256_hex": digest[:16].hex(),
             "fingerprint_sha256_b32_first128bits": base64.b32encode(digest).decode()[:26],
             "rotates_at": self.rotates_at}
        if self.bind_id:
            e["signer_id"] = self.signer_id
        if self.bind_type:
            e["signer_type"] = self.signer_type
        e["notes"] = "conformance test key %r; seed = sha256(\"pith-merge conformance key %s\")" % (
            self.name, self.name)
        return e

    def obj(self, **over):
        o = {"signer_id": self.signer_id, "signer_type": self.signer_type, "key_id": self.key_id,
             "public_key_fingerprint": self.fingerprint}
        o.update(over)
        return o

    def sign(self, digest_hex):
        return b64(self.sk.sign(bytes.fromhex(digest_hex)).signature)


REG_ID = "registry.conformance.example"
S = {s.name: s for s in [
    Signer("registry", REG_ID, "pith_registry"),
    Signer("registry-2", REG_ID, "pith_registry", bind_id=True, bind_type=True),
    Signer("alice", "orcid:0000-0002-1825-0097", "author", bind_id=True, bind_type=True),
    Signer("alice-2", "orcid:0000-0002-1825-0097", "author", bind_id=True),
    Signer("bob", "bob@university.example", "author"),
    Signer("carol", "carol.lab.example", "researcher"),
    Signer("tsa", "tsa.example", "timestamp_authority"),
    Signer("store", "archive.example", "storage_provider"),
    Signer("mirror", "mirror.example", "mirror"),
    Signer("rogue", "rogue.example", "author"),
    Signer("old", "old-author.example", "author", rotates_at="2026-01-01T00:10:00Z"),
]}
STANDARD = ["registry", "alice", "bob", "carol", "tsa", "store", "mirror"]


def keys(*names):
    return [S[n].entry() for n in (names or STANDARD)]


# ---------------------------------------------------------------------------------------------
# Records, events, payloads
# ---------------------------------------------------------------------------------------------


def ts(seconds, base_day=1):
    """2026-01-DDThh:mm:ssZ, `seconds` after midnight of day base_day."""
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return "2026-01-%02dT%02d:%02d:%02dZ" % (base_day + h // 24, h % 24, m, s)


def record(n, kind="arxiv"):
    title = "Conformance paper %d" % n
    rec = {"metadata": {"submitted_at": "2025-%02d-%02dT10:00:00Z" % (1 + n % 12, 1 + n % 28),
                        "primary_cat": "cs.DC",
                        "title_canon_sha256": sha256_hex(title.encode()),
                        "abstract_canon_sha256": sha256_hex(("abstract %d" % n).encode())},
           "schema_version": "1.0",
           "source": {"id": "2501.%05d" % n, "kind": kind, "version": 1 + n % 3}}
    if kind != "arxiv":
        rec["source"] = {"id": "doc-%d" % n, "kind": kind, "version": 1}
    return rec


def subject_of(rec):
    return merge_v1.pith_number(rec)


def receipt(rec_sha, signer=None, **over):
    signer = signer or S["registry"]
    r = {"kind": "pith_receipt", "key_id": signer.key_id, "algorithm": "ed25519",
         "signature_b64": signer.sign(rec_sha), "signed_message": "canonical_sha256_bytes",
         "canonical_sha256": rec_sha, "public_key_fingerprint": signer.fingerprint,
         "receipt_version": "0.3", "signed_at": "2026-01-01T00:00:00.000001Z"}
    r.update(over)
    return r


def record_payload(rec, receipt_signer=None, **over):
    rec_sha = sha256_hex(canon(rec))
    src = rec["source"]
    p = {"canonical_record": rec, "canonical_sha256": rec_sha,
         "receipt": receipt(rec_sha, receipt_signer),
         "source_kind": src["kind"], "source_id": src["id"],
         "source_version": src.get("version", ""), "attestation_state": "computed"}
    p.update(over)
    return p


def payload(etype, i=0, subject="pith:2025:X"):
    h = sha256_hex(("%s-%d" % (etype, i)).encode())
    return {
        "graph_snapshot": lambda: {"graph_snapshot": {"claims": {"count": i, "items": []},
                                                      "builder_version": "conformance-%d" % i}},
        "author_attestation": lambda: {"author_name": "Alice Example",
                                       "statement": "I am an author of this paper (%d)." % i},
        "timestamp_anchor": lambda: {"anchor_type": "rfc3161", "anchored_sha256": h,
                                     "proof": {"tsr_b64": b64(h.encode()[:30]), "n": i}},
        "storage_attestation": lambda: {"storage_type": "object_store",
                                        "locator": "s3://conformance/%d" % i, "stored_sha256": h},
        "citation_signature": lambda: {"citing": subject, "cited": "doi:10.1000/%d" % i},
        "replication_record": lambda: {"outcome": "replicated",
                                       "report_locator": "https://lab.example/report/%d" % i},
        "correction": lambda: {"reason": "correction number %d" % i},
        "mirror_hint": lambda: {"mirror_type": "http", "name": "mirror-%d" % i,
                                "base_url": "https://mirror%d.example/" % i},
    }[etype]()


def seal(d, signer, signed_at="2026-02-01T00:00:00.000000Z"):
    """(Re)compute content_sha256, event_id and an honest signature by `signer` over the content
    digest; the signature names the document's own signer key_id and fingerprint."""
    d = {k: v for k, v in d.items() if k not in ("signature", "content_sha256", "event_id")}
    c = merge_v1.content_sha256(d)
    sgn = d.get("signer") if isinstance(d.get("signer"), dict) else {}
    d["signature"] = {"signature_status": "signed_v1", "algorithm": "ed25519",
                      "key_id": sgn.get("key_id"),
                      "public_key_fingerprint": sgn.get("public_key_fingerprint"),
                      "signature_b64": signer.sign(c),
                      "signed_message": "open_graph_event_sha256_bytes", "signed_at": signed_at}
    d["content_sha256"] = c
    d["event_id"] = "sha256:" + c
    return d


def event(signer, etype, subject, created_at, pay=None, prev=None, supersedes=(), target=None,
          i=0, signed_at="2026-02-01T00:00:00.000000Z", signer_obj=None, schema="1.0"):
    tgt = target if target is not None else EVENT_TYPES[etype][0]
    d = {"schema_version": schema, "event_type": etype, "subject_pith_number": subject,
         "target": tgt, "payload": pay if pay is not None else payload(etype, i, subject),
         "signer": signer_obj if signer_obj is not None else signer.obj(),
         "created_at": created_at, "supersedes": list(supersedes), "prev_event": prev}
    return seal(d, signer, signed_at)


def edit(d, resign=None, **changes):
    """Copy of d with top-level members changed; re-sealed honestly by `resign` when given."""
    d = json.loads(json.dumps(d))
    d.update(changes)
    return seal(d, resign) if resign is not None else d


def created(subject_rec, t=0, prev=None, supersedes=(), **kw):
    return event(S["registry"], "record_created", subject_of(subject_rec), ts(t),
                 pay=record_payload(subject_rec, **kw), prev=prev, supersedes=supersedes)


# ---------------------------------------------------------------------------------------------
# The vectors. Each returns (description, subject, keys, events, expectations) where
# expectations = {"reasons": sorted list of reason codes expected in invalid_events,
# "equivocations": n, "applied": n} (checked against the reference before writing).
# Append new vectors at the end; never renumber.
# ---------------------------------------------------------------------------------------------

R1 = record(1)
P1 = subject_of(R1)
VECTORS = []


def vector(name):
    def deco(fn):
        VECTORS.append((name, fn))
        return fn
    return deco


def X(reasons=(), equivocations=0, applied=None):
    return {"reasons": sorted(reasons), "equivocations": equivocations, "applied": applied}


@vector("seed-bundle")
def _():
    with open(SEED_BUNDLE, "r", encoding="utf-8") as f:
        b = merge_v1.strict_loads(f.read())
    st = merge_v1.merge(b["pith_number"], b["events"], b["public_keys"])
    assert canon(st) == canon(b["state"]), "reference does not reproduce the seed state"
    return ("The real Pith bundle of arXiv 2403.14097 (tests/data/seeds/001): its 2 events "
            "(record_created, graph_snapshot) under its own public_keys; expected = its state "
            "(state_sha256 714b945c...).", b["pith_number"], b["public_keys"], b["events"],
            X(applied=2))


@vector("no-events")
def _():
    return ("No documents at all: every list empty, record_created and canonical_record null.",
            P1, keys(), [], X(applied=0))


@vector("record-only")
def _():
    return ("A single honest record_created by the registry with a valid receipt.",
            P1, keys(), [created(R1)], X(applied=1))


@vector("every-event-type")
def _():
    evs = [created(R1)]
    who = {"graph_snapshot": "registry", "author_attestation": "alice",
           "timestamp_anchor": "tsa", "storage_attestation": "store",
           "citation_signature": "carol", "replication_record": "carol",
           "correction": "bob", "mirror_hint": "mirror"}
    for n, (et, s) in enumerate(sorted(who.items())):
        evs.append(event(S[s], et, P1, ts(10 + n), i=n))
    return ("One valid event of each of the nine event types, each by an allowed signer type.",
            P1, keys(), evs, X(applied=9))


@vector("malformed-event")
def _():
    base = event(S["alice"], "author_attestation", P1, ts(5))
    evs = [created(R1),
           edit(base, S["alice"], payload=["not", "an", "object"]),
           edit(base, S["alice"], signer={k: v for k, v in S["alice"].obj().items()
                                          if k != "key_id"}),
           edit(base, S["alice"], supersedes=[1]),
           edit(base, S["alice"], prev_event=0)]
    return ("malformed_event: payload an array; signer without key_id; supersedes with a "
            "non-string entry; prev_event a number (each otherwise honestly hashed and signed).",
            P1, keys(), evs, X(["malformed_event"] * 4, applied=1))


@vector("bad-created-at")
def _():
    a = S["alice"]
    bad = ["2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
           "2026-01-01T00:00:60Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z",
           "2026-01-01 00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00+00:00",
           "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "\uff12026-01-01T00:00:00Z"[:20]]
    evs = [event(a, "author_attestation", P1, c, i=n) for n, c in enumerate(bad)]
    ok = [event(a, "author_attestation", P1, "2024-02-29T23:59:59Z", i=100)]
    return ("bad_created_at: impossible dates (Feb 30, Feb 29 of 2025 and 2100), hour 24, "
            "minute/second 60, lower-case t/z, space separator, unpadded month, offset instead of "
            "Z, a full-width digit. 2024-02-29T23:59:59Z (leap year) is valid.",
            P1, keys(), evs + ok, X(["bad_created_at"] * len(bad), applied=1))


@vector("created-at-fractional-seconds")
def _():
    return ("bad_created_at: created_at with fractional seconds (2026-01-01T00:00:01.5Z) is not the "
            "20-character form, even though it is otherwise honest.",
            P1, keys(), [created(R1),
                         event(S["alice"], "author_attestation", P1, "2026-01-01T00:00:01.5Z")],
            X(["bad_created_at"], applied=1))


@vector("bad-reference")
def _():
    a = S["alice"]
    good = event(a, "author_attestation", P1, ts(1))
    gid = good["event_id"]
    evs = [good,
           event(a, "author_attestation", P1, ts(2), prev=gid.upper().replace("SHA256", "sha256"), i=1),
           event(a, "author_attestation", P1, ts(3), prev=gid[7:], i=2),
           event(a, "author_attestation", P1, ts(4), prev=gid, supersedes=["sha256:abc"], i=3),
           event(a, "author_attestation", P1, ts(5), prev=gid, supersedes=[gid, gid], i=4),
           event(a, "correction", P1, ts(6), prev=None, supersedes=[gid + "0"], i=5)]
    return ("bad_reference: prev_event with upper-case hex; prev_event without the sha256: "
            "prefix; a short supersedes entry; supersedes naming one id twice; a 65-digit id.",
            P1, keys(), evs, X(["bad_reference"] * 5, applied=1))


@vector("unsupported-schema-version")
def _():
    return ("unsupported_schema_version: schema_version \"1.1\" (honestly hashed and signed).",
            P1, keys(), [event(S["alice"], "author_attestation", P1, ts(1), schema="1.1"),
                         event(S["alice"], "author_attestation", P1, ts(1), schema="1", i=1)],
            X(["unsupported_schema_version"] * 2, applied=0))


@vector("unknown-event-type")
def _():
    e = event(S["alice"], "author_attestation", P1, ts(1))
    e = edit(e, S["alice"], event_type="comment", target="comment")
    return ("unknown_event_type: event_type \"comment\" (not in §2), honestly signed.",
            P1, keys(), [e], X(["unknown_event_type"], applied=0))


@vector("wrong-target")
def _():
    return ("wrong_target: an author_attestation with target \"record\", and a correction with "
            "target \"author\".",
            P1, keys(), [event(S["alice"], "author_attestation", P1, ts(1), target="record"),
                         event(S["alice"], "correction", P1, ts(2), target="author")],
            X(["wrong_target"] * 2, applied=0))


@vector("wrong-subject-replay")
def _():
    r2 = record(2)
    p2 = subject_of(r2)
    other = [created(r2), event(S["alice"], "author_attestation", p2, ts(1))]
    return ("wrong_subject: two honest events of another record (its record_created and an "
            "author_attestation) replayed into this subject's set.",
            P1, keys(), [created(R1)] + other, X(["wrong_subject"] * 2, applied=1))


@vector("content-hash-mismatch")
def _():
    a = S["alice"]
    e = event(a, "author_attestation", P1, ts(1))
    copied = json.loads(json.dumps(e))
    copied["payload"]["statement"] = "I did not write this."
    liar = json.loads(json.dumps(e))
    fake = sha256_hex(b"something else")
    liar["content_sha256"] = fake
    liar["event_id"] = "sha256:" + fake
    liar["signature"]["signature_b64"] = a.sign(fake)
    return ("content_hash_mismatch: (1) altered payload with the original content_sha256, "
            "event_id and signature copied; (2) a lying content_sha256 with a matching event_id "
            "and a valid signature over the lie.",
            P1, keys(), [e, copied, liar], X(["content_hash_mismatch"] * 2, applied=1))


@vector("event-id-mismatch")
def _():
    e = event(S["alice"], "author_attestation", P1, ts(1))
    a = dict(e, event_id="sha256:" + sha256_hex(b"another event"))
    b = dict(e, event_id="sha256:" + e["content_sha256"].upper())
    c = dict(e, event_id=e["content_sha256"])
    return ("event_id_mismatch: event_id naming another digest (reported with that event_id), "
            "upper-case and prefix-less event_ids (reported with event_id null).",
            P1, keys(), [a, b, c], X(["event_id_mismatch"] * 3, applied=0))


@vector("unsupported-signature")
def _():
    e = event(S["alice"], "author_attestation", P1, ts(1))
    a = json.loads(json.dumps(e))
    a["signature"]["algorithm"] = "Ed25519"
    b = json.loads(json.dumps(e))
    b["signature"]["signed_message"] = "canonical_sha256_bytes"
    return ("unsupported_signature: signature.algorithm \"Ed25519\" (case matters); "
            "signed_message \"canonical_sha256_bytes\".",
            P1, keys(), [a, b], X(["unsupported_signature"] * 2, applied=0))


@vector("signature-signer-mismatch")
def _():
    e = event(S["alice"], "author_attestation", P1, ts(1))
    a = json.loads(json.dumps(e))
    a["signature"]["key_id"] = S["bob"].key_id
    b = json.loads(json.dumps(e))
    b["signature"]["public_key_fingerprint"] = S["bob"].fingerprint
    return ("signature_signer_mismatch: signature.key_id, then signature.public_key_fingerprint, "
            "differ from the signer's.",
            P1, keys(), [a, b], X(["signature_signer_mismatch"] * 2, applied=0))


@vector("unknown-key")
def _():
    return ("unknown_key: an honest event signed by a key (conformance-rogue) that is not in the "
            "trusted set.",
            P1, keys(), [created(R1), event(S["rogue"], "author_attestation", P1, ts(1))],
            X(["unknown_key"], applied=1))


@vector("key-fingerprint-mismatch")
def _():
    a = S["alice"]
    e = event(a, "author_attestation", P1, ts(1),
              signer_obj=a.obj(public_key_fingerprint=S["bob"].fingerprint))
    return ("key_fingerprint_mismatch: the signer (and signature) name alice's key_id with bob's "
            "fingerprint.", P1, keys(), [e], X(["key_fingerprint_mismatch"], applied=0))


@vector("key-signer-mismatch")
def _():
    a = S["alice"]
    e1 = event(a, "author_attestation", P1, ts(1), signer_obj=a.obj(signer_id="mallory.example"))
    e2 = event(a, "citation_signature", P1, ts(2), signer_obj=a.obj(signer_type="researcher"))
    return ("key_signer_mismatch: alice's key entry binds signer_id and signer_type; one event "
            "claims another signer_id, one another signer_type (researcher, which would be "
            "allowed for citation_signature).",
            P1, keys(), [e1, e2], X(["key_signer_mismatch"] * 2, applied=0))


@vector("key-rotated")
def _():
    o = S["old"]
    evs = [event(o, "author_attestation", P1, "2026-01-01T00:09:59Z"),
           event(o, "author_attestation", P1, "2026-01-01T00:10:00Z", i=1),
           event(o, "author_attestation", P1, "2026-01-01T00:10:01Z", i=2)]
    return ("key_rotated: conformance-old has rotates_at 2026-01-01T00:10:00Z; an event one "
            "second before is valid, events at and after it are refused.",
            P1, keys("registry", "old"), evs, X(["key_rotated"] * 2, applied=1))


@vector("signer-type-not-allowed")
def _():
    evs = [event(S["alice"], "graph_snapshot", P1, ts(1)),
           event(S["mirror"], "author_attestation", P1, ts(2)),
           event(S["tsa"], "record_created", P1, ts(3), pay=record_payload(R1)),
           event(S["carol"], "timestamp_anchor", P1, ts(4))]
    return ("signer_type_not_allowed: an author's graph_snapshot, a mirror's author_attestation, "
            "a timestamp authority's record_created, a researcher's timestamp_anchor.",
            P1, keys(), evs, X(["signer_type_not_allowed"] * 4, applied=0))


@vector("invalid-payload")
def _():
    a, c, m = S["alice"], S["carol"], S["mirror"]
    bad = [(a, "author_attestation", {"author_name": "", "statement": "x"}),
           (a, "author_attestation", {"author_name": "A"}),
           (a, "author_attestation", {"author_name": "A", "statement": None}),
           (S["tsa"], "timestamp_anchor", {"anchor_type": "rfc3161",
                                          "anchored_sha256": "AB" * 32, "proof": "p"}),
           (S["tsa"], "timestamp_anchor", {"anchor_type": "rfc3161",
                                          "anchored_sha256": "ab" * 32, "proof": ["p"]}),
           (S["store"], "storage_attestation", {"storage_type": "s3", "locator": "x",
                                               "stored_sha256": "ab" * 31}),
           (c, "replication_record", {"outcome": "Replicated", "report_locator": "r"}),
           (c, "citation_signature", {"citing": "a", "cited": 7}),
           (a, "correction", {"reason": ""}),
           (m, "mirror_hint", {"mirror_type": "http", "name": "m", "base_url": "ftp://m.example/"}),
           (m, "mirror_hint", {"mirror_type": "http", "name": "m", "base_url": "HTTPS://m.example/"}),
           (S["registry"], "graph_snapshot", {"graph_snapshot": []}),
           (S["registry"], "record_created", record_payload(R1, source_version=1.0)),
           (S["registry"], "record_created", record_payload(R1, source_version=True)),
           (S["registry"], "record_created", record_payload(R1, attestation_state=None)),
           (S["registry"], "record_created",
            {k: v for k, v in record_payload(R1).items() if k != "receipt"})]
    evs = [event(s, et, P1, ts(n), pay=p) for n, (s, et, p) in enumerate(bad)]
    good = event(m, "mirror_hint", P1, ts(99),
                 pay={"mirror_type": "http", "name": "m", "base_url": "http://", "extra": [1]})
    return ("invalid_payload: empty text, missing member, null statement, upper-case digest, "
            "proof an array, 62-digit digest, unknown outcome, non-string cited, empty reason, "
            "ftp:// and HTTPS:// base_url, graph_snapshot an array, source_version 1.0 and true, "
            "null attestation_state, missing receipt. A mirror_hint with base_url exactly "
            "\"http://\" and an extra member is valid.",
            P1, keys(), evs + [good], X(["invalid_payload"] * len(bad), applied=1))


@vector("canonical-hash-mismatch")
def _():
    p = record_payload(R1)
    p["canonical_record"] = dict(R1, schema_version="1.1")
    return ("canonical_hash_mismatch: record_created whose canonical_record was altered after "
            "canonical_sha256 (and the receipt) were computed; the event itself is honestly "
            "signed.", P1, keys(), [event(S["registry"], "record_created", P1, ts(0), pay=p)],
            X(["canonical_hash_mismatch"], applied=0))


@vector("record-subject-mismatch")
def _():
    r2 = record(2)
    nodate = json.loads(json.dumps(R1))
    nodate["metadata"]["submitted_at"] = "Jan 2025"
    evs = [event(S["registry"], "record_created", P1, ts(0), pay=record_payload(r2)),
           event(S["registry"], "record_created", P1, ts(1), pay=record_payload(nodate))]
    return ("record_subject_mismatch: a consistent record_created of another paper filed under "
            "this subject; a record whose submitted_at does not start with 4 digits (no pith "
            "number).", P1, keys(), evs, X(["record_subject_mismatch"] * 2, applied=0))


@vector("source-mismatch")
def _():
    r = record(3)
    p3 = subject_of(r)
    evs = [event(S["registry"], "record_created", p3, ts(0), pay=record_payload(r, source_id="2501.99999")),
           event(S["registry"], "record_created", p3, ts(1), pay=record_payload(r, source_version="1")),
           event(S["registry"], "record_created", p3, ts(2), pay=record_payload(r, source_kind="doi"))]
    return ("source_mismatch: payload source_id differs; source_version \"1\" (a string) where the "
            "record has 1; source_kind differs.", p3, keys(), evs,
            X(["source_mismatch"] * 3, applied=0))


@vector("source-mismatch-missing-version")
def _():
    r = json.loads(json.dumps(record(4)))
    del r["source"]["version"]
    p = subject_of(r)
    e = event(S["registry"], "record_created", p, ts(0), pay=record_payload(r, source_version=""))
    return ("source_mismatch: an arXiv record without source.version (a missing member counts as "
            "unequal, whatever payload.source_version says).", p, keys(), [e],
            X(["source_mismatch"], applied=0))


@vector("bad-receipt")
def _():
    reg = S["registry"]
    rec_sha = sha256_hex(canon(R1))
    other = sha256_hex(b"other")
    variants = [
        receipt(rec_sha, kind="receipt"),
        receipt(rec_sha, algorithm="rsa"),
        receipt(rec_sha, signed_message="open_graph_event_sha256_bytes"),
        receipt(rec_sha, signature_b64=reg.sign(other)),
        receipt(rec_sha, signer=S["rogue"]),
        receipt(rec_sha, public_key_fingerprint=S["bob"].fingerprint),
        receipt(rec_sha, signature_b64=reg.sign(rec_sha).rstrip("=")),
        receipt(rec_sha, signature_b64=S["bob"].sign(rec_sha)),
        receipt(rec_sha, key_id=None),
    ]
    mism = receipt(other, signature_b64=reg.sign(other))
    variants.append(mism)
    evs = []
    for n, r in enumerate(variants):
        p = record_payload(R1)
        p["receipt"] = r
        evs.append(event(reg, "record_created", P1, ts(n), pay=p))
    return ("bad_receipt: receipt kind, algorithm, signed_message wrong; signature over another "
            "digest; signed by an untrusted key; wrong fingerprint; unpadded base64; signature by "
            "another trusted key; key_id null; receipt for another canonical_sha256.",
            P1, keys(), evs, X(["bad_receipt"] * len(variants), applied=0))


@vector("receipt-by-other-trusted-key")
def _():
    return ("A record_created whose receipt is signed by a trusted non-registry key (bob): §3 #21 "
            "only asks for a key of K, so it is valid.",
            P1, keys(), [created(R1, receipt_signer=S["bob"])], X(applied=1))


@vector("bad-signature")
def _():
    a = S["alice"]
    e = event(a, "author_attestation", P1, ts(1))
    sig = base64.b64decode(e["signature"]["signature_b64"])
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    variants = [
        b64(flipped),
        S["bob"].sign(e["content_sha256"]),
        e["signature"]["signature_b64"].rstrip("="),
        e["signature"]["signature_b64"][:-3] + "B==",
        e["signature"]["signature_b64"][:44] + "\n" + e["signature"]["signature_b64"][44:],
        e["signature"]["signature_b64"].replace("+", "-").replace("/", "_")
        if ("+" in e["signature"]["signature_b64"] or "/" in e["signature"]["signature_b64"])
        else "-" + e["signature"]["signature_b64"][1:],
        b64(sig[:63]),
        b64(sig + b"\x00"),
        "",
    ]
    evs = []
    for v in variants:
        d = json.loads(json.dumps(e))
        d["signature"]["signature_b64"] = v
        evs.append(d)
    return ("bad_signature: a flipped bit; a signature by another trusted key; missing padding; "
            "non-zero trailing bits; embedded newline; URL-safe alphabet; 63 and 65 bytes; empty.",
            P1, keys(), evs, X(["bad_signature"] * len(variants), applied=0))


@vector("prev-event-missing")
def _():
    a = S["alice"]
    ghost = event(a, "author_attestation", P1, ts(1))
    e = event(a, "author_attestation", P1, ts(2), prev=ghost["event_id"], i=1)
    e2 = event(a, "author_attestation", P1, ts(3), prev="sha256:" + "0" * 64, i=2)
    return ("prev_event_missing: prev_event names an event that was never received; another names "
            "an id that no event has.", P1, keys(), [e, e2], X(["prev_event_missing"] * 2, applied=0))


@vector("prev-event-names-malformed")
def _():
    a = S["alice"]
    first = event(a, "author_attestation", P1, ts(1))
    forged = json.loads(json.dumps(first))
    forged["signature"]["signature_b64"] = S["bob"].sign(first["content_sha256"])
    child = event(a, "author_attestation", P1, ts(2), prev=first["event_id"], i=1)
    return ("prev_event_missing: the only document with the named id fails §3 (bad_signature), so "
            "the id is not in W and the child is prev_event_missing (not prev_event_invalid).",
            P1, keys(), [forged, child], X(["bad_signature", "prev_event_missing"], applied=0))


@vector("prev-event-invalid")
def _():
    a = S["alice"]
    ghost = event(a, "author_attestation", P1, ts(1))
    b = event(a, "author_attestation", P1, ts(2), prev=ghost["event_id"], i=1)
    c = event(a, "author_attestation", P1, ts(3), prev=b["event_id"], i=2)
    d = event(a, "author_attestation", P1, ts(0), prev=c["event_id"], i=3)
    return ("prev_event_invalid: B's prev is missing; C names B, D names C (D's created_at is "
            "earliest: the order is by references first).",
            P1, keys(), [d, c, b],
            X(["prev_event_missing", "prev_event_invalid", "prev_event_invalid"], applied=0))


@vector("prev-event-foreign")
def _():
    a, b = S["alice"], S["bob"]
    base_a = event(a, "author_attestation", P1, ts(1))
    by_bob = event(b, "author_attestation", P1, ts(2), prev=base_a["event_id"])
    other_target = event(a, "citation_signature", P1, ts(3), prev=base_a["event_id"])
    return ("prev_event_foreign: bob's event continues alice's chain; alice's citation_signature "
            "names her author_attestation as prev_event (another target).",
            P1, keys(), [base_a, by_bob, other_target],
            X(["prev_event_foreign"] * 2, applied=1))


@vector("supersedes-missing")
def _():
    a = S["alice"]
    ghost = event(a, "author_attestation", P1, ts(1))
    e = event(a, "author_attestation", P1, ts(2), supersedes=[ghost["event_id"]], i=1)
    return ("supersedes_missing: an event supersedes an id never received.", P1, keys(), [e],
            X(["supersedes_missing"], applied=0))


@vector("supersedes-invalid")
def _():
    a = S["alice"]
    ghost = event(a, "author_attestation", P1, ts(1))
    bad = event(a, "author_attestation", P1, ts(2), prev=ghost["event_id"], i=1)
    e = event(a, "author_attestation", P1, ts(3), supersedes=[bad["event_id"]], i=2)
    return ("supersedes_invalid: an event supersedes one that is itself invalid "
            "(prev_event_missing).", P1, keys(), [bad, e],
            X(["prev_event_missing", "supersedes_invalid"], applied=0))


@vector("supersedes-foreign")
def _():
    a, b, reg = S["alice"], S["bob"], S["registry"]
    att = event(a, "author_attestation", P1, ts(1))
    hijack = event(b, "author_attestation", P1, ts(2), supersedes=[att["event_id"]], i=1)
    corr = event(reg, "correction", P1, ts(3), supersedes=[att["event_id"]])
    return ("supersedes_foreign: bob (unbound key) and the registry (unbound key) try to "
            "supersede alice's attestation; alice's attestation stays current.",
            P1, keys(), [att, hijack, corr], X(["supersedes_foreign"] * 2, applied=1))


@vector("supersedes-by-signer-binding")
def _():
    a, a2, reg, reg2 = S["alice"], S["alice-2"], S["registry"], S["registry-2"]
    att = event(a, "author_attestation", P1, ts(1))
    new = event(a2, "author_attestation", P1, ts(2), supersedes=[att["event_id"]], i=1)
    g = event(reg, "graph_snapshot", P1, ts(3))
    g2 = event(reg2, "graph_snapshot", P1, ts(4), supersedes=[g["event_id"]], i=1)
    back = event(a, "correction", P1, ts(5), supersedes=[new["event_id"]])
    return ("A second key whose entry binds the same signer_id may supersede the first key's "
            "events (alice-2 over alice, registry-2 over registry). alice's first key is bound "
            "too, so it may supersede alice-2's event with a correction.",
            P1, keys("registry", "registry-2", "alice", "alice-2"), [att, new, g, g2, back],
            X(applied=5))


@vector("supersedes-wrong-target")
def _():
    a = S["alice"]
    att = event(a, "author_attestation", P1, ts(1))
    cit = event(a, "citation_signature", P1, ts(2), supersedes=[att["event_id"]])
    return ("supersedes_wrong_target: alice's citation_signature (not a correction) supersedes her "
            "author_attestation.", P1, keys(), [att, cit],
            X(["supersedes_wrong_target"], applied=1))


@vector("correction-supersedes-record-created")
def _():
    reg = S["registry"]
    rc = created(R1)
    corr = event(reg, "correction", P1, ts(5), supersedes=[rc["event_id"]])
    return ("supersedes_wrong_target: a registry correction may not supersede record_created.",
            P1, keys(), [rc, corr], X(["supersedes_wrong_target"], applied=1))


@vector("supersedes-checks-in-array-order")
def _():
    a = S["alice"]
    att = event(a, "author_attestation", P1, ts(1))
    ghost = event(a, "author_attestation", P1, ts(2), i=9)
    e = event(a, "correction", P1, ts(3), supersedes=[att["event_id"], ghost["event_id"]])
    return ("A correction superseding a valid event and then a missing one: the first entry "
            "passes, the second gives supersedes_missing; the valid event stays current.",
            P1, keys(), [att, e], X(["supersedes_missing"], applied=1))


@vector("fork-at-null")
def _():
    a = S["alice"]
    e1 = event(a, "author_attestation", P1, ts(1))
    e2 = event(a, "author_attestation", P1, ts(2), i=1)
    return ("Equivocation: two first events (prev_event null) by one key on one target; both "
            "excluded, both still valid.", P1, keys(), [created(R1), e1, e2],
            X(equivocations=1, applied=1))


@vector("fork-mid-chain")
def _():
    a = S["alice"]
    e1 = event(a, "author_attestation", P1, ts(1))
    e2 = event(a, "author_attestation", P1, ts(2), prev=e1["event_id"], i=1)
    f1 = event(a, "author_attestation", P1, ts(3), prev=e2["event_id"], i=2)
    f2 = event(a, "author_attestation", P1, ts(3), prev=e2["event_id"], i=3)
    return ("Equivocation at the third link: the two forked events are excluded, the chain before "
            "the fork point stays applied.", P1, keys(), [e1, e2, f1, f2],
            X(equivocations=1, applied=2))


@vector("fork-three-way")
def _():
    st = S["store"]
    e1 = event(st, "storage_attestation", P1, ts(1))
    fs = [event(st, "storage_attestation", P1, ts(2 + n), prev=e1["event_id"], i=1 + n)
          for n in range(3)]
    return ("A 3-way fork: one equivocation entry with three sorted event_ids.",
            P1, keys(), [e1] + fs, X(equivocations=1, applied=1))


@vector("fork-with-descendants")
def _():
    a = S["alice"]
    root = event(a, "author_attestation", P1, ts(1))
    b1 = event(a, "author_attestation", P1, ts(2), prev=root["event_id"], i=1)
    b2 = event(a, "author_attestation", P1, ts(2), prev=root["event_id"], i=2)
    c1 = event(a, "author_attestation", P1, ts(3), prev=b1["event_id"], i=3)
    d1 = event(a, "author_attestation", P1, ts(4), prev=c1["event_id"], i=4)
    c2 = event(a, "author_attestation", P1, ts(5), prev=b2["event_id"], i=5)
    return ("A fork whose branches continue: the forked events and all their prev_event "
            "descendants are excluded (still valid); the root stays.",
            P1, keys(), [root, b1, b2, c1, d1, c2], X(equivocations=1, applied=1))


@vector("two-independent-forks")
def _():
    a, m = S["alice"], S["mirror"]
    evs = [event(a, "author_attestation", P1, ts(1)), event(a, "author_attestation", P1, ts(1), i=1),
           event(m, "mirror_hint", P1, ts(2)), event(m, "mirror_hint", P1, ts(3), i=1),
           event(m, "storage_attestation", P1, ts(4))]
    return ("Two independent equivocations (alice on author, the mirror on mirror); the mirror's "
            "storage_attestation (another target) is unaffected.",
            P1, keys(), evs, X(equivocations=2, applied=1))


@vector("fork-one-target-other-fine")
def _():
    a = S["alice"]
    c1 = event(a, "citation_signature", P1, ts(1))
    c2 = event(a, "citation_signature", P1, ts(2), prev=c1["event_id"], i=1)
    f1 = event(a, "author_attestation", P1, ts(3))
    f2 = event(a, "author_attestation", P1, ts(4), i=1)
    return ("One key forks its author chain while its citation chain is fine: only the author "
            "events are excluded.", P1, keys(), [c1, c2, f1, f2], X(equivocations=1, applied=2))


@vector("fork-supersedes-have-no-effect")
def _():
    a = S["alice"]
    att = event(a, "author_attestation", P1, ts(1))
    k1 = event(a, "correction", P1, ts(2), supersedes=[att["event_id"]])
    k2 = event(a, "correction", P1, ts(3), i=1)
    return ("A forked (excluded) correction supersedes alice's attestation: the supersede has no "
            "effect, the attestation stays current.", P1, keys(), [att, k1, k2],
            X(equivocations=1, applied=1))


@vector("fork-branch-invalid-is-no-equivocation")
def _():
    a = S["alice"]
    root = event(a, "author_attestation", P1, ts(1))
    ok = event(a, "author_attestation", P1, ts(2), prev=root["event_id"], i=1)
    ghost = event(a, "author_attestation", P1, ts(9), i=9)
    bad = event(a, "author_attestation", P1, ts(3), prev=root["event_id"],
                supersedes=[ghost["event_id"]], i=2)
    return ("Two events share (target, key, prev_event) but one is invalid (supersedes_missing): "
            "only events of V can equivocate, so there is none.", P1, keys(), [root, ok, bad],
            X(["supersedes_missing"], applied=2))


@vector("supersede-chain")
def _():
    a = S["alice"]
    A = event(a, "author_attestation", P1, ts(1))
    B = event(a, "author_attestation", P1, ts(2), prev=A["event_id"], supersedes=[A["event_id"]], i=1)
    C = event(a, "author_attestation", P1, ts(3), prev=B["event_id"], supersedes=[B["event_id"]], i=2)
    return ("A superseded by B superseded by C: only C is current; all three applied.",
            P1, keys(), [C, A, B], X(applied=3))


@vector("correction-across-targets")
def _():
    a, reg, c = S["alice"], S["registry"], S["carol"]
    att = event(a, "author_attestation", P1, ts(1))
    cit = event(a, "citation_signature", P1, ts(2))
    g = event(reg, "graph_snapshot", P1, ts(3))
    rep = event(c, "replication_record", P1, ts(4))
    k1 = event(a, "correction", P1, ts(5), supersedes=[att["event_id"], cit["event_id"]])
    k2 = event(reg, "correction", P1, ts(6), supersedes=[g["event_id"]])
    k3 = event(c, "correction", P1, ts(7), supersedes=[rep["event_id"]])
    k4 = event(a, "correction", P1, ts(8), prev=k1["event_id"], supersedes=[k1["event_id"]], i=4)
    return ("Corrections supersede events of other targets by the same key (two at once for "
            "alice), and a later correction supersedes alice's first correction.",
            P1, keys(), [created(R1), att, cit, g, rep, k1, k2, k3, k4], X(applied=9))


@vector("record-created-chain")
def _():
    r1 = created(R1, t=0)
    r2 = created(R1, t=10, prev=r1["event_id"], attestation_state="reissued")
    r3 = created(R1, t=20, prev=r2["event_id"], supersedes=[r2["event_id"]],
                 attestation_state="reissued-again")
    return ("Three record_created events in one registry chain: r3 supersedes r2, so the last "
            "non-superseded one in applied order is r3; canonical_record and aliases follow it.",
            P1, keys(), [r3, r1, r2], X(applied=3))


@vector("record-created-superseded-by-second-registry-key")
def _():
    r1 = created(R1, t=0)
    r2 = created(R1, t=10, prev=r1["event_id"], supersedes=[r1["event_id"]],
                 attestation_state="reissued")
    k = event(S["registry-2"], "record_created", P1, ts(5),
              pay=record_payload(R1, attestation_state="by-registry-2"), supersedes=[r2["event_id"]])
    return ("record_created r2 supersedes r1 along the registry chain; a second registry key "
            "bound to the same signer_id supersedes r2 although its created_at is earlier: the "
            "reference puts it after r2, and it is the record shown.",
            P1, keys("registry", "registry-2"), [r1, r2, k], X(applied=3))


@vector("record-created-fork")
def _():
    r1 = created(R1, t=0)
    r2 = created(R1, t=1, attestation_state="other")
    g = event(S["registry"], "graph_snapshot", P1, ts(2))
    return ("The registry forks its record chain (two record_created with prev_event null): both "
            "are excluded, so record_created and canonical_record are null and source_aliases is "
            "[] while its graph_snapshot still applies.", P1, keys(), [r1, r2, g],
            X(equivocations=1, applied=1))


@vector("two-registry-keys-last-record-wins")
def _():
    r1 = created(R1, t=0)
    k = event(S["registry-2"], "record_created", P1, ts(1),
              pay=record_payload(R1, attestation_state="by-registry-2"))
    r3 = created(R1, t=2, prev=r1["event_id"], attestation_state="third")
    return ("Three record_created, none superseded (two registry keys): the one shown is the last "
            "in applied order.", P1, keys("registry", "registry-2"), [k, r3, r1], X(applied=3))


@vector("duplicate-document")
def _():
    rc = created(R1)
    att = event(S["alice"], "author_attestation", P1, ts(1))
    bad = event(S["rogue"], "author_attestation", P1, ts(1))
    return ("The same documents several times (valid and invalid): each distinct document counts "
            "once.", P1, keys(), [rc, att, rc, bad, att, bad, rc],
            X(["unknown_key"], applied=2))


@vector("duplicate-event-different-signed-at")
def _():
    a = S["alice"]
    e1 = event(a, "author_attestation", P1, ts(1), signed_at="2026-02-01T00:00:00.000000Z")
    e2 = event(a, "author_attestation", P1, ts(1), signed_at="2026-03-01T00:00:00.000000Z")
    e3 = json.loads(json.dumps(e1))
    e3["signature"]["mirror_note"] = "re-served by a mirror"
    return ("One event in three documents differing only inside signature (signed_at, an extra "
            "member): one event, counted once; the copies appear nowhere.",
            P1, keys(), [e1, e2, e3], X(applied=1))


@vector("duplicate-event-invalid-representative")
def _():
    a = S["alice"]
    ghost = event(a, "author_attestation", P1, ts(0))
    copies = [event(a, "author_attestation", P1, ts(1), prev=ghost["event_id"],
                    signed_at="2026-02-0%dT00:00:00Z" % n) for n in range(1, 5)]
    return ("An event failing §4 (prev_event_missing) received as four copies with different "
            "signed_at: one invalid_events entry, with the smallest document_sha256.",
            P1, keys(), copies, X(["prev_event_missing"], applied=0))


@vector("duplicate-event-one-copy-bad-signature")
def _():
    a = S["alice"]
    e = event(a, "author_attestation", P1, ts(1))
    bad = json.loads(json.dumps(e))
    bad["signature"]["signature_b64"] = S["bob"].sign(e["content_sha256"])
    return ("Two documents with one event_id, one with a valid signature, one with a signature by "
            "another key: the bad copy fails §3 (bad_signature) and is listed; the event is "
            "valid and applied.", P1, keys(), [bad, e], X(["bad_signature"], applied=1))


def _big_set(seed):
    rng = random.Random(seed)
    evs = [created(R1)]
    chains = {}
    for n in range(40):
        s = rng.choice(["alice", "bob", "carol", "tsa", "store", "mirror", "registry"])
        et = {"alice": "author_attestation", "bob": "citation_signature",
              "carol": "replication_record", "tsa": "timestamp_anchor",
              "store": "storage_attestation", "mirror": "mirror_hint",
              "registry": "graph_snapshot"}[s]
        if rng.random() < 0.2:
            et = "correction"
        key = (s, EVENT_TYPES[et][0])
        prev = chains.get(key)
        sup = []
        if prev is not None and rng.random() < 0.4:
            sup = [prev]
        e = event(S[s], et, P1, ts(rng.randrange(0, 50)), prev=prev, supersedes=sup, i=n)
        chains[key] = e["event_id"]
        evs.append(e)
    return evs


@vector("shuffled-large-set")
def _():
    evs = _big_set(7)
    rng = random.Random(11)
    shuffled = list(evs)
    rng.shuffle(shuffled)
    st1 = merge_v1.merge(P1, evs, keys())
    st2 = merge_v1.merge(P1, shuffled, keys())
    assert canon(st1) == canon(st2)
    return ("41 valid events (7 signers, chains with supersedes, many equal created_at) in a "
            "shuffled input order; the state is the one of the sorted set.",
            P1, keys(), shuffled, X(applied=41))


@vector("many-signers")
def _():
    names = ["registry", "registry-2", "alice", "alice-2", "bob", "carol", "tsa", "store", "mirror"]
    allowed = {"registry": "graph_snapshot", "registry-2": "graph_snapshot",
               "alice": "author_attestation", "alice-2": "replication_record",
               "bob": "citation_signature", "carol": "replication_record",
               "tsa": "timestamp_anchor", "store": "storage_attestation",
               "mirror": "storage_attestation"}
    evs = [created(R1)]
    for n, s in enumerate(names):
        evs.append(event(S[s], allowed[s], P1, ts(100), i=n))
        evs.append(event(S[s], "correction", P1, ts(100), i=n))
    return ("Nine keys of all six signer types, each signing one event of an allowed type and one "
            "correction, all with the same created_at (order falls back to event_id).",
            P1, keys(*names), evs, X(applied=19))


@vector("order-references-before-time")
def _():
    a = S["alice"]
    e1 = event(a, "author_attestation", P1, ts(50))
    e2 = event(a, "author_attestation", P1, ts(10), prev=e1["event_id"], i=1)
    e3 = event(a, "author_attestation", P1, ts(5), prev=e2["event_id"], i=2)
    other = event(S["bob"], "citation_signature", P1, ts(20))
    return ("A chain whose created_at decreases along prev_event: the topological order wins "
            "over time, other events interleave by (created_at, event_id).",
            P1, keys(), [e3, other, e2, e1], X(applied=4))


@vector("unicode-payloads")
def _():
    a = S["alice"]
    weird = {"astral": "\U0001F600 \U0001D518\U0001D52B\U0001D526",
             "combining": "e\u0301 vs \u00e9", "separators": "a\u2028b\u2029c",
             "controls": "\u0000\u0001\u001f\u007f\t\n\r\b\f", "quotes": "\"\\/",
             "bom": "\ufeff", "nbsp": "\u00a0",
             "\uffff": "key U+FFFF", "\U0001F600": "astral key sorts after U+FFFF",
             "\ue000": "private use key", "\u00e9": "e-acute key", "e\u0301": "combining key",
             "Z": 1, "a": 2}
    p = {"author_name": "J\u00fcrgen M\u00fcller-\u674e \U0001F9EA", "statement": "\u2028", "x": weird}
    e = event(a, "author_attestation", P1, ts(1), pay=p,
              signer_obj=None)
    u = S["bob"]
    p2 = {"citing": "\U0001F4C4", "cited": "d\u0301\u0327", "note": ["\u2028\u2029", "\ud7ff\ue000"]}
    e2 = event(u, "citation_signature", P1, ts(1), pay=p2)
    return ("Unicode in payloads: astral characters, combining sequences, U+2028/U+2029, control "
            "characters, BOM, object keys whose code-point order differs from UTF-16 order "
            "(U+FFFF before U+1F600).", P1, keys(), [created(R1), e, e2], X(applied=3))


@vector("number-payloads")
def _():
    nums = {"big": 2 ** 64, "bigger": 10 ** 30, "neg_big": -(2 ** 63) - 1, "zero": 0,
            "tiny": 1e-07, "large": 1e+16, "neg_zero": -0.0, "one": 1.0, "hundred": 100.0,
            "tenth": 0.1, "e22": 1e22, "min_sub": 5e-324, "max": 1.7976931348623157e308,
            "third": 1 / 3, "neg": -2.5e-05, "int_like": 123456789012345680000.0,
            "list": [0, -1, 1.5, 2 ** 53 + 1, 1e21, 1e-5, 0.0001]}
    evs = [created(R1),
           event(S["registry"], "graph_snapshot", P1, ts(1), pay={"graph_snapshot": nums}),
           event(S["carol"], "replication_record", P1, ts(2),
                 pay={"outcome": "inconclusive", "report_locator": "r", "score": -0.0,
                      "n": 10 ** 20})]
    return ("Numbers in payloads copied as canonical text: big integers, 1e-07, 1e+16, -0.0, "
            "1.0, 100.0, 0.1, 1e+22, 5e-324, max double, 1/3, 2^53+1.",
            P1, keys(), evs, X(applied=3))


@vector("events-missing-fields")
def _():
    a = S["alice"]
    base = event(a, "author_attestation", P1, ts(1))
    evs = []
    for m in ["schema_version", "event_type", "subject_pith_number", "target", "payload",
              "signer", "created_at", "supersedes", "prev_event", "signature", "content_sha256",
              "event_id"]:
        d = {k: v for k, v in base.items() if k != m}
        evs.append(d)
    for m in ["signer_id", "signer_type", "public_key_fingerprint"]:
        d = json.loads(json.dumps(base))
        del d["signer"][m]
        evs.append(d)
    for m in ["algorithm", "key_id", "public_key_fingerprint", "signature_b64", "signed_message"]:
        d = json.loads(json.dumps(base))
        del d["signature"][m]
        evs.append(d)
    for m, v in [("created_at", 20260101), ("supersedes", None), ("supersedes", "sha256:x"),
                 ("schema_version", 1.0), ("event_id", None), ("signer", [])]:
        d = json.loads(json.dumps(base))
        d[m] = v
        evs.append(d)
    n = len(evs)
    return ("malformed_event: an honest event with each required member removed in turn (top "
            "level, signer, signature), and with members of the wrong JSON type.",
            P1, keys(), evs + [base], X(["malformed_event"] * n, applied=1))


@vector("non-object-documents")
def _():
    base = event(S["alice"], "author_attestation", P1, ts(1))
    docs = [None, True, False, 0, -0.0, 1.5, "", "event", [], [base], {}, {"event_id": base["event_id"]}]
    return ("malformed_event: null, booleans, numbers, strings, arrays (one holding a valid "
            "event), an empty object, an object with only an event_id (reported with it).",
            P1, keys(), docs, X(["malformed_event"] * len(docs), applied=0))


@vector("check-order-first-reason-wins")
def _():
    a = S["alice"]
    e1 = event(S["rogue"], "author_attestation", "pith:2025:OTHER", "2026-01-01T00:00:00.1Z")
    e2 = event(S["rogue"], "author_attestation", P1, ts(1), target="record")
    e3 = json.loads(json.dumps(event(S["rogue"], "author_attestation", P1, ts(2))))
    e3["payload"]["statement"] = "tampered"
    e4 = event(a, "graph_snapshot", P1, ts(3), pay={"graph_snapshot": 1},
               signer_obj=a.obj(signer_id="x"))
    e5 = event(S["old"], "graph_snapshot", P1, ts(9999), pay={})
    e6 = json.loads(json.dumps(event(a, "author_attestation", P1, ts(4),
                                     pay={"author_name": ""})))
    e6["signature"]["signature_b64"] = "!"
    return ("Documents failing several checks report the first in table order: bad_created_at "
            "before wrong_subject/unknown_key; wrong_target before unknown_key; "
            "content_hash_mismatch before unknown_key; key_signer_mismatch before "
            "signer_type_not_allowed/invalid_payload; key_rotated before "
            "signer_type_not_allowed; invalid_payload before bad_signature.",
            P1, keys("registry", "alice", "old"), [e1, e2, e3, e4, e5, e6],
            X(["bad_created_at", "wrong_target", "content_hash_mismatch", "key_signer_mismatch",
               "key_rotated", "invalid_payload"], applied=0))


@vector("record-created-receipt-before-signature")
def _():
    p = record_payload(R1)
    p["receipt"] = dict(p["receipt"], kind="x")
    e = json.loads(json.dumps(event(S["registry"], "record_created", P1, ts(0), pay=p)))
    e["signature"]["signature_b64"] = S["bob"].sign(e["content_sha256"])
    return ("A record_created with both a bad receipt and a bad event signature reports "
            "bad_receipt (check 21 comes before 22).", P1, keys(), [e],
            X(["bad_receipt"], applied=0))


@vector("non-arxiv-record")
def _():
    r = record(5, kind="doi")
    p = subject_of(r)
    rc = event(S["registry"], "record_created", p, ts(0), pay=record_payload(r))
    return ("A record whose source.kind is not arxiv (integer version): valid; source_aliases are "
            "only pith_short_8/12/16.", p, keys(), [rc], X(applied=1))


@vector("string-source-version")
def _():
    r = json.loads(json.dumps(record(6)))
    r["source"] = {"id": "hal-01234", "kind": "hal", "version": "v2"}
    p = subject_of(r)
    rc = event(S["registry"], "record_created", p, ts(0), pay=record_payload(r))
    return ("A non-arXiv record with a string source.version (\"v2\"): valid; payload.source_version "
            "is the same string.", p, keys(), [rc], X(applied=1))


@vector("key-binding-type-only")
def _():
    a2 = S["alice-2"]  # binds signer_id only
    e1 = event(a2, "author_attestation", P1, ts(1))
    e2 = event(a2, "replication_record", P1, ts(2), signer_obj=a2.obj(signer_type="researcher"))
    e3 = event(a2, "graph_snapshot", P1, ts(3), signer_obj=a2.obj(signer_type="pith_registry"))
    return ("A key entry binding signer_id but not signer_type: the signer may claim any type "
            "(researcher, even pith_registry) and the claimed type decides what it may sign.",
            P1, keys("alice-2"), [e1, e2, e3], X(applied=3))


@vector("long-float-payloads")
def _():
    # Floats whose repr needs 16 or 17 digits, or sits where decimal-to-binary rounding is delicate:
    # a tie broken to even, a carry into the next power of two, the edges of the normal range.
    rng = random.Random(20261207)
    floats = {"sum": 0.1 + 0.2, "two_thirds": 2 / 3, "e23": 1e23, "two_53": 2.0 ** 53,
              "below_one": float.fromhex("0x1.fffffffffffffp-1"), "below_2_53": 2.0 ** 53 - 1,
              "above_2_53": 2.0 ** 53 + 2, "min_normal": 2.0 ** -1022, "subnormal": 1e-310,
              "max_minus": float.fromhex("0x1.ffffffffffffep+1023"), "neg_long": -1.2345678901234567e-08,
              "avogadro_long": 6.0221407599999994e+23, "sixteen": 1234567890123456.8,
              "random": [rng.random() * 10.0 ** rng.randint(-12, 20) for _ in range(12)]}
    evs = [created(R1), event(S["registry"], "graph_snapshot", P1, ts(1), pay={"graph_snapshot": floats})]
    return ("Floats whose repr has 16 or 17 digits or sits at an edge of rounding: 0.1+0.2, 2/3, "
            "1e+23, 2^53 and its neighbours, the largest double below 1, the smallest normal, a "
            "subnormal, the second largest double, and twelve seeded random doubles from 1e-12 to 1e+20.",
            P1, keys(), evs, X(applied=2))


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

OUT = os.path.join(HERE, "pith-open-graph-merge-v1")


def build(name, fn):
    desc, subject, ks, events, expect = fn()
    state = merge_v1.merge(subject, events, ks)
    reasons = sorted(e["reason"] for e in state["invalid_events"])
    problems = []
    if reasons != expect["reasons"]:
        problems.append("reasons %s != expected %s" % (reasons, expect["reasons"]))
    if state["equivocation_count"] != expect["equivocations"]:
        problems.append("equivocations %d != %d" % (state["equivocation_count"],
                                                    expect["equivocations"]))
    if expect["applied"] is not None and len(state["applied_event_ids"]) != expect["applied"]:
        problems.append("applied %d != %d" % (len(state["applied_event_ids"]), expect["applied"]))
    if problems:
        raise SystemExit("vector %s does not test what it says: %s" % (name, "; ".join(problems)))
    # independent of input order and duplicates
    rng = random.Random(name)
    shuffled = list(events) + list(events[: len(events) // 2])
    rng.shuffle(shuffled)
    assert canon(merge_v1.merge(subject, shuffled, ks)) == canon(state), name
    vec = {"description": desc, "subject": subject, "keys": ks, "events": events,
           "expected_state_sha256": state["state_sha256"]}
    vec_bytes = (json.dumps(vec, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    # the file must parse back to the same values
    assert canon(merge_v1.strict_loads(vec_bytes.decode("utf-8"))) == canon(vec), name
    return {"vector.json": vec_bytes, "expected_state.json": canon(state)}, desc


README_HEAD = """# Conformance vectors: `pith-open-graph-merge-v1`

Each directory `pith-open-graph-merge-v1/NNNN-short-name/` holds one vector:

- `vector.json`: `{"description", "subject", "keys", "events", "expected_state_sha256"}`.
  `subject` is the pith number P; `keys` is the **complete** trusted key set K for the vector
  (public-key entries, format.md §Keys; no implicit default key, not even `pith-v1-2026-05`);
  `events` are the input documents in input order (any JSON values, including non-objects and
  duplicates).
- `expected_state.json`: exactly `canon(state)` (no trailing newline), whose sha256 over the
  state without `state_sha256` is `expected_state_sha256`.

An implementation passes a vector when `merge(subject, events, keys)` produces these bytes.

The expected states are computed by the independent Python reference
(`specs/reference/merge_v1.py`, written from the spec alone). Test keys are fixed: the Ed25519
seed of key NAME is `sha256(b"pith-merge conformance key " + NAME)`, key_id `conformance-NAME`
(never use them for anything real). Vector 0000 is the real seed bundle
(`tests/data/seeds/001_2e83a30e9a2c9dc7.txt`) with its own public key.

## Regenerating

    /usr/bin/python3 specs/vectors/generate.py          # writes missing vectors, checks the rest
    /usr/bin/python3 specs/vectors/generate.py --check  # writes nothing; exit 1 on any difference

Needs Debian's python3 with python3-nacl. The output is deterministic: running it twice gives
identical bytes. This README is also written by the script (edit `generate.py`, not this file).

## Immutability

Published vectors never change. The generator refuses to overwrite a vector whose bytes would
differ and says which; `--force` overrides this, and must only be used for a vector that was
never published. To change behaviour, add a new vector at the end of the list (new number);
never renumber or edit an existing one. Vector `reference_cycle` is not covered: content
addressing makes a reference cycle impossible to build honestly.

## Vectors

| vector | covers |
| --- | --- |
"""


def main(argv):
    force = "--force" in argv
    check = "--check" in argv
    out = OUT
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
    rows, refused, changed, written = [], [], [], 0
    for n, (name, fn) in enumerate(VECTORS):
        dname = "%04d-%s" % (n, name)
        files, desc = build(dname, fn)
        rows.append("| `%s` | %s |" % (dname, desc.replace("|", "\\|")))
        d = os.path.join(out, dname)
        for fname, data in files.items():
            path = os.path.join(d, fname)
            old = None
            if os.path.exists(path):
                with open(path, "rb") as f:
                    old = f.read()
            if old == data:
                continue
            if check:
                changed.append(path)
                continue
            if old is not None and not force:
                refused.append(path)
                continue
            os.makedirs(d, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            written += 1
    known = set("%04d-%s" % (n, name) for n, (name, _) in enumerate(VECTORS))
    if os.path.isdir(out):
        for extra in sorted(os.listdir(out)):
            if extra not in known:
                sys.stderr.write("note: %s is not produced by this generator\n" % extra)
    readme = (README_HEAD + "\n".join(rows) + "\n").encode("utf-8")
    readme_path = os.path.join(HERE, "README.md")
    if check:
        if changed:
            sys.stderr.write("differs or missing:\n  " + "\n  ".join(changed) + "\n")
            return 1
        print("%d vectors: all up to date" % len(VECTORS))
        return 0
    if out == OUT:
        with open(readme_path, "wb") as f:
            f.write(readme)
    if refused:
        sys.stderr.write(
            "REFUSED to overwrite %d published file(s) whose bytes would change (published vectors "
            "never change; add a new vector instead, or pass --force if never published):\n  %s\n"
            % (len(refused), "\n  ".join(refused)))
        return 1
    print("%d vectors, %d file(s) written" % (len(VECTORS), written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
