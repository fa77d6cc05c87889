"""The web layer: blueprints that parse a request, call one service and render.

`init_web` wires the extensions, registers every blueprint and then checks that each
endpoint was marked by `access.roles` or `access.public`: an unmarked view stops the
app from starting, so a forgotten decorator can never expose a page.
"""
from __future__ import annotations

from flask import Flask

from .access import check_every_view_marked, init_login, may_open
from .i18n import init_i18n
from .security import init_security


def init_web(app: Flask) -> None:
    from flask_wtf import CSRFProtect

    CSRFProtect(app)
    init_security(app)
    init_login(app)
    init_i18n(app)
    # Templates that test an event's kind name it by its constant, never by a spelled string.
    from ..protocol import event_kinds

    app.jinja_env.globals["ek"] = event_kinds
    app.jinja_env.globals["may_open"] = may_open
    from ..rounds import round_label

    app.jinja_env.globals["round_label"] = round_label

    from . import (
        audit,
        auth,
        between,
        counting,
        exports,
        home,
        jobs,
        meetings,
        nomination,
        polling,
        public,
        representatives,
        roll,
        scanning,
        setup,
        trustees,
        users,
        workflow,
    )

    for module in (
        auth, home, setup, roll, representatives, nomination, polling, counting, public, audit, trustees, workflow, exports,
        jobs, meetings, users, between, scanning,
    ):
        app.register_blueprint(module.bp)
    _error_pages(app)
    check_every_view_marked(app)


def _error_pages(app: Flask) -> None:
    from flask import render_template
    from flask_babel import gettext as _

    messages = {
        400: lambda: _("请求无效（表单可能已过期，请刷新后重试）。"),
        403: lambda: _("您的角色无权进行此操作。"),
        404: lambda: _("页面不存在，或您无权查看。"),
        413: lambda: _("上传的文件或提交的内容太大（上限 %(mb)s MB），请拆分后再提交。",
                       mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
        429: lambda: _("请求过于频繁，请稍后再试。"),
    }
    from sqlalchemy.exc import DataError

    from ..errors import UserError
    from .db import get_db

    @app.errorhandler(UserError)
    def _user_error(error: UserError):
        # A refusal that escaped its view: the same Chinese page, never a 500.
        get_db().rollback()
        return render_template("error.html", code=400, message="；".join(error.messages)), 400

    @app.errorhandler(DataError)
    def _data_error(_error: DataError):
        # PostgreSQL refused a value (a bulk path the field rule does not see): say so.
        get_db().rollback()
        return render_template("error.html", code=400, message=_("提交的内容超出了字段长度或格式限制，请缩短后重试。")), 400

    @app.errorhandler(OverflowError)
    def _overflow(_error: OverflowError):
        # WTForms' NumberRange turns a number of hundreds of digits into a float and fails.
        get_db().rollback()
        return render_template("error.html", code=400, message=_("填写的数字太大，超出了允许的范围。")), 400

    for code, message in messages.items():
        app.register_error_handler(
            code, lambda _e, code=code, message=message: (render_template("error.html", code=code, message=message()), code)
        )
