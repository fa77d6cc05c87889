"""The options of a select field, in the form WTForms asks for (SelectChoice; the (value,
label) tuples it used to take are deprecated and go in WTForms 3.4)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext
from wtforms.fields.choices import SelectChoice


def options(pairs: Mapping[str, object] | Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``{value: label}`` or ``[(value, label), ...]`` as select options, in order.

    The labels of a dictionary (the Chinese of a model's dictionary, e.g. CHANNELS) are translated
    when the page is rendered; tools/translate.py puts those dictionaries in the catalogue."""
    if isinstance(pairs, Mapping):  # a model's dictionary: its Chinese labels are msgids
        return [SelectChoice(value, lazy_gettext(label) if isinstance(label, str) and label else label)
                for value, label in pairs.items()]
    return [SelectChoice(value, label) for value, label in pairs]
