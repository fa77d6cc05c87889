"""`juxuan tally SCENARIO.json`: read a scenario file, run the tally, return the JSON text."""
from __future__ import annotations

import errno
import json
from typing import Any

from ..errors import UserError
from ..rules.scenario import ScenarioError, run_scenario


def tally_file(path: str) -> str:
    """The result of the scenario in `path` as indented JSON; UserError (Chinese) otherwise."""
    try:
        # utf-8-sig: a file saved by Windows Notepad starts with a byte-order mark, which is
        # not a reason to refuse it. Closed below: opening and parsing fail in different words.
        fh = open(path, encoding="utf-8-sig")
    except (OSError, ValueError) as error:
        raise UserError(f"无法读取场景文件“{path}”：{_why(error)}") from None
    try:
        with fh:
            text = fh.read()
        if not text.strip():
            raise UserError(f"场景文件“{path}”是空的，没有场景")
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKey as error:
        # {"count": 5, "count": 50} would silently count the last; a post twice in one
        # paper's marks would drop the first: refused, naming the key.
        raise UserError(f"场景文件“{path}”有误：同一对象中字段“{error}”出现了两次，不知道应以哪一个为准") from None
    except OSError as error:  # a read error after opening (an I/O error, a directory on some systems)
        raise UserError(f"无法读取场景文件“{path}”：{_why(error)}") from None
    except (ValueError, RecursionError) as error:
        # Not JSON, not UTF-8, an integer of more than 4300 digits (a ValueError of int()) or
        # nesting deeper than the parser's recursion (a RecursionError): all the file's fault.
        where = f"第 {error.lineno} 行第 {error.colno} 列" if isinstance(error, json.JSONDecodeError) else ""
        why = "嵌套过深" if isinstance(error, RecursionError) else "" if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)) else "整数位数过多"
        raise UserError(f"场景文件“{path}”不是有效的 JSON（UTF-8）{where}{'：' + why if why else ''}") from None
    try:
        result = run_scenario(data)
    except ScenarioError as error:
        raise UserError(f"场景文件“{path}”有误：{error}") from None
    return json.dumps(result, ensure_ascii=False, indent=2)


def _why(error: OSError | ValueError) -> str:
    """Why a path cannot be read, in Chinese; the system's (English) wording only in
    brackets after the rare rest."""
    if isinstance(error, ValueError):  # a path with a NUL character
        return "文件名中有不允许的字符"
    known = {errno.ENOENT: "文件不存在", errno.EISDIR: "这是一个目录，不是文件", errno.EACCES: "没有读取权限",
             errno.EPERM: "没有读取权限", errno.ENOTDIR: "路径中有一段不是目录", errno.ENAMETOOLONG: "文件名过长",
             errno.ELOOP: "符号链接层数过多（可能循环）"}
    return known.get(error.errno or 0, f"系统无法读取此文件（{error.strerror or error}）")


class _RepeatedKey(ValueError):
    """A JSON object names one key twice (the key is the message)."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object hook: the object, or _RepeatedKey for a key given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedKey(key)
        out[key] = value
    return out
