#!/usr/bin/python3
"""Independent executable reference of `pith-open-graph-merge-v1` (specs/merge-v1.md).

TEST-ONLY. Written from the spec documents alone (merge-v1.md, format.md, the canon rule and the
seed bundle), never from the C++ sources, so that the two implementations can be compared.
It favours being obviously faithful to the text over speed. Section numbers in comments refer to
specs/merge-v1.md.

Library API:
    merge(subject, documents, keys, merge_version=MERGE_VERSION) -> state dict (with state_sha256)
    load_keys(entries) -> {key_id: entry}
    canon(x) -> bytes

CLI:
    merge_v1.py merge [--keys KEYS.json] [--no-default-keys] INPUT.jsonl
prints canon(state) for every subject (documents grouped by their string `subject_pith_number`,
others skipped), one per line, ordered by pith number.

Needs only the standard library and PyNaCl (libsodium) for Ed25519.
"""

import base64
import binascii
import glob
import hashlib
import heapq
import json
import os
import re
import sys

import nacl.bindings

MERGE_VERSION = "pith-open-graph-merge-v1"

# ---------------------------------------------------------------------------------------------
# Primitives (format.md, canon rule)
# ---------------------------------------------------------------------------------------------


def canon(x):
    """canon(x) = json.dumps(x, sort_keys=True, separators=(',', ':'), ensure_ascii=False), UTF-8."""
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _b32(data):
    return base64.b32encode(data).decode("ascii")


_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def strict_b64decode(s):
    """RFC 4648 standard base64 with padding; refuses whitespace, missing padding, the URL alphabet
    and non-zero trailing bits. Returns bytes, or None when refused."""
    if not isinstance(s, str) or len(s) % 4 != 0 or not _B64_RE.fullmatch(s):
        return None
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != s:  # non-zero trailing bits / odd padding
        return None
    return raw


def ed25519_verify(public_key, message, signature):
    """libsodium verification (crypto_sign_open is crypto_sign_verify_detached on sig||msg)."""
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
        return True
    except Exception:  # nacl.exceptions.BadSignatureError, ValueError on odd sizes
        return False


_TS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def is_timestamp(s):
    """YYYY-MM-DDTHH:MM:SSZ, 20 characters, a real (proleptic Gregorian) date, 00-23:00-59:00-59.
    AMBIGUITY: "a real calendar date" does not say which years; we accept 0000-9999 with the
    Gregorian leap rule (0000 is a leap year), ASCII digits only."""
    if not isinstance(s, str) or len(s) != 20 or not _TS_RE.fullmatch(s):
        return False
    year, month, day = int(s[0:4]), int(s[5:7]), int(s[8:10])
    hour, minute, second = int(s[11:13]), int(s[14:16]), int(s[17:19])
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days and hour <= 23 and minute <= 59 and second <= 59


_HEX64_RE = re.compile(r"[0-9a-f]{64}")


def is_digest(x):
    return isinstance(x, str) and _HEX64_RE.fullmatch(x) is not None


def is_event_ref(x):
    return isinstance(x, str) and x.startswith("sha256:") and is_digest(x[7:])


def is_text(x):
    return isinstance(x, str) and len(x) >= 1


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def pith_number(record):
    """format.md §Records; None when it cannot be derived (no metadata.submitted_at string whose
    first 4 characters are ASCII digits). AMBIGUITY: format.md also says a canonical record has
    source.kind and source.id strings; we do not require them here (the pith number rule does not
    use them), so a record without them reaches check 20 (source_mismatch) instead of 19."""
    if not isinstance(record, dict):
        return None
    meta = record.get("metadata")
    if not isinstance(meta, dict):
        return None
    sub = meta.get("submitted_at")
    if not isinstance(sub, str) or len(sub) < 4 or not re.fullmatch(r"[0-9]{4}", sub[:4]):
        return None
    return "pith:" + sub[:4] + ":" + _b32(hashlib.sha256(canon(record)).digest())[:26]


def source_aliases(record, created_at):
    """format.md §Records `source_aliases`, each with created_at, sorted by alias_kind."""
    b32 = _b32(hashlib.sha256(canon(record)).digest())[:26]
    src = record.get("source") if isinstance(record.get("source"), dict) else {}
    aliases = []
    if src.get("kind") == "arxiv":
        sid = src["id"]
        aliases.append(("arxiv", sid))
        if "version" in src:
            aliases.append(("arxiv_version", sid + "v" + str(src["version"])))
        aliases.append(("doi", "10.48550/arxiv." + sid))
    for n in (8, 12, 16):
        aliases.append(("pith_short_%d" % n, b32[:n]))
    aliases.sort(key=lambda a: a[0])
    return [{"alias_kind": k, "alias_value": v, "created_at": created_at} for k, v in aliases]


# ---------------------------------------------------------------------------------------------
# Keys (format.md §Keys, merge-v1.md §1)
# ---------------------------------------------------------------------------------------------


def load_keys(entries):
    """Validate public-key entries; return {key_id: entry}. Raises ValueError on a bad entry or on
    two different entries under one key_id (identical entries, by canon, are accepted once)."""
    if not isinstance(entries, list):
        raise ValueError("keys: expected a JSON array of public-key entries")
    out = {}
    for i, e in enumerate(entries):
        where = "keys[%d]" % i
        if not isinstance(e, dict):
            raise ValueError(where + ": not an object")
        kid = e.get("key_id")
        if not is_text(kid):
            raise ValueError(where + ": key_id must be a non-empty string")
        if e.get("algorithm") != "ed25519":
            raise ValueError(where + ": algorithm must be \"ed25519\"")
        raw = strict_b64decode(e.get("public_key_b64"))
        if raw is None or len(raw) != 32:
            raise ValueError(where + ": public_key_b64 must be strict base64 of 32 bytes")
        digest = hashlib.sha256(raw).digest()
        if e.get("fingerprint_sha256_hex") != digest[:16].hex():
            raise ValueError(where + ": fingerprint_sha256_hex missing or does not match the key")
        if "format" in e and e["format"] != "raw":
            raise ValueError(where + ": format must be \"raw\"")
        if "public_key_hex" in e and e["public_key_hex"] != raw.hex():
            raise ValueError(where + ": public_key_hex does not match public_key_b64")
        if "fingerprint_sha256_b32_first128bits" in e and \
                e["fingerprint_sha256_b32_first128bits"] != _b32(digest)[:26]:
            raise ValueError(where + ": fingerprint_sha256_b32_first128bits does not match")
        if "rotates_at" in e and e["rotates_at"] is not None and not is_timestamp(e["rotates_at"]):
            raise ValueError(where + ": rotates_at must be null or YYYY-MM-DDTHH:MM:SSZ")
        # AMBIGUITY: format.md does not type signer_id/signer_type; a null one is refused here
        # (rather than read as "no binding").
        for m in ("signer_id", "signer_type"):
            if m in e and not isinstance(e[m], str):
                raise ValueError(where + ": %s must be a string" % m)
        # AMBIGUITY: "two different keys under one key_id": we call entries different when
        # their canon bytes differ (e.g. same key material but another rotates_at), so that K
        # never depends on the order of the entries.
        if kid in out and canon(out[kid]) != canon(e):
            raise ValueError(where + ": two different keys under key_id %r" % kid)
        out[kid] = e
    return out


def _raw_key(entry):
    return strict_b64decode(entry["public_key_b64"])


# ---------------------------------------------------------------------------------------------
# §2 Event types and payloads
# ---------------------------------------------------------------------------------------------

SIGNER_TYPES = ("pith_registry", "author", "researcher", "timestamp_authority",
                "storage_provider", "mirror")

# event_type: (target, list in current, allowed signer types)
EVENT_TYPES = {
    "record_created": ("record", "record_created", ("pith_registry",)),
    "graph_snapshot": ("graph", "graph_snapshots", ("pith_registry",)),
    "author_attestation": ("author", "author_attestations", ("author", "pith_registry")),
    "timestamp_anchor": ("timestamp", "timestamp_anchors",
                         ("timestamp_authority", "pith_registry")),
    "storage_attestation": ("storage", "storage_attestations",
                            ("storage_provider", "mirror", "pith_registry")),
    "citation_signature": ("citation", "citation_signatures",
                           ("author", "researcher", "pith_registry")),
    "replication_record": ("replication", "replication_records",
                           ("researcher", "author", "pith_registry")),
    "correction": ("correction", "corrections", SIGNER_TYPES),
    "mirror_hint": ("mirror", "mirror_hints", ("mirror", "pith_registry")),
}

LIST_NAMES = [v[1] for k, v in EVENT_TYPES.items() if k != "record_created"]

OUTCOMES = ("replicated", "partially_replicated", "not_replicated", "inconclusive")

_string = lambda x: isinstance(x, str)  # noqa: E731
_object = lambda x: isinstance(x, dict)  # noqa: E731

PAYLOAD_RULES = {
    "record_created": [("canonical_record", _object), ("canonical_sha256", is_digest),
                       ("receipt", _object), ("source_kind", _string), ("source_id", _string),
                       ("source_version", lambda x: is_int(x) or isinstance(x, str)),
                       ("attestation_state", _string)],
    "graph_snapshot": [("graph_snapshot", _object)],
    "author_attestation": [("author_name", is_text), ("statement", _string)],
    "timestamp_anchor": [("anchor_type", is_text), ("anchored_sha256", is_digest),
                         ("proof", lambda x: isinstance(x, (str, dict)))],
    "storage_attestation": [("storage_type", is_text), ("locator", is_text),
                            ("stored_sha256", is_digest)],
    "citation_signature": [("citing", is_text), ("cited", is_text)],
    "replication_record": [("outcome", lambda x: isinstance(x, str) and x in OUTCOMES),
                           ("report_locator", is_text)],
    "correction": [("reason", is_text)],
    "mirror_hint": [("mirror_type", is_text), ("name", is_text),
                    ("base_url", lambda x: isinstance(x, str)
                     and (x.startswith("https://") or x.startswith("http://")))],
}

# ---------------------------------------------------------------------------------------------
# §3 Validation of one document
# ---------------------------------------------------------------------------------------------

_TOP_MEMBERS = [("schema_version", _string), ("event_type", _string),
                ("subject_pith_number", _string), ("target", _string), ("payload", _object),
                ("signer", _object), ("created_at", _string),
                ("supersedes", lambda x: isinstance(x, list) and all(isinstance(s, str) for s in x)),
                ("prev_event", lambda x: x is None or isinstance(x, str)),
                ("signature", _object), ("content_sha256", _string), ("event_id", _string)]
_SIGNER_MEMBERS = ("signer_id", "signer_type", "key_id", "public_key_fingerprint")
_SIGNATURE_MEMBERS = ("algorithm", "key_id", "public_key_fingerprint", "signature_b64",
                      "signed_message")
_HASH_EXCLUDED = ("signature", "content_sha256", "event_id")


def _well_typed(d):
    if not isinstance(d, dict):
        return False
    for name, ok in _TOP_MEMBERS:
        if name not in d or not ok(d[name]):
            return False
    if not all(isinstance(d["signer"].get(m), str) for m in _SIGNER_MEMBERS):
        return False
    return all(isinstance(d["signature"].get(m), str) for m in _SIGNATURE_MEMBERS)


def content_sha256(d):
    return sha256_hex(canon({k: v for k, v in d.items() if k not in _HASH_EXCLUDED}))


def _receipt_ok(payload, K):
    r = payload["receipt"]
    if r.get("kind") != "pith_receipt" or r.get("algorithm") != "ed25519" \
            or r.get("signed_message") != "canonical_sha256_bytes" \
            or r.get("canonical_sha256") != payload["canonical_sha256"]:
        return False
    kid = r.get("key_id")
    if not isinstance(kid, str) or kid not in K:
        return False
    key = K[kid]
    if r.get("public_key_fingerprint") != key["fingerprint_sha256_hex"]:
        return False
    sig = strict_b64decode(r.get("signature_b64"))
    if sig is None or len(sig) != 64:
        return False
    return ed25519_verify(_raw_key(key), bytes.fromhex(payload["canonical_sha256"]), sig)


def validate_document(d, P, K):
    """Return None when the document is well formed, else the reason code of the first failing
    check of §3, in the table's order."""
    # 1
    if not _well_typed(d):
        return "malformed_event"
    signer, sig, payload = d["signer"], d["signature"], d["payload"]
    # 2
    if not is_timestamp(d["created_at"]):
        return "bad_created_at"
    # 3
    refs = ([d["prev_event"]] if d["prev_event"] is not None else []) + d["supersedes"]
    if not all(is_event_ref(r) for r in refs) or len(set(d["supersedes"])) != len(d["supersedes"]):
        return "bad_reference"
    # 4
    if d["schema_version"] != "1.0":
        return "unsupported_schema_version"
    # 5
    if d["event_type"] not in EVENT_TYPES:
        return "unknown_event_type"
    target, _, allowed = EVENT_TYPES[d["event_type"]]
    # 6
    if d["target"] != target:
        return "wrong_target"
    # 7
    if d["subject_pith_number"] != P:
        return "wrong_subject"
    # 8
    digest = content_sha256(d)
    if d["content_sha256"] != digest:
        return "content_hash_mismatch"
    # 9
    if d["event_id"] != "sha256:" + d["content_sha256"]:
        return "event_id_mismatch"
    # 10
    if sig["algorithm"] != "ed25519" or sig["signed_message"] != "open_graph_event_sha256_bytes":
        return "unsupported_signature"
    # 11
    if sig["key_id"] != signer["key_id"] or \
            sig["public_key_fingerprint"] != signer["public_key_fingerprint"]:
        return "signature_signer_mismatch"
    # 12
    if signer["key_id"] not in K:
        return "unknown_key"
    key = K[signer["key_id"]]
    # 13
    if signer["public_key_fingerprint"] != key["fingerprint_sha256_hex"]:
        return "key_fingerprint_mismatch"
    # 14
    for m in ("signer_id", "signer_type"):
        if m in key and signer[m] != key[m]:
            return "key_signer_mismatch"
    # 15
    if isinstance(key.get("rotates_at"), str) and d["created_at"] >= key["rotates_at"]:
        return "key_rotated"
    # 16
    if signer["signer_type"] not in allowed:
        return "signer_type_not_allowed"
    # 17
    for name, ok in PAYLOAD_RULES[d["event_type"]]:
        if name not in payload or not ok(payload[name]):
            return "invalid_payload"
    if d["event_type"] == "record_created":
        record = payload["canonical_record"]
        # 18
        if payload["canonical_sha256"] != sha256_hex(canon(record)):
            return "canonical_hash_mismatch"
        # 19
        if pith_number(record) != P:
            return "record_subject_mismatch"
        # 20  "equal (as JSON values)": we compare canon bytes, so 1 and 1.0 differ
        src = record.get("source")
        for pm, rm in (("source_kind", "kind"), ("source_id", "id"),
                       ("source_version", "version")):
            if not isinstance(src, dict) or rm not in src or canon(src[rm]) != canon(payload[pm]):
                return "source_mismatch"
        # 21
        if not _receipt_ok(payload, K):
            return "bad_receipt"
    # 22
    raw_sig = strict_b64decode(sig["signature_b64"])
    if raw_sig is None or len(raw_sig) != 64 or \
            not ed25519_verify(_raw_key(key), bytes.fromhex(digest), raw_sig):
        return "bad_signature"
    return None


# ---------------------------------------------------------------------------------------------
# §6 Order
# ---------------------------------------------------------------------------------------------


def topo_order(events, preds):
    """Kahn's sort, always placing the ready event with the smallest (created_at, event_id).
    `events`: {id: doc}; `preds`: {id: set of predecessor ids, all in events}.
    Returns the placed ids; ids on or after a cycle are left out."""
    succs = {e: [] for e in events}
    indeg = {}
    for e in events:
        indeg[e] = len(preds[e])
        for r in preds[e]:
            succs[r].append(e)
    heap = [(events[e]["created_at"], e) for e in events if indeg[e] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, e = heapq.heappop(heap)
        order.append(e)
        for s in succs[e]:
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(heap, (events[s]["created_at"], s))
    return order


def reference_preds(events):
    """§4 reference graph restricted to `events`: R -> E when E.prev_event = R or R in E.supersedes."""
    preds = {}
    for eid, d in events.items():
        p = set(r for r in d["supersedes"] if r in events)
        if d["prev_event"] is not None and d["prev_event"] in events:
            p.add(d["prev_event"])
        preds[eid] = p
    return preds


# ---------------------------------------------------------------------------------------------
# The merge
# ---------------------------------------------------------------------------------------------


def _invalid_entry(d, dsha, reason):
    eid = d.get("event_id") if isinstance(d, dict) else None
    return {"document_sha256": dsha, "event_id": eid if is_event_ref(eid) else None,
            "reason": reason}


def _entry(d):
    return {m: d[m] for m in ("created_at", "event_id", "payload", "signer", "target")}


def merge(subject, documents, keys, merge_version=MERGE_VERSION):
    """Compute the state (§8, including state_sha256) of `subject` from `documents` (JSON values)
    under the trusted `keys` (a list of public-key entries)."""
    if merge_version != MERGE_VERSION:
        raise ValueError("unsupported merge version %r" % (merge_version,))
    if not isinstance(subject, str):
        raise ValueError("subject must be a string")
    K = load_keys(keys)
    P = subject

    # §1: distinct documents (by canon bytes)
    distinct = {}
    for d in documents:
        distinct.setdefault(canon(d), d)

    # §3: per-document validation; well-formed copies of one event -> smallest document_sha256
    invalid = []
    W = {}        # event_id -> representative document
    rep_sha = {}  # event_id -> its document_sha256
    for b, d in distinct.items():
        dsha = sha256_hex(b)
        reason = validate_document(d, P, K)
        if reason is not None:
            invalid.append(_invalid_entry(d, dsha, reason))
            continue
        eid = d["event_id"]
        if eid not in rep_sha or dsha < rep_sha[eid]:
            W[eid], rep_sha[eid] = d, dsha

    # §4: reference validation, visiting W in the order of §6
    order_w = topo_order(W, reference_preds(W))
    bad = {}  # event_id -> reason
    for eid in order_w:
        E = W[eid]
        reason = None
        pe = E["prev_event"]
        if pe is not None:
            if pe not in W:
                reason = "prev_event_missing"
            elif pe in bad:
                reason = "prev_event_invalid"
            elif W[pe]["target"] != E["target"] or \
                    W[pe]["signer"]["key_id"] != E["signer"]["key_id"]:
                reason = "prev_event_foreign"
        # AMBIGUITY: "checking prev_event first and then each entry of supersedes in its array
        # order": we check all four supersedes reasons for one entry before the next entry.
        if reason is None:
            own_key = K[E["signer"]["key_id"]]
            for s in E["supersedes"]:
                if s not in W:
                    reason = "supersedes_missing"
                elif s in bad:
                    reason = "supersedes_invalid"
                else:
                    R = W[s]
                    if not (R["signer"]["key_id"] == E["signer"]["key_id"] or
                            ("signer_id" in own_key and
                             own_key["signer_id"] == R["signer"]["signer_id"])):
                        reason = "supersedes_foreign"
                    elif (E["event_type"] != "correction" and R["target"] != E["target"]) or \
                            (E["event_type"] == "correction" and R["event_type"] == "record_created"):
                        reason = "supersedes_wrong_target"
                if reason is not None:
                    break
        if reason is not None:
            bad[eid] = reason
    visited = set(order_w)
    for eid in W:
        if eid not in visited:
            bad[eid] = "reference_cycle"
    for eid, reason in bad.items():
        invalid.append({"document_sha256": rep_sha[eid], "event_id": eid, "reason": reason})
    V = {eid: d for eid, d in W.items() if eid not in bad}
    order_v = [eid for eid in order_w if eid in V]  # prev_event of an event of V precedes it

    # §5: equivocation
    groups = {}
    for eid in order_v:
        d = V[eid]
        groups.setdefault((d["target"], d["signer"]["key_id"], d["prev_event"]), []).append(eid)
    equivocations = []
    excluded = set()
    for (target, key_id, prev), ids in groups.items():
        if len(ids) < 2:
            continue
        ids = sorted(ids)
        equivocations.append({"event_ids": ids, "fork_point": prev, "key_id": key_id,
                              "signer": V[ids[0]]["signer"], "target": target})
        excluded.update(ids)
    for eid in order_v:  # descendants by prev_event links
        if V[eid]["prev_event"] in excluded:
            excluded.add(eid)
    equivocations.sort(key=lambda q: q["event_ids"][0])

    # §6: applied events, ordered over the graph restricted to A
    A = {eid: d for eid, d in V.items() if eid not in excluded}
    applied = topo_order(A, reference_preds(A))

    # §7: current
    superseded = set()
    for eid in applied:
        superseded.update(A[eid]["supersedes"])
    lists = {name: [] for name in LIST_NAMES}
    record_created = None
    for eid in applied:
        d = A[eid]
        if eid in superseded:
            continue
        if d["event_type"] == "record_created":
            record_created = _entry(d)
        else:
            lists[EVENT_TYPES[d["event_type"]][1]].append(_entry(d))
    current = {"canonical_record": None, "source_aliases": [], "record_created": record_created}
    current.update(lists)
    if record_created is not None:
        record = record_created["payload"]["canonical_record"]
        current["canonical_record"] = record
        current["source_aliases"] = source_aliases(record, record_created["created_at"])

    # §8: the state
    invalid.sort(key=lambda x: x["document_sha256"])
    state = {
        "state_type": "pith_open_graph_state",
        "state_version": "1.0",
        "pith_number": P,
        "merge_version": MERGE_VERSION,
        "event_count": len(V) + len(invalid),
        "valid_event_count": len(V),
        "invalid_event_count": len(invalid),
        "equivocation_count": len(equivocations),
        "current": current,
        "equivocations": equivocations,
        "invalid_events": invalid,
        "applied_event_ids": applied,
    }
    state["state_sha256"] = sha256_hex(canon(state))
    return state


# ---------------------------------------------------------------------------------------------
# Strict JSON parsing (the spec names a strict parser; this is our reading of it)
# ---------------------------------------------------------------------------------------------


def _no_dup_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate object member %r" % (k,))
        obj[k] = v
    return obj


def _finite_float(s):
    f = float(s)
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError("number out of range: %s" % s)
    return f


def _refuse_constant(name):
    raise ValueError("not JSON: %s" % name)


MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 128
MAX_STRING_BYTES = 8 * 1024 * 1024
MAX_NUMBER_CHARS = 4300


def _check_limits(x, depth=0):
    if isinstance(x, (list, dict)):
        if depth + 1 > MAX_DEPTH:
            raise ValueError("nesting deeper than %d levels" % MAX_DEPTH)
        items = x.values() if isinstance(x, dict) else x
        for k in (x.keys() if isinstance(x, dict) else ()):
            if len(k.encode("utf-8")) > MAX_STRING_BYTES:
                raise ValueError("key longer than %d bytes" % MAX_STRING_BYTES)
        for v in items:
            _check_limits(v, depth + 1)
    elif isinstance(x, str) and len(x.encode("utf-8")) > MAX_STRING_BYTES:
        raise ValueError("string longer than %d bytes" % MAX_STRING_BYTES)


def _float_token(s):
    if len(s) > MAX_NUMBER_CHARS:
        raise ValueError("number too long (%d characters)" % len(s))
    return _finite_float(s)


def strict_loads(text):
    """The parser of canonical-json.md §3, as json.loads plus its refusals: duplicate members,
    NaN/Infinity, floats overflowing a double, lone surrogates, nesting deeper than 128, integers
    over 4300 digits (CPython's own limit), float tokens over 4300 characters, strings over 8 MiB,
    documents over 64 MiB. (json.loads already refuses a BOM, raw control characters in strings,
    trailing data.)"""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        raise ValueError("document larger than %d bytes" % MAX_DOCUMENT_BYTES)
    try:
        x = json.loads(text, object_pairs_hook=_no_dup_keys, parse_float=_float_token,
                       parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nesting deeper than %d levels" % MAX_DEPTH)
    canon(x)  # raises UnicodeEncodeError on a lone surrogate
    _check_limits(x)
    return x


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

DEFAULT_KEYS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keys")


def default_keys():
    """§9: the keys shipped in specs/keys/ are trusted by default."""
    out = []
    for path in sorted(glob.glob(os.path.join(DEFAULT_KEYS_DIR, "*.json"))):
        with open(path, "r", encoding="utf-8") as f:
            out.append(strict_loads(f.read()))
    return out


def merge_jsonl(lines, keys):
    """Group documents by their string subject_pith_number; return [(subject, state)] sorted."""
    groups = {}
    for line in lines:
        if not line.strip():
            continue
        d = strict_loads(line)
        if isinstance(d, dict) and isinstance(d.get("subject_pith_number"), str):
            groups.setdefault(d["subject_pith_number"], []).append(d)
    return [(p, merge(p, groups[p], keys)) for p in sorted(groups)]


def _usage():
    sys.stderr.write("usage: merge_v1.py merge [--keys KEYS.json] [--no-default-keys] INPUT.jsonl\n")
    return 2


def main(argv):
    if len(argv) < 1 or argv[0] != "merge":
        return _usage()
    keys_path, use_defaults, inputs = None, True, []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--keys" and i + 1 < len(argv):
            keys_path = argv[i + 1]
            i += 2
            continue
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        if a == "--no-default-keys":
            use_defaults = False
        elif a.startswith("--"):
            return _usage()
        else:
            inputs.append(a)
        i += 1
    if len(inputs) != 1:
        return _usage()
    try:
        keys = default_keys() if use_defaults else []
        if keys_path is not None:
            with open(keys_path, "r", encoding="utf-8") as f:
                extra = strict_loads(f.read())
            if not isinstance(extra, list):
                raise ValueError("keys file must hold a JSON array")
            keys += extra
        load_keys(keys)
        # newline="": split on LF only (no universal-newline translation; U+2028 stays inside
        # its line, see canonical-json.md §4)
        with open(inputs[0], "r", encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        results = merge_jsonl(lines, keys)
    except (OSError, ValueError, UnicodeError) as e:
        sys.stderr.write("merge_v1.py: %s\n" % e)
        return 1
    out = sys.stdout.buffer
    for _, state in results:
        out.write(canon(state) + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
