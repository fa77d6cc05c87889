"""`juxuan sort-names`: ballot order by surname strokes (姓氏笔画), compound surnames as one unit."""
from __future__ import annotations

from election.cli import main


def test_sort_names_prints_ballot_order_one_per_line(app):
    """Must show 2: 王 丁 欧阳 李 马 万 司马 -> 丁, 万, 马, 王, 司马, 李, 欧阳."""
    result = app.test_cli_runner().invoke(main, ["sort-names", "王", "丁", "欧阳", "李", "马", "万", "司马"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["丁", "万", "马", "王", "司马", "李", "欧阳"]


def test_sort_names_needs_a_name(app):
    result = app.test_cli_runner().invoke(main, ["sort-names"])
    assert result.exit_code != 0
