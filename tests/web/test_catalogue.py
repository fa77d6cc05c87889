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


def test_services_sentences_are_said_in_english(app) -> None:
    """The sentences services hand to pages (a round's next step, why someone was not
    elected, the calendar's late steps, a chosen member's conflict) have English, and the
    `say` filter renders a phrase with its parameters (a label among them said too) in the
    page's language; in Chinese it is the sentence the service wrote."""
    from datetime import date

    from babel.support import Translations

    from election.counting.reports import REASON_ZH
    from election.counting.summary import NEXT_ZH
    from election.rules.calendar import LABELS, Stage, late_warning
    from election.web.i18n import say

    english = Translations.load(str(PO.parents[2]), ["en"])
    labels = [label for label in [*NEXT_ZH.values(), *REASON_ZH.values()] if label]
    assert [label for label in labels if english.gettext(label) == label] == []
    late = late_warning(Stage("candidates_published", LABELS["candidates_published"], date(2026, 3, 1), "选举日前至少5日", "by"),
                        date(2026, 3, 4), None)
    with app.test_request_context("/?lang=en"):
        assert say(late) == "“Publish the formal candidate list”: the deadline 2026-03-01 has passed and it is not done (选举日前至少5日)"
        assert say(NEXT_ZH["runoff"]) == "A post's seats are not all filled: a run-off is needed"
        assert say("") == "" and say(3) == 3
    with app.test_request_context("/?lang=zh"):
        assert say(late) == late == "“公布正式候选人名单”期限2026-03-01已过，尚未完成（选举日前至少5日）"
