"""Who may be on the voter roll (选民资格): age, residence, community work, political rights.

Sources (RULES.md, "Voter roll"): 18 or older on election day [L2018 art.8]; deprived of
political rights excluded [L2018 art.8]; 非户籍常住 registered on application after N months
of residence (default 12) [V art.13]; 社区工作者 after N months of work (default 6) [L2025].

Birthday on 29 February: in a non-leap year the person turns 18 on 1 March (the day after
28 February). This is the reading of the civil law's "周岁" counting used by courts (the
anniversary falls on the day after the last day of February); it is the cautious choice,
one day later than 28 February, so nobody is put on the roll before reaching full age.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

HUJI_LOCAL = "本社区户籍"
HUJI_RESIDENT = "非户籍常住"
HUJI_WORKER = "社区工作者"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def anniversary(birth: dt.date, years: int) -> dt.date:
    """The date `years` after `birth`; 29 Feb maps to 1 Mar in non-leap years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years (周岁) on `day`."""
    years = day.year - birth.year
    if anniversary(birth, years) > day:
        years -= 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; the 31st becomes the month's last day when needed."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (0 when end is before start)."""
    if end < start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, n) > end:
        n -= 1
    return n


def check(
    *,
    birth_date: dt.date,
    election_day: dt.date,
    category: str = HUJI_LOCAL,
    residence_since: dt.date | None = None,
    work_since: dt.date | None = None,
    deprived_of_political_rights: bool = False,
    deprivation_basis: str = "",
    lacks_legal_capacity: bool = False,
    exclude_without_legal_capacity: bool = False,
    min_age: int = 18,
    residence_months: int = 12,
    worker_months: int = 6,
    worker_needs_recommendation: bool = False,
    recommendation: str = "",
    resident_needs_consent: bool = False,
) -> Eligibility:
    """Decide whether one person may be registered; every refusal gives its rule."""
    reasons: list[str] = []
    coming_of_age = anniversary(birth_date, min_age)
    if coming_of_age > election_day:
        reasons.append(
            f"选举日{election_day.isoformat()}未满{min_age}周岁（{coming_of_age.isoformat()}满{min_age}周岁），"
            "依据：年满十八周岁的本居住地区居民享有选举权"
        )
    if deprived_of_political_rights:
        basis = f"（{deprivation_basis}）" if deprivation_basis else ""
        reasons.append(f"依法被剥夺政治权利{basis}，不能登记为选民")
    if exclude_without_legal_capacity and lacks_legal_capacity:
        reasons.append("无民事行为能力，按本地选举办法不列入选民名单")
    if category == HUJI_RESIDENT:
        if residence_since is None:
            reasons.append(f"非户籍常住居民须填写居住起始日期，居住满{residence_months}个月方可申请登记")
        else:
            m = months_between(residence_since, election_day)
            if m < residence_months:
                reasons.append(
                    f"非户籍常住居民自{residence_since.isoformat()}起居住至选举日满{max(m, 0)}个月，"
                    f"不足{residence_months}个月"
                )
        # [V art.13]: "经村民会议或者村民代表会议同意" — where the rulebook asks for it, the
        # application carries the meeting's consent (recommendation holds its reference).
        if resident_needs_consent and not recommendation.strip():
            reasons.append("非户籍常住居民申请登记须经居民会议或居民代表会议同意（本选举规则），未填写同意的会议决定")
    elif category == HUJI_WORKER:
        if work_since is None:
            reasons.append(f"社区工作者须填写在本社区工作起始日期，工作满{worker_months}个月方可申请登记")
        else:
            m = months_between(work_since, election_day)
            if m < worker_months:
                reasons.append(
                    f"社区工作者自{work_since.isoformat()}起在本社区工作至选举日满{max(m, 0)}个月，"
                    f"不足{worker_months}个月"
                )
        if worker_needs_recommendation and not recommendation.strip():
            reasons.append("社区工作者申请登记须经推荐（本地选举办法），未填写推荐单位或推荐材料")
    elif category != HUJI_LOCAL:
        reasons.append(f"户籍类别“{category}”无效，应为{HUJI_LOCAL}、{HUJI_RESIDENT}或{HUJI_WORKER}")
    return Eligibility(eligible=not reasons, reasons=reasons)
