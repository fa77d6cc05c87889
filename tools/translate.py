"""Keep the English catalogue in step: extract the Chinese msgids, merge them into
election/translations/en, fill the English strings we have in tools/en_glossary.tsv,
and compile. Untranslated strings fall back to Chinese (the source language)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "election/translations/en/LC_MESSAGES/messages.po"
GLOSSARY = ROOT / "tools/en_glossary.tsv"


def choice_labels() -> list[str]:
    """The Chinese labels of the models' dictionaries shown as select options (choices.options
    translates them when a page is rendered) or passed through _() by a page (the legal
    calendar's stages and their kinds, the election page's stages); pybabel cannot see them as msgids."""
    sys.path.insert(0, str(ROOT))
    from election.accounts.manage import CHANGE_LABELS
    from election.audit.service import RETRIEVAL as AUDIT_RETRIEVAL
    from election.audit.service import STATUS_ZH as AUDIT_STATUSES
    from election.counting.reports import REASON_ZH
    from election.counting.summary import NEXT_ZH
    from election.models import (
        APPLICATION_KINDS,
        CANDIDATE_STATUSES,
        CHANNELS,
        COMMITTEE_BODIES,
        END_REASONS,
        METHODS,
        RECALL_STATUSES,
        RELATIONS,
        REP_METHODS,
        ROLES,
        STATUSES,
    )
    from election.protocol.codes import MESSAGES as CODE_MESSAGES
    from election.recall.service import BASES as RECALL_BASES
    from election.roll.register import CHANGES
    from election.rounds import ROUND_LABELS
    from election.rules.bodies import BodiesConfig
    from election.rules.calendar import LABELS as CALENDAR_LABELS
    from election.rules.meetings import MEETING_BASES, MEETING_KINDS, REQUEST_BASES
    from election.rules.presets import PRESET_LABELS
    from election.rules.tally_types import MOTION_POST, WOMAN_DECISIONS
    from election.web.meetings import CONVENERS
    from election.workflow.documents import KIND_LABELS as CALENDAR_KINDS
    from election.workflow.stages import ACTIONS, FIRST, MISSING, STAGE_LABELS
    from election.workflow.stages import STATUS_LABELS as STAGE_STATUSES

    # Post names (居民委员会主任, …): pages pass them through _().
    post_names = {p.key: p.name_zh for p in BodiesConfig(1, 1, 1, 1).posts()} | {MOTION_POST.key: MOTION_POST.name_zh}
    out: list[str] = []
    for table in (APPLICATION_KINDS, CHANGES, CHANGE_LABELS, CHANNELS, COMMITTEE_BODIES, METHODS, PRESET_LABELS, RELATIONS,
                  REP_METHODS, ROLES, MEETING_KINDS, MEETING_BASES, REQUEST_BASES, CONVENERS, END_REASONS, RECALL_STATUSES,
                  RECALL_BASES, STATUSES, CANDIDATE_STATUSES, AUDIT_STATUSES, WOMAN_DECISIONS, CALENDAR_LABELS,
                  CALENDAR_KINDS, STAGE_LABELS, STAGE_STATUSES, ACTIONS, MISSING, FIRST, ROUND_LABELS,
                  AUDIT_RETRIEVAL, CODE_MESSAGES, REASON_ZH, NEXT_ZH, post_names):
        out += [label for label in table.values() if isinstance(label, str) and label not in out]
    return out


def main() -> int:
    pot = ROOT / "build/messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.check_call([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F",
                           "babel.cfg", "-k", "_l", "-k", "phrase", "-o", str(pot), "."], cwd=ROOT)
    # Extracted from "." in the checkout, so the catalogue's references are paths inside
    # the project (election/web/...), the same in every checkout, never this machine's.
    with pot.open("rb") as handle:
        template = read_po(handle)
    glossary = dict(
        line.split("\t", 1) for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if "\t" in line
    )
    for label in choice_labels():
        if label not in template:
            template.add(label, locations=[("election/web/choices.py", 0)])
    missing = []
    for message in template:
        if message.id:
            message.string = glossary.get(str(message.id), "")
            if not message.string:
                missing.append(message.id)
    template.locale = "en"
    template.fuzzy = False
    with PO.open("wb") as handle:
        write_po(handle, template, width=0, omit_header=False)
    with PO.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, template)
    for msgid in missing:
        print(f"untranslated: {msgid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
