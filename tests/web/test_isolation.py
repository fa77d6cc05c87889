"""Every record belongs to a community: a user of community A gets 404 for every URL of
community B, whatever the method, and a street-office user sees only its own street."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login

SCOPED = ("election_id", "community_id")


def _urls_of(app, world_b) -> list[tuple[str, str]]:
    values = {"election_id": world_b["election"].id, "community_id": world_b["community"].id}
    found = []
    for rule in app.url_map.iter_rules():
        if not set(rule.arguments) & set(SCOPED):
            continue
        # Pages marked public (the resident's receipt check, the published result) are
        # meant for everyone; every other view must hide another community's records.
        if getattr(app.view_functions[rule.endpoint], "_juxuan_access", None) == "public":
            continue
        # A path part limited to a few words (any(...)) gets its first word, any other 1.
        args = {name: values.get(name, min(getattr(rule._converters.get(name), "items", None) or {1}))
                for name in rule.arguments}
        url = app.url_map.bind("localhost").build(rule.endpoint, args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


@pytest.mark.parametrize("role", ["committee", "clerk", "counter", "scrutineer"])
def test_member_of_a_gets_404_for_every_url_of_b(app, world, role):
    """Must show 3."""
    client = app.test_client()
    login(client, f"a_{role}")
    token = csrf_token(client, "/")
    urls = _urls_of(app, world["b"])
    assert len(urls) >= 4, urls
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (method, url, response.status_code)


def test_street_admin_sees_only_own_street(app, world):
    client = app.test_client()
    login(client, "a_street_admin")
    assert client.get(f"/elections/{world['a']['election'].id}").status_code == 200
    assert client.get(f"/elections/{world['b']['election'].id}").status_code == 404
