"""Chinese first, English on request: the locale comes from ?lang=, then the cookie, then
the browser's Accept-Language, defaulting to Simplified Chinese."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

LOCALES = ["zh", "en"]


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get("lang")
    if wanted in LOCALES:
        return wanted
    return request.accept_languages.best_match(LOCALES, default="zh")


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    Babel(app, locale_selector=select_locale)

    @app.after_request
    def _remember_language(response):
        wanted = request.args.get("lang")
        if wanted in LOCALES:
            response.set_cookie("lang", wanted, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.context_processor
    def _locale():
        return {"current_locale": select_locale()}
