"""The English catalogue (election/translations/en, written by tools/translate.py from
tools/en_glossary.tsv): every msgid has English with no placeholder its msgid lacks, its
references are paths inside the project, and a page renders it."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import login

PO = Path(__file__).resolve().parents[2] / "election/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_msgid_has_english_with_its_placeholders() -> None:
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 1000
    assert [m.id for m in messages if not m.string] == []
    wrong = [m.id for m in messages
             if not set(PLACEHOLDER.findall(str(m.string))) <= set(PLACEHOLDER.findall(str(m.id)))]
    assert wrong == []
    absolute = [path for m in messages for path, _line in m.locations if path.startswith("/")]
    assert absolute == []


def test_password_page_in_english(app, world) -> None:
    client = app.test_client()
    login(client, "a_committee")
    page = client.get("/account/password?lang=en").get_data(as_text=True)
    assert "three unrelated words plus a number" in page
    assert "signed out on every device" in page
    assert "新密码至少 8 位" not in page


def test_status_and_decision_labels_have_english() -> None:
    """Labels the pages pass through _() from the models' dictionaries (roll and candidate
    statuses, the audit's status, the woman-member decision) are in the compiled catalogue."""
    from babel.support import Translations

    from election.audit.service import STATUS_ZH
    from election.models import CANDIDATE_STATUSES, STATUSES
    from election.rules.tally_types import WOMAN_DECISIONS

    english = Translations.load(str(PO.parents[2]), ["en"])
    labels = [*STATUSES.values(), *CANDIDATE_STATUSES.values(), *STATUS_ZH.values(), *WOMAN_DECISIONS.values()]
    assert [label for label in labels if english.gettext(label) == label] == []
    assert english.gettext(STATUSES["removed"]) == "Removed"
