"""The scanner's map of one paper version: where the fiducials and every mark box are.

A paper version is one BallotSpec (all papers of a print batch share it; the codes differ,
the front does not). The map is derived deterministically from the same geometry that draws
the paper (ballot_paper.section_cells), so printing and reading cannot disagree; it is also
plain data (``to_json``/``from_json``) to keep beside the print batch. Positions are PDF
points with the origin at the bottom-left of the page; a reader maps them onto a scan through
the four fiducial centres, so only positions relative to the fiducials matter.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ballots.ballot_paper import Box, paper_layout, section_cells
from ballots.ballot_spec import BallotSpec

MAP_FORMAT = "juxuan/mark-map/v1"


@dataclass(frozen=True)
class MarkBox:
    """One box to read: a candidate's (``name``) or a write-in line's (``name`` None, ``line`` its index)."""

    name: str | None
    box: Box
    name_box: Box
    line: int = 0


@dataclass(frozen=True)
class PostBoxes:
    """One post of the paper (a section, in printed order): candidates first, then write-in lines."""

    body: str
    post: str
    seats: int
    candidates: tuple[MarkBox, ...]
    write_ins: tuple[MarkBox, ...]


@dataclass(frozen=True)
class MarkMap:
    """Everything a reader needs to find and read the marks of one paper version."""

    paper_size: str
    width: float
    height: float
    cut_y: float
    fiducials: tuple[Box, ...]  # top-left, top-right, bottom-left, bottom-right
    posts: tuple[PostBoxes, ...]
    approve_mark: str = "○"  # the marks the paper asks for (the rulebook's)
    oppose_mark: str = "×"

    @property
    def fiducial_centres(self) -> tuple[tuple[float, float], ...]:
        return tuple((f.x + f.w / 2, f.y + f.h / 2) for f in self.fiducials)

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, points rounded to 1/1000): the same version gives the same text."""
        return json.dumps(_plain(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def version(self) -> str:
        """A short name of this layout: SHA-256 of the canonical JSON (16 hex digits)."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]

    @staticmethod
    def from_json(text: str) -> MarkMap:
        data = json.loads(text)
        if data.get("format") != MAP_FORMAT:
            raise ValueError(f"不是选票标记位置图（format 应为 {MAP_FORMAT}）")

        def box(v: list[float]) -> Box:
            return Box(*(float(x) for x in v))

        def mark(v: dict[str, object]) -> MarkBox:
            return MarkBox(v["name"], box(v["box"]), box(v["name_box"]), int(v["line"]))  # type: ignore[arg-type,call-overload]

        posts = tuple(
            PostBoxes(p["body"], p["post"], int(p["seats"]), tuple(mark(c) for c in p["candidates"]),
                      tuple(mark(c) for c in p["write_ins"]))
            for p in data["posts"]
        )
        return MarkMap(data["paper_size"], float(data["width"]), float(data["height"]), float(data["cut_y"]),
                       tuple(box(f) for f in data["fiducials"]), posts, data["approve_mark"], data["oppose_mark"])


def _r(v: float) -> float:
    return round(v, 3)


def _box(b: Box) -> list[float]:
    return [_r(b.x), _r(b.y), _r(b.w), _r(b.h)]


def _plain(m: MarkMap) -> dict[str, object]:
    def mark(b: MarkBox) -> dict[str, object]:
        return {"name": b.name, "box": _box(b.box), "name_box": _box(b.name_box), "line": b.line}

    return {
        "format": MAP_FORMAT,
        "paper_size": m.paper_size,
        "width": _r(m.width),
        "height": _r(m.height),
        "cut_y": _r(m.cut_y),
        "fiducials": [_box(f) for f in m.fiducials],
        "approve_mark": m.approve_mark,
        "oppose_mark": m.oppose_mark,
        "posts": [{"body": p.body, "post": p.post, "seats": p.seats, "candidates": [mark(c) for c in p.candidates],
                   "write_ins": [mark(c) for c in p.write_ins]} for p in m.posts],
    }


def mark_map(spec: BallotSpec) -> MarkMap:
    """The map of ``spec``'s paper (pure: the same spec always gives the same map)."""
    layout = paper_layout(spec)
    posts = []
    for section, cells in section_cells(spec):
        candidates = tuple(MarkBox(c.name, c.mark_box, c.name_box) for c in cells if c.name is not None)
        lines = [c for c in cells if c.name is None]
        write_ins = tuple(MarkBox(None, c.mark_box, c.name_box, i) for i, c in enumerate(lines))
        posts.append(PostBoxes(section.body, section.post, section.seats, candidates, write_ins))
    return MarkMap(spec.paper_size, layout.width, layout.height, layout.cut_y, layout.fiducials, tuple(posts),
                   spec.approve_mark, spec.oppose_mark)
