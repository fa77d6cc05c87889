"""Legal deadlines from election day (RULES.md "Voter roll", "Nomination", "Voting")."""

import datetime as dt

from election.rules import calendar as cal

ED = dt.date(2026, 5, 16)


def by_key(stages: list[cal.Stage]) -> dict[str, dt.date]:
    return {s.key: s.date for s in stages}


def test_deadlines_from_election_day() -> None:
    d = by_key(cal.deadlines(ED))
    assert d["roll_published"] == dt.date(2026, 4, 26)  # >= 20 days before
    assert d["objections_end"] == dt.date(2026, 5, 1)  # 5 days after publication
    assert d["objections_decided"] == dt.date(2026, 5, 4)  # 3 days to decide
    assert d["candidates_published"] == dt.date(2026, 5, 11)  # >= 5 days before
    assert d["proxies_arranged"] == dt.date(2026, 5, 13)  # >= 3 days before
    assert d["complaints_end"] == dt.date(2026, 5, 19)
    assert d["handover"] == dt.date(2026, 5, 26)


def test_objections_run_from_actual_publication_and_parameters() -> None:
    d = by_key(cal.deadlines(ED, roll_published_on=dt.date(2026, 4, 1), candidate_list_days=7))
    assert d["objections_end"] == dt.date(2026, 4, 6)
    assert d["candidates_published"] == dt.date(2026, 5, 9)
    assert [s.date for s in cal.deadlines(ED)] == sorted(s.date for s in cal.deadlines(ED))


def test_late_warning_and_withdrawal_is_a_window() -> None:
    stages = {s.key: s for s in cal.deadlines(ED)}
    assert "晚于期限2026-04-26" in cal.late_warning(stages["roll_published"], dt.date(2026, 5, 12), dt.date(2026, 4, 28))
    assert "已过" in cal.late_warning(stages["candidates_published"], dt.date(2026, 5, 12), None)
    assert cal.late_warning(stages["proxies_arranged"], dt.date(2026, 5, 12), None) == ""  # due 05-13
    assert stages["withdrawal_end"].kind == "until"  # the nomination service refuses a later withdrawal
