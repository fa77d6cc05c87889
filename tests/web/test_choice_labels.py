"""Every choice label of a select is translated: on English pages the nomination channels,
election methods, roll changes and presets read in English (they come from the models'
Chinese dictionaries, which tools/translate.py puts in the catalogue)."""
from __future__ import annotations

from election.models import CHANNELS, METHODS
from election.roll.register import CHANGES
from election.rules.presets import PRESET_LABELS
from tests.conftest import login
from tests.factories import add_voters


def test_choice_labels_on_english_pages(app, db, world) -> None:
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/nomination/new?lang=en").get_data(as_text=True)
    assert "Self-nomination" in page and "Joint nomination by voters" in page
    assert not any(f">{label}<" in page for label in CHANNELS.values())
    street = app.test_client()
    login(street, "a_street_admin")
    page = street.get(f"/communities/{world['a']['community'].id}/elections/new?lang=en").get_data(as_text=True)
    assert "Direct election by all voters" in page and "National default" in page
    assert not any(f">{label}<" in page for label in (*METHODS.values(), *PRESET_LABELS.values()))
    person = add_voters(db, election, 1)[0]
    db.commit()
    page = client.get(f"/elections/{election.id}/roll/residents/{person.id}?lang=en").get_data(as_text=True)
    assert "Moved out" in page and not any(f">{label}<" in page for label in CHANGES.values())
