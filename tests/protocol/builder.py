"""Builds a small but complete election bundle for the protocol tests: three boxes at two
stations, 100 printed papers, real codes, keys, chain, signatures and the rules' own tally
(no audit: see tests/audit/test_rla_verify.py). Deterministic when given a seed (docs/vectors use it)."""
from __future__ import annotations

import random
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from election.protocol import bundle, chain, codes, signing
from election.protocol.bundle import BoxInfo, BundleParts, Record
from election.protocol.bundle_tally import result_of, tally_files
from election.protocol.canonical import digest
from election.protocol.manifest import make_manifest
from election.rules.rulebook import Rulebook
from election.rules.tally_types import Candidate, PostSpec, TallyInput

ELECTION = "E-2026-朝阳-001"
CANDIDATES = {"zr": [("p1", "张三", "男"), ("p2", "李四", "女")],
              "wy": [("p3", "王五", "女"), ("p4", "赵六", "男"), ("p5", "钱七", "男"), ("p6", "孙八", "女")]}
WRITE_IN = ("p7", "周九", "男")  # written in for 委员 on most papers by build(write_in=True)


@dataclass
class Built:
    parts: BundleParts  # sealed auditor bundle with countersignature
    key: Ed25519PrivateKey
    office: Ed25519PrivateKey
    receipt_codes: dict[str, bytes]  # R -> T, only so tests can play the resident
    seed: int = 2026


REGISTERED = 150  # the round's electors, fixed at the close of poll


def _key(rng: random.Random) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))


def tally_input(rulebook: Rulebook, issued: int, returned: int, write_in: bool = False) -> TallyInput:
    posts = (PostSpec("zr", "jwh", "主任", 1, 2), PostSpec("wy", "jwh", "委员", 2, 1))
    cands = tuple(Candidate(pid, pid, name, sex, post) for post, cs in CANDIDATES.items() for pid, name, sex in cs)
    if write_in:
        cands += (Candidate(WRITE_IN[0], *WRITE_IN, None),)
    return TallyInput(rulebook, REGISTERED, issued, returned, posts, cands, (), (("p1", "p4"),))


def build(box_sizes: dict[str, int] | None = None, seed: int = 2026, write_in: bool = False, stuffed: int = 0) -> Built:
    """``write_in``: four papers in five write in WRITE_IN for 委员 beside 王五 (elected with
    her), and the result's result.write_ins_named anchors his name and sex. ``stuffed``: that
    many papers taken home (issued, never deposited) are afterwards put in box C, stub and
    record, and counted -- as a key holder re-making every list, root, count and the result
    would, with the close of poll's counts in the chain as they were (a forgery)."""
    rng = random.Random(seed)
    sizes = dict(box_sizes or {"A": 40, "B": 10, "C": 35})
    stations = {"A": "S1", "B": "S1", "C": "S2"}
    n_print = 100
    rh = codes.hasher(codes.RECEIPT_TAG, ELECTION)
    ah = codes.hasher(codes.AUDIT_TAG, ELECTION)
    ts = [rng.randbytes(16) for _ in range(n_print)]
    as_ = [rng.randbytes(16) for _ in range(n_print)]
    rs = [rh(t) for t in ts]
    ds = [ah(a) for a in as_]
    key, office = _key(rng), _key(rng)
    rb = Rulebook.from_dict({"min_box_size": 30})
    rulebook = rb.to_dict()
    man = make_manifest(ELECTION, rs, ds)
    g = chain.genesis(ELECTION, digest(rulebook), "f" * 64, signing.fingerprint(key.public_key()), at="2026-11-01T08")
    events = [g, chain.append(g, "roll.published", {"_by": "committee", "_why": ""}, at="2026-11-02T08")]
    events.append(chain.append(events[-1], "ballots.printed", {"batch": 0, "digest": man.digest, "receipt_count": n_print,
                                                        "audit_count": n_print, "round": 1, "_by": "committee", "_why": ""},
                               at="2026-11-10T08"))
    deposits: dict[str, tuple[str, ...]] = {}
    records: list[Record] = []
    i = 0
    for box, n in sizes.items():
        deposits[box] = tuple(rs[i : i + n])
        for j in range(i, i + n):
            marks = {"zr": {"approve": ["p1"] if rng.random() < 0.75 else ["p2"]},
                     "wy": {"approve": (["p3", "p4"] if rng.random() < 0.6 else sorted(rng.sample(["p3", "p4", "p5", "p6"], 2)))
                            if rng.random() < 0.9 else []}}
            if write_in and j % 5:
                marks["wy"] = {"approve": ["p3"], "write_ins": [WRITE_IN[0]]}
            records.append(Record(ds[j], box, marks))
        i += n
    used = i
    spoiled = tuple(rs[used : used + 2])
    # 3 papers issued but never deposited (taken home) are in neither list.
    issuance = {"S1": sizes["A"] + sizes["B"] + 2, "S2": sizes["C"] + 1}
    unused = tuple(rs[used + 2 + 3 :])
    voided = tuple(ds[used : used + 2]) + tuple(ds[used + 2 + 3 :])
    assert n_print == sum(issuance.values()) + len(spoiled) + len(unused)
    # The close of poll (polling.turnout.close_of_poll): every hour's counts, one hour here,
    # then the round's electors, all before the count.
    hour = {"round": 1, "hour": "2026-11-23T09", "_by": "system", "_why": ""}
    for st, n in sorted(issuance.items()):
        events.append(chain.append(events[-1], "polling.issuance_hour_recorded",
                                   {**hour, "station": st, "issued": n, "spoiled": 2 if st == "S1" else 0}, at="2026-11-23T09"))
    for b, n in sorted(sizes.items()):
        events.append(chain.append(events[-1], "polling.deposit_hour_recorded", {**hour, "box": b, "deposited": n},
                                   at="2026-11-23T09"))
    events.append(chain.append(events[-1], "polling.closed", {"round": 1, "registered_voters": REGISTERED,
                                                              "_by": "committee", "_why": ""}, at="2026-11-23T18:00:00"))
    for k in range(stuffed):  # papers taken home, stub and record put in box C after the close
        deposits["C"] += (rs[used + 2 + k],)
        records.append(Record(ds[used + 2 + k], "C", {"zr": {"approve": ["p2"]}, "wy": {"approve": ["p5", "p6"]}}))
        sizes["C"] += 1
    for b in sorted(sizes):
        events.append(chain.append(events[-1], "counting.box_counted", {"round": 1, "box": b, "_by": "committee", "_why": ""},
                                   at="2026-11-23T18"))
    inp = tally_input(rb, sum(issuance.values()), len(records), write_in)
    result = result_of(inp, records)
    if write_in:
        pid, name, sex = WRITE_IN
        events.append(chain.append(events[-1], "result.write_ins_named", {
            "round": 1, "write_ins": [{"person": pid, "name": name, "sex": sex}], "_by": "committee", "_why": ""},
            at="2026-11-23T20"))
    events.append(chain.append(events[-1], "result.published", {
        "round": 1, "valid": result["valid"], "registered_voters": result["registered_voters"],
        "papers_issued": result["papers_issued"], "papers_returned": result["papers_returned"],
        "posts": {k: {"votes": p["votes"], "elected": [e["person"] for e in p["elected"]],
                      "valid": p["valid_papers"], "invalid": p["invalid_papers"]} for k, p in result["posts"].items()},
        "next_round": result["next_round"], "_by": "committee", "_why": ""}, at="2026-11-23T20"))
    totals, box_totals, scenario = tally_files(inp, records, sorted(sizes), 1, result)
    parts = BundleParts(
        election_id=ELECTION,
        manifests=(man,),
        deposits={b: tuple(sorted(v)) for b, v in deposits.items()},
        boxes={b: BoxInfo(stations[b], n) for b, n in sizes.items()},
        issuance=issuance,
        spoiled=tuple(sorted(spoiled)),
        unused=tuple(sorted(unused)),
        rulebook=rulebook,
        totals=totals,
        box_totals=box_totals,
        chain=tuple(events),
        election_key_pem=signing.public_key_to_pem(key.public_key()),
        records=tuple(records),
        # An audit needs its sealed commitment in the chain (docs/AUDIT.md): it is built and
        # verified through the services in tests/audit/test_rla_verify.py.
        audit=None,
        voided=tuple(sorted(voided)),
        tally_input=scenario,
    )
    sealed = bundle.seal(parts, key, "2026-11-23", at="2026-11-23T20")
    sealed = bundle.countersign(sealed, office, "2026-11-24")
    return Built(sealed, key, office, dict(zip(rs, ts)), seed)
