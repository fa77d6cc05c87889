"""Bulk loads of many small records (the tally's papers, the roll's rows): the cyclic GC
paused while they are built, JSON decoded with orjson, identical records shared.

Python's cyclic collector runs every few hundred allocations and each run walks every
container still alive: while 100,000 records are being built, that walk dominates (the
tally spent 2.7 s with the GC on against 0.75 s off). Records built here hold no cycles,
so pausing the collector loses nothing; freezing what was built keeps later collections
from walking it again while the request lives.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import repeat
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from election.protocol.pause import gc_paused

__all__ = ["gc_paused", "insert_columns", "insert_many", "loads", "shared"]

T = TypeVar("T")


def loads(raw: str | bytes | None) -> Any:
    """One JSON document (orjson); None for SQL NULL."""
    return None if raw is None else orjson.loads(raw)


def shared(raws: Iterable[str | bytes | None], build: Callable[[Any], T]) -> list[T]:
    """``build(decoded)`` of every raw JSON text, decoded and built once per distinct text:
    identical records (most papers of an election look alike) share one object."""
    seen: dict[str | bytes | None, T] = {}
    out: list[T] = []
    append = out.append
    for raw in raws:
        item = seen.get(raw)
        if item is None:
            item = seen[raw] = build(loads(raw))
        append(item)
    return out


@lru_cache(maxsize=64)
def _compiled(table: Table, dialect: Dialect, names: tuple[str, ...]) -> SQLCompiler:
    """The INSERT of `names` into `table` compiled for `dialect`, once (an import inserts
    a few hundred rows per call, and compiling took a tenth of the call)."""
    return cast(SQLCompiler, insert(table).compile(dialect=dialect, column_keys=list(names)))


def insert_many(db: Session, table: Table, keys: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT every row (a tuple of values in the order of `keys`) in one executemany of the
    driver, in the session's transaction (insert_columns, the rows transposed in C)."""
    if rows:
        insert_columns(db, table, dict(zip(keys, zip(*rows))))


def insert_columns(db: Session, table: Table, columns: dict[str, Iterable[Any]],
                   constants: dict[str, Any] | None = None) -> None:
    """INSERT rows given column by column (key -> that column's values, every column as
    long) in one executemany of the driver, in the session's transaction: a caller that
    computes a batch column-wise (the roll import) never builds a tuple per row itself.

    The statement is compiled once for the dialect and the columns' own bind processors
    (dates as text on SQLite, for instance) are applied, as SQLAlchemy's executemany would;
    what is skipped is its per-row parameter bookkeeping (a dict per row, then a tuple per
    row for SQLite), which cost more than SQLite's own insert of a roll's rows.

    `constants` are columns with one value for every row: converted once (bind processor,
    then the driver's own adapter where it has one, as sqlite3 adapts a date), not per row."""
    connection = db.connection()
    dialect = connection.dialect
    keys = list(columns)
    # Columns left out that have a Python-side default, filled in as SQLAlchemy would (a
    # callable one, such as a timestamp, once for the whole batch).
    defaults: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.key in columns or (constants and column.key in constants) or default is None:
            continue
        if default.is_scalar:
            defaults[column.key] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.key] = default.arg(None)  # type: ignore[attr-defined]
        else:
            raise NotImplementedError(f"insert_many: the default of {table.name}.{column.key}")
    defaults.update(constants or {})
    # sqlite3's adapters (a date to its ISO text, ...): what the driver would call for each row.
    pysqlite = dialect.name == "sqlite" and dialect.driver == "pysqlite"
    adapters: dict[Any, Any] = sqlite3.adapters if pysqlite else {}
    protocol = sqlite3.PrepareProtocol
    for key, value in defaults.items():
        if (process := table.c[key].type.bind_processor(dialect)) is not None:
            value = process(value)
        if (adapt := adapters.get((type(value), protocol))) is not None:
            value = adapt(value)
        defaults[key] = value
    names = [*keys, *defaults]
    compiled = _compiled(table, dialect, tuple(names))
    # Column by column: each bind processor mapped over its column, the defaults repeated,
    # then the rows zipped (in C) in the statement's order.
    columns = dict(columns)
    for key in keys:
        if (process := table.c[key].type.bind_processor(dialect)) is not None:
            columns[key] = map(process, columns[key])
    for key, value in defaults.items():
        columns[key] = repeat(value)
    if compiled.positional:
        order = list(compiled.positiontup or [])
        params: list[Any] = list(zip(*(columns[k] for k in order)))
    else:
        params = [dict(zip(names, row)) for row in zip(*(columns[k] for k in names))]
    if params:
        connection.exec_driver_sql(compiled.string, params)
