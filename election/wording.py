"""Texts as a committee posts them: legal-source tags stay out of posted documents.

The rules carry where each figure comes from (``[V art.15]``, ``[P:BJ,SH,ZJ]``,
``[seed 江苏 §17]``, ``common practice (?)``) for the committee and the reviewers. Pages show
them only inside a “依据” detail; notices, reports and the timetable PDF print the rule in
words (选举日前至少20日) without them. ``source_tags`` finds what would leak, for tests.
"""
from __future__ import annotations

import re

import cn2an

# [V], [V art.15], [P:BJ,SH,ZJ], [L2018 art.9], [seed 江苏 §17], [长春 seed] ...; "(?)" marks
# an unconfirmed source.
_TAG = re.compile(r"\s*\[(?:V\b|P\b|L\d{4}|seed\b|[^\]]*\bseed\b)[^\]]*\]|\s*\(\?\)")
_WORDS = re.compile(r"^\s*(?:common practice|practice)\s*\??\s*$", re.IGNORECASE)


def plain_rule(text: str | None) -> str:
    """``text`` without its source tags: what a posted document may print."""
    stripped = _TAG.sub("", text or "").strip()
    return "" if _WORDS.match(stripped) else stripped.rstrip("?").strip()


def source_tags(text: str) -> list[str]:
    """The source tags (and unconfirmed marks) found in ``text``."""
    found = [m.group().strip() for m in _TAG.finditer(text)]
    found += re.findall(r"common practice", text, re.IGNORECASE)
    return found


# 居民小组 in their own order (roll and representatives both list groups; neither imports the other).
_NUMBER = re.compile(r"[〇零一二两三四五六七八九十百千]+|\d+")


def group_key(name: str | None) -> tuple[int, float, str]:
    """Sort key of a group name: numbered groups by their number, then the rest by name."""
    text = name or ""
    match = _NUMBER.search(text)
    if match:
        try:
            return (0, float(cn2an.cn2an(match.group(), "smart")), text)
        except (ValueError, KeyError):  # not a well-formed numeral (e.g. 十十): by name
            pass
    return (1, 0.0, text)
