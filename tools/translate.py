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


def main() -> int:
    pot = ROOT / "build/messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.check_call([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F",
                           str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)], cwd=ROOT)
    with pot.open("rb") as handle:
        template = read_po(handle)
    glossary = dict(
        line.split("\t", 1) for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if "\t" in line
    )
    missing = []
    for message in template:
        if message.id:
            message.string = glossary.get(message.id, "")
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
