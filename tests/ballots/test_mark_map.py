"""The scanner's map of a paper version (ballots/mark_map.py) against the printed paper:
fiducials solid and clear of everything else, every mark box where the map says, the map
deterministic per version and kept as canonical JSON."""
from __future__ import annotations

import io

import numpy as np
import pytest

from ballots.ballot_paper import Box, render_ballots
from ballots.ballot_spec import BallotSpec, PostSection
from ballots.mark_map import MarkMap, mark_map
from tests.ballots.pdfcheck import render_page
from tests.ballots.test_ballot_paper import make_codes, make_spec

DPI = 150
K = DPI / 72


def _page(spec: BallotSpec) -> np.ndarray:
    buf = io.BytesIO()
    render_ballots(spec, make_codes(1), buf)
    return np.asarray(render_page(buf.getvalue(), 0, DPI), dtype=np.float64) / 255


def _px(layout: MarkMap, box: Box, grow: float = 0.0) -> tuple[slice, slice]:
    x0, x1 = (box.x - grow) * K, (box.x + box.w + grow) * K
    y0, y1 = (layout.height - box.y - box.h - grow) * K, (layout.height - box.y + grow) * K
    return slice(round(y0), round(y1)), slice(round(x0), round(x1))


@pytest.mark.parametrize("paper_size", ["A4", "A5"])
def test_fiducials_and_boxes_are_where_the_map_says(paper_size: str) -> None:
    sections = (PostSection("居民委员会", "主任", 1, ("王建国", "李秀英")),
                PostSection("居民委员会", "委员", 3, ("马丽", "王芳", "李娜", "杨洋")))
    spec = make_spec(paper_size=paper_size, sections=sections)
    layout = mark_map(spec)
    page = _page(spec)
    assert len(layout.fiducials) == 4
    for f in layout.fiducials:
        # Solid black inside, and nothing else printed within 1 mm around it (the ring between
        # the square grown by 0.3 mm for antialiasing and grown by 1.3 mm is white).
        inner = page[_px(layout, Box(f.x + 1, f.y + 1, f.w - 2, f.h - 2))]
        assert inner.max() < 0.2
        outer = page[_px(layout, f, 2.83 + 1)]
        core = page[_px(layout, f, 0.8)]
        assert outer.sum() - core.sum() >= (outer.size - core.size) * 0.97
        assert f.y > layout.cut_y  # above the stub: the stub is torn off before counting
    for post, section in zip(layout.posts, sections, strict=True):
        assert [c.name for c in post.candidates] == list(section.candidates)
        assert len(post.write_ins) == section.write_ins
        for mark in (*post.candidates, *post.write_ins):
            b = mark.box
            inside = page[_px(layout, Box(b.x + 2, b.y + 2, b.w - 4, b.h - 4))]
            assert inside.min() > 0.9  # an empty box
            for edge in (Box(b.x - 1, b.y, 2, b.h), Box(b.x + b.w - 1, b.y, 2, b.h),
                         Box(b.x, b.y - 1, b.w, 2), Box(b.x, b.y + b.h - 1, b.w, 2)):
                line = page[_px(layout, edge)]
                assert line.min(axis=1 if edge.w <= 2 else 0).mean() < 0.5  # its border is printed there


def test_map_is_deterministic_per_version_and_round_trips_as_json() -> None:
    spec = make_spec()
    a, b = mark_map(spec), mark_map(make_spec())
    assert a.to_json() == b.to_json() and a.version == b.version
    again = MarkMap.from_json(a.to_json())
    assert again.to_json() == a.to_json()
    assert again.posts[0].candidates[0].name == spec.sections[0].candidates[0]
    assert mark_map(make_spec(paper_size="A5", sections=spec.sections[:2])).version != a.version
    other = (PostSection("居民委员会", "主任", 1, ("王建国", "李秀英", "周强")),)
    fewer = (PostSection("居民委员会", "主任", 1, ("王建国", "李秀英")),)
    assert mark_map(make_spec(sections=other)).version != mark_map(make_spec(sections=fewer)).version
    assert mark_map(make_spec(approve_mark="√")).version != a.version
    assert MarkMap.from_json(mark_map(make_spec(approve_mark="√")).to_json()).approve_mark == "√"
    with pytest.raises(ValueError):
        MarkMap.from_json('{"format": "other"}')
