"""Counting from scans (election/counting/scanning.py): real papers of a built election, printed
by the ballot code with the papers' own audit codes on the back, marked by a program, scanned
(tests/scanning/deck.py effects), fed as a batch with fronts and backs in either order. The
confident papers' proposed records equal the marks drawn; the others name why people must
look; nothing is recorded until the batch is approved, then through record_paper."""
from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import select

from ballots.ballot_paper import render_ballots
from ballots.ballot_spec import PaperCodes
from ballots.mark_map import mark_map
from election.counting.scanning import batch_counts, interpret, record_confident
from election.models import AuditCode
from election.polling.printing import ballot_specs
from tests.conftest import DATA_KEY
from tests.scanning.deck import draw_mark, rasterise, scan_effects

from .builder import build

DPI = 150


@pytest.fixture
def scanned(db, world):
    election = world["a"]["election"]
    built = build(db, election, DATA_KEY, voters=12, papers=5, boxes=1)
    spec = dict(ballot_specs(db, election, 1))[""]
    layout = mark_map(spec)
    posts = list(built.candidates)
    rng = random.Random(21)
    # paper -> {post: {candidate position: style}}
    plans = [
        {"jwh_zhuren": {0: "circle", 1: "cross"}, "jwh_weiyuan": {0: "circle", 2: "circle", 4: "cross"}},
        {"jwh_fu_zhuren": {1: "circle"}, "jdw_weiyuan": {0: "cross", 1: "light_circle"}},
        {"jwh_zhuren": {0: "tick"}},  # a mark the paper gives no meaning: people decide
        {},  # blank paper
        {"jwh_zhuren": {0: "circle", 1: "circle"}},  # two ○ for one seat: people decide
    ]
    pages = []
    for i, plan in enumerate(plans):
        buf = io.BytesIO()
        render_ballots(spec, [PaperCodes(f"T{i:07d}", f"https://jx.example.cn/r/T{i}", built.scans[i])], buf)
        front, back = rasterise(buf.getvalue(), 0, DPI), rasterise(buf.getvalue(), 1, DPI)
        for post, marks in plan.items():
            boxes = layout.posts[posts.index(post)].candidates
            for position, style in marks.items():
                draw_mark(front, rng, style, boxes[position].box, layout.height, DPI)
        pages += [scan_effects(front, rng, max_degrees=3), scan_effects(back, rng, max_degrees=3)]
    return election, built, plans, pages


def test_batch_becomes_proposed_records_and_is_recorded_when_approved(db, scanned):
    election, built, plans, pages = scanned
    done: list[int] = []
    proposals = interpret(db, election, 1, iter(pages), done.append)  # pages streamed, progress per paper
    assert done == [1, 2, 3, 4, 5]
    assert [p.pages for p in proposals] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]
    assert [p.confident for p in proposals] == [True, True, False, False, False]
    assert any("无法确定" in r for r in proposals[2].reasons)
    assert any("空白票" in r for r in proposals[3].reasons)
    assert any("多于应选" in r for r in proposals[4].reasons)
    for proposal, plan in zip(proposals[:2], plans[:2], strict=True):
        for post, cands in built.candidates.items():
            want = plan.get(post, {})
            entry = proposal.marks[post]  # type: ignore[index]
            assert sorted(entry["approve"]) == sorted(str(cands[k].resident_id) for k, s in want.items() if "circle" in s)
            assert sorted(entry["oppose"]) == sorted(str(cands[k].resident_id) for k, s in want.items() if "cross" in s)
    counts = batch_counts(proposals)
    zhuren = built.candidates["jwh_zhuren"]
    assert counts["jwh_zhuren"] == {str(zhuren[0].resident_id): (1, 0), str(zhuren[1].resident_id): (0, 1)}
    # Nothing is recorded before the scrutineer approves the batch.
    assert db.scalar(select(AuditCode).where(AuditCode.state == "counted")) is None
    assert record_confident(db, election, built.boxes[0], proposals, "a_scrutineer") == 2
    db.commit()
    counted = {c.d_hash: c.marks for c in db.scalars(select(AuditCode).where(AuditCode.state == "counted"))}
    assert counted == {p.d_hash: p.marks for p in proposals[:2]}
    # The same pages again: the counted papers are refused, not counted twice.
    again = interpret(db, election, 1, pages[:4])
    assert not any(p.confident for p in again) and all("已经录入" in " ".join(p.reasons) for p in again)


def test_a_page_alone_or_unreadable_is_named(db, scanned):
    """Pairs keep the batch's order: a dropped page or a sheet fed the other way leaves pages
    alone (named), never a front paired with a neighbour's back."""
    import numpy as np

    election, _built, _plans, pages = scanned
    f = pages[0::2]
    b = pages[1::2]
    blank = np.full_like(pages[0], 240)
    # front first: paper 1, paper 2's front dropped, paper 3 fed back first, a blank sheet with paper 4's back
    batch = [f[0], b[0], b[1], b[2], f[2], blank, b[3]]
    proposals = interpret(db, election, 1, batch)
    assert [p.pages for p in proposals] == [(1, 2), (3,), (4,), (5,), (6, 7)]
    assert proposals[0].confident
    assert all("缺少选票正面" in p.reasons[0] for p in proposals[1:3])
    assert "审计二维码" in proposals[3].reasons[0]
    assert "不予识别" in proposals[4].reasons[0] and proposals[4].marks is None
    assert not any(p.confident for p in proposals[1:])
    # back first: the same papers fed the other way up are read the same
    again = interpret(db, election, 1, [b[0], f[0], b[1], f[1]])
    assert [p.pages for p in again] == [(1, 2), (3, 4)] and all(p.confident for p in again)
    assert [p.marks for p in again] == [p.marks for p in interpret(db, election, 1, pages[:4])]


def test_command_line_counts_a_folder_and_records_when_approved(app, db, scanned, tmp_path):
    import cv2

    from election.cli import main

    election, built, _plans, pages = scanned
    for i, page in enumerate(pages):
        cv2.imwrite(str(tmp_path / f"scan-{i:03d}.png"), page)
    runner = app.test_cli_runner()
    args = ["scan", "count", "--election", str(election.id), "--round", "1", str(tmp_path)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "确定 2 张，需人工 3 张" in result.output
    assert "scan-004.png、scan-005.png\t需人工" in result.output
    zhuren = built.candidates["jwh_zhuren"]
    assert f"jwh_zhuren\t{zhuren[0].resident.name} ○1 ×0  {zhuren[1].resident.name} ○0 ×1" in result.output
    db.rollback()  # a new transaction sees what the command committed
    assert db.scalar(select(AuditCode).where(AuditCode.state == "counted")) is None
    result = runner.invoke(main, [*args, "--approve-as", "a_scrutineer"])
    assert result.exit_code == 1 and "--box" in result.output
    result = runner.invoke(main, [*args, "--approve-as", "a_scrutineer", "--box", str(built.boxes[0].id)])
    assert result.exit_code == 0 and "已记入 2 张" in result.output, result.output
    db.rollback()  # a new transaction sees what the command committed
    assert len(list(db.scalars(select(AuditCode).where(AuditCode.state == "counted")))) == 2


def test_command_line_keeps_a_folder_for_the_pages(app, db, scanned, tmp_path):
    """`--to-pages`: the folder becomes a batch for the web pages (approval, adjudication);
    nothing is recorded."""
    import cv2

    from election.cli import main
    from election.counting import mixing
    from election.models import ScanPaper

    election, built, _plans, pages = scanned
    for i, page in enumerate(pages):
        cv2.imwrite(str(tmp_path / f"scan-{i:03d}.png"), page)
    runner = app.test_cli_runner()
    args = ["scan", "count", "--election", str(election.id), "--round", "1", str(tmp_path), "--to-pages", "a_counter"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "--box" in result.output
    box = str(built.boxes[0].id)
    result = runner.invoke(main, [*args, "--box", box])
    assert result.exit_code == 1 and "尚未确认已混合" in result.output
    mixing.confirm_mixed(db, election, 1, built.boxes[0].id, "监票人甲、乙", "a_scrutineer")
    db.commit()
    result = runner.invoke(main, [*args, "--box", box])
    assert result.exit_code == 0 and "确定 2 张，需人工 3 张，搁置 0 张" in result.output, result.output
    db.rollback()
    assert sorted(p.state for p in db.scalars(select(ScanPaper))) == ["confident"] * 2 + ["to_people"] * 3
    assert db.scalar(select(AuditCode).where(AuditCode.state == "counted")) is None
