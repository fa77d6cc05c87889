"""A sentence a service hands to a page, Chinese first and translatable later.

``phrase(msgid, **params)`` is the Chinese sentence (a ``str``: logs, PDFs, tests and
``in`` read it as before) that also keeps its message id and parameters, so a page in
English can translate it (the web layer's ``say`` filter: ``_(msgid, **params)``, each
parameter that is itself a label or a phrase translated too). pybabel extracts the msgids
(tools/translate.py passes ``-k phrase``); the English goes in tools/en_glossary.tsv.
Pure: the rules' own sentences (the calendar's late steps) use it as well as the services.
"""
from __future__ import annotations

import re
from typing import Any


class Phrase(str):
    """The Chinese sentence, with ``msgid`` (``%(name)s`` placeholders) and ``params``."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any]) -> Phrase:
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, dict(params)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # copy.deepcopy (dataclasses.asdict) and pickle rebuild it from its msgid and params;
        # str's own reduction would call __new__ with the sentence alone.
        return (Phrase, (self.msgid, self.params))


def phrase(msgid: str, **params: Any) -> Phrase:
    """The sentence ``msgid % params`` that a page may translate (``msgid`` is its Chinese)."""
    return Phrase(msgid, params)


def keep(text: Any) -> Any:
    """A ``Phrase`` as JSON can keep it ({msgid, params}: a background job's state), for a
    page to say later in whichever language it is shown; anything else as it is."""
    if isinstance(text, Phrase):
        return {"msgid": text.msgid, "params": {k: keep(v) for k, v in text.params.items()}}
    return text


def recognise(text: str, msgids: tuple[str, ...]) -> Phrase | None:
    """The phrase of one of ``msgids`` that reads exactly ``text`` (its parameters read back
    as text), or None: a sentence stored as its Chinese (a published result's reason) said
    again in another language. A name used twice in a msgid must read the same twice."""
    for msgid in msgids:
        pattern, seen = "", set()
        for i, piece in enumerate(re.split(r"%\((\w+)\)s", msgid)):
            if i % 2 == 0:
                pattern += re.escape(piece)
            elif piece in seen:
                pattern += f"(?P={piece})"
            else:
                seen.add(piece)
                pattern += f"(?P<{piece}>.+?)"
        found = re.fullmatch(pattern, text, re.S)
        if found:
            return Phrase(msgid, found.groupdict())
    return None
