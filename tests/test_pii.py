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


def test_sealed_values_differ_each_time_and_only_their_key_opens_them():
    import pytest
    from cryptography.exceptions import InvalidTag

    key = Fernet.generate_key().decode()
    pii = PersonalData(key)
    a, b = pii.encrypt("13800138000"), pii.encrypt("13800138000")
    assert a != b and a.startswith("g2.") and pii.decrypt(a) == pii.decrypt(b) == "13800138000"
    assert pii.encrypt("") == "" and pii.decrypt("") == ""
    with pytest.raises(InvalidTag):
        PersonalData(Fernet.generate_key().decode()).decrypt(a)
    tampered = a[:-2] + ("A" if a[-2] != "A" else "B") + a[-1]
    with pytest.raises((InvalidTag, ValueError)):
        pii.decrypt(tampered)


def test_values_sealed_earlier_as_fernet_tokens_are_still_read():
    key = Fernet.generate_key().decode()
    old = Fernet(key.encode()).encrypt(b"11010519491231002X").decode()
    assert PersonalData(key).decrypt(old) == "11010519491231002X"
