"""Safety numbers and key pairs."""

import pytest

import cliquet

ALICE_ACI = bytes.fromhex("9d0652a3dcc34d11975f74d61598733f")
BOB_ACI = bytes.fromhex("796abedbca4e4f1888031fde5b921f9f")


def test_both_sides_show_the_same_number(alice, bob):
    a, b = alice.identity.public_key, bob.identity.public_key
    with cliquet.Fingerprint(ALICE_ACI, a, BOB_ACI, b) as ours, cliquet.Fingerprint(BOB_ACI, b, ALICE_ACI, a) as theirs:
        assert ours.displayable == theirs.displayable
        assert len(ours.displayable) == 60 and ours.displayable.isdigit()
        assert ours.matches(theirs.scannable) and theirs.matches(ours.scannable)
        with cliquet.Fingerprint(ALICE_ACI, a, BOB_ACI, cliquet.Identity.generate().public_key) as impostor:
            assert not ours.matches(impostor.scannable)
        with pytest.raises(cliquet.InvalidMessageError):
            ours.matches(b"\x08\x02junk")
    with cliquet.Fingerprint(b"+15550001111", a, b"+15550002222", b, version=1) as by_phone:
        with pytest.raises(cliquet.InvalidMessageError):  # another version's code
            by_phone.matches(ours_code(a, b))


def ours_code(a, b):
    with cliquet.Fingerprint(ALICE_ACI, a, BOB_ACI, b) as fingerprint:
        return fingerprint.scannable


def test_fingerprint_refusals(alice, bob):
    with pytest.raises(cliquet.InvalidKeyError):
        cliquet.Fingerprint(ALICE_ACI, b"\x05" * 10, BOB_ACI, bob.identity.public_key)
    with pytest.raises(cliquet.InvalidArgumentError):
        cliquet.Fingerprint(ALICE_ACI, alice.identity.public_key, BOB_ACI, bob.identity.public_key, iterations=1)


def test_key_pairs():
    pair = cliquet.generate_key_pair()
    assert len(pair.public_key) == cliquet.PUBLIC_KEY_SIZE and pair.public_key[0] == 5
    assert len(pair.private_key) == cliquet.PRIVATE_KEY_SIZE
    assert cliquet.generate_key_pair() != pair
