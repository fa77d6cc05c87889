"""Counting from scans (issue 21): a batch of scanned pages becomes proposed records.

Each paper is two pages of a duplex scan: the front (the marks, found by its fiducials) and
the back (the audit QR, JXA:...), in the order the batch starts with (``pair_pages``). The back gives D, D gives the paper's
round and print batch, the batch's paper version gives the map of its boxes
(ballots.mark_map), and ballots.scan_reader reads the front. A paper is *confident* when
every box read plainly as ○, × or blank, no write-in line is written in or marked, no post
has more ○ than seats and the paper is not blank; every other paper, and every page that
could not be read, goes to people (hand entry today; the adjudication page is still to
come). Confident papers are recorded only when a scrutineer approves the batch
(``record_confident``), through the same ``record_paper`` as hand entry.

Nothing here stores or logs the images or pairs a paper with a voter: a proposal holds D and
the marks, as the record does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.mark_map import MarkMap, mark_map
from ballots.scan_reader import (
    KEPT_PX_PER_PT,
    FrontReading,
    Image,
    PageRejected,
    Reading,
    any_code,
    audit_qr_of,
    encode_jpeg,
    read_front,
    rectify,
)

from ..errors import UserError
from ..models import AuditCode, BallotBox, Election, PrintBatch
from ..polling.printing import ballot_specs
from ..rules.tally_types import BODY_ZH
from .service import Ballot, d_from_scan, paper_ballot, record_paper


@dataclass
class Proposal:
    """One paper of a batch: its pages, D, the proposed marks, and why people must look."""

    pages: tuple[int, ...]  # page numbers in the batch, from 1
    d_hash: str | None = None
    marks: dict | None = None
    reasons: list[str] = field(default_factory=list)
    # With ``interpret(keep=True)``: the front de-skewed (JPEG) and every box as read, with
    # where it lies on that image (scan_batches keeps them with the election).
    image: bytes | None = None
    boxes: list[dict] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        return self.d_hash is not None and self.marks is not None and not self.reasons


def pair_pages(pages: Iterable[Image]) -> Iterator[tuple[tuple[int, ...], Image | None, str | None]]:
    """Group pages into papers: (page numbers, front, audit QR text). A back is known by its
    audit QR. A duplex scanner gives each sheet's sides in the same order through a batch, so
    the first page sets it (front first or back first) and a paper is a page of the leading
    kind with the next page of the other kind, nothing else: with a page dropped or a sheet
    fed the other way round, the pages left alone are named, not paired with a neighbour's.
    Streams: at most two pages are held at a time, so a batch of any size fits in memory."""
    leading_is_back: bool | None = None
    held: tuple[int, Image, str | None] | None = None
    for number, page in enumerate(pages, 1):
        qr = audit_qr_of(page)
        is_back = qr is not None
        if leading_is_back is None:
            leading_is_back = is_back
        if is_back == leading_is_back:
            if held is not None:
                yield _alone(held)
            held = (number, page, qr)
        elif held is not None:
            first, image, first_qr = held
            yield (first, number), page if is_back is False else image, first_qr or qr
            held = None
        else:
            yield _alone((number, page, qr))
    if held is not None:
        yield _alone(held)


def _alone(held: tuple[int, Image, str | None]) -> tuple[tuple[int, ...], Image | None, str | None]:
    number, image, qr = held
    return (number,), image if qr is None else None, qr


def interpret(db: Session, election: Election, round_number: int, pages: Iterable[Image],
              progress: Callable[[int], None] | None = None, *, keep: bool = False) -> list[Proposal]:
    """Read a batch of scanned pages of round ``round_number`` into proposals (nothing
    recorded); ``progress(papers done)`` after each paper, for a batch's progress. With
    ``keep`` each proposal carries its front's image and box positions (never the back:
    it shows A)."""
    maps: dict[str, MarkMap] = {}
    out: list[Proposal] = []
    for numbers, front, qr in pair_pages(pages):
        if progress is not None and out:
            progress(len(out))
        proposal = Proposal(numbers)
        out.append(proposal)
        if qr is None:
            proposal.reasons.append("找不到选票背面的审计二维码")
            continue
        if front is None:
            proposal.reasons.append("缺少选票正面（划票面）")
            continue
        try:
            d = d_from_scan(election, qr)
        except UserError as error:
            proposal.reasons.extend(error.messages)
            continue
        code = db.get(AuditCode, (election.id, d))
        if code is None or code.state != "printed":
            proposal.reasons.append("此选票的审计码不在本次选举的印制清单中" if code is None else
                                    "此选票已经录入过或已作废")
            continue
        if code.round_number != round_number:
            proposal.reasons.append(f"此选票是第 {code.round_number} 轮的选票")
            continue
        proposal.d_hash = d
        body = db.scalar(select(PrintBatch.body).where(PrintBatch.election_id == election.id,
                                                       PrintBatch.round_number == round_number,
                                                       PrintBatch.batch == code.batch)) or ""
        if body not in maps:
            specs = dict(ballot_specs(db, election, round_number))
            if body not in specs:
                proposal.reasons.append(f"本轮没有“{BODY_ZH.get(body, body) or '全部职位'}”这种选票")
                continue
            maps[body] = mark_map(specs[body])
        try:
            reading = read_front(front, maps[body])
        except (PageRejected, ValueError) as error:
            proposal.reasons.append(str(error))
            # As scanned, smaller, for people to read beside the paper in hand — unless any code
            # shows on it: a stub left on (T) must never be kept beside D.
            if keep and not any_code(front):
                proposal.image = encode_jpeg(_smaller(front, maps[body]))
            continue
        ballot = paper_ballot(db, election, code)
        proposal.marks, reasons = _marks(ballot, reading)
        proposal.reasons.extend(reasons)
        if keep:
            proposal.image = encode_jpeg(rectify(front, reading, maps[body]))
            proposal.boxes = _boxes(ballot, reading, maps[body]) if proposal.marks else []
    if progress is not None and out:
        progress(len(out))
    return out


def _smaller(page: Image, layout: MarkMap) -> Image:
    import cv2
    import numpy as np

    width = int(round(layout.width * KEPT_PX_PER_PT))
    if page.shape[1] <= width:
        return page
    height = int(round(page.shape[0] * width / page.shape[1]))
    return np.asarray(cv2.resize(page, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _boxes(ballot: Ballot, reading: FrontReading, layout: MarkMap) -> list[dict]:
    """Every box as read, for people: the post, the candidate (resident id) or write-in line,
    the reading, and the box with its name cell on the kept image (pixels)."""
    k = KEPT_PX_PER_PT
    out = []
    candidates = {index: [c.person for c in cands] for index, (_, cands) in enumerate(ballot.posts)}
    for box in reading.boxes:
        mark, name = box.box.box, box.box.name_box
        x0, x1 = min(mark.x, name.x), max(mark.x + mark.w, name.x + name.w)
        y0, y1 = min(mark.y, name.y), max(mark.y + mark.h, name.y + name.h)
        named = [b for b in reading.boxes if b.post == box.post and b.box.name is not None]
        candidate = candidates[box.post][named.index(box)] if box.box.name is not None else None
        out.append({"post": ballot.posts[box.post][0].key, "candidate": candidate,
                    "line": None if candidate else box.box.line, "reading": box.reading.value,
                    "written": box.written,
                    "rect": [round(x0 * k, 1), round((layout.height - y1) * k, 1), round((x1 - x0) * k, 1),
                             round((y1 - y0) * k, 1)]})
    return out


def _marks(ballot: Ballot, reading: FrontReading) -> tuple[dict, list[str]]:
    """The record's marks from the reading, and every reason for people to look."""
    reasons: list[str] = []
    marks: dict = {}
    by_post: dict[int, list] = {}
    for box in reading.boxes:
        by_post.setdefault(box.post, []).append(box)
    if len(by_post) != len(ballot.posts):
        return {}, ["选票版式与本轮职务不符"]
    plain = 0
    for index, (spec, candidates) in enumerate(ballot.posts):
        boxes = by_post[index]
        named = [b for b in boxes if b.box.name is not None]
        lines = [b for b in boxes if b.box.name is None]
        if len(named) != len(candidates):
            return {}, [f"{spec.name_zh}：选票上的候选人数与本轮不符"]
        entry: dict = {"approve": [], "oppose": [], "write_ins": [], "unreadable": False}
        for box, candidate in zip(named, candidates, strict=True):
            if box.reading is Reading.UNSURE:
                reasons.append(f"{spec.name_zh}“{box.box.name}”的标记无法确定")
            elif box.reading is not Reading.BLANK:
                entry[box.reading.value].append(candidate.person)
                plain += 1
        for line in lines:
            if line.written or line.reading is not Reading.BLANK:
                reasons.append(f"{spec.name_zh}第 {line.box.line + 1} 个另选他人栏有字迹或标记")
        if len(entry["approve"]) > spec.seats:
            reasons.append(f"{spec.name_zh}划“○”{len(entry['approve'])} 人，多于应选 {spec.seats} 人")
        marks[spec.key] = entry
    if not plain and not reasons:
        reasons.append("空白票（未划任何符号）")
    return marks, reasons


def batch_counts(proposals: Iterable[Proposal]) -> dict[str, dict[str, tuple[int, int]]]:
    """What the scrutineer approves: per post, the confident papers' (○, ×) per candidate
    (resident id) — counts only, no paper."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for p in proposals:
        if not p.confident or p.marks is None:
            continue
        for post, entry in p.marks.items():
            counts = out.setdefault(post, {})
            for rid in entry["approve"]:
                yes, no = counts.get(rid, (0, 0))
                counts[rid] = (yes + 1, no)
            for rid in entry["oppose"]:
                yes, no = counts.get(rid, (0, 0))
                counts[rid] = (yes, no + 1)
    return out


def record_confident(db: Session, election: Election, box: BallotBox, proposals: Iterable[Proposal],
                     scrutineer: str) -> int:
    """Record the confident papers of a batch the scrutineer approved; returns how many.
    Each goes through record_paper (once only, its event without D or marks)."""
    done = 0
    for p in proposals:
        if p.confident and p.d_hash is not None:
            record_paper(db, election, box, p.d_hash, p.marks or {}, scrutineer)
            done += 1
    return done
