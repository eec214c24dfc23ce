"""1:1 sessions: v4 (PQXDH with SPQR) and v3 (X3DH), and what a session refuses."""

import pytest

import cliquet
from conftest import ALICE, BOB, Device, establish

OFFER = cliquet.PqRatchetPolicy.OFFER


def test_v4_session_with_spqr_both_ways(alice, bob):
    to_bob, to_alice = establish(alice, bob)
    assert alice.store.session_version(BOB, 1) == 4
    assert bob.store.session_version(ALICE, 1) == 4
    # Long enough in both directions for SPQR's chunks to cross and the ratchet to turn.
    for round_number in range(30):
        for sender, receiver in ((to_bob, to_alice), (to_alice, to_bob)):
            text = f"message {round_number}".encode()
            message = sender.encrypt(text)
            assert message.type == cliquet.MessageType.WHISPER
            assert text not in message.body
            assert receiver.decrypt(message.body, message.type) == text


def test_messages_out_of_order(alice, bob):
    to_bob, to_alice = establish(alice, bob)
    messages = [to_bob.encrypt(bytes([n]) * 10) for n in range(5)]
    for n in (3, 0, 4, 2, 1):
        assert to_alice.decrypt(messages[n]) == bytes([n]) * 10


def test_v3_session_under_offer(alice, bob):
    to_bob, to_alice = establish(alice, bob, kyber=False, policy=OFFER)
    assert alice.store.session_version(BOB, 1) == 3
    assert to_alice.decrypt(to_bob.encrypt(b"x3dh")) == b"x3dh"
    assert to_bob.decrypt(to_alice.encrypt(b"still x3dh")) == b"still x3dh"


def test_a_bundle_without_kyber_is_unsupported_under_require(alice, bob):
    with pytest.raises(cliquet.UnsupportedError):
        alice.store.process_pre_key_bundle(BOB, 1, bob.bundle(kyber=False))
    assert alice.store.session_version(BOB, 1) == 0


def test_bundle_from_parts_starts_a_v4_session(alice, bob):
    upload = bob.upload
    bundle = cliquet.PreKeyBundle.from_parts(bob.identity.registration_id, 1, bob.identity.public_key,
                                             upload.signed_pre_key, upload.one_time_pre_keys[0],
                                             upload.one_time_kyber_pre_keys[0])
    alice.store.process_pre_key_bundle(BOB, 1, bundle)
    to_bob, to_alice = alice.cipher(bob), bob.cipher(alice)
    assert to_alice.decrypt(to_bob.encrypt(b"from parts")) == b"from parts"
    assert bob.store.session_version(ALICE, 1) == 4


def test_refusals_change_nothing(alice, bob):
    alice.store.process_pre_key_bundle(BOB, 1, bob.bundle())
    to_bob, to_alice = alice.cipher(bob), bob.cipher(alice)
    message = to_bob.encrypt(b"for Bob")
    body = bytearray(message.body)
    with pytest.raises(cliquet.InvalidMessageError):
        to_alice.decrypt(bytes(body[: len(body) // 2]), message.type)
    body[-3] ^= 0x20
    with pytest.raises(cliquet.InvalidMessageError):
        to_alice.decrypt(bytes(body), message.type)
    with pytest.raises(cliquet.InvalidMessageError):  # a pre-key message read as a whisper one
        to_alice.decrypt(message.body, cliquet.MessageType.WHISPER)
    with pytest.raises(cliquet.InvalidArgumentError):  # not a 1:1 message type
        to_alice.decrypt(message.body, cliquet.MessageType.SENDER_KEY)
    assert bob.store.session_version(ALICE, 1) == 0
    assert to_alice.decrypt(bytearray(message.body), message.type) == b"for Bob"  # any bytes-like input
    with pytest.raises(cliquet.DuplicateMessageError):
        to_alice.decrypt(memoryview(message.body), message.type)


def test_no_session(alice, bob):
    with pytest.raises(cliquet.NoSessionError):
        alice.cipher(bob).encrypt(b"nobody there")
    whisper = establish(alice, bob)[0].encrypt(b"w")
    stranger = Device(BOB)
    try:
        with pytest.raises(cliquet.NoSessionError):
            stranger.cipher(alice).decrypt(whisper)
    finally:
        stranger.close()


def test_invalid_pre_key(alice, bob):
    alice.store.process_pre_key_bundle(BOB, 1, bob.bundle())
    message = alice.cipher(bob).encrypt(b"for the real Bob")
    impostor = Device(BOB)  # Bob's address, none of his pre-keys
    try:
        with pytest.raises(cliquet.InvalidPreKeyError):
            impostor.cipher(alice).decrypt(message)
    finally:
        impostor.close()
    assert bob.cipher(alice).decrypt(message) == b"for the real Bob"


def test_forged_signed_pre_key_signature(alice, bob):
    upload = bob.upload
    signed = upload.signed_pre_key
    forged = signed._replace(signature=bytes([signed.signature[0] ^ 1]) + signed.signature[1:])
    bundle = cliquet.PreKeyBundle.from_parts(bob.identity.registration_id, 1, bob.identity.public_key, forged,
                                             upload.one_time_pre_keys[0], upload.last_resort_kyber_pre_key)
    with pytest.raises(cliquet.InvalidSignatureError):
        alice.store.process_pre_key_bundle(BOB, 1, bundle)
    assert alice.store.get_identity(BOB, 1) is None


def test_untrusted_identity_until_accepted(alice, bob):
    establish(alice, bob)
    reinstalled = Device(BOB)  # a new identity under Bob's address
    try:
        with pytest.raises(cliquet.UntrustedIdentityError):
            alice.store.process_pre_key_bundle(BOB, 1, reinstalled.bundle())
        assert alice.store.get_identity(BOB, 1) == bob.identity.public_key
        change = alice.store.save_identity(BOB, 1, reinstalled.identity.public_key)
        assert change == cliquet.IdentityChange.REPLACED
        assert alice.store.save_identity(BOB, 1, reinstalled.identity.public_key) == cliquet.IdentityChange.UNCHANGED
        establish(alice, reinstalled)
    finally:
        reinstalled.close()


def test_malformed_keys_and_arguments(bob):
    with pytest.raises(cliquet.InvalidKeyError):
        cliquet.Identity.deserialize(b"not an identity", 1)
    with pytest.raises(cliquet.InvalidArgumentError):
        cliquet.Identity.deserialize(bob.identity.serialize(), 0)  # registration ids are 1 to 16380
    with pytest.raises(cliquet.InvalidKeyError):
        bob.upload.bundle(1, 1, b"\x05" + b"\x00" * 10)
    with pytest.raises(cliquet.InvalidArgumentError):  # no signed pre-key to serve
        bob.keys.generate_one_time_pre_keys(1).bundle(1, 1, bob.identity.public_key)
    with pytest.raises(TypeError):
        bob.cipher(bob).encrypt("text, not bytes")
    with pytest.raises(TypeError):
        bob.cipher(bob).encrypt(5)
    with pytest.raises(TypeError):
        bob.store.session_version(b"bytes, not a name", 1)


def test_identity_round_trip(bob):
    serialized = bob.identity.serialize()
    with cliquet.Identity.deserialize(serialized, bob.identity.registration_id) as again:
        assert again.public_key == bob.identity.public_key
        assert again.registration_id == bob.identity.registration_id
        assert len(again.public_key) == cliquet.PUBLIC_KEY_SIZE
    with bob.store.local_identity as local:
        assert local.public_key == bob.identity.public_key


def test_archive_and_delete_sessions(alice, bob):
    to_bob, to_alice = establish(alice, bob)
    late = to_bob.encrypt(b"late")
    alice.store.archive_session(BOB, 1)
    assert alice.store.session_version(BOB, 1) == 0
    with pytest.raises(cliquet.NoSessionError):
        to_bob.encrypt(b"after the reset")
    bob.store.archive_session(ALICE, 1)
    assert to_alice.decrypt(late) == b"late"  # an archived state still reads late messages
    bob.store.delete_session(ALICE, 1)
    assert bob.store.delete_all_sessions(ALICE) == 0
    assert alice.store.delete_all_sessions(BOB) == 1


def test_pre_key_manager(bob):
    assert not bob.upload.is_empty
    assert len(bob.upload.one_time_pre_keys) == 2
    assert bob.keys.unused_counts == (2, 2)
    assert bob.keys.run_schedule().is_empty  # nothing due
    more = bob.keys.generate_one_time_kyber_pre_keys(3)
    assert [key.signature is not None for key in more.one_time_kyber_pre_keys] == [True] * 3
    assert more.signed_pre_key is None
    assert bob.keys.unused_counts == (2, 5)
    rotated = bob.keys.rotate_signed_pre_key().signed_pre_key
    assert rotated.id != bob.upload.signed_pre_key.id and len(rotated.signature) == 64
    assert bob.keys.rotate_last_resort_kyber_pre_key().last_resort_kyber_pre_key is not None
    everything = bob.keys.upload_set()
    assert everything.signed_pre_key.id == rotated.id
    assert len(everything.one_time_pre_keys) == 2 and len(everything.one_time_kyber_pre_keys) == 5
    with pytest.raises(cliquet.InvalidArgumentError):
        bob.store.pre_key_manager(batch_size=0, replenish_below=5)
