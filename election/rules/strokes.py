"""Ordering names by surname strokes (姓氏笔画), as used for ballots and candidate lists.

The order, character by character:
1. total number of strokes, fewer first;
2. the stroke shapes in writing order, compared one by one: 横 1, 竖 2, 撇 3, 点 4, 折 5
   (GB13000.1 字符集汉字笔顺规范 five classes);
3. characters with a known count but no stroke sequence come after the characters of the
   same count that have one, among themselves by code point;
4. characters with no data at all (Latin letters, rare characters outside the data) come
   after every character with data, by code point.

A name is compared surname first, then given name. Compound surnames (欧阳, 司马, ...) are
one surname unit: 欧 (surname 欧) sorts before every 欧阳, whatever the given names. Inside
each unit the characters are compared one after another by the rules above, so 司马 sorts
by 司 (5 strokes) first: 丁, 万, 马, 王, 司马, 李, 欧阳.

Data (election/rules/data, see its README): stroke sequences from cnchar-order (MIT), and
for the characters of 通用规范汉字表 it lacks, sequences derived from their components
(tools/build_stroke_data.py, CJK Decomposition Data, Apache-2.0); stroke counts from
Unihan kTotalStrokes, simplified-Chinese value (Unicode licence), for characters without
a sequence. Reading the package data files once, lazily, is the one I/O this pure package
allows.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

# Longest first is not needed (all are two characters) but kept sorted for reading.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木
    澹台 濮阳 南宫 独孤 西门 东郭 百里 呼延 万俟 闻人 赫连 太史 申屠 公羊 公冶 宗政 拓跋
    淳于 单于 仲孙 羊舌 微生 梁丘 左丘 东门 第五 司空 司寇 子车 颛孙 壤驷 公良 乐正
    漆雕 巫马 谷梁 宰父 鲜于 闾丘 亓官 段干 钟离 夹谷 丌官 呼延 归海 羊舌""".split()
)

_NO_DATA = 10_000  # a count larger than any real character's


def _read(name: str) -> str:
    return resources.files("election.rules").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _sequences() -> dict[str, str]:
    table: dict[str, str] = {}
    # The derived file only adds characters the listed one lacks; listed data wins.
    for name in ("stroke_order_derived.txt", "stroke_order.txt"):
        for line in _read(name).splitlines():
            if line and not line.startswith("#"):
                ch, seq = line.split("\t")
                table[ch] = seq
    return table


@lru_cache(maxsize=1)
def _counts() -> dict[str, int]:
    table: dict[str, int] = {}
    for line in _read("stroke_count.txt").splitlines():
        if line and not line.startswith("#"):
            n, chars = line.split("\t")
            for ch in chars:
                table.setdefault(ch, int(n))
    return table


@lru_cache(maxsize=1)
def tongyong_guifan() -> tuple[str, ...]:
    """The 8,105 characters of 通用规范汉字表 (2013), in table order."""
    return tuple(
        line.strip()
        for line in _read("tongyong_guifan_8105.txt").splitlines()
        if line.strip() and not line.startswith("#")
    )


def stroke_sequence(ch: str) -> str | None:
    """The five-class stroke sequence of one character ("王" -> "1121"), or None."""
    return _sequences().get(ch)


def stroke_count(ch: str) -> int | None:
    """Total strokes of one character: from its sequence, else the Unihan count, else None."""
    seq = _sequences().get(ch)
    if seq is not None:
        return len(seq)
    return _counts().get(ch)


def has_data(ch: str) -> bool:
    """True when the character can be placed by stroke count at least."""
    return ch in _sequences() or ch in _counts()


def char_key(ch: str) -> tuple[int, int, tuple[int, ...], int]:
    """Sort key of one character (see the module docstring for the order)."""
    seq = _sequences().get(ch)
    if seq is not None:
        return (len(seq), 0, tuple(int(s) for s in seq), ord(ch))
    count = _counts().get(ch)
    if count is not None:
        return (count, 1, (), ord(ch))
    return (_NO_DATA, 2, (), ord(ch))


def split_surname(name: str) -> tuple[str, str]:
    """Split a name into (surname, given name); compound surnames stay one unit."""
    name = name.strip()
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if len(name) == 2 and name in COMPOUND_SURNAMES:
        return name, ""
    return name[:1], name[1:]


def sort_key(name: str) -> tuple[tuple[tuple[int, int, tuple[int, ...], int], ...], ...]:
    """Sort key of a name: surname unit first, then the given name, char by char."""
    surname, given = split_surname(name)
    return (tuple(char_key(c) for c in surname), tuple(char_key(c) for c in given))


def sort_names(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names in 姓氏笔画 order (stable for equal keys)."""
    return sorted(names, key=sort_key)


def missing_characters(text: str) -> list[str]:
    """Characters of `text` without any stroke data, so the committee can order them by hand."""
    seen: list[str] = []
    for ch in text:
        if not has_data(ch) and ch not in seen and not ch.isspace() and ch != "·":
            seen.append(ch)
    return seen
