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


def test_batch_hashes_are_the_hmac_of_the_lookup_key_and_batch_seals_use_distinct_nonces():
    # Hashes already stored must keep matching: the batch form is HMAC-SHA256 as before.
    import hashlib
    import hmac

    key = Fernet.generate_key().decode()
    pii = PersonalData(key)
    mac_key = hashlib.sha256(b"juxuan/lookup/v1|" + key.encode("ascii")).digest()
    numbers = ["11010519491231002X", " 11010519491231002x ", "320105196705246561"]
    expected = [hmac.new(mac_key, n.strip().upper().encode("ascii"), hashlib.sha256).hexdigest() for n in numbers]
    assert pii.lookup_hashes(numbers) == expected == [pii.lookup_hash(n) for n in numbers]
    sealed = pii.encrypt_many(["13800138000", "", "13800138000"])
    assert sealed[1] == "" and sealed[0][:19] != sealed[2][:19]  # "g2." + the nonce's 16 characters
    assert [pii.decrypt(s) for s in sealed] == ["13800138000", "", "13800138000"]
