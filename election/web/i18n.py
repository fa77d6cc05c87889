"""Chinese first, English on request: the locale comes from ?lang=, then the cookie, then
the browser's Accept-Language, defaulting to Simplified Chinese. Times are shown in the
committee's time zone (election.clock) through the `localtime`, `local_hour` and `local_stamp` (an event's stamp) filters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, request
from flask_babel import Babel, gettext

from .. import clock
from ..rules.phrase import Phrase, keep, phrase, recognise
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


# Sentences a published result keeps as their Chinese (rules.tally's reasons a round is
# void, in the result and the bundle): a page in English recognises them and says them. The
# endings are said as labels. phrase() marks each for the catalogue.
RECORDED = (
    phrase("参加投票的%(who)s %(r)s 人（收回%(what)s）未超过%(electors)s %(n)s 人的 %(share)s（至少须有 %(need)s 人），%(ending)s"),
    phrase("收回%(what)s %(r)s 张多于发出%(what)s %(issued)s 张，本次投票无效，须重新投票。"),
    phrase("收回%(what)s %(r)s 张多于%(electors)s %(n)s 人，本次投票无效，须重新投票。"),
)
RECORDED_ENDINGS = (
    phrase("选举无效，须重新选举。"),
    phrase("本轮另行选举无效，须重新进行另行选举（此前各轮已当选者不受影响）。"),
    phrase("本轮再次投票无效，须就票数相等者重新投票（此前各轮已当选者不受影响）。"),
)


def say_recorded(text: Any) -> Any:
    """A stored Chinese sentence of ``RECORDED`` in the page's language; any other as ``say``."""
    if isinstance(text, str) and text and not isinstance(text, Phrase):
        found = recognise(text, tuple(p.msgid for p in RECORDED))
        if found is not None:
            return say(found)
    return say(text)


def kept(text: Any) -> Any:
    """A ``Phrase`` as JSON can keep it (a background job's state), for ``say`` to read back
    in whichever language the page is later shown; anything else as it is (rules.phrase.keep)."""
    return keep(text)


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
    app.add_template_filter(say_recorded, "say_recorded")

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
