"""A voted round whose papers are scanned: printed through the printing service (the real PDF,
each paper's real codes), issued one per voter, handed out and deposited, unused papers
voided; each paper's front marked by the deck's program (tests/scanning/deck.py), both sides
put through the scanner's effects and written as files of one batch (fronts and backs in
duplex order). The generator keeps, per paper, the reading a person gives it — what the
records must hold once the batch is counted through the pages.

Styles a machine must read (○, ×, light, over the edge, erasures, blank) and papers it must
hand to people: a tick √ (which people here take as 赞成), overvotes, blank papers, and a name
written in on a 另选他人 line with its box marked ○.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2

from ballots.mark_map import mark_map
from election.models import Resident
from election.polling import deposit, handout, issuance
from election.polling.printing import ballot_specs
from tests.counting.voting import Election2
from tests.polling.helpers import polling_day, print_capturing

from .deck import draw_mark, scan_effects

DPI = 150
# style -> (weight, what a person reads: approve, oppose, blank)
STYLES = {"blank": (40, "blank"), "circle": (22, "approve"), "cross": (18, "oppose"), "light_circle": (3, "approve"),
          "light_cross": (3, "oppose"), "edge_circle": (3, "approve"), "edge_cross": (3, "oppose"),
          "erased": (4, "blank"), "tick": (1, "approve")}


@dataclass
class Paper:
    body: str  # the ballot-body QR (JXA:...)
    styles: dict[str, dict[int, str]]  # post -> {candidate position: style}
    write_in: tuple[str, int] | None = None  # (post, resident id) written on the post's first line
    marks: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # the person's reading, record form


@dataclass
class ScannedRound:
    files: list[Path]
    papers: list[Paper]  # in the batch's order: paper i is pages 2i+1 and 2i+2
    write_in_text: dict[int, str] = field(default_factory=dict)  # resident id -> what to type for it


def _plan(rng: random.Random, posts: list[tuple[str, int, list[str]]], people: list[Resident]) -> Paper:
    styles: dict[str, dict[int, str]] = {}
    names, weights = list(STYLES), [w for w, _ in STYLES.values()]
    kind = rng.random()
    for key, seats, cands in posts:
        chosen = {i: rng.choices(names, weights)[0] for i in range(len(cands))}
        if kind < 0.05:
            chosen = {i: "blank" for i in chosen}  # a blank paper (all posts)
        else:
            approvals = [i for i, s in chosen.items() if STYLES[s][1] == "approve"]
            for i in approvals[seats:]:  # at most the seats, except on the overvotes below
                chosen[i] = "blank"
        styles[key] = {i: s for i, s in chosen.items() if s != "blank"}
    if 0.05 <= kind < 0.09:  # an overvote in the first post
        key, seats, cands = posts[0]
        styles[key] = {i: "circle" for i in range(min(seats + 1, len(cands)))}
    write_in = None
    if 0.09 <= kind < 0.12:
        key, seats, _ = posts[-1]
        already = sum(1 for s in styles[key].values() if STYLES[s][1] == "approve")
        if already < seats:
            write_in = (key, people[rng.randrange(len(people))].id)
    paper = Paper("", styles, write_in)
    for key, _seats, cands in posts:
        entry: dict[str, list[str]] = {"approve": [], "oppose": [], "write_ins": []}
        for i, style in styles[key].items():
            meaning = STYLES[style][1]
            if meaning != "blank":
                entry[meaning].append(cands[i])
        if write_in and write_in[0] == key:
            entry["write_ins"].append(str(write_in[1]))
        paper.marks[key] = entry
    return paper


def _write_name(image, rng: random.Random, name_box, height_pt: float) -> None:
    """A few hand-like strokes in a write-in line's name area (the reader flags it written)."""
    k = DPI / 72
    x0, x1 = (name_box.x + 8) * k, (name_box.x + min(name_box.w, 90)) * k
    y = (height_pt - name_box.y - name_box.h * 0.35) * k
    x = x0
    while x < x1:
        pts = [(x + rng.uniform(0, 6), y + rng.uniform(-6, 6)) for _ in range(5)]
        cv2.polylines(image, [np.array(pts, dtype=np.int32)], False, 30, 2)
        x += rng.uniform(12, 18)


def scanned_round(db, w: Election2, monkeypatch, voters: list[Resident], folder: Path, seed: int = 7,
                  unused: int = 1, data_key: str | None = None) -> ScannedRound:
    """Print, issue, hand out and deposit round 1 for ``voters`` (box 1), void ``unused``
    papers, and write the deposited papers' scans into ``folder`` (one PNG or JPEG per page)."""
    election = w.election
    rng = random.Random(seed)
    pdf = io.BytesIO()
    printed = print_capturing(db, election, len(voters) + unused, monkeypatch, data_key, out=pdf)
    (_, spec), = ballot_specs(db, election, 1)
    layout = mark_map(spec)
    from election.counting.service import ballot_of

    posts = [(s.key, s.seats, [c.person for c in cands]) for s, cands in ballot_of(db, election, 1).posts]
    box = w.station.boxes[0]
    desk = w.station.desks[0]
    it = iter(enumerate(printed))
    papers: list[Paper] = []
    document = pypdfium2.PdfDocument(pdf.getvalue())
    files: list[Path] = []
    write_in_text: dict[int, str] = {}
    try:
        for voter in voters:
            with polling_day(db, election, 1):
                issuance.issue_ballot(db, election, desk.id, voter.id, "a_clerk", round_number=1)
            index, (stub, body) = next(it)
            handout.hand_out(db, election, w.station.id, stub)
            deposit.deposit(db, election, box.id, stub)
            db.commit()
            paper = _plan(rng, posts, voters)
            paper.body = body
            front = _render(document, 2 * index)
            back = _render(document, 2 * index + 1)
            for p, (key, _seats, _cands) in enumerate(posts):
                for i, style in paper.styles[key].items():
                    draw_mark(front, rng, style, layout.posts[p].candidates[i].box, layout.height, DPI)
                if paper.write_in and paper.write_in[0] == key:
                    line = layout.posts[p].write_ins[0]
                    _write_name(front, rng, line.name_box, layout.height)
                    draw_mark(front, rng, "circle", line.box, layout.height, DPI)
                    person = db.get(Resident, paper.write_in[1])
                    write_in_text[person.id] = f"{person.name}#{person.voter_number}"
            papers.append(paper)
            for side, image in (("a", front), ("b", back)):
                # Mostly JPEG, as scanners save (a noisy 150 dpi page is ~2 MB as PNG, ~0.3 MB as JPEG).
                path = folder / f"scan-{len(papers):04d}{side}.{'png' if rng.random() < 0.1 else 'jpg'}"
                cv2.imwrite(str(path), scan_effects(image, rng, max_degrees=4), [cv2.IMWRITE_JPEG_QUALITY, 85])
                files.append(path)
    finally:
        document.close()
    for _index, (stub, body) in it:
        deposit.void_unused(db, election, stub, body)
    db.commit()
    return ScannedRound(files, papers, write_in_text)


def _render(document, page: int):
    array = document[page].render(scale=DPI / 72, grayscale=True).to_numpy()
    return np.array(array[:, :, 0] if array.ndim == 3 else array, dtype=np.uint8)
