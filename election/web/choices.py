"""The options of a select field, in the form WTForms asks for (SelectChoice; the (value,
label) tuples it used to take are deprecated and go in WTForms 3.4)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtforms.fields.choices import SelectChoice


def options(pairs: Mapping[str, object] | Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``{value: label}`` or ``[(value, label), ...]`` as select options, in order."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(value, label) for value, label in items]  # type: ignore[arg-type]
