"""Alembic migrations create the whole schema on both databases: after `upgrade head`
on an empty database the models and the schema agree, table for table."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from election.models import Base
from election.schema import upgrade
from tests.conftest import empty_all_tables


def test_upgrade_head_matches_the_models(app):
    engine = app.extensions["juxuan.engine"]
    # The shared test schema was made with create_all: start from nothing instead.
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            tables = set(inspect(conn).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        assert diff == [], diff
    finally:
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            Base.metadata.create_all(conn)
        empty_all_tables(engine)
