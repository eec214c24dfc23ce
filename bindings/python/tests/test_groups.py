"""Sender keys: a group message from one member to the others."""

import pytest

import cliquet
from conftest import ALICE, GROUP, establish


def share_sender_key(alice, members):
    """Alice's distribution message reaches each member over their 1:1 session."""
    distribution = alice.store.create_sender_key_distribution(ALICE, 1, GROUP)
    for member in members:
        to_member, at_member = establish(alice, member)
        carried = at_member.decrypt(to_member.encrypt(distribution))
        member.store.process_sender_key_distribution(ALICE, 1, carried)


def test_group_messages(alice, bob, carol):
    share_sender_key(alice, [bob, carol])
    for n in range(5):
        message = alice.store.group_encrypt(ALICE, 1, GROUP, f"group {n}".encode())
        for member in (bob, carol):
            assert member.store.group_decrypt(ALICE, 1, message) == f"group {n}".encode()


def test_group_refusals_change_nothing(alice, bob, carol):
    with pytest.raises(cliquet.NoSessionError):  # no sender key yet
        alice.store.group_encrypt(ALICE, 1, GROUP, b"too early")
    share_sender_key(alice, [bob])
    message = alice.store.group_encrypt(ALICE, 1, GROUP, b"members only")
    with pytest.raises(cliquet.NoSessionError):  # Carol never got the sender key
        carol.store.group_decrypt(ALICE, 1, message)
    with pytest.raises(cliquet.InvalidSignatureError):  # the signature is the last 64 bytes
        bob.store.group_decrypt(ALICE, 1, message[:-1] + bytes([message[-1] ^ 1]))
    with pytest.raises(cliquet.InvalidMessageError):
        bob.store.group_decrypt(ALICE, 1, message[:10])
    with pytest.raises(cliquet.InvalidMessageError):
        bob.store.process_sender_key_distribution(ALICE, 1, b"\x33junk")
    with pytest.raises(cliquet.InvalidArgumentError):
        alice.store.create_sender_key_distribution(ALICE, 1, GROUP[:15])
    assert bob.store.group_decrypt(ALICE, 1, message) == b"members only"
    with pytest.raises(cliquet.DuplicateMessageError):
        bob.store.group_decrypt(ALICE, 1, message)
