"""The forgery classes of issue 23, each made as a malicious server would: the bundle's
files changed, then re-sealed with the election's own key (a new bundle_index event and a
fresh head signature) and countersigned again where the forger could. Each names the check
that must fail. Shared by the Python verifier's tests and the browser verifier's."""
from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Callable

from election.protocol import bundle, chain, merkle, signing
from election.protocol.canonical import canonical_json, digest
from election.protocol.chain import Event
from election.protocol.manifest import make_manifest
from tests.protocol.builder import WRITE_IN, Built, build

Files = dict[str, bytes]


def _j(files: Files, name: str):
    return json.loads(files[name])


def _put(files: Files, name: str, value) -> None:
    files[name] = canonical_json(value) + b"\n"


def _events(files: Files) -> list[Event]:
    return chain.from_jsonl(files["chain.jsonl"])


def _append(files: Files, kind: str, payload: dict) -> None:
    evs = _events(files)
    evs.append(chain.append(evs[-1], kind, {**payload, "_by": "forger", "_why": "改"}, at="2026-11-25T10"))
    files["chain.jsonl"] = chain.to_jsonl(evs)


def reseal(built: Built, files: Files, countersign: bool = True) -> bytes:
    """Seal the changed files with the server's own election key (and, for a forger that
    also holds the office key, countersign them)."""
    sealed = bundle.seal_files({n: b for n, b in files.items() if n not in ("head.sig",)}, built.key, "2026-11-25")
    if countersign:
        sealed = countersign_files(sealed, built.office)
    return bundle.write_files(sealed)


def countersign_files(files: Files, office) -> Files:
    """Countersign sealed files as they are (no re-rendering)."""
    from election.protocol.canonical import sha256_hex

    head = _events(files)[-1]
    election = str(_events(files)[0].payload["election"])
    st = signing.result_statement(election, head.hash, sha256_hex(files["totals.json"]), "2026-11-25")
    out = dict(files)
    out["countersign.json"] = canonical_json(signing.sign(office, st).to_json()) + b"\n"
    out["office_key.pem"] = signing.public_key_to_pem(office.public_key())
    return out


def _files(built: Built) -> Files:
    return bundle.render(built.parts)


# ---------------------------------------------------------------- forgeries of the issue

def winners_changed(built: Built) -> Files:
    f = _files(built)
    t = _j(f, "totals.json")
    t["result"]["elected"]["zr"] = ["p2"]
    _put(f, "totals.json", t)
    return f


def _rewrite_result(f: Files, change: Callable[[dict], None], kind: str = "result.published") -> None:
    """Change the round's result_published event (or the first of ``kind``) as a forger
    holding the election key would: the event rewritten and every later event re-linked (a
    consistent chain, re-sealed)."""
    evs = _events(f)
    at = next(i for i, e in enumerate(evs) if e.kind == kind)
    out = evs[:at]
    for e in evs[at:]:
        payload = json.loads(json.dumps(e.payload))
        if e.seq == evs[at].seq:
            change(payload)
        out.append(chain.append(out[-1], e.kind, payload, e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)


def _insert_before(f: Files, kind: str, new: list[tuple[str, dict, str]]) -> None:
    """Events (kind, payload, at) written into the chain before its first event of ``kind``,
    as the server would have recorded them there; every later event re-linked after them."""
    evs = _events(f)
    at = next(i for i, e in enumerate(evs) if e.kind == kind)
    out = evs[:at]
    for k, payload, when in new:
        out.append(chain.append(out[-1], k, payload, at=when))
    for e in evs[at:]:
        out.append(chain.append(out[-1], e.kind, e.payload, e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)


def winners_and_event_changed(built: Built) -> Files:
    """The winner changed in totals.json and in the result_published event together (the
    chain re-made from that event on and re-sealed): only the rules' decision can see it."""
    f = _files(built)
    t = _j(f, "totals.json")
    t["result"]["elected"]["zr"] = ["p2"]
    _put(f, "totals.json", t)
    _rewrite_result(f, lambda p: p["posts"]["zr"].update(elected=["p2"]))
    return f


def next_round_dropped(built: Built) -> Files:
    """The run-off the rules require dropped from totals.json and the event together."""
    f = _files(built)
    t = _j(f, "totals.json")
    t["result"]["next_round"] = "none"
    t["result"]["next_posts"] = {}
    _put(f, "totals.json", t)
    _rewrite_result(f, lambda p: p.update(next_round="none"))
    return f


def next_posts_seats_as_true(built: Built) -> Files:
    """A run-off's seat count written ``true`` in totals.json and the event (Python's
    ``True == 1``): equal only to a comparison that ignores the JSON type."""
    f = _files(built)
    t = _j(f, "totals.json")
    post = sorted(t["result"]["next_posts"])[0]
    assert t["result"]["next_posts"][post]["seats"] == 1
    t["result"]["next_posts"][post]["seats"] = True
    _put(f, "totals.json", t)
    return f


def totals_raised(built: Built) -> Files:
    """Totals and box totals raised consistently: more approvals than seats × papers."""
    f = _files(built)
    t = _j(f, "totals.json")
    bt = _j(f, "box_totals.json")
    extra = t["returned"] * 2
    t["posts"]["zr"]["p2"] += extra
    bt[0]["posts"]["zr"]["p2"] += extra
    _put(f, "totals.json", t)
    _put(f, "box_totals.json", bt)
    return f


def records_swapped_after_audit(built: Built) -> Files:
    f = _files(built)
    _append(f, "ledger.bundle_exported", bundle.index_payload({n: b for n, b in f.items() if n != "chain.jsonl"}))
    _append(f, "audit.started", {"round": 1, "seed": "1", "papers": 85})
    recs = [json.loads(x) for x in f["records.jsonl"].splitlines()]
    # Two papers of one box trade their marks: every total stays, the drawn papers differ.
    a = recs[0]
    b = next(r for r in recs if r["box"] == a["box"] and r["marks"] != a["marks"])
    a["marks"], b["marks"] = b["marks"], a["marks"]
    f["records.jsonl"] = b"".join(canonical_json(r) + b"\n" for r in recs)
    return f


def rulebook_changed_after_count(built: Built) -> Files:
    f = _files(built)
    rb = _j(f, "rulebook.json")
    rb["rla_risk_limit"] = "1/2"
    rb["min_box_size"] = 1
    _put(f, "rulebook.json", rb)
    _append(f, "rulebook.decided", {"changes": {"rla_risk_limit": "1/2", "min_box_size": 1},
                                     "rulebook_fingerprint": digest(rb)})
    return f


def rulebook_swapped_silently(built: Built) -> Files:
    f = _files(built)
    rb = _j(f, "rulebook.json")
    rb["min_box_size"] = 1
    _put(f, "rulebook.json", rb)
    return f


def reprint_after_counting(built: Built) -> Files:
    f = _files(built)
    ms = _j(f, "manifest.json")
    extra = make_manifest(built.parts.election_id, ["aa" * 32], ["bb" * 32], batch=1)
    ms.append(extra.to_json())
    _put(f, "manifest.json", ms)
    u = sorted(_j(f, "unused.json") + ["aa" * 32])
    _put(f, "unused.json", u)
    v = sorted(_j(f, "voided.json") + ["bb" * 32])
    _put(f, "voided.json", v)
    _append(f, "ballots.printed", {"batch": 1, "digest": extra.digest, "receipt_count": 1, "audit_count": 1, "round": 1})
    return f


def unused_twice(built: Built) -> Files:
    f = _files(built)
    u = _j(f, "unused.json")
    u = sorted(u[1:] + [u[1]])
    _put(f, "unused.json", u)
    return f


def spoiled_and_unused(built: Built) -> Files:
    f = _files(built)
    u = _j(f, "unused.json")
    s = _j(f, "spoiled.json")
    _put(f, "unused.json", sorted(u[1:] + [s[0]]))
    return f


def records_reordered(built: Built) -> Files:
    f = _files(built)
    lines = f["records.jsonl"].splitlines(keepends=True)
    f["records.jsonl"] = b"".join([lines[1], lines[0], *lines[2:]])
    return f


def receipts_reordered(built: Built) -> Files:
    f = _files(built)
    dep = _j(f, "deposits.json")
    rs = dep["boxes"]["A"]["receipts"]
    rs[0], rs[1] = rs[1], rs[0]
    _put(f, "deposits.json", dep)
    return f


def deposited_field_changed(built: Built) -> Files:
    f = _files(built)
    b = _j(f, "boxes.json")
    b["A"]["deposited"] += 3
    _put(f, "boxes.json", b)
    return f


def not_canonical(built: Built) -> Files:
    f = _files(built)
    f["totals.json"] = json.dumps(_j(f, "totals.json"), ensure_ascii=False, indent=1).encode() + b"\n"
    return f


def record_for_voided_paper(built: Built) -> Files:
    f = _files(built)
    recs = [json.loads(x) for x in f["records.jsonl"].splitlines()]
    recs[0]["d"] = _j(f, "voided.json")[0]
    recs.sort(key=lambda r: r["d"])
    f["records.jsonl"] = b"".join(canonical_json(r) + b"\n" for r in recs)
    return f


def _records(f: Files) -> list[dict]:
    return [json.loads(x) for x in f["records.jsonl"].splitlines()]


def _put_records(f: Files, recs: list[dict]) -> None:
    f["records.jsonl"] = b"".join(canonical_json(r) + b"\n" for r in sorted(recs, key=lambda r: r["d"]))


def record_marks_changed(built: Built) -> Files:
    """One record's vote for 主任 moved to the other candidate: every count, list and root
    still as published, only counting the records again sees it."""
    f = _files(built)
    recs = _records(f)
    r = next(r for r in recs if r["marks"]["zr"]["approve"] == ["p1"])
    r["marks"]["zr"]["approve"] = ["p2"]
    _put_records(f, recs)
    return f


def _one_record(change: Callable[[dict], None]) -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        f = _files(built)
        recs = _records(f)
        change(recs[0]["marks"])
        _put_records(f, recs)
        return f
    return forge


# A record's marks of a form §7 does not give (each refused by the recount in both verifiers,
# where a lax reader would take "p1" as the persons "p" and "1", or 1 as true).
record_approve_as_string = _one_record(lambda m: m["zr"].update(approve="".join(m["zr"]["approve"])))
record_unreadable_as_one = _one_record(lambda m: m["zr"].update(unreadable=1))
record_unknown_mark_field = _one_record(lambda m: m["zr"].update(maybe=[]))
record_unknown_post = _one_record(lambda m: m.update(xx={"approve": []}))


def duplicate_totals_member(built: Built) -> bytes:
    """The zip holds totals.json twice: a forged copy first (what `unzip -p` shows), the
    sealed one last."""
    files = _files(built)
    forged = _j(files, "totals.json")
    forged["posts"]["zr"]["p2"] += 30
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            if name == "totals.json":
                z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), canonical_json(forged) + b"\n")
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), files[name])
    return buf.getvalue()


def lzma_member(built: Built) -> bytes:
    """Every file as sealed, totals.json compressed with LZMA (zip method 14): Python's
    zipfile would read it, a browser cannot; the protocol allows stored or deflate only."""
    files = _files(built)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(files):
            z.writestr(name, files[name], compress_type=zipfile.ZIP_LZMA if name == "totals.json" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# ---------------------------------------------------------------- edge inputs (both verifiers alike)

def _unsealed(change: Callable[[Files], None]) -> Callable[[Built], bytes]:
    """The bundle's files changed in place and zipped as they are (a reading check refuses
    them before any seal is looked at)."""
    def forge(built: Built) -> bytes:
        f = _files(built)
        change(f)
        return bundle.write_files(f)
    return forge


def _bytes_of(name: str, old: bytes, new: bytes) -> Callable[[Files], None]:
    def change(f: Files) -> None:
        assert old in f[name], (name, old)
        f[name] = f[name].replace(old, new, 1)
    return change


def _returned(text: bytes) -> Callable[[Files], None]:
    return lambda f: _bytes_of("totals.json", b'"returned":85', b'"returned":' + text)(f)


# JSON the canonical form (PROTOCOL.md §2) refuses, each failing `canonical` in both.
json_duplicate_key = _unsealed(_bytes_of("totals.json", b'"round":1}', b'"round":1,"round":1}'))
json_nan = _unsealed(_returned(b"NaN"))
json_infinity = _unsealed(_returned(b"Infinity"))
json_big_integer = _unsealed(_returned(b"9007199254740993"))
json_float_for_int = _unsealed(_returned(b"85.0"))
json_exponent_for_int = _unsealed(_returned(b"8.5e1"))
json_leading_zero = _unsealed(_returned(b"085"))
json_negative_zero = _unsealed(_bytes_of("totals.json", b'"whole_invalid":0', b'"whole_invalid":-0'))
json_bom = _unsealed(lambda f: f.update({"totals.json": b"\xef\xbb\xbf" + f["totals.json"]}))
chain_line_bom = _unsealed(lambda f: f.update({"chain.jsonl": b"\xef\xbb\xbf" + f["chain.jsonl"]}))
json_ascii_escape = _unsealed(_bytes_of("tally_input.json", "主任".encode(), b"\\u4e3b\\u4efb"))
missing_totals = _unsealed(lambda f: f.pop("totals.json"))


def missing_office_key(built: Built) -> bytes:
    """countersign.json without the office's key beside it."""
    f = bundle.read_files(reseal(built, _files(built)))
    f.pop("office_key.pem")
    return bundle.write_files(f)


def _rulebook_share(text: str) -> Callable[[Built], Files]:
    """turnout_fraction written ``text`` and the rulebook re-fingerprinted in the chain."""
    def forge(built: Built) -> Files:
        f = _files(built)
        rb = _j(f, "rulebook.json")
        rb["turnout_fraction"] = text
        _put(f, "rulebook.json", rb)
        _append(f, "rulebook.decided", {"changes": {"turnout_fraction": text}, "rulebook_fingerprint": digest(rb)})
        return f
    return forge


# Shares of the rulebook PROTOCOL.md §14.1 does not write (Python's Fraction read them all but
# the browser did not): refused by the rules in both, so `winners` fails.
share_arabic_digits = _rulebook_share("١/٢")
share_fullwidth_digits = _rulebook_share("１/２")
share_unit_separator = _rulebook_share("1/2\x1f")
share_bom_space = _rulebook_share("\ufeff1/2")
share_huge_exponent = _rulebook_share("0e401")
share_beyond_2_53 = _rulebook_share("1/9007199254740993")


def _zip_bytes(change: Callable[[bytes], bytes]) -> Callable[[Built], bytes]:
    return lambda built: change(reseal(built, _files(built)))


def _fewer_entries(data: bytes) -> bytes:
    """The end record counts one member less than the directory holds."""
    import struct

    at = data.rfind(b"PK\x05\x06")
    out = bytearray(data)
    n = struct.unpack_from("<H", data, at + 10)[0]
    struct.pack_into("<HH", out, at + 8, n - 1, n - 1)
    return bytes(out)


def _unicode_member(built: Built) -> bytes:
    """A member named "tótals.json" with a combining accent (NFD), beside the sealed files."""
    buf = io.BytesIO(reseal(built, _files(built)))
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr(zipfile.ZipInfo("to\u0301tals.json", (1980, 1, 1, 0, 0, 0)), b"{}\n")
    return buf.getvalue()


# Zips whose layout readers take differently (PROTOCOL.md §7.1): refused as `format` by both.
zip_trailing_data = _zip_bytes(lambda d: d + b"\0" * 16)
zip_prepended_data = _zip_bytes(lambda d: b"JUNK" + d)
zip_fewer_entries = _zip_bytes(_fewer_entries)


def _signature(change: Callable[[str], str]) -> Callable[[Built], bytes]:
    """head.sig's signature hex rewritten: the same bytes to bytes.fromhex, not lower-case hex."""
    def forge(built: Built) -> bytes:
        f = bundle.read_files(reseal(built, _files(built)))
        sig = json.loads(f["head.sig"])
        sig["signature"] = change(sig["signature"])
        _put(f, "head.sig", sig)
        return bundle.write_files(f)
    return forge


def _pem(change: Callable[[bytes], bytes]) -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        f = _files(built)
        f["election_key.pem"] = change(f["election_key.pem"])
        return f
    return forge


# The same key in PEM text that PEM readers take differently (PROTOCOL.md §4): `election_key` fails.
pem_bom = _pem(lambda p: b"\xef\xbb\xbf" + p)
pem_text_around = _pem(lambda p: b"key:\n" + p + b"end\n")
pem_crlf = _pem(lambda p: p.replace(b"\n", b"\r\n"))


signature_upper_hex = _signature(str.upper)
signature_spaced_hex = _signature(lambda s: " ".join(s[i:i + 2] for i in range(0, len(s), 2)))


def _event_changed(change: Callable[[dict], None], kind: str = "result.published") -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        f = _files(built)
        _rewrite_result(f, change, kind)
        return f
    return forge


# JSON values of the wrong type where an equal value of another type would pass Python's ==
# (True == 1, False == 0, and a dict key False finds 0): compared type for type in both.
result_valid_as_one = _event_changed(lambda p: p.update(valid=1))
result_vote_false = _event_changed(lambda p: p["posts"]["zr"]["votes"].update(p9=False))
batch_as_false = _event_changed(lambda p: p.update(batch=False), "ballots.printed")


def audited(change: Callable[[dict], None] = lambda a: None) -> Callable[[Built], Files]:
    """The auditor bundle with an audit.json of one audit: 5 draws from SAMPLE_SEED over the
    records' boxes (PROTOCOL §8, §11), then ``change`` made to that audit. (No audit events in
    the chain: audit_commitment and audit_count fail, in both verifiers.)"""
    def forge(built: Built) -> Files:
        from election.protocol import rla

        f = _files(built)
        manifest: dict[str, int] = {}
        for r in _records(f):
            manifest[r["box"]] = manifest.get(r["box"], 0) + 1
        draws = rla.draw_sample(SAMPLE_SEED, manifest, 5)
        a = {"id": 1, "seed": SAMPLE_SEED, "risk_limit": "1/20", "papers": sum(manifest.values()), "manifest": manifest,
             "status": "open", "sample_size": 5, "draws": [[d.box, d.position] for d in draws], "findings": [],
             "conclusion": ""}
        change(a)
        doc = {"round": 1, "audits": [a], **{k: a[k] for k in ("seed", "papers", "status", "draws", "conclusion")}}
        _put(f, "audit.json", doc)
        return f
    return forge


AUDITOR_SECRET = "16180339887498948482"
WITNESSES = ["王监票", "李代表"]


def sealed_audit(change: Callable[[dict], None] = lambda step: None,
                 audit_change: Callable[[dict], None] = lambda a: None) -> Callable[[Built], Files]:
    """The audited bundle with its audit's events in the chain (PROTOCOL §8, docs/AUDIT.md §3):
    the auditor's seed commitment, the manifest recorded, the records committed (records.jsonl's
    SHA-256), the head at the commitment signed with the election key, the public dice before
    two witnesses, then the start with the auditor's reveal and the seed made of both (the
    audit's draws follow from it). ``change`` may alter any step (a dict of "seed_committed",
    "manifest", "committed", "signed", "dice", "started", and "order", the order they are
    written in; "audit_seed" the seed audit.json says, the chain's by default) before it is
    written, ``audit_change`` the audit in audit.json after the events are made from it."""
    def forge(built: Built) -> Files:
        import hashlib

        from election.protocol import rla

        f = audited()(built)
        doc = json.loads(f["audit.json"])
        audit = doc["audits"][0]
        seed = rla.combined_seed(SAMPLE_SEED, AUDITOR_SECRET)
        step: dict = {"seed_committed": {"round": 1, "commitment": rla.seed_commitment(AUDITOR_SECRET)},
                      "manifest": {"round": 1, "boxes": audit["manifest"], "papers": audit["papers"]},
                      "committed": {"round": 1, "records": audit["papers"], "manifest": audit["manifest"],
                                    "papers": audit["papers"],
                                    "records_digest": hashlib.sha256(f["records.jsonl"]).hexdigest()},
                      "signed": None,
                      "dice": {"round": 1, "dice": SAMPLE_SEED, "witnesses": list(WITNESSES)},
                      "started": {"audit": 1, "round": 1, "seed": seed, "reveal": AUDITOR_SECRET, "dice": SAMPLE_SEED,
                                  "witnesses": list(WITNESSES), "boxes": audit["manifest"]},
                      "order": ["seed_committed", "manifest", "committed", "signed", "dice", "started"]}
        change(step)
        kinds = {"seed_committed": "audit.seed_committed", "manifest": "audit.manifest_recorded",
                 "committed": "audit.records_committed", "dice": "audit.dice_rolled", "started": "audit.started"}
        committed = None
        for name in step["order"]:
            if name == "signed":
                assert committed is not None
                statement = signing.head_statement(built.parts.chain[0].payload["election"], committed.seq, committed.hash,
                                                   "2026-11-25")
                signed = step["signed"] or signing.sign(built.key, statement).to_json()
                _append(f, "audit.head_sealed", {"round": 1, "head": committed.hash, "seq": committed.seq, "signed": signed})
                continue
            _append(f, kinds[name], step[name])
            if name == "committed":
                committed = _events(f)[-1]
        doc = json.loads(f["audit.json"])  # afresh: the steps share the manifest dict a change may alter
        audit = doc["audits"][0]
        audit["seed"] = step.get("audit_seed", step["started"]["seed"])
        audit["draws"] = [[d.box, d.position] for d in rla.draw_sample(audit["seed"], audit["manifest"], len(audit["draws"]))]
        if "reveal" in step["started"]:
            audit["seed_parts"] = {"dice": step["dice"]["dice"], "witnesses": step["dice"]["witnesses"],
                                   "reveal": step["started"]["reveal"], "commitment": step["seed_committed"]["commitment"]}
        audit_change(audit)
        doc.update({k: audit[k] for k in ("seed", "papers", "status", "draws", "conclusion")})
        _put(f, "audit.json", doc)
        return f
    return forge


def _bad_seal(step: dict) -> None:
    step["signed"] = {"statement": {"head": "0" * 64}, "signature": "0" * 128, "key": "0" * 32}


def _records_changed(step: dict) -> None:  # the commitment sealed other records than the bundle's
    step["committed"]["records_digest"] = "ab" * 32


def _count_as_text(a: dict) -> None:
    box = sorted(a["manifest"])[0]
    a["manifest"][box] = str(a["manifest"][box])


def _other_seed(step: dict) -> None:  # the chain's seed is not audit.json's
    step["audit_seed"] = step["started"]["seed"]
    step["started"]["seed"] = "27182818284590452353"


# The seed (docs/AUDIT.md §3; audit_commitment in both): chosen by one party.
def _committed_after_seal(step: dict) -> None:
    """The auditor's commitment made after the records were committed and sealed (so the
    secret, and the seed, could be chosen knowing them)."""
    step["order"] = ["manifest", "committed", "signed", "seed_committed", "dice", "started"]


def _reveal_mismatch(step: dict) -> None:
    """The server reveals another secret than the one committed (tried offline against the
    public verifier after the dice), the seed made from it: the draws follow from the seed."""
    from election.protocol import rla

    other = "99999999999999999999"
    step["started"].update(reveal=other, seed=rla.combined_seed(step["dice"]["dice"], other))


def _dice_before_seal(step: dict) -> None:
    step["order"] = ["seed_committed", "manifest", "dice", "committed", "signed", "started"]


def _seed_not_combined(step: dict) -> None:
    """The commitment, dice and reveal as they should be, and a seed typed in of the server's
    choosing (chain and audit.json agree)."""
    step["started"]["seed"] = "27182818284590452353"


def _single_source(step: dict) -> None:
    """The format before the two-part seed: a dice seed typed in after the seal, nothing else."""
    step["order"] = ["manifest", "committed", "signed", "started"]
    for k in ("reveal", "dice", "witnesses"):
        step["started"].pop(k)
    step["started"]["seed"] = SAMPLE_SEED


def _one_witness(step: dict) -> None:
    step["dice"]["witnesses"] = ["王监票"]


def _moved(a: dict) -> None:
    box, position = a["draws"][0]
    a["draws"][0] = [box, position % a["manifest"][box] + 1]


# The audit's sample (audit_sample in both): a draw the seed does not give, and values of
# another JSON type that Python's int() and list() used to take (a count "30", a position
# true, a draw "A5", the round true).
audit_draw_moved = audited(_moved)
audit_count_as_string = audited(lambda a: a["manifest"].update({sorted(a["manifest"])[0]: str(a["manifest"][sorted(a["manifest"])[0]])}))
audit_position_as_true = audited(lambda a: a["draws"].__setitem__(0, [a["draws"][0][0], True]))
audit_draw_as_string = audited(lambda a: a["draws"].__setitem__(0, "".join(map(str, a["draws"][0]))))
audit_negative_count = audited(lambda a: a["manifest"].update(Z=-1))


def audit_found(draws: int, entered: int | None = None, status: str = "confirmed",
                change: Callable[[dict], None] = lambda a: None, uncounted: int = 0,
                step_change: Callable[[dict], None] = lambda step: None) -> Callable[[Built], Files]:
    """The sealed audit (sealed_audit, its steps changed by ``step_change``) with ``draws`` draws from its seed, the first
    ``entered`` of them entered (all by default), each paper found at its drawn position
    exactly as its record (the papers lie in their box in the order of their D), the
    ``status`` claimed, then ``change`` made to the audit. With the suite's election (85
    papers) 14 matching draws confirm the result at the risk limit 1/20; 12 leave the
    weakest assertion's risk at 0.0546. ``uncounted``: the manifest (sealed and audited) counts
    that many papers fewer in the first box than the records hold."""
    def forge(built: Built) -> Files:
        from election.protocol import rla

        in_box: dict[str, list[dict]] = {}
        for r in sorted(_records(_files(built)), key=lambda r: r["d"]):
            in_box.setdefault(r["box"], []).append(r)

        def fewer(step: dict) -> None:  # every step's manifest is the one dict
            box = sorted(step["started"]["boxes"])[0]
            step["started"]["boxes"][box] -= uncounted
            if "committed" in step:
                step_change(step)

        def found(a: dict) -> None:
            fewer({"started": {"boxes": a["manifest"]}})
            drawn = rla.draw_sample(a["seed"], a["manifest"], draws)
            a["draws"] = [[d.box, d.position] for d in drawn]
            a["sample_size"] = draws
            a["findings"] = [{"index": d.index, "d": in_box[d.box][d.position - 1]["d"],
                              "paper": {"state": "found", "posts": in_box[d.box][d.position - 1]["marks"]}}
                             for d in drawn[:entered]]
            a["status"] = status
            change(a)
        return sealed_audit(fewer, audit_change=found)(built)
    return forge


def _paper_changed(a: dict) -> None:
    """The first finding's paper votes for 主任 p2 where its record says p1: a two-vote
    overstatement of "p1 has at least 43 votes" the audit leaves out of its conclusion."""
    f = next(f for f in a["findings"] if f["paper"]["posts"].get("zr", {}).get("approve") == ["p1"])
    f["paper"]["posts"]["zr"] = {"approve": ["p2"]}


def _paper_missing(a: dict) -> None:
    a["findings"][0]["paper"] = {"state": "missing"}


# The audit's conclusion (audit_recompute in both): a status its findings do not give.
audit_confirmed = audit_found(14)
audit_confirmed_too_soon = audit_found(12)
audit_discrepancy_hidden = audit_found(14, change=_paper_changed)
audit_missing_paper_hidden = audit_found(14, change=_paper_missing)
audit_confirmed_draws_pending = audit_found(14, 12)
audit_risk_limit_over_rulebook = audit_found(14, change=lambda a: a.update(risk_limit="1/5"))
audit_escalated_when_met = audit_found(14, status="escalated")
audit_full_count_when_met = audit_found(14, status="full_count")
audit_hand_count_unrecorded = audit_found(14, status="hand_counted")
# Records stuffed beyond the papers the scrutineers counted are never drawn: a hand count.
audit_records_beyond_papers = audit_found(14, uncounted=2)
# The sample sizes the protocol fixes (docs/AUDIT.md §4; audit_recompute in both): the first
# sample is 14 by the formula; 13 matching draws already bring every risk under 1/20, so only
# the size check catches a server that drew one fewer (or one more, or said another size).
# One paper read for p2 where its record has p1 escalates to 22 draws, where (no more
# differences drawn) the risks are met: 22 is honest; 20 also meets the risks but is not the
# size the findings of the first 14 fixed.
audit_first_sample_too_small = audit_found(13)
audit_first_sample_too_large = audit_found(15)
audit_sample_size_misstated = audit_found(14, change=lambda a: a.update(sample_size=13))
audit_escalated_confirmed = audit_found(22, change=_paper_changed)
audit_escalation_cut_short = audit_found(20, change=_paper_changed)
audit_escalated_without_cause = audit_found(20)


SHOP_SEED = "27182818284590452353"


def _conclude(f: Files, audit: int, kinds: list[tuple[str, dict]]) -> None:
    for kind, extra in kinds:
        _append(f, kind, {"audit": audit, "round": 1, **extra})


def shopped(first: Callable[[dict], None], first_ends: list[tuple[str, dict]],
            second_draws: int = 14, first_change: Callable[[dict], None] = _paper_changed,
            first_step: Callable[[dict], None] = lambda step: None, reopened: bool = False) -> Callable[[Built], Files]:
    """Audit shopping (docs/AUDIT.md §3): the sealed audit of audit_found(14) with one paper
    read for p2 where its record has p1 (its findings escalate to 22 draws), ``first`` made
    to it (the status the server claims) and ``first_ends`` its conclusion events in the
    chain; then the same records sealed again (signed), a new seed, and a second audit of
    ``second_draws`` papers found exactly as their records, which confirms. ``first_step``
    changes the first audit's sealing steps; ``reopened``: the result reopened
    (result.reopened), a paper's record corrected and the result published again between
    the two audits, as the app does (a bundle's totals.json lists the elected only with a
    result in force: result_event in both)."""
    def forge(built: Built) -> Files:
        import hashlib

        from election.protocol import rla

        f = audit_found(14, change=first_change, step_change=first_step)(built)
        doc = json.loads(f["audit.json"])
        a1 = doc["audits"][0]
        first(a1)
        _conclude(f, 1, first_ends)
        if reopened:  # as the app corrects (counting.result.reopen_result): reopened, corrected, published again
            republished = _result_payload(f)
            _append(f, "result.reopened", {"round": 1})
            _append(f, "counting.second_entry_resolved", {"round": 1, "kept": "second"})
            _append(f, "result.published", republished)
        in_box: dict[str, list[dict]] = {}
        for r in sorted(_records(f), key=lambda r: r["d"]):
            in_box.setdefault(r["box"], []).append(r)
        manifest = a1["manifest"]
        _append(f, "audit.seed_committed", {"round": 1, "commitment": rla.seed_commitment(AUDITOR_SECRET[::-1])})
        _append(f, "audit.records_committed", {"round": 1, "records": a1["papers"], "manifest": manifest,
                                               "papers": a1["papers"],
                                               "records_digest": hashlib.sha256(f["records.jsonl"]).hexdigest()})
        head = _events(f)[-1]
        statement = signing.head_statement(built.parts.chain[0].payload["election"], head.seq, head.hash, "2026-11-25")
        _append(f, "audit.head_sealed", {"round": 1, "head": head.hash, "seq": head.seq,
                                         "signed": signing.sign(built.key, statement).to_json()})
        _append(f, "audit.dice_rolled", {"round": 1, "dice": SHOP_SEED, "witnesses": list(WITNESSES)})
        seed = rla.combined_seed(SHOP_SEED, AUDITOR_SECRET[::-1])
        _append(f, "audit.started", {"audit": 2, "round": 1, "seed": seed, "reveal": AUDITOR_SECRET[::-1], "dice": SHOP_SEED,
                                     "witnesses": list(WITNESSES), "boxes": manifest})
        drawn = rla.draw_sample(seed, manifest, second_draws)
        a2 = {**a1, "id": 2, "seed": seed, "status": "confirmed", "sample_size": second_draws,
              "draws": [[d.box, d.position] for d in drawn],
              "findings": [{"index": d.index, "d": in_box[d.box][d.position - 1]["d"],
                            "paper": {"state": "found", "posts": in_box[d.box][d.position - 1]["marks"]}} for d in drawn]}
        doc["audits"] = [a1, a2]
        doc.update({k: a2[k] for k in ("seed", "papers", "status", "draws", "findings", "conclusion")})
        _put(f, "audit.json", doc)
        return f
    return forge


def _escalated_size(size: object) -> Callable[[Built], Files]:
    """audit_escalated_confirmed (14 -> 22) with its audit.escalated event in the chain saying
    ``size`` papers."""
    def forge(built: Built) -> Files:
        f = audit_escalated_confirmed(built)
        _conclude(f, 1, [("audit.escalated", {"next_sample_size": size}), ("audit.confirmed", {"next_sample_size": 22})])
        return f
    return forge


# Audit shopping (docs/AUDIT.md §3): an audit whose findings escalate (or that went to a hand
# count) is passed over and the round audited again with a new seed until one confirms.
# The chain says the first escalated, audit.json says it confirmed (audit_count in both).
audit_shopped_escalated = shopped(lambda a: a.update(status="confirmed"), [("audit.escalated", {"next_sample_size": 22})])
# The server wrote audit.confirmed for it too: its findings, recomputed, escalate (audit_recompute).
audit_shopped_confirmed_forged = shopped(lambda a: a.update(status="confirmed"), [("audit.confirmed", {"next_sample_size": 14})])
# The seed re-drawn: the first audit's draws never entered, called confirmed (audit_recompute).
audit_seed_redrawn = shopped(lambda a: a.update(status="confirmed", findings=[]), [("audit.confirmed", {"next_sample_size": 14})])
# The first audit went to the full hand count and was hand counted; a second audit then
# confirms the machine count: a hand count once ordered binds (audit_count).
audit_shopped_after_hand_count = shopped(lambda a: a.update(status="hand_counted"), [
    ("audit.full_count_ordered", {"next_sample_size": 14}), ("audit.hand_counted", {"papers": {}, "result": {}})])
# Honest: the first audit confirmed, the records sealed again, a second audit confirmed too.
audit_twice_confirmed = shopped(lambda a: a.update(status="confirmed"), [("audit.confirmed", {"next_sample_size": 14})],
                                first_change=lambda a: None)
# Honest: the first audit confirmed records (its seal bound them) that a reopening of the result
# then corrected; the corrected records sealed and audited again. The first is not recomputed
# against the corrected records, and audit_recompute's detail says so (both verifiers).
audit_after_reopening = shopped(lambda a: a.update(status="confirmed"), [("audit.confirmed", {"next_sample_size": 14})],
                                first_change=lambda a: None, first_step=_records_changed, reopened=True)
# audit.escalated.next_sample_size compared with the recomputed size (audit_recompute).
audit_escalated_event_honest = _escalated_size(22)
audit_escalated_event_misstated = _escalated_size(30)


def composition_person_as_number(built: Built) -> Files:
    """composition.json with a member's person id a number: of the wrong shape (PROTOCOL §7), so
    `format` fails in both (the browser had no shape for this file and ran its check)."""
    f = _files(built)
    _put(f, "composition.json", {"posts": [{"post": "zr", "name": "主任", "seats": 1, "serving": 1, "vacant": 0}],
                                 "members": [{"post": "zr", "person": 1, "name": "甲", "round": 1, "since": "2026-11-25",
                                              "until": None, "reason": ""}]})
    return f


def audit_round_true(built: Built) -> Files:
    f = audited()(built)
    doc = _j(f, "audit.json")
    doc["round"] = True
    _put(f, "audit.json", doc)
    return f


# Each: (name, forge -> files to re-seal or finished zip bytes, the check that must fail)
def retallied(change: Callable[[dict], None]) -> Callable[[Built], Files]:
    """tally_input.json changed by ``change`` and the outcome decided again by the rules from
    the published counts, written into totals.json's result and the result.published event (the
    chain re-made from it): everything the rules and the chain say agrees, and only what fixed
    the tally's input before the count (the rulebook, the chain's earlier events) can refuse it."""
    def forge(built: Built) -> Files:
        from election.protocol.verify_tally import _summary, published_counts, tally_input
        from election.rules.scenario import result_to_dict
        from election.rules.tally import tally

        f = _files(built)
        ti = _j(f, "tally_input.json")
        change(ti)
        _put(f, "tally_input.json", ti)
        d = {"tally_input.json": ti, "totals.json": _j(f, "totals.json"), "rulebook.json": _j(f, "rulebook.json")}
        mine = _summary(result_to_dict(tally(tally_input(d), published_counts(d))))
        t = d["totals.json"]
        t["result"].update(elected=mine["elected"], valid=mine["valid"], next_round=mine["next_round"],
                           next_posts=mine["next_posts"])
        for p in ti["posts"]:
            t["result"]["posts"][p["key"]]["seats"] = p["seats"]
        _put(f, "totals.json", t)

        def published(p: dict) -> None:
            for k, v in mine["elected"].items():
                p["posts"][k]["elected"] = v
            p.update(next_round=mine["next_round"], valid=mine["valid"])
        _rewrite_result(f, published)
        return f
    return forge


def paper_moved_between_boxes(built: Built) -> Files:
    """One paper -- its stub and its record -- moved from box B (station S1) to box C (S2),
    both in one published group: every list, root, per-box and per-station count is re-made
    and agrees, but box B now holds fewer stubs than the chain recorded at the close of poll."""
    f = _files(built)
    dep = _j(f, "deposits.json")
    moved = dep["boxes"]["B"]["receipts"][0]
    dep["boxes"]["B"]["receipts"].remove(moved)
    dep["boxes"]["C"]["receipts"] = sorted([*dep["boxes"]["C"]["receipts"], moved])
    for box in ("B", "C"):
        dep["boxes"][box].update(count=len(dep["boxes"][box]["receipts"]), root=merkle.root(dep["boxes"][box]["receipts"]))
    _put(f, "deposits.json", dep)
    boxes = _j(f, "boxes.json")
    boxes["B"].update(deposited=9, records=9)
    boxes["C"].update(deposited=36, records=36)
    _put(f, "boxes.json", boxes)
    recs = _records(f)
    next(r for r in recs if r["box"] == "B")["box"] = "C"
    _put_records(f, recs)
    return f


def _poured(f: Files, box: str, into: str, mobile_station: str | None, after_counting: bool = False) -> None:
    """Box ``box``'s records re-labelled as box ``into``'s (its papers poured in and mixed), with
    the chain's counting.box_merged before the count (or, ``after_counting``, at its end).
    ``mobile_station``: box ``box`` made the box of that mobile station (its issuances moved
    there, a polling.station_created ``mobile`` event before the merge); None leaves it a fixed
    station's box. In the builder's bundle B (10 papers) and C (35) are one published group, so
    pouring B into C leaves box_totals.json as it was."""
    boxes, recs = _j(f, "boxes.json"), _records(f)
    moved = sum(1 for r in recs if r["box"] == box)
    for r in recs:
        if r["box"] == box:
            r["box"] = into
    _put_records(f, recs)
    if mobile_station is not None:
        issuance = _j(f, "issuance.json")
        issuance[boxes[box]["station"]] -= moved
        issuance[mobile_station] = moved
        _put(f, "issuance.json", issuance)
        boxes[box]["station"] = mobile_station
    boxes[box]["records"] = 0
    boxes[into]["records"] += moved
    _put(f, "boxes.json", boxes)
    evs = _events(f)
    who = {"_by": "committee", "_why": ""}
    inserts: dict[int, list[tuple[str, dict]]] = {}
    if mobile_station is not None:  # set up before anything was printed
        printed = next(i for i, e in enumerate(evs) if e.kind == "ballots.printed")
        inserts.setdefault(printed, []).append(("polling.station_created", {
            "station": mobile_station, "mobile": True, "desks": 0, "boxes": 1, "scrutineers": ["甲", "乙", "丙"],
            "booths": 0, **who}))
    at = len(evs) if after_counting else next(i for i, e in enumerate(evs) if e.kind == "counting.box_counted")
    inserts.setdefault(at, []).append(("counting.box_merged", {"round": 1, "box": box, "into": into, **who}))
    out = evs[:1]
    for i in range(1, len(evs) + 1):
        for kind, payload in inserts.get(i, []):
            out.append(chain.append(out[-1], kind, payload, evs[i - 1].at))
        if i < len(evs):
            out.append(chain.append(out[-1], evs[i].kind, evs[i].payload, evs[i].at))
    f["chain.jsonl"] = chain.to_jsonl(out)


def mobile_box_merged(built: Built) -> Files:
    """Honest: box B is a mobile station's, poured into box C (station S2) before the count
    and counted as C's: C's records are its 35 stubs and B's 10, B has none."""
    f = _files(built)
    _poured(f, "B", "C", "流动票箱一")
    return f


def fixed_box_merged(built: Built) -> Files:
    """Box B of station S1 (a fixed station) \"poured\" into box C of station S2 before the
    count: two stations' papers made one box (hiding which station's papers are which)."""
    f = _files(built)
    _poured(f, "B", "C", None)
    return f


def mobile_box_merged_after_counting(built: Built) -> Files:
    """Mobile box B poured into C only after the round's counting began: the records are
    re-labelled afterwards, so the merge is a rewrite, not what was done to the papers."""
    f = _files(built)
    _poured(f, "B", "C", "流动票箱一", after_counting=True)
    return f


def station_named_proto(built: Built) -> Files:
    """Box C's station renamed "__proto__": 35 stubs at a station that issued no paper. A
    JavaScript object counting per station ignores that key (its 35 vanished) unless it has no
    prototype."""
    f = _files(built)
    boxes = _j(f, "boxes.json")
    boxes["C"]["station"] = "__proto__"
    _put(f, "boxes.json", boxes)
    return f


PROTOTYPE_IDS = {"p1": "__proto__", "p2": "constructor", "p3": "hasOwnProperty", "p5": "toString", "p6": "valueOf"}


def ids_named_like_prototypes(built: Built) -> Files:
    """The honest election with its person ids renamed to names a JavaScript object already
    has ("__proto__", "constructor", "toString"...), order kept: every file and event
    re-written, the chain re-made. Nothing is wrong with it: both verifiers must pass it."""
    def sub(v):
        if isinstance(v, dict):
            return {PROTOTYPE_IDS.get(k, k): sub(x) for k, x in v.items()}
        if isinstance(v, list):
            return [sub(x) for x in v]
        return PROTOTYPE_IDS.get(v, v) if isinstance(v, str) else v

    f = _files(built)
    for name in [n for n in f if n.endswith(".json") and n not in ("head.sig", "countersign.json")]:
        _put(f, name, sub(_j(f, name)))
    f["records.jsonl"] = b"".join(canonical_json(sub(json.loads(line))) + b"\n" for line in f["records.jsonl"].splitlines())
    evs = _events(f)
    out = [evs[0]]
    for e in evs[1:]:
        out.append(chain.append(out[-1], e.kind, sub(e.payload), e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)
    return f


def with_relation(f: Files) -> None:
    """The near relatives p1 and p4 (tally_input.json's relation) recorded in the chain after
    the roll's publication, as nomination.add_relation writes it; the later events re-linked."""
    _insert_before(f, "ballots.printed", [("nomination.relation_added", {
        "a": "张三", "b": "赵六", "kind": "spouse", "persons": ["p1", "p4"], "extended": False,
        "_by": "committee", "_why": ""}, "2026-11-05T10:00:00")])


def relation_recorded(built: Built) -> Files:
    """The honest bundle with its relation recorded in the chain."""
    f = _files(built)
    with_relation(f)
    return f


def relation_dropped(built: Built) -> Files:
    """The recorded relation left out of tally_input.json and the seats decided again: p4,
    barred beside p1, is elected instead of p5 (the rules and the chain's result agree)."""
    f = retallied(lambda ti: ti.update(relations=[]))(built)
    with_relation(f)
    return f


def with_list(f: Files, after: list[tuple[str, dict]] | None = None, listed: Files | None = None) -> None:
    """The formal candidate list published before printing (nomination.publish's payload:
    post, order, name, sex, candidate id and person; from ``listed``'s tally_input.json when
    given), then ``after``'s events (kind, payload), the later events re-linked."""
    ti = _j(listed or f, "tally_input.json")
    order: dict[str, int] = {}
    entries = []
    for c in ti["candidates"]:
        order[c["post"]] = order.get(c["post"], 0) + 1
        entries.append({"post": c["post"], "order": order[c["post"]], "name": c["name"], "sex": c["sex"],
                        "candidate": c["id"], "person": c["person"], "source": []})
    published = {"published_on": "2026-11-08", "candidates": entries, "warnings": [], "_by": "committee", "_why": ""}
    _insert_before(f, "ballots.printed", [("nomination.list_published", published, "2026-11-08T10:00:00"),
                                          *((kind, payload, "2026-11-09T10:00:00") for kind, payload in after or [])])


def list_recorded(built: Built) -> Files:
    """The honest bundle with its published candidate list in the chain."""
    f = _files(built)
    with_list(f)
    return f


def candidate_replaced_after_list(built: Built) -> Files:
    """A 委员 candidacy in tally_input.json replaced by one the published list never had."""
    f = _files(built)
    with_list(f)
    ti = _j(f, "tally_input.json")
    next(c for c in ti["candidates"] if c["person"] == "p6")["id"] = "p9"
    _put(f, "tally_input.json", ti)
    return f


def _without(f: Files, kind: str) -> None:
    """The chain without its events of ``kind``, every later event re-linked."""
    evs = _events(f)
    out = [evs[0]]
    for e in evs[1:]:
        if e.kind != kind:
            out.append(chain.append(out[-1], e.kind, e.payload, e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)


def _electors_raised(f: Files) -> int:
    """registered_voters raised by one in tally_input.json and the result.published event."""
    ti = _j(f, "tally_input.json")
    ti["registered_voters"] += 1
    _put(f, "tally_input.json", ti)
    _rewrite_result(f, lambda p: p.update(registered_voters=ti["registered_voters"]))
    return int(ti["registered_voters"])


def polling_closed_dropped(built: Built) -> Files:
    """The close of poll (polling.closed, the round's electors) dropped from the chain and
    registered_voters raised in tally_input.json and the result event together: without the
    event nothing fixed the base of turnout before the count."""
    f = _files(built)
    _without(f, "polling.closed")
    _electors_raised(f)
    return f


def counting_before_close(built: Built) -> Files:
    """The close of poll written only after the count (its electors those the forger wants,
    as in tally_input.json and the result event): a close after counting fixes nothing."""
    f = _files(built)
    _without(f, "polling.closed")
    n = _electors_raised(f)
    _append(f, "polling.closed", {"round": 1, "registered_voters": n})
    return f


def issuance_raised(built: Built) -> Files:
    """One unused paper claimed issued at station S1 (issuance.json + 1, its stub off
    unused.json and its audit hash off voided.json): printed = issued + spoiled + unused still
    holds, but S1 now issued more papers than the close of poll's hourly counts in the chain."""
    f = _files(built)
    iss = _j(f, "issuance.json")
    iss["S1"] += 1
    _put(f, "issuance.json", iss)
    _put(f, "unused.json", _j(f, "unused.json")[1:])
    _put(f, "voided.json", _j(f, "voided.json")[1:])
    return f


def unused_spoiled(built: Built) -> Files:
    """One unused paper moved into spoiled.json (its stub off unused.json; its audit hash stays
    on voided.json, which holds the bodies of both): printed = issued + spoiled + unused and
    every list still hold, but the round's spoiled papers are more than the close of poll's
    hourly `spoiled` counts in the chain (the desk's 写错换票, recorded before the count)."""
    f = _files(built)
    u = _j(f, "unused.json")
    _put(f, "unused.json", u[1:])
    _put(f, "spoiled.json", sorted(_j(f, "spoiled.json") + [u[0]]))
    return f


def spoiled_unused(built: Built) -> Files:
    """One spoiled paper listed as unused instead (the desk's 写错换票 hidden): spoiled.json
    holds fewer papers than the hourly `spoiled` counts recorded (a lower bound, closed or not)."""
    f = _files(built)
    s = _j(f, "spoiled.json")
    _put(f, "spoiled.json", s[1:])
    _put(f, "unused.json", sorted(_j(f, "unused.json") + [s[0]]))
    return f


def papers_issued_raised(built: Built) -> Files:
    """The round's papers issued raised in tally_input.json and the result event (the figure
    the result report prints and the rules hold the papers returned against), while the
    stations' issuance stays as the hourly counts anchor it."""
    f = _files(built)
    ti = _j(f, "tally_input.json")
    ti["papers_issued"] += 5
    _put(f, "tally_input.json", ti)
    _rewrite_result(f, lambda p: p.update(papers_issued=ti["papers_issued"]))
    return f


def paper_stuffed(built: Built) -> Files:
    """A paper taken home (issued at S2, never deposited) put in box C, stub and record, after
    the close of poll, and the round counted with it: every list, root, per-box and per-station
    count, the tally and the result re-made and agreeing (S2 issued 36, box C now holds 36),
    but box C holds more stubs than the chain's hourly deposits recorded."""
    from tests.protocol.builder import build

    return _files(build(seed=built.seed, stuffed=1))


def _registered_moved(by: int) -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        """registered_voters moved after the close of poll in tally_input.json and in the
        result.published event together (re-linked, re-sealed): turnout's base is changed once
        the result is known (raised, a round made void; lowered, a void round made valid)."""
        f = _files(built)
        ti = _j(f, "tally_input.json")
        ti["registered_voters"] += by
        _put(f, "tally_input.json", ti)
        _rewrite_result(f, lambda p: p.update(registered_voters=ti["registered_voters"]))
        return f
    return forge


registered_voters_raised = _registered_moved(+1)
registered_voters_lowered = _registered_moved(-1)


def sex_changed_to_female(built: Built) -> Files:
    """A male 委员 candidate made female in tally_input.json (as for the woman member's seat) and
    the outcome decided again, though the list published before printing says 男."""
    def female(ti: dict) -> None:
        next(c for c in ti["candidates"] if c["person"] == "p4")["sex"] = "女"
    f = retallied(female)(built)
    with_list(f, listed=_files(built))
    return f


def resexed_by_late_correction(built: Built) -> Files:
    """A candidate re-sexed by a late correction: the male 委员 candidate made female in
    tally_input.json and the outcome decided again (as for the woman member's seat), with a
    roll.resident_corrected {性别: 女} of him appended after the result. The app refuses a
    correction once the roll is frozen; the papers were printed and the seats decided with him
    as 男 (PROTOCOL §9, "published names")."""
    f = sex_changed_to_female(built)
    _append(f, "roll.resident_corrected", {"resident": "p4", "id_masked": "1101**********0014",
                                           "changed": {"性别": "女"}})
    return f


def _composition(f: Files) -> dict:
    """composition.json as mandates.service writes it for the bundle's result: each elected
    serving since the result, names as tally_input.json gives them."""
    ti, result = _j(f, "tally_input.json"), _j(f, "totals.json")["result"]
    names = {c["person"]: c["name"] for c in [*ti["candidates"], *ti.get("write_ins", [])]}
    elected = result["elected"]
    return {"posts": [{"post": p["key"], "name": p["key"], "seats": p["seats"], "serving": len(elected.get(p["key"], [])),
                       "vacant": max(p["seats"] - len(elected.get(p["key"], [])), 0)} for p in ti["posts"]],
            "members": [{"post": post, "person": x, "name": names[x], "round": 1, "since": "2026-11-25", "until": None,
                         "reason": ""} for post, xs in sorted(elected.items()) for x in xs]}


def composition_named(built: Built) -> Files:
    """Honest: the list in the chain and composition.json naming the elected as published."""
    f = _files(built)
    with_list(f)
    _put(f, "composition.json", _composition(f))
    return f


def composition_renamed(built: Built) -> Files:
    """composition.json naming an elected member otherwise than the published list."""
    f = composition_named(built)
    comp = _j(f, "composition.json")
    comp["members"][0]["name"] = "冒名"
    _put(f, "composition.json", comp)
    return f


def name_swapped(built: Built) -> Files:
    """Two candidates' names swapped in tally_input.json, ids and votes kept."""
    f = _files(built)
    with_list(f)
    ti = _j(f, "tally_input.json")
    a, b = (next(c for c in ti["candidates"] if c["person"] == p) for p in ("p4", "p5"))
    a["name"], b["name"] = b["name"], a["name"]
    _put(f, "tally_input.json", ti)
    return f


def corrected_after_list(built: Built) -> Files:
    """Honest: a candidate's name and sex corrected on the roll after the list was published
    (roll.resident_corrected, as roll.edit records it), tally_input.json with the new values."""
    f = _files(built)
    ti = _j(f, "tally_input.json")
    with_list(f, [("roll.resident_corrected", {"resident": "p5", "id_masked": "1101**********0015",
                                               "changed": {"姓名": "钱柒", "性别": "女"},
                                               "_by": "clerk", "_why": "身份证件核对"})])
    c = next(c for c in ti["candidates"] if c["person"] == "p5")
    c["name"], c["sex"] = "钱柒", "女"
    _put(f, "tally_input.json", ti)
    return f


def with_meeting(f: Files, arrived: int, present: int, members: int = 8, in_favour: int = 5, *,
                 entitled: range = range(101, 109), called: int | None = None, closed: int | None = None) -> None:
    """A 居民代表会议 of 8 representatives after the election, as meetings.service writes it:
    convened (``entitled`` the representatives it names), ``arrived`` recorded at the door (one
    of them leaving and coming back), with ``called`` a motion put to a vote on paper saying so
    many present, then a show of hands recording ``present`` of ``members`` (``in_favour``,
    against the rest) and the close (saying ``closed`` present, else ``present``); the later
    events re-linked after them."""
    by = {"_by": "committee", "_why": ""}
    at = "2026-12-20T10:{:02d}:00".format
    events: list[tuple[str, dict, str]] = [("meeting.convened", {
        "meeting": 1, "kind": "representatives", "basis": "representatives", "group": "", "title": "居民代表会议",
        "convened_by": "committee", "request": None, "notice_on": "2026-12-01", "held_on": "2026-12-20",
        "members": 8, "notice_days": 10, "entitled": list(entitled), **by}, "2026-12-01T09:00:00")]
    for i in range(arrived):
        events.append(("meeting.attendee_arrived", {"meeting": 1, "resident": 101 + i, "present": i + 1, **by}, at(i)))
    events += [("meeting.attendee_left", {"meeting": 1, "resident": 101, "present": arrived - 1, **by}, at(20)),
               ("meeting.attendee_arrived", {"meeting": 1, "resident": 101, "present": arrived, **by}, at(21))]
    if called is not None:
        events.append(("meeting.vote_called", {"meeting": 1, "round": 2, "motion": "同意改建老年食堂", "present": called,
                                               "held_on": "2026-12-20", **by}, at(25)))
    decided = {"meeting": 1, "number": 1, "motion": "同意增设便民车棚", "members": members, "present": present,
               "in_favour": in_favour, "against": present - in_favour, "abstain": 0,
               "rule": {"key": "rep_meeting_decision", "share": "2/3"}, "adopted": True}
    events += [("meeting.decision_recorded", {**decided, **by}, at(30)),
               ("meeting.closed", {"meeting": 1, "members": members, "present": present if closed is None else closed,
                                   "quorate": True, "decisions": [[1, True]], **by}, at(40))]
    _insert_before(f, "ledger.bundle_exported", events)


def meeting_held(built: Built) -> Files:
    """Honest: a 居民代表会议 of 8 with 6 recorded at the door adopting a motion 5 to 1."""
    f = _files(built)
    with_meeting(f, arrived=6, present=6)
    return f


def meeting_present_raised(built: Built) -> Files:
    """Only 4 of the 8 representatives recorded at the door (no quorum: not more than half),
    the decision saying 6 present, 5 in favour: quorate and adopted by its own numbers."""
    f = _files(built)
    with_meeting(f, arrived=4, present=6)
    return f


def meeting_outsider_arrived(built: Built) -> Files:
    """Six recorded at the door of the 居民代表会议, one of them (101) not among the eight
    representatives its convening named: every count otherwise as the door says."""
    f = _files(built)
    with_meeting(f, arrived=6, present=6, entitled=range(102, 110))
    return f


def meeting_call_present_raised(built: Built) -> Files:
    """A motion put to a vote on paper saying 7 present where the door recorded 6."""
    f = _files(built)
    with_meeting(f, arrived=6, present=6, called=7)
    return f


def meeting_close_present_raised(built: Built) -> Files:
    """The meeting closed saying 7 present where the door recorded 6."""
    f = _files(built)
    with_meeting(f, arrived=6, present=6, closed=7)
    return f


@functools.cache
def _written_in() -> Built:
    """The builder's election with a write-in (另选他人) elected 委员 (build(write_in=True): same
    seed, same keys), its result.write_ins_named in the chain before result.published."""
    return build(write_in=True)


def writein_named(built: Built) -> Files:
    """Honest: a write-in elected, his name and sex in tally_input.json's write_ins as the
    chain's result.write_ins_named anchored them; composition.json names him so too."""
    f = _files(_written_in())
    _put(f, "composition.json", _composition(f))
    return f


def _write_in_changed(change: Callable[[dict], None]) -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        f = _files(_written_in())
        ti = _j(f, "tally_input.json")
        change(next(w for w in ti["write_ins"] if w["person"] == WRITE_IN[0]))
        _put(f, "tally_input.json", ti)
        return f
    return forge


# The elected write-in renamed, or made a woman (as for the woman member's seat), in
# tally_input.json: he is on no list, so only result.write_ins_named knows his name and sex.
writein_renamed = _write_in_changed(lambda w: w.update(name="周玖"))
writein_made_female = _write_in_changed(lambda w: w.update(sex="女"))


def writein_unanchored(built: Built) -> Files:
    """The write-in's tally_input.json entry with no anchor: the chain as a server writes it
    that never records result.write_ins_named (its name and sex are then whatever the bundle says)."""
    f = _files(_written_in())
    evs = _events(f)
    out = evs[:1]
    for e in evs[1:]:
        if e.kind != "result.write_ins_named":
            out.append(chain.append(out[-1], e.kind, e.payload, e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)
    return f


def writein_reanchored_after_result(built: Built) -> Files:
    """The write-in made a woman in tally_input.json and a second result.write_ins_named saying
    so appended after the result: it is not the one written with the result, so it anchors nothing."""
    f = _write_in_changed(lambda w: w.update(sex="女"))(built)
    _append(f, "result.write_ins_named", {"round": 1, "write_ins": [
        {"person": WRITE_IN[0], "name": WRITE_IN[1], "sex": "女"}]})
    return f


def writein_dropped(built: Built) -> Files:
    """The anchored write-in left out of tally_input.json's write_ins (his sex with him)."""
    f = _files(_written_in())
    ti = _j(f, "tally_input.json")
    del ti["write_ins"]
    _put(f, "tally_input.json", ti)
    return f


def writein_composition_renamed(built: Built) -> Files:
    """composition.json naming the elected write-in otherwise than the chain's anchor."""
    f = writein_named(built)
    comp = _j(f, "composition.json")
    next(m for m in comp["members"] if m["person"] == WRITE_IN[0])["name"] = "周玖"
    _put(f, "composition.json", comp)
    return f


CHOSEN = {"post": "jdw_weiyuan", "person": "p9", "name": "吴十", "sex": "男"}


def chosen_named(built: Built) -> Files:
    """Honest: the 监督委员会 chosen by a 居民会议 (rulebook jdw_chosen_by residents_meeting,
    changed before the roll's publication): the meeting convened, six recorded at the door,
    its adopted decision, the close and seat.chosen_by_meeting naming the member (post, person, name, sex) after the result;
    composition.json lists him (round 0, the decision) beside the elected, named as the chain says."""
    f = _files(built)
    book = _j(f, "rulebook.json")
    book["jdw_chosen_by"] = "residents_meeting"
    _put(f, "rulebook.json", book)
    _insert_before(f, "roll.published", [("rulebook.changed", {
        "rulebook_fingerprint": digest(book), "_by": "committee", "_why": ""}, "2026-11-01T09:00:00")])
    with_list(f)
    by = {"_by": "committee", "_why": ""}
    events: list[tuple[str, dict, str]] = [("meeting.convened", {
        "meeting": 1, "kind": "residents", "basis": "", "group": "", "title": "推选居务监督委员会成员",
        "convened_by": "committee", "request": None, "notice_on": "2026-11-26", "held_on": "2026-12-08",
        "members": 8, "notice_days": 10, "entitled": list(range(101, 109)), **by}, "2026-11-26T10:00:00")]
    events += [("meeting.attendee_arrived", {"meeting": 1, "resident": 101 + i, "present": i + 1, **by},
                f"2026-12-08T09:{i:02d}:00") for i in range(6)]
    events += [
        ("meeting.decision_recorded", {"meeting": 1, "number": 1, "motion": f"推选{CHOSEN['name']}为居务监督委员会委员",
                                       "members": 8, "present": 6, "in_favour": 5, "against": 1, "abstain": 0,
                                       "rule": {"key": "meeting_decision", "share": book["meeting_decision"]},
                                       "adopted": True, **by}, "2026-12-08T10:00:00"),
        ("meeting.closed", {"meeting": 1, "members": 8, "present": 6, "quorate": True, "decisions": [[1, True]], **by},
         "2026-12-08T10:30:00"),
        ("seat.chosen_by_meeting", {"decision": {"meeting": 1, "number": 1}, "kind": "residents", "since": "2026-12-08",
                                    "members": [CHOSEN], **by}, "2026-12-08T11:00:00")]
    _insert_before(f, "ledger.bundle_exported", events)
    comp = _composition(f)
    comp["posts"].append({"post": CHOSEN["post"], "name": CHOSEN["post"], "seats": 1, "serving": 1, "vacant": 0})
    comp["members"].append({"post": CHOSEN["post"], "person": CHOSEN["person"], "name": CHOSEN["name"], "round": 0,
                            "since": "2026-12-08", "until": None, "reason": "", "decision": {"meeting": 1, "number": 1}})
    _put(f, "composition.json", comp)
    return f


def chosen_renamed(built: Built) -> Files:
    """composition.json naming the member the meeting chose otherwise than seat.chosen_by_meeting."""
    f = chosen_named(built)
    comp = _j(f, "composition.json")
    next(m for m in comp["members"] if m["person"] == CHOSEN["person"])["name"] = "吴拾"
    _put(f, "composition.json", comp)
    return f


def meeting_members_lowered(built: Built) -> Files:
    """All 4 recorded at the door voting for, the decision saying 6 members instead of the 8
    the meeting was convened with: 4 of 6 is more than half, so quorate by its own numbers."""
    f = _files(built)
    with_meeting(f, arrived=4, present=4, members=6, in_favour=4)
    return f


# ---------------------------------------------------------------- a dishonest server, red-teamed
# Each made as a server holding the election key would make it (re-chained, re-sealed); the
# check named in FORGERIES is the one that must say what is wrong.

def _swap_persons(value, a: str, b: str):
    """``value`` (JSON) with the person ids ``a`` and ``b`` exchanged wherever they stand as strings."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace(f'"{a}"', '"\\u0000"').replace(f'"{b}"', f'"{a}"').replace('"\\u0000"', f'"{b}"')
    return json.loads(text)


def _rechained(f: Files, change: Callable[[Event], tuple[str, dict, str | None] | None]) -> None:
    """Every event after the genesis passed through ``change`` ((kind, payload, at), or None
    to keep it) and the chain re-linked, as the server re-making its history would."""
    evs = _events(f)
    out = [evs[0]]
    for e in evs[1:]:
        kind, payload, at = change(e) or (e.kind, e.payload, e.at)
        out.append(chain.append(out[-1], kind, payload, at))
    f["chain.jsonl"] = chain.to_jsonl(out)


def rule_changed_after_printing(built: Built) -> Files:
    """min_box_size lowered to 1 (per-box totals of tiny boxes published) by a plain
    rulebook.changed written after the papers were printed, and roll.published moved after it
    so that the change seems to come before the roll's freeze: events reordered, every hash
    re-made."""
    f = _files(built)
    rb = _j(f, "rulebook.json")
    rb["min_box_size"] = 1
    _put(f, "rulebook.json", rb)
    evs = _events(f)
    roll = next(e for e in evs if e.kind == "roll.published")
    out = [evs[0]]
    for e in evs[1:]:
        if e.kind == "roll.published":
            continue
        out.append(chain.append(out[-1], e.kind, e.payload, e.at))
        if e.kind == "ballots.printed":
            out.append(chain.append(out[-1], "rulebook.changed", {"changes": {"min_box_size": 1}, "rulebook_fingerprint": digest(rb),
                                                                  "_by": "committee", "_why": ""}, "2026-11-11T08:00:00"))
            out.append(chain.append(out[-1], roll.kind, roll.payload, roll.at))
    f["chain.jsonl"] = chain.to_jsonl(out)
    return f


def deposit_and_record_dropped(built: Built) -> Files:
    """One voter's paper made to vanish: its stub off box A and its record out of the count,
    every list, root, count, tally and result re-made without it (the paper now one taken
    home); the close of poll's hourly counts in the chain left as they were (A: 40 stubs)."""
    f = _files(build({"A": 39, "B": 10, "C": 35}, seed=built.seed))

    def as_recorded(e: Event) -> tuple[str, dict, str | None] | None:
        p = dict(e.payload)
        if e.kind == "polling.deposit_hour_recorded" and p["box"] == "A":
            return e.kind, {**p, "deposited": 40}, e.at
        if e.kind == "polling.issuance_hour_recorded" and p["station"] == "S1":
            return e.kind, {**p, "issued": 52}, e.at
        return None
    _rechained(f, as_recorded)
    return f


def _deposits_changed(change: Callable[[dict], None]) -> Callable[[Built], Files]:
    def forge(built: Built) -> Files:
        f = _files(built)
        dep = _j(f, "deposits.json")
        change(dep["boxes"])
        _put(f, "deposits.json", dep)
        return f
    return forge


def _in_two_boxes(boxes: dict) -> None:  # box A's first receipt code also in box C, C's root re-made
    c = boxes["C"]["receipts"]
    c[0] = boxes["A"]["receipts"][0]
    c.sort()
    boxes["C"]["root"] = merkle.root(c)


def _twice_in_box(boxes: dict) -> None:  # a receipt code listed twice in its box, another dropped
    c = boxes["C"]["receipts"]
    c[1] = c[0]


def _leaf_duplicated(boxes: dict) -> None:
    """CVE-2012-2459: box C (35 stubs, odd) with its last leaf repeated, as a tree that pairs
    an odd node with itself would give the same root for both lists; boxes.json raised too."""
    c = boxes["C"]["receipts"]
    c.append(c[-1])
    boxes["C"]["count"] = len(c)


receipt_in_two_boxes = _deposits_changed(_in_two_boxes)
receipt_twice_in_box = _deposits_changed(_twice_in_box)


def merkle_leaf_duplicated(built: Built) -> Files:
    f = _deposits_changed(_leaf_duplicated)(built)
    b = _j(f, "boxes.json")
    b["C"]["deposited"] += 1
    _put(f, "boxes.json", b)
    return f


def receipt_deposited_and_spoiled(built: Built) -> Files:
    """A deposited stub also listed as spoiled (the paper both counted and not)."""
    f = _files(built)
    s = _j(f, "spoiled.json")
    s[0] = _j(f, "deposits.json")["boxes"]["A"]["receipts"][0]
    _put(f, "spoiled.json", sorted(s))
    return f


def candidates_swapped_after_audit(built: Built) -> Files:
    """After the audit's records were sealed and its seed drawn, 张三 (p1) and 李四 (p2) swap
    every mark consistently: records, totals, box totals, the result event and the winner (the
    chain re-made from the result on). Every count agrees; what was sealed before the seed does not."""
    f = sealed_audit()(built)
    _append(f, "ledger.bundle_exported", bundle.index_payload({n: x for n, x in f.items() if n != "chain.jsonl"}))
    for name in ("totals.json", "box_totals.json"):
        _put(f, name, _swap_persons(_j(f, name), "p1", "p2"))
    _put_records(f, [_swap_persons(r, "p1", "p2") for r in _records(f)])
    _rewrite_result(f, lambda p: p["posts"].update(zr=_swap_persons(p["posts"]["zr"], "p1", "p2")))
    return f


def seats_raised_on_result(built: Built) -> Files:
    """The result page's 委员 seats (totals.json result.posts) raised to 3 while the count was
    decided for 2 (tally_input.json): the published result shows a seat the election never had."""
    f = _files(built)
    t = _j(f, "totals.json")
    t["result"]["posts"]["wy"]["seats"] = 3
    _put(f, "totals.json", t)
    return f


def runoff_candidates_changed(built: Built) -> Files:
    """The run-off's candidates (totals.json next_posts) replaced by two the law does not
    name: the next-placed after the elected are 钱七 and 孙八, the result says 王五 and 赵六."""
    f = _files(built)
    t = _j(f, "totals.json")
    post = sorted(t["result"]["next_posts"])[0]
    t["result"]["next_posts"][post]["candidates"] = ["p3", "p4"]
    _put(f, "totals.json", t)
    return f


def result_for_round_never_closed(built: Built) -> Files:
    """A result published for round 2, whose poll never closed (no polling.closed, no papers):
    appended to the round 1 bundle's chain."""
    f = _files(built)
    p = next(e for e in _events(f) if e.kind == "result.published").payload
    _append(f, "result.published", {**{k: v for k, v in p.items() if not k.startswith("_")}, "round": 2})
    return f


def _result_payload(f: Files) -> dict:
    p = next(e for e in _events(f) if e.kind == "result.published").payload
    return {k: v for k, v in p.items() if not k.startswith("_")}


def _after_result(kind: str, payload: dict) -> Callable[[Built], Files]:
    """An event changing round 1's count (a board entered, a paper counted) appended after
    its result.published, with no result.reopened between: the app refuses it
    (counting.service.check_records_open)."""
    def forge(built: Built) -> Files:
        f = _files(built)
        _append(f, kind, {"round": 1, **payload})
        return f
    return forge


def result_published_twice(built: Built) -> Files:
    """Round 1's result published a second time with no result.reopened between."""
    f = _files(built)
    _append(f, "result.published", _result_payload(f))
    return f


def result_reopened_not_published_again(built: Built) -> Files:
    """Round 1's result reopened (result.reopened withdraws it) and never published again,
    while totals.json still lists the elected: no result is in force (result_event)."""
    f = _files(built)
    _append(f, "result.reopened", {"round": 1})
    return f


def result_reopened_and_published_again(built: Built) -> Files:
    """A recorded correction as the app writes it (counting.result.reopen_result, a board
    explained, the result published again): both verifiers accept it."""
    f = _files(built)
    by = {"_by": "committee", "_why": "第二次录入与纸质选票一致，更正第一次录入"}
    evs = _events(f)
    for kind, payload in (("result.reopened", {"round": 1, **by}), ("counting.tally_board_explained", {"round": 1, **by}),
                          ("result.published", {**_result_payload(f), "_by": "committee", "_why": ""})):
        evs.append(chain.append(evs[-1], kind, payload, at="2026-11-25T10"))
    f["chain.jsonl"] = chain.to_jsonl(evs)
    return f


def _recall(voted: int, vacated: bool) -> Callable[[Built], Files]:
    """王五 (委员) recalled after the election: a petition of 40 of 150, a vote of ``voted`` of
    150 registered with 90 in favour recorded carried, and her seat vacated when ``vacated``."""
    def forge(built: Built) -> Files:
        f = _files(built)
        by = {"_by": "committee", "_why": ""}
        events: list[tuple[str, dict, str]] = [
            ("recall.petition_filed", {"recall": 1, "post": "wy", "person": "p3", "name": "王五", "base": "voters", "signers": 40,
                                       "total": 150, "share": "1/5", "not_counted": 0, **by}, "2026-12-01T10:00:00"),
            ("recall.vote_recorded", {"recall": 1, "post": "wy", "person": "p3", "registered": 150, "voted": voted,
                                      "in_favour": 90, "valid": True, "carried": True, "voted_on": "2026-12-10",
                                      "turnout": "1/2", "approve": "1/2", **by}, "2026-12-10T10:00:00")]
        if vacated:
            events.append(("seat.vacated", {"post": "wy", "person": "p3", "name": "王五", "reason": "recalled",
                                            "ended_on": "2026-12-10", "round": None, "decision": None, **by}, "2026-12-10T11:00:00"))
        _insert_before(f, "ledger.bundle_exported", events)
        return f
    return forge


recall_voted_over_registered = _recall(160, True)  # 160 voted of 150 registered
recall_carried_without_vacancy = _recall(100, False)


def vacancy_of_one_never_elected(built: Built) -> Files:
    """孙八 (never elected) recorded as leaving a 委员 seat, and a by-election called for it."""
    f = _files(built)
    by = {"_by": "committee", "_why": ""}
    _insert_before(f, "ledger.bundle_exported", [
        ("seat.vacated", {"post": "wy", "person": "p6", "name": "孙八", "reason": "resigned", "ended_on": "2026-12-10",
                          "round": None, "decision": None, **by}, "2026-12-10T11:00:00"),
        ("seat.by_election_called", {"round": 2, "posts": {"wy": {"seats": 1}}, "held_on": "2027-01-10",
                                     "term_ends": "2029-11-23", "woman_serving": True, **by}, "2026-12-11T11:00:00")])
    return f


def audit_hand_count_claimed(built: Built) -> Files:
    """The audit escalated (one paper read for p2 where its record has p1), and audit.json
    says it ended in a full hand count that the chain never recorded (no audit.hand_counted)."""
    f = audit_found(14, status="hand_counted", change=_paper_changed)(built)
    _conclude(f, 1, [("audit.escalated", {"next_sample_size": 22})])
    return f


json_nested_deep = _unsealed(lambda f: f.update({"rulebook.json": b'{"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"}))
json_overlong_utf8 = _unsealed(_bytes_of("tally_input.json", "张三".encode(), b"\xc0\xaf"))
json_surrogate_utf8 = _unsealed(_bytes_of("tally_input.json", "张三".encode(), b"\xed\xa0\x80"))


def _renamed(name: str) -> Callable[[Built], Files]:
    """李四 (p2) renamed ``name`` in tally_input.json and on the published candidate list alike."""
    def forge(built: Built) -> Files:
        f = _files(built)
        ti = _j(f, "tally_input.json")
        next(c for c in ti["candidates"] if c["person"] == "p2")["name"] = name
        _put(f, "tally_input.json", ti)
        with_list(f)
        return f
    return forge


# Names that look like another candidate's (winners in both): a zero-width space inside, a
# trailing ideographic space, full-width letters (the same name once NFKC folds them).
name_zero_width = _renamed("张\u200b三")
name_ideographic_space = _renamed("张三\u3000")


def name_fullwidth_lookalike(built: Built) -> Files:
    f = _files(built)
    ti = _j(f, "tally_input.json")
    for c in ti["candidates"]:
        c["name"] = {"p1": "Li Si", "p2": "Ｌｉ Ｓｉ"}.get(c["person"], c["name"])
    _put(f, "tally_input.json", ti)
    with_list(f)
    return f


def timestamp_not_a_time(built: Built) -> Files:
    """The result event's time written 明天 ("tomorrow"), the chain re-made around it."""
    f = _files(built)
    _rechained(f, lambda e: (e.kind, e.payload, "明天") if e.kind == "result.published" else None)
    return f


def head_notice_of_other_election(built: Built) -> Files:
    """A printed head notice recorded in the chain that is another election's: its head no
    event of this chain, signed by another key."""
    import random

    from tests.protocol.builder import _key

    other = _key(random.Random(5))
    st = signing.head_statement("E-2026-海淀-009", 3, "ab" * 32, "2026-11-20")
    f = _files(built)
    _insert_before(f, "counting.box_counted", [("ledger.head_notice_printed", {
        "day": "2026-11-20", "seq": 3, "head": "ab" * 32, "signature": signing.sign(other, st).signature,
        "_by": "committee", "_why": "张贴链头公告"}, "2026-11-20T10:00:00")])
    return f


def countersigned_by_server(built: Built) -> bytes:
    """The countersignature made with the server's own election key (office_key.pem its public
    key), over the right head and totals, while the chain's request names the office's key."""
    f = _files(built)
    office = signing.fingerprint(built.office.public_key())
    _insert_before(f, "ledger.bundle_exported", [("office.countersign_requested", {
        "round": 1, "street_office": "朝阳街道", "office_key": office, "_by": "committee", "_why": ""}, "2026-11-24T10:00:00")])
    sealed = bundle.seal_files({n: x for n, x in f.items() if n != "head.sig"}, built.key, "2026-11-25")
    return bundle.write_files(countersign_files(sealed, built.key))


def countersigned_by_server_as_office(built: Built) -> bytes:
    """The server's countersignature claiming the office's key fingerprint as its signer."""
    files = bundle.read_files(countersigned_by_server(built))
    cs = json.loads(files["countersign.json"])
    cs["key"] = signing.fingerprint(built.office.public_key())
    files["countersign.json"] = canonical_json(cs) + b"\n"
    return bundle.write_files(files)


def head_signed_for_other_election(built: Built) -> bytes:
    """head.sig over the right head, stated for another election."""
    f = bundle.read_files(reseal(built, _files(built)))
    h = _events(f)[-1]
    f["head.sig"] = canonical_json(signing.sign(built.key, signing.head_statement("E-2026-海淀-009", h.seq, h.hash,
                                                                                  "2026-11-25")).to_json()) + b"\n"
    return bundle.write_files(f)


def totals_of_round_two(built: Built) -> Files:
    """totals.json says round 2 (of which nothing was printed) over round 1's papers."""
    f = _files(built)
    t = _j(f, "totals.json")
    t["round"] = 2
    _put(f, "totals.json", t)
    return f


def _reprint_reusing(kind: str) -> Callable[[Built], Files]:
    """A supplementary batch (before the close of poll) of one unused paper whose receipt hash
    R (``kind`` "R") or audit hash D ("D") is one of batch 0's: one code on two papers."""
    def forge(built: Built) -> Files:
        f = _files(built)
        ms = _j(f, "manifest.json")
        r = ms[0]["receipts"][0] if kind == "R" else "aa" * 32
        d = ms[0]["audits"][0] if kind == "D" else "bb" * 32
        extra = make_manifest(built.parts.election_id, [r], [d], batch=1)
        _put(f, "manifest.json", [*ms, extra.to_json()])
        if kind != "R":
            _put(f, "unused.json", sorted([*_j(f, "unused.json"), r]))
        if kind != "D":
            _put(f, "voided.json", sorted([*_j(f, "voided.json"), d]))
        _insert_before(f, "polling.issuance_hour_recorded", [("ballots.printed", {
            "batch": 1, "digest": extra.digest, "receipt_count": 1, "audit_count": 1, "round": 1, "_by": "committee", "_why": ""},
            "2026-11-20T08:00:00")])
        return f
    return forge


reprint_reusing_receipt_code = _reprint_reusing("R")
reprint_reusing_audit_code = _reprint_reusing("D")


def member_added(built: Built) -> bytes:
    """A file the protocol does not name, sealed in with the rest."""
    f = bundle.read_files(reseal(built, _files(built)))
    f["notes.txt"] = "补充说明".encode()
    return bundle.write_files(f)


def _post_set(key: str, **values) -> Callable[[dict], None]:
    return lambda ti: [p.update(values) for p in ti["posts"] if p["key"] == key]


FORGERIES: list[tuple[str, Callable[[Built], Files | bytes], str]] = [
    ("winners_changed", winners_changed, "winners"),
    ("winners_and_event_changed", winners_and_event_changed, "winners"),
    ("next_round_dropped", next_round_dropped, "winners"),
    ("next_posts_seats_as_true", next_posts_seats_as_true, "winners"),
    ("totals_raised", totals_raised, "bounds"),
    ("records_swapped_after_audit", records_swapped_after_audit, "records_frozen"),
    ("rulebook_changed_after_count", rulebook_changed_after_count, "rulebook_order"),
    ("rulebook_swapped_silently", rulebook_swapped_silently, "rulebook"),
    ("reprint_after_counting", reprint_after_counting, "manifest_order"),
    ("unused_twice", unused_twice, "lists"),
    ("spoiled_and_unused", spoiled_and_unused, "lists"),
    ("records_reordered", records_reordered, "lists"),
    ("receipts_reordered", receipts_reordered, "lists"),
    ("deposited_field_changed", deposited_field_changed, "boxes"),
    ("fixed_box_merged", fixed_box_merged, "boxes"),
    ("mobile_box_merged_after_counting", mobile_box_merged_after_counting, "boxes"),
    ("not_canonical", not_canonical, "canonical"),
    ("record_for_voided_paper", record_for_voided_paper, "records_not_voided"),
    ("record_marks_changed", record_marks_changed, "recount"),
    ("record_approve_as_string", record_approve_as_string, "recount"),
    ("record_unreadable_as_one", record_unreadable_as_one, "recount"),
    ("record_unknown_mark_field", record_unknown_mark_field, "recount"),
    ("record_unknown_post", record_unknown_post, "recount"),
    ("duplicate_totals_member", duplicate_totals_member, "zip_members"),
    ("lzma_member", lzma_member, "format"),
    ("json_duplicate_key", json_duplicate_key, "canonical"),
    ("json_nan", json_nan, "canonical"),
    ("json_infinity", json_infinity, "canonical"),
    ("json_big_integer", json_big_integer, "canonical"),
    ("json_float_for_int", json_float_for_int, "canonical"),
    ("json_exponent_for_int", json_exponent_for_int, "canonical"),
    ("json_leading_zero", json_leading_zero, "canonical"),
    ("json_negative_zero", json_negative_zero, "canonical"),
    ("json_bom", json_bom, "canonical"),
    ("chain_line_bom", chain_line_bom, "canonical"),
    ("json_ascii_escape", json_ascii_escape, "canonical"),
    ("missing_totals", missing_totals, "format"),
    ("missing_office_key", missing_office_key, "countersignature"),
    ("share_arabic_digits", share_arabic_digits, "winners"),
    ("share_fullwidth_digits", share_fullwidth_digits, "winners"),
    ("share_unit_separator", share_unit_separator, "winners"),
    ("share_bom_space", share_bom_space, "winners"),
    ("share_huge_exponent", share_huge_exponent, "winners"),
    ("share_beyond_2_53", share_beyond_2_53, "winners"),
    ("zip_trailing_data", zip_trailing_data, "format"),
    ("zip_prepended_data", zip_prepended_data, "format"),
    ("zip_fewer_entries", zip_fewer_entries, "format"),
    ("zip_unicode_member_name", _unicode_member, "zip_members"),
    ("composition_person_as_number", composition_person_as_number, "format"),
    ("audit_draw_moved", audit_draw_moved, "audit_sample"),
    ("audit_count_as_string", audit_count_as_string, "audit_sample"),
    ("audit_position_as_true", audit_position_as_true, "audit_sample"),
    ("audit_draw_as_string", audit_draw_as_string, "audit_sample"),
    ("audit_negative_count", audit_negative_count, "audit_sample"),
    ("audit_round_true", audit_round_true, "audit_sample"),
    ("audit_seal_forged", sealed_audit(_bad_seal), "audit_commitment"),
    ("audit_other_records_sealed", sealed_audit(_records_changed), "audit_commitment"),
    ("audit_seed_not_the_chains", sealed_audit(_other_seed), "audit_count"),
    ("audit_seed_committed_after_seal", sealed_audit(_committed_after_seal), "audit_commitment"),
    ("audit_seed_reveal_mismatch", sealed_audit(_reveal_mismatch), "audit_commitment"),
    ("audit_dice_before_seal", sealed_audit(_dice_before_seal), "audit_commitment"),
    ("audit_seed_not_combined", sealed_audit(_seed_not_combined), "audit_commitment"),
    ("audit_seed_single_source", sealed_audit(_single_source), "audit_commitment"),
    ("audit_dice_one_witness", sealed_audit(_one_witness), "audit_commitment"),
    ("audit_sealed_count_as_string", sealed_audit(audit_change=_count_as_text), "audit_commitment"),
    ("audit_confirmed_too_soon", audit_confirmed_too_soon, "audit_recompute"),
    ("audit_discrepancy_hidden", audit_discrepancy_hidden, "audit_recompute"),
    ("audit_missing_paper_hidden", audit_missing_paper_hidden, "audit_recompute"),
    ("audit_confirmed_draws_pending", audit_confirmed_draws_pending, "audit_recompute"),
    ("audit_risk_limit_over_rulebook", audit_risk_limit_over_rulebook, "audit_recompute"),
    ("audit_escalated_when_met", audit_escalated_when_met, "audit_recompute"),
    ("audit_full_count_when_met", audit_full_count_when_met, "audit_recompute"),
    ("audit_hand_count_unrecorded", audit_hand_count_unrecorded, "audit_recompute"),
    ("audit_records_beyond_papers", audit_records_beyond_papers, "audit_recompute"),
    ("audit_first_sample_too_small", audit_first_sample_too_small, "audit_recompute"),
    ("audit_first_sample_too_large", audit_first_sample_too_large, "audit_recompute"),
    ("audit_sample_size_misstated", audit_sample_size_misstated, "audit_recompute"),
    ("audit_escalation_cut_short", audit_escalation_cut_short, "audit_recompute"),
    ("audit_escalated_without_cause", audit_escalated_without_cause, "audit_recompute"),
    ("audit_shopped_escalated", audit_shopped_escalated, "audit_count"),
    ("audit_shopped_confirmed_forged", audit_shopped_confirmed_forged, "audit_recompute"),
    ("audit_seed_redrawn", audit_seed_redrawn, "audit_recompute"),
    ("audit_shopped_after_hand_count", audit_shopped_after_hand_count, "audit_count"),
    ("audit_escalated_event_misstated", audit_escalated_event_misstated, "audit_recompute"),
    ("result_valid_as_one", result_valid_as_one, "result_event"),
    ("result_vote_false", result_vote_false, "result_event"),
    ("batch_as_false", batch_as_false, "manifest"),
    ("pem_bom", pem_bom, "election_key"),
    ("pem_text_around", pem_text_around, "election_key"),
    ("pem_crlf", pem_crlf, "election_key"),
    ("signature_upper_hex", signature_upper_hex, "head_signature"),
    ("signature_spaced_hex", signature_spaced_hex, "head_signature"),
    # The 委员 post's threshold made plurality in tally_input.json (the rulebook says majority):
    # the run-off the rules require disappears and the second-placed is elected.
    ("threshold_plurality", retallied(_post_set("wy", threshold="plurality")), "winners"),
    ("paper_moved_between_boxes", paper_moved_between_boxes, "reconcile"),
    ("station_named_proto", station_named_proto, "reconcile"),
    ("relation_dropped", relation_dropped, "winners"),
    ("candidate_replaced_after_list", candidate_replaced_after_list, "winners"),
    ("registered_voters_raised", registered_voters_raised, "result_event"),
    ("registered_voters_lowered", registered_voters_lowered, "result_event"),
    ("polling_closed_dropped", polling_closed_dropped, "result_event"),
    ("counting_before_close", counting_before_close, "result_event"),
    ("issuance_raised", issuance_raised, "reconcile"),
    ("unused_spoiled", unused_spoiled, "reconcile"),
    ("spoiled_unused", spoiled_unused, "reconcile"),
    ("paper_stuffed", paper_stuffed, "reconcile"),
    ("papers_issued_raised", papers_issued_raised, "reconcile"),
    ("sex_changed_to_female", sex_changed_to_female, "winners"),
    ("resexed_by_late_correction", resexed_by_late_correction, "winners"),
    ("name_swapped", name_swapped, "winners"),
    ("composition_renamed", composition_renamed, "composition"),
    ("meeting_present_raised", meeting_present_raised, "meeting_decisions"),
    ("writein_renamed", writein_renamed, "winners"),
    ("writein_made_female", writein_made_female, "winners"),
    ("writein_unanchored", writein_unanchored, "winners"),
    ("writein_reanchored_after_result", writein_reanchored_after_result, "winners"),
    ("writein_dropped", writein_dropped, "winners"),
    ("writein_composition_renamed", writein_composition_renamed, "composition"),
    ("chosen_renamed", chosen_renamed, "composition"),
    ("meeting_members_lowered", meeting_members_lowered, "meeting_decisions"),
    # A dishonest server, red-teamed (each now refused by both verifiers with what is wrong).
    ("rule_changed_after_printing", rule_changed_after_printing, "rulebook_order"),
    ("deposit_and_record_dropped", deposit_and_record_dropped, "reconcile"),
    ("receipt_in_two_boxes", receipt_in_two_boxes, "lists"),
    ("receipt_twice_in_box", receipt_twice_in_box, "lists"),
    ("merkle_leaf_duplicated", merkle_leaf_duplicated, "merkle"),
    ("receipt_deposited_and_spoiled", receipt_deposited_and_spoiled, "deposits"),
    ("candidates_swapped_after_audit", candidates_swapped_after_audit, "records_frozen"),
    ("seats_raised_on_result", seats_raised_on_result, "totals"),
    ("runoff_candidates_changed", runoff_candidates_changed, "winners"),
    ("result_for_round_never_closed", result_for_round_never_closed, "result_event"),
    ("result_published_twice", result_published_twice, "result_event"),
    ("result_reopened_not_published_again", result_reopened_not_published_again, "result_event"),
    ("board_entered_after_result", _after_result("counting.tally_board_entered", {"totals": {}}), "result_event"),
    ("paper_counted_after_result", _after_result("counting.paper_counted", {"box": "A"}), "result_event"),
    ("board_explained_after_result", _after_result("counting.tally_board_explained", {}), "result_event"),
    ("recall_voted_over_registered", recall_voted_over_registered, "recall_votes"),
    ("recall_carried_without_vacancy", recall_carried_without_vacancy, "recall_votes"),
    ("vacancy_of_one_never_elected", vacancy_of_one_never_elected, "vacancies"),
    ("audit_hand_count_claimed", audit_hand_count_claimed, "audit_recompute"),
    ("json_nested_deep", json_nested_deep, "canonical"),
    ("json_overlong_utf8", json_overlong_utf8, "canonical"),
    ("json_surrogate_utf8", json_surrogate_utf8, "canonical"),
    ("name_zero_width", name_zero_width, "winners"),
    ("name_ideographic_space", name_ideographic_space, "winners"),
    ("name_fullwidth_lookalike", name_fullwidth_lookalike, "winners"),
    ("timestamp_not_a_time", timestamp_not_a_time, "chain"),
    ("head_notice_of_other_election", head_notice_of_other_election, "head_signature"),
    ("countersigned_by_server", countersigned_by_server, "countersignature"),
    ("countersigned_by_server_as_office", countersigned_by_server_as_office, "countersignature"),
    ("head_signed_for_other_election", head_signed_for_other_election, "head_signature"),
    ("totals_of_round_two", totals_of_round_two, "manifest"),
    ("member_added", member_added, "zip_members"),
    ("reprint_reusing_receipt_code", reprint_reusing_receipt_code, "lists"),
    ("reprint_reusing_audit_code", reprint_reusing_audit_code, "lists"),
    ("meeting_outsider_arrived", meeting_outsider_arrived, "meeting_decisions"),
    ("meeting_call_present_raised", meeting_call_present_raised, "meeting_decisions"),
    ("meeting_close_present_raised", meeting_close_present_raised, "meeting_decisions"),
]


def forged(built: Built, forge: Callable[[Built], Files | bytes]) -> bytes:
    out = forge(built)
    return out if isinstance(out, bytes) else reseal(built, out)


# ---------------------------------------------------------------- histories re-made

def remade_chain(built: Built) -> tuple[bytes, signing.Ed25519PrivateKey]:
    """The whole chain re-made under a new election key: internally consistent."""
    import random

    from tests.protocol.builder import _key

    new = _key(random.Random(99))
    f = _files(built)
    evs = _events(f)
    g = evs[0]
    payload = {**g.payload, "key": signing.fingerprint(new.public_key())}
    out = [chain.genesis(payload["election"], payload["rulebook"], payload["roll"], payload["key"], g.at)]
    for e in evs[1:]:
        if e.kind == "ledger.bundle_exported":
            continue
        out.append(chain.append(out[-1], e.kind, e.payload, e.at))
    f["chain.jsonl"] = chain.to_jsonl(out)
    f["election_key.pem"] = signing.public_key_to_pem(new.public_key())
    sealed = bundle.seal_files({n: b for n, b in f.items() if n != "head.sig"}, new, "2026-11-25")
    return bundle.write_files(countersign_files(sealed, built.office)), new


def truncated_chain(built: Built) -> bytes:
    """The chain cut before its last events (the audit's, here the result's) and re-sealed."""
    f = _files(built)
    evs = _events(f)
    cut = next(i for i, e in enumerate(evs) if e.kind == "counting.box_counted")
    f["chain.jsonl"] = chain.to_jsonl(evs[:cut])
    return reseal(built, f)


def office_forged(built: Built) -> bytes:
    """The result countersigned by a key the server made itself, not the office's."""
    import random

    from tests.protocol.builder import _key

    other = _key(random.Random(7))
    parts = bundle.countersign(built.parts, other, "2026-11-25")
    return bundle.write_bundle(parts)


def receipt_root(files: Files, box: str) -> str:
    return merkle.root(json.loads(files["deposits.json"])["boxes"][box]["receipts"])


# ---------------------------------------------------------------- the audit's sampled papers

SAMPLE_SEED = "31415926535897932384"


def sample_cases() -> list[tuple[str, bytes, dict, str | None]]:
    """Auditor bundles with a public recount (a real 2-of-3 ceremony over 4 papers in two
    boxes) and an audit.json whose drawn papers two trustees decrypted (PROTOCOL §13.1): the
    honest one, and one forgery per check, each sealed with the election's key so only the
    sample's checks can catch it: a wrong partial decryption of a drawn paper
    (audit_sample_decryption), a paper not drawn decrypted with sound proofs and a drawn paper
    left out (audit_sample_drawn), a comparison with other values than the decryption
    (audit_sample_compared)."""
    from election.crypto import ceremony, sample
    from election.protocol import rla
    from tools.bench_recount_bundle import recount_files
    from tools.bench_verify import build_bundle

    kept: dict = {}
    made: dict[str, dict[str, bytes]] = {}

    def good(records, totals) -> dict[str, bytes]:
        made["files"] = recount_files(records, totals, keep=kept)
        made["records"] = records
        return made["files"]

    build_bundle(4, boxes=2, extra=good)
    records = made["records"]
    lines = {p["d"]: p for p in kept["papers"]}
    manifest: dict[str, int] = {}
    in_box: dict[str, list[str]] = {}
    for r in sorted(records, key=lambda r: r.d):
        manifest[r.box] = manifest.get(r.box, 0) + 1
        in_box.setdefault(r.box, []).append(r.d)  # the papers as they lie in the sealed box
    draws = rla.draw_sample(SAMPLE_SEED, manifest, 3)
    found = [in_box[d.box][d.position - 1] for d in draws]
    drawn = sorted(set(found))
    undrawn = sorted(set(lines) - set(drawn))
    assert undrawn, "the seed must leave a paper undrawn"

    def decrypt(ds: list[str]) -> list[dict]:
        cts = sample.sample_ciphertexts([lines[d] for d in ds])
        return [ceremony.decrypt(kept["ceremony"], kept["publics"], cts, kept["keys"][i - 1], kept["passphrase"], i)
                for i in (1, 3)]

    def values(ds: list[str], partials: list[dict]) -> dict[str, dict[str, int]]:
        from election.crypto.recount_doc import parse_shapes

        shapes, _ = parse_shapes(json.loads(made["files"]["recount.json"])["shapes"])
        return sample.decrypt_sample(kept["ceremony"], kept["publics"], shapes, [lines[d] for d in ds], partials)

    partials = decrypt(drawn)
    decrypted = values(drawn, partials)
    by_d = {r.d: r for r in records}
    audit = {"id": 1, "seed": SAMPLE_SEED, "risk_limit": "1/20", "papers": 4, "manifest": manifest, "status": "open",
             "sample_size": 3, "draws": [[d.box, d.position] for d in draws], "conclusion": "",
             "findings": [{"index": d.index, "d": found[k], "paper": {"state": "found", "posts": by_d[found[k]].marks},
                           "record": decrypted[found[k]]} for k, d in enumerate(draws)],
             "decryption": {"partials": sample.merge(partials), "decrypted": decrypted}}

    def bundle(a: dict) -> bytes:
        doc = {"round": 1, "audits": [a], **{k: a[k] for k in ("seed", "risk_limit", "papers", "status", "draws",
                                                             "findings", "conclusion")}}
        files = {**made["files"], "audit.json": canonical_json(doc) + b"\n"}
        return build_bundle(4, boxes=2, extra=lambda records, totals: files)

    wrong = json.loads(json.dumps(audit))
    first = wrong["decryption"]["partials"][0]["partials"]
    names = sorted(first)
    first[names[0]]["value"] = first[names[1]]["value"]

    not_drawn = json.loads(json.dumps(audit))
    more = decrypt(undrawn[:1])
    not_drawn["decryption"]["partials"] = sample.merge([*partials, *more])
    not_drawn["decryption"]["decrypted"] = {**decrypted, **values(undrawn[:1], more)}

    missing = json.loads(json.dumps(audit))
    gone = drawn[0]
    for doc in missing["decryption"]["partials"]:
        doc["partials"] = {n: v for n, v in doc["partials"].items() if not n.startswith(gone + ":")}
    del missing["decryption"]["decrypted"][gone]
    for f in missing["findings"]:
        if f["d"] == gone:
            f["record"] = None

    compared = json.loads(json.dumps(audit))
    record = compared["findings"][0]["record"]
    label = next(k for k in sorted(record) if k.endswith("/a0"))
    record[label] = 1 - record[label]

    # Values as PROTOCOL.md writes them (verify_sample reads them as audit_sample does): a
    # finding's index "1" is not draw 1 (a manifest count "2" fails audit_sample in both).
    index_text = json.loads(json.dumps(audit))
    index_text["findings"][0]["index"] = str(index_text["findings"][0]["index"])

    # Confirmed on three draws of four papers compared with their decryptions: the risks
    # recomputed from the decrypted records are not met (audit_recompute, both verifiers).
    confirmed = json.loads(json.dumps(audit))
    confirmed["status"] = "confirmed"

    return [("sample_auditor", bundle(audit), {}, None),
            ("sample_confirmed_too_soon", bundle(confirmed), {}, "audit_recompute"),
            ("sample_index_as_string", bundle(index_text), {}, "audit_sample_drawn"),
            ("sample_wrong_partial", bundle(wrong), {}, "audit_sample_decryption"),
            ("sample_not_drawn", bundle(not_drawn), {}, "audit_sample_drawn"),
            ("sample_drawn_missing", bundle(missing), {}, "audit_sample_drawn"),
            ("sample_compared_otherwise", bundle(compared), {}, "audit_sample_compared")]


# ---------------------------------------------------------------- seats the chain fixed

def seats_cases() -> list[tuple[str, bytes, dict, str | None]]:
    """Bundles (tools.bench_verify, real post keys) whose chain fixed the seats before the count
    in ``election.created``'s bodies: the honest one, and one whose tally_input.json has a 委员
    seat more than the chain recorded (the server raised the seats and decided again: every other
    check agrees)."""
    from election.protocol import event_kinds as ek
    from tools.bench_verify import build_bundle

    def created(weiyuan: int):
        bodies = {"jwh": {"zhuren": 1, "fu_zhuren": 0, "weiyuan": weiyuan}, "jdw": {"zhuren": 1, "fu_zhuren": 0, "weiyuan": 2}}
        return lambda files: [(ek.ELECTION_CREATED, lambda chain: {"community": "和平社区", "title": "换届选举", "bodies": bodies,
                                                                    "_by": "setup", "_why": ""})]
    return [("seats_as_created", build_bundle(4, boxes=2, more_events=created(3)), {}, None),
            ("seats_raised_after_creation", build_bundle(4, boxes=2, more_events=created(2)), {}, "winners")]


# ---------------------------------------------------------------- by-elections the chain bounds

def by_election_cases() -> list[tuple[str, bytes, dict, str | None]]:
    """Bundles (tools.bench_verify, real post keys) whose chain fixed the seats in
    ``election.created`` (居委会 委员 3), published 委员 B and C elected, then 委员 B's seat
    vacated and a by-election called: for the one vacant seat (honest), and for 3 seats (a
    server electing more 委员 than the post has: vacancies fails in both)."""
    from election.protocol import event_kinds as ek
    from tools.bench_verify import build_bundle

    by = {"_by": "committee", "_why": ""}
    bodies = {"jwh": {"zhuren": 1, "fu_zhuren": 0, "weiyuan": 3}, "jdw": {"zhuren": 1, "fu_zhuren": 0, "weiyuan": 2}}

    def events(seats: int):
        return lambda files: [
            (ek.ELECTION_CREATED, lambda chain: {"community": "和平社区", "title": "换届选举", "bodies": bodies, **by}),
            ("result.published", lambda chain: {"round": 1, "posts": {"jwh_weiyuan": {"elected": ["B", "C"], "votes": {}}}, **by}),
            (ek.SEAT_VACATED, lambda chain: {"post": "jwh_weiyuan", "person": "B", "name": "乙", "reason": "resigned",
                                             "ended_on": "2026-12-10", "round": None, "decision": None, **by}),
            (ek.SEAT_BY_ELECTION_CALLED, lambda chain: {"round": 2, "posts": {"jwh_weiyuan": {"seats": seats, "candidates": [],
                                                                                             "reserved_woman_seats": 0}},
                                                        "held_on": "2027-01-10", "term_ends": "2029-11-23",
                                                        "woman_serving": True, **by})]
    return [("by_election_of_the_vacancy", build_bundle(4, boxes=2, more_events=events(2)), {}, None),
            ("by_election_beyond_vacancies", build_bundle(4, boxes=2, more_events=events(3)), {}, "vacancies")]
