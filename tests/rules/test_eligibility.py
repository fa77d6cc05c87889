"""Voter eligibility (RULES.md "Voter roll"): age 18 on election day [L2018 art.8], residence
12 months for 非户籍常住 [V art.13], 社区工作者 6 months [L2025], political rights [L2018 art.8]."""

import datetime as dt

from election.rules import eligibility as el

ED = dt.date(2026, 5, 16)


def test_age_18_exactly_on_election_day_is_eligible() -> None:
    assert el.check(birth_date=dt.date(2008, 5, 16), election_day=ED).eligible


def test_age_one_day_short_is_not_eligible() -> None:
    r = el.check(birth_date=dt.date(2008, 5, 17), election_day=ED)
    assert not r.eligible and "未满18周岁" in r.reasons[0] and "2026-05-17" in r.reasons[0]


def test_29_february_birth_turns_18_on_1_march() -> None:
    born = dt.date(2008, 2, 29)
    assert not el.check(birth_date=born, election_day=dt.date(2026, 2, 28)).eligible
    assert el.check(birth_date=born, election_day=dt.date(2026, 3, 1)).eligible
    assert el.age_on(born, dt.date(2026, 2, 28)) == 17


def test_non_resident_needs_12_months() -> None:
    ok = el.check(birth_date=dt.date(1980, 1, 1), election_day=ED, category=el.HUJI_RESIDENT, residence_since=dt.date(2025, 5, 16))
    short = el.check(birth_date=dt.date(1980, 1, 1), election_day=ED, category=el.HUJI_RESIDENT, residence_since=dt.date(2025, 5, 17))
    assert ok.eligible
    assert not short.eligible and "满11个月" in short.reasons[0] and "不足12个月" in short.reasons[0]
    six = el.check(birth_date=dt.date(1980, 1, 1), election_day=ED, category=el.HUJI_RESIDENT, residence_since=dt.date(2025, 11, 16), residence_months=6)
    assert six.eligible


def test_community_worker_6_months() -> None:
    assert el.check(birth_date=dt.date(1990, 1, 1), election_day=ED, category=el.HUJI_WORKER, work_since=dt.date(2025, 11, 16)).eligible
    r = el.check(birth_date=dt.date(1990, 1, 1), election_day=ED, category=el.HUJI_WORKER, work_since=dt.date(2025, 12, 1))
    assert not r.eligible and "不足6个月" in r.reasons[0]


def test_deprived_of_political_rights_with_basis() -> None:
    r = el.check(birth_date=dt.date(1970, 1, 1), election_day=ED, deprived_of_political_rights=True, deprivation_basis="（2024）苏01刑初12号判决")
    assert not r.eligible and "剥夺政治权利" in r.reasons[0] and "苏01刑初12号" in r.reasons[0]


def test_months_between_month_end() -> None:
    assert el.months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == 1
    assert el.months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 27)) == 0
