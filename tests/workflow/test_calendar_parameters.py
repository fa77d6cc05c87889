"""The calendar's parameters, each changed on an election to show the date it moves in the
legal calendar (RULES.md: roll published 20 days before, objections 5 days and decisions in
3, the list 5 days before, withdrawal 3 days before, proxies 3 days before, complaints 3
days after, hand-over within 10 days [V])."""
from __future__ import annotations

from datetime import timedelta

import pytest

from election.rules.rulebook import Rulebook
from election.workflow.stages import legal_deadlines


@pytest.mark.parametrize("key,stage,value", [
    ("handover_days", "handover", 20),
    ("roll_published_days_before", "roll_published", 30),
    ("candidate_list_days_before", "candidates_published", 9),
    ("proxy_days_before", "proxies_arranged", 5),
    ("withdrawal_days_before", "withdrawal_end", 6),
    ("objection_window_days", "objections_end", 7),
    ("complaint_window_days", "complaints_end", 6),
])
def test_a_parameter_moves_its_date(db, world, key, stage, value):
    election = world["a"]["election"]
    before = {d.key: d.date for d in legal_deadlines(election)}
    assert stage in before, sorted(before)
    default = getattr(Rulebook(), key)
    election.rulebook = Rulebook().with_changes(**{key: value}).to_dict()
    after = {d.key: d.date for d in legal_deadlines(election)}
    moved = timedelta(days=value - default)
    assert after[stage] - before[stage] in (moved, -moved)
