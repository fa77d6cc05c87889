"""Characters the embedded fonts cannot print (生僻字 outside both vendored fonts).

A name such as 龚𬌗 is a real name and is imported, but no notice or voter card could print
it. The import warns (row, column and character); the roll page lists who is affected with a
link to correct the name; printing a notice or cards refuses with the same words instead of
a font error. The committee corrects the name on the resident's page (roll.edit).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballots.glyphs import missing_glyphs, printable

from ..errors import UserError
from ..models import Election, Household, Resident
from ..rules.phrase import phrase
from ..rules.roll_rows import RollRow, RowWarning

W_NO_GLYPH = "no_glyph"

# The columns of the import that are printed on a notice, a card or a paper.
PRINTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("姓名", "name"), ("居民小组", "group"), ("楼栋", "building"), ("单元", "unit"), ("室号", "room"), ("户号", "household_no"),
)


def describe(chars: Iterable[str]) -> str:
    """``“𬌗”(U+2C317)``, joined with 、 for several characters."""
    return "、".join(f"“{c}”(U+{ord(c):04X})" for c in sorted(chars))


def row_warnings(rows: Iterable[RollRow]) -> list[RowWarning]:
    """One warning per imported cell that holds a character no embedded font has."""
    out: list[RowWarning] = []
    rows = list(rows)
    texts = [f"{row.name}{row.group}{row.building}{row.unit}{row.room}{row.household_no}" for row in rows]
    if printable("".join(texts)):
        return out  # nearly every batch of an import: one search over all its printed fields
    for row, text in zip(rows, texts):
        if printable(text):
            continue
        for column, attribute in PRINTED_COLUMNS:
            value = str(getattr(row, attribute) or "")
            missing = missing_glyphs(value)
            if missing:
                out.append(RowWarning(
                    row.row_number, column, W_NO_GLYPH,
                    phrase("第%(row)s行“%(column)s”：“%(value)s”中的字 %(chars)s 打印字体中没有，"
                           "选民名单公告和选民证会印不出来。已导入；请在该居民的页面更正（例如改用通行写法并在备注中写明原字）后再打印。",
                           row=row.row_number, column=column, value=value, chars=describe(missing)),
                ))
    return out


def unprintable(residents: Iterable[Resident]) -> list[tuple[Resident, str, set[str]]]:
    """(resident, field label, missing characters) for each printed field that cannot print."""
    out = []
    for person in residents:
        house: Household | None = person.household
        for label, value in (("姓名", person.name), ("居民小组", person.group_name or ""),
                             ("住址", f"{house.building}{house.unit}{house.room}" if house else "")):
            missing = missing_glyphs(value)
            if missing:
                out.append((person, label, missing))
    return out


def unprintable_on_roll(db: Session, election: Election) -> list[tuple[int, str, str, set[str]]]:
    """(resident id, name, field label, missing characters) over the whole roll; reads only
    the two printed columns, so the roll page can list them on every visit."""
    out = []
    rows = db.execute(select(Resident.id, Resident.name, Resident.group_name)
                      .where(Resident.election_id == election.id).order_by(Resident.id))
    for rid, name, group in rows:
        for label, value in (("姓名", name), ("居民小组", group or "")):
            missing = missing_glyphs(value)
            if missing:
                out.append((rid, name, label, missing))
    return out


def refuse_unprintable(residents: Iterable[Resident], what: str) -> None:
    """Raise a UserError naming every resident whose name (or group) cannot be printed."""
    found = unprintable(residents)
    if found:
        raise UserError(*(
            f"{what}未打印：居民“{person.name}”（{person.group_name or '未分组'}，身份证号 {person.id_masked}）的{label}中的字 "
            f"{describe(missing)} 打印字体中没有。请在该居民的页面（选民名单 → 搜索姓名 → 更正居民信息）改正后再打印。"
            for person, label, missing in found
        ))
