"""Juxuan (居选): the application factory.

`create_app()` reads the configuration, opens the database, wires Flask-Login, CSRF
and Babel, registers the blueprints and refuses to start if any view is not marked
with who may see it (fail closed). wsgi.py and the `juxuan` command call it.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g

from . import config as app_config
from .db import make_engine, make_sessionmaker

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    settings = app_config.load(overrides)
    # The import name stays "election" (the package): root path, logger name and
    # translations folder are those the app had before the factory moved here.
    app = Flask(
        "election",
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder="web/static",
    )
    app.config.update(settings)
    app.extensions["juxuan.engine"] = engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["juxuan.sessions"] = make_sessionmaker(engine)
    _refuse_wrong_data_key(app)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    from . import logs
    from .web import init_web

    logs.install()
    # Print PDFs (T beside A) left undownloaded for more than an hour go at start-up too.
    from .polling.printing import sweep_jobs

    sweep_jobs(app.instance_path)

    init_web(app)
    return app


def _refuse_wrong_data_key(app: Flask) -> None:
    """A database with elections and a data key that cannot open them (data.key lost, or a
    new one made in its place) must not start: it would fail later with a traceback."""
    from sqlalchemy.exc import DBAPIError

    from .backup import check_data_key
    from .errors import UserError

    try:
        with app.extensions["juxuan.sessions"]() as db:
            check_data_key(db, app.config["DATA_KEY"])
    except DBAPIError:
        return  # no schema yet: `juxuan init-db` or a restore comes first
    except UserError as error:
        made = Path(app.config["INSTANCE_PATH"]) / "data.key"
        if app.config.get("DATA_KEY_NEW") and made.exists():
            made.unlink()  # the key made just now for a database that has its own
        raise SystemExit("错误 / error: " + error.messages[0]) from None
