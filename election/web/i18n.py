"""Chinese first, English on request: the locale comes from ?lang=, then the cookie, then
the browser's Accept-Language, defaulting to Simplified Chinese. Times are shown in the
committee's time zone (election.clock) through the `localtime`, `local_hour` and `local_stamp` (an event's stamp) filters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, request
from flask_babel import Babel, gettext

from .. import clock
from ..rules.phrase import Phrase
from ..wording import plain_rule, source_tags

LOCALES = ["zh", "en"]
CHINESE_MARKS = {"colon": "：", "lp": "（", "rp": "）", "comma": "，", "semi": "；", "sep": "、", "stop": "。"}
ENGLISH_MARKS = {"colon": ": ", "lp": " (", "rp": ")", "comma": ", ", "semi": "; ", "sep": ", ", "stop": "."}


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get("lang")
    if wanted in LOCALES:
        return wanted
    return request.accept_languages.best_match(LOCALES, default="zh")


def say(text: Any) -> Any:
    """A service's sentence in the page's language: a ``Phrase`` by its msgid with each
    parameter said too (a label or a phrase inside it), a phrase kept in a job's JSON state
    (``kept``), a plain Chinese label through the catalogue; anything else (a number, an
    empty text) as it is."""
    if isinstance(text, Phrase):
        return gettext(text.msgid, **{k: say(v) for k, v in text.params.items()})
    if isinstance(text, dict) and set(text) == {"msgid", "params"}:
        return gettext(text["msgid"], **{k: say(v) for k, v in text["params"].items()})
    if isinstance(text, str) and text:
        return gettext(text)
    return text


def kept(text: Any) -> Any:
    """A ``Phrase`` as JSON can keep it (a background job's state), for ``say`` to read back
    in whichever language the page is later shown; anything else as it is."""
    if isinstance(text, Phrase):
        return {"msgid": text.msgid, "params": {k: kept(v) for k, v in text.params.items()}}
    return text


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    Babel(app, locale_selector=select_locale)

    @app.after_request
    def _remember_language(response):
        wanted = request.args.get("lang")
        if wanted in LOCALES:
            response.set_cookie("lang", wanted, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.template_filter("localtime")
    def _localtime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return clock.local(moment).strftime(fmt) if moment is not None else ""

    @app.template_filter("local_hour")
    def _local_hour(stamp: str, fmt: str = "%Y-%m-%d %H:00") -> str:
        return clock.local_hour(stamp).strftime(fmt) if stamp else ""

    @app.template_filter("local_stamp")
    def _local_stamp(stamp: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        return clock.local_stamp(stamp, fmt) if stamp and "T" in stamp else (stamp or "")

    app.add_template_filter(say, "say")

    @app.template_filter("plain_rule")
    def _plain_rule(text: str | None) -> str:
        return plain_rule(text)

    @app.template_filter("source_tags")
    def _source_tags(text: str | None) -> list[str]:
        return source_tags(text or "")

    @app.context_processor
    def _locale():
        # The marks templates put between their own words and values: full-width in
        # Chinese, ASCII with its space in English (colon between a label and its value,
        # lp/rp around an aside, comma and semi between clauses, sep between listed items).
        locale = select_locale()
        return {"current_locale": locale, **(ENGLISH_MARKS if locale == "en" else CHINESE_MARKS)}
