"""Validation of a parsed voter-roll import file (选民登记导入模板) row by row.

Input: the header (list of column names) and the data rows (dicts keyed by header), as a
service has read them from .xlsx/.csv, plus the ID numbers already on the roll. Output:
clean rows, errors and warnings, each naming the spreadsheet row (header = row 1), the
column and the rule, in Chinese. ID numbers in messages are always masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from sys import intern
from typing import Any, NamedTuple

from election.rules import idcard
from election.rules.phrase import phrase

COLUMNS: tuple[str, ...] = (
    "姓名", "性别", "公民身份号码", "户号", "楼栋", "单元", "室号", "居民小组",
    "户籍类别", "居住起始日期", "联系电话", "备注",
)
REQUIRED: tuple[str, ...] = ("姓名", "性别", "公民身份号码", "户号", "楼栋", "室号", "居民小组", "户籍类别")
CATEGORIES: tuple[str, ...] = ("本社区户籍", "非户籍常住")
_REQUIRED_AT: tuple[int, ...] = tuple(COLUMNS.index(c) for c in REQUIRED)
_required = itemgetter(*_REQUIRED_AT)
_SINCE_AT = COLUMNS.index("居住起始日期")

# Stable error codes (the UI and the tests rely on them).
E_MISSING_COLUMN = "missing_column"
E_EMPTY = "empty_field"
E_ID_FORMAT = "id_format"
E_ID_CHECKSUM = "id_checksum"
E_ID_BIRTH = "id_birth_date"
E_SEX_MISMATCH = "sex_mismatch"
E_SEX_VALUE = "sex_value"
E_DUP_FILE = "duplicate_in_file"
E_DUP_ROLL = "duplicate_on_roll"
E_DATE_FORMAT = "date_format"
E_DATE_FUTURE = "date_future"
E_CATEGORY = "category_value"
E_PHONE = "phone_format"
E_GROUP = "group_value"
E_BUILDING = "building_value"
E_HOUSEHOLD_CONFLICT = "household_conflict"
E_NAME = "name_value"
E_RESIDENCE_MISSING = "residence_date_missing"
W_EXTRA_COLUMN = "extra_column"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FIXED = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_NAME = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003134F·•A-Za-z ]{1,30}$")


# check_many's tests of a whole column, joined by newlines (which none of these shapes holds,
# and _joined_match counts): stricter than check's (ASCII digits, ISO dates, mobiles
# only), so whatever they refuse, check reads again and judges.
_NAMES = re.compile(r"(?:[\u3400-\u9fff\U00020000-\U0003134F·•A-Za-z ]{1,30}\n)*[\u3400-\u9fff\U00020000-\U0003134F·•A-Za-z ]{1,30}")
_IDS = re.compile(r"(?:[0-9]{17}[0-9X]\n)*[0-9]{17}[0-9X]")
_MOBILES = re.compile(r"(?:1[3-9][0-9]{9}\n)*1[3-9][0-9]{9}")
_ISO_DATES = re.compile(r"(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\n)*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_SEXES = frozenset(("男", "女"))
_CATEGORY_SET = frozenset(CATEGORIES)
_BAD_GROUPS = frozenset(("无", "-", "/", "0"))
_BAD_BUILDINGS = frozenset(("无", "-", "/"))


def _joined_match(pattern: re.Pattern[str], texts: list[str]) -> bool:
    """Whether every text is a whole match of the one-line `pattern`'s shape."""
    joined = "\n".join(texts)
    return joined.count("\n") == len(texts) - 1 and pattern.fullmatch(joined) is not None


@dataclass(frozen=True)
class RowError:
    row_number: int
    column: str
    value: str
    code: str
    message: str


@dataclass(frozen=True)
class RowWarning:
    row_number: int
    column: str
    code: str
    message: str


class RollRow(NamedTuple):
    # A named tuple: made once per row of an import (a frozen dataclass sets each of its
    # fourteen fields through object.__setattr__).
    row_number: int
    name: str
    sex: str
    id_number: str
    birth_date: dt.date
    household_no: str
    building: str
    unit: str
    room: str
    group: str
    category: str
    residence_since: dt.date | None
    phone: str
    note: str


@dataclass(frozen=True)
class RollCheck:
    rows: list[RollRow]
    errors: list[RowError]
    warnings: list[RowWarning]

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if type(value) is str:  # nearly every cell: the rest of this function is for the others
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # spreadsheets hand back 101.0 for a room typed as 101
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """Accept date/datetime objects, YYYY-MM-DD, YYYY/M/D, YYYY.M.D and YYYY年M月D日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if " " in text:
        text = text.split(" ", 1)[0]  # "2020-01-02 00:00:00" from a spreadsheet
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def _phone_ok(text: str) -> bool:
    compact = text.replace(" ", "")
    if compact.startswith("+86"):
        compact = compact[3:]
    return bool(_MOBILE.match(compact) or _FIXED.match(compact))


def check_rows(
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    existing_ids: Iterable[str] = (),
    on_roll: Callable[[str], bool] | None = None,
    today: dt.date,
    require_residence_date: bool = True,
) -> RollCheck:
    """Validate every row; see the module docstring. `today` bounds dates (no future).

    A number already on the roll is one of `existing_ids`, or one `on_roll(number)` says
    is there (the caller's lookup, so the rows can be streamed). Rows are read once."""
    checker = RowChecker(header, existing_ids=existing_ids, on_roll=on_roll, today=today,
                         require_residence_date=require_residence_date)
    if not checker.header_ok:
        return RollCheck([], checker.errors, checker.warnings)
    clean = [row for row in map(checker.check, rows) if row is not None]
    return RollCheck(clean, checker.errors, checker.warnings)


class RowChecker:
    """The checks of check_rows one row at a time, for a caller that streams the rows (an
    import of 100,000 that writes each clean row as it comes and never holds them all).

    Rows are numbered from 2 (the header is row 1) in the order ``check`` sees them. What
    is kept between rows is what the cross-row rules need: the row of each ID number and
    the address of each household."""

    def __init__(
        self,
        header: Sequence[str],
        *,
        existing_ids: Iterable[str] = (),
        on_roll: Callable[[str], bool] | None = None,
        today: dt.date,
        require_residence_date: bool = True,
    ) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self.today = today
        self.on_roll = on_roll
        self.require_residence_date = require_residence_date
        names = [_text(h) for h in header]
        missing = [c for c in REQUIRED if c not in names]
        for col in missing:
            self.errors.append(RowError(1, col, "", E_MISSING_COLUMN, phrase("第1行（表头）缺少必填列“%(column)s”，请使用导入模板", column=col)))
        for col in names:
            if col and col not in COLUMNS:
                self.warnings.append(RowWarning(1, col, W_EXTRA_COLUMN, phrase("第1行（表头）的列“%(column)s”不在模板中，已忽略", column=col)))
        self.header_ok = not missing
        self.existing = {idcard.normalize(i) for i in existing_ids}
        self.first_row_of_id: dict[str, int] = {}
        self.households: dict[str, tuple[int, tuple[str, str, str]]] = {}
        self.row_number = 1

    @property
    def ok(self) -> bool:
        return not self.errors

    def check_many(self, raws: Sequence[Mapping[str, Any]]) -> list[RollRow]:
        """``check`` of each row, in order: the clean rows. A batch where every row is plain
        text that passes every rule (an import's nearly every batch) is checked column by
        column, one C-level call (a regular expression over the column joined, a set
        operation) per rule and column instead of Python statements per row; any other batch,
        and any batch where one such test fails, goes through ``check`` row by row, which
        names each error. Nothing is kept from the batch until it has passed whole."""
        rows = self._all_clean(raws) if raws else None
        if rows is None:
            return [row for row in map(self.check, raws) if row is not None]
        return rows

    def _all_clean(self, raws: Sequence[Mapping[str, Any]]) -> list[RollRow] | None:
        """The batch's RollRows when every row is text in the usual shapes and breaks no
        rule; None otherwise (nothing recorded: ``check`` then goes over the batch)."""
        try:
            columns = [list(map(str.strip, column))
                       for column in zip(*[list(map(raw.get, COLUMNS)) for raw in raws])]
        except TypeError:  # a number, a date, a missing column
            return None
        (names, sexes, ids, household_nos, buildings, units, rooms, groups, categories, sinces, phones,
         notes) = columns
        count = len(raws)
        if not all(map(all, _required(columns))) or not set(sexes) <= _SEXES or not set(categories) <= _CATEGORY_SET:
            return None
        if not _joined_match(_NAMES, names) or not _joined_match(_IDS, ids):
            return None
        if max(map(len, groups)) > 20 or max(map(len, buildings)) > 20 or not _BAD_GROUPS.isdisjoint(groups) \
                or not _BAD_BUILDINGS.isdisjoint(buildings):
            return None
        dated = [text for text in sinces if text]
        if dated and not _joined_match(_ISO_DATES, dated):
            return None
        if self.require_residence_date and len(dated) < count and "非户籍常住" in categories:
            if any(c == "非户籍常住" and not t for c, t in zip(categories, sinces)):
                return None
        dialled = [text for text in phones if text]
        if dialled and not _joined_match(_MOBILES, dialled):
            return None
        # The ID numbers: none twice, none on the roll, each a real birth date and its check digit.
        first_row_of_id = self.first_row_of_id
        if len(set(ids)) < count or not first_row_of_id.keys().isdisjoint(ids) or not self.existing.isdisjoint(ids):
            return None
        if self.on_roll is not None and any(map(self.on_roll, ids)):
            return None
        today = self.today
        births = []
        try:
            for number, sex in zip(ids, sexes):
                birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
                if birth > today or birth.year < 1880 or idcard.check_digit(number[:17]) != number[17] \
                        or sex != ("男" if number[16] in "13579" else "女"):
                    return None
                births.append(birth)
        except ValueError:
            return None
        since_dates: list[dt.date | None] = []
        if dated:
            try:
                for text in sinces:
                    if text:
                        y, m, d = text.split("-")
                        since = dt.date(int(y), int(m), int(d))
                        if since > today:
                            return None
                        since_dates.append(since)
                    else:
                        since_dates.append(None)
            except ValueError:
                return None
        else:
            since_dates = [None] * count
        first = self.row_number + 1
        numbers = range(first, first + count)
        households = self.households
        added: dict[str, tuple[int, tuple[str, str, str]]] = {}
        for household_no, address, rn in zip(household_nos, zip(buildings, units, rooms), numbers):
            seen = added.get(household_no) or households.get(household_no)
            if seen is None:
                added[household_no] = (rn, address)
            elif seen[1] != address:
                return None
        # Every rule passed: the batch is recorded as check would have, row after row.
        households.update(added)
        first_row_of_id.update(zip(ids, numbers))
        self.row_number += count
        return list(map(RollRow, numbers, names, map(intern, sexes), ids, births, household_nos,
                        map(intern, buildings), map(intern, units), rooms, map(intern, groups),
                        map(intern, categories), since_dates, phones, notes))

    def check(self, raw: Mapping[str, Any]) -> RollRow | None:
        """The row as a RollRow when it passes every rule; None when it is blank or wrong
        (its errors are added to ``errors``)."""
        self.row_number += 1
        rn = self.row_number
        today = self.today
        cells = list(map(raw.get, COLUMNS))
        try:
            values = [*map(str.strip, cells)]  # type: ignore[arg-type]  # nearly every row: all text, stripped in C
        except TypeError:  # a number, a date, a missing column
            values = [x.strip() if type(x) is str else _text(x) for x in cells]
        if not any(values):
            return None  # blank lines at the end of a sheet
        (name, sex, id_text, household_no, building, unit, room, group, category, since_text, phone,
         note) = values
        row_errors: list[RowError] = []

        def err(col: str, code: str, msg: str, shown: str | None = None) -> None:
            if shown is None:
                shown = values[COLUMNS.index(col)]
            row_errors.append(RowError(rn, col, shown, code, phrase("第%(row)s行“%(column)s”：%(rule)s", row=rn, column=col, rule=msg)))

        if not all(_required(values)):
            for i in _REQUIRED_AT:
                if not values[i]:
                    err(COLUMNS[i], E_EMPTY, phrase("必填，不能为空"))

        if name and not _NAME.match(name):
            err("姓名", E_NAME, phrase("只能包含汉字、间隔号“·”或字母，最长30字"))

        card: idcard.IdCard | None = None
        if id_text:
            try:
                card = idcard.parse(id_text, today=today)
            except idcard.IdCardError as exc:
                # The number is shown only masked, in an error.
                err("公民身份号码", exc.code, exc.message, idcard.mask_id(id_text))
        if sex and sex not in ("男", "女"):
            err("性别", E_SEX_VALUE, phrase("应填“男”或“女”，实际为“%(value)s”", value=sex))
        elif card is not None and sex and sex != card.sex:
            err("性别", E_SEX_MISMATCH, phrase("填写为“%(value)s”，但公民身份号码第17位表示“%(card)s”", value=sex, card=card.sex))

        if card is not None:
            number = card.number
            first_row_of_id = self.first_row_of_id
            if number in self.existing or (self.on_roll is not None and self.on_roll(number)):
                shown = idcard.mask_id(id_text)
                err("公民身份号码", E_DUP_ROLL, phrase("号码%(id)s已在选民名单中，一人只能登记一次", id=shown), shown)
            elif number in first_row_of_id:
                shown = idcard.mask_id(id_text)
                err("公民身份号码", E_DUP_FILE, phrase("号码%(id)s与第%(row)s行重复", id=shown, row=first_row_of_id[number]), shown)
            else:
                first_row_of_id[number] = rn

        if category and category not in CATEGORIES:
            err("户籍类别", E_CATEGORY, phrase("应为“本社区户籍”或“非户籍常住”，实际为“%(value)s”", value=category))

        since: dt.date | None = None
        raw_date = cells[_SINCE_AT]
        if since_text or isinstance(raw_date, dt.date):
            since = parse_date(raw_date)
            if since is None:
                err("居住起始日期", E_DATE_FORMAT, phrase("日期格式无法识别，应为2020-03-01、2020/3/1或2020年3月1日，且为真实日期"))
            elif since > today:
                err("居住起始日期", E_DATE_FUTURE, phrase("%(day)s晚于今天%(today)s", day=since.isoformat(), today=today.isoformat()))
        elif self.require_residence_date and category == "非户籍常住":
            err("居住起始日期", E_RESIDENCE_MISSING, phrase("非户籍常住居民须填写居住起始日期（用于核对居住期限）"))

        if phone and not _phone_ok(phone):
            err("联系电话", E_PHONE, phrase("应为11位手机号或带区号的固定电话（如025-12345678）"), idcard.mask_phone(phone))

        if group and (len(group) > 20 or group in ("无", "-", "/", "0")):
            err("居民小组", E_GROUP, phrase("“%(value)s”不能作为居民小组名称，请填写如“第3居民小组”", value=group))
        if building and (len(building) > 20 or building in ("无", "-", "/")):
            err("楼栋", E_BUILDING, phrase("“%(value)s”不能作为楼栋，请填写如“12栋”", value=building))

        if household_no:
            address = (building, unit, room)
            seen = self.households.get(household_no)
            if seen is None:
                self.households[household_no] = (rn, address)
            elif seen[1] != address:
                a = "".join(seen[1])
                err("户号", E_HOUSEHOLD_CONFLICT, phrase("户号%(no)s在第%(row)s行的地址为“%(first)s”，本行为“%(here)s”，同一户地址应一致",
                                                     no=household_no, row=seen[0], first=a, here="".join(address)))

        if row_errors:
            self.errors.extend(row_errors)
            return None
        if card is None:
            return None
        # Values that repeat from row to row are kept once (a roll of 100,000 in memory).
        return RollRow(rn, name, intern(sex), card.number, card.birth_date, household_no, intern(building),
                       intern(unit), room, intern(group), intern(category), since, phone, note)
