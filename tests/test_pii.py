"""Personal data: encryption round-trips, lookup hashes are keyed and stable."""
from cryptography.fernet import Fernet

from election.pii import PersonalData


def test_encryption_round_trips_and_hides_the_number():
    pii = PersonalData(Fernet.generate_key().decode())
    token = pii.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert pii.decrypt(token) == "11010519491231002X"


def test_lookup_hash_is_stable_and_depends_on_the_key():
    a, b = PersonalData(Fernet.generate_key().decode()), PersonalData(Fernet.generate_key().decode())
    assert a.lookup_hash("11010519491231002x") == a.lookup_hash("11010519491231002X")
    assert a.lookup_hash("11010519491231002X") != b.lookup_hash("11010519491231002X")
