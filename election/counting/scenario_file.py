"""`juxuan tally SCENARIO.json`: read a scenario file, run the tally, return the JSON text."""
from __future__ import annotations

import json

from ..errors import UserError
from ..rules.scenario import ScenarioError, run_scenario


def tally_file(path: str) -> str:
    """The result of the scenario in `path` as indented JSON; UserError (Chinese) otherwise."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as error:
        # The usual causes in Chinese; the system's (English) wording only for the rare rest.
        why = ("文件不存在" if isinstance(error, FileNotFoundError) else "这是一个目录，不是文件"
               if isinstance(error, IsADirectoryError) else "没有读取权限" if isinstance(error, PermissionError)
               else error.strerror or str(error))
        raise UserError(f"无法读取场景文件“{path}”：{why}") from None
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
