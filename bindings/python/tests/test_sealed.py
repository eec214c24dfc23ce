"""Sealed sender v1 and v2, certificates, and a failed sealed message turned into a retry request."""

import uuid

import pytest

import cliquet
from conftest import ALICE, BOB, CAROL, EXPIRATION_MS, GROUP, NOW_MS, Device, establish


def test_v1_round_trip(alice, bob, service):
    establish(alice, bob)
    certificate = service.certificate(alice, e164="+15550001111")
    sealed = alice.store.sealed_encrypt(BOB, 1, certificate, b"sealed, Bob")
    opened = service.open(bob, sealed)
    assert opened.plaintext == b"sealed, Bob"
    assert (opened.sender_uuid, opened.sender_e164, opened.sender_device_id) == (ALICE, "+15550001111", 1)
    assert opened.content_type == cliquet.MessageType.WHISPER
    assert opened.content_hint == cliquet.ContentHint.NONE
    assert opened.group_id is None and opened.retry_request is None


def test_a_sealed_pre_key_message_starts_the_session(alice, bob, service):
    alice.store.process_pre_key_bundle(BOB, 1, bob.bundle())
    opened = service.open(bob, alice.store.sealed_encrypt(BOB, 1, service.certificate(alice), b"first"))
    assert opened.content_type == cliquet.MessageType.PRE_KEY
    assert bob.store.session_version(ALICE, 1) == 4


def test_certificates(alice, service):
    certificate = service.certificate(alice)
    cliquet.validate_sender_certificate(certificate, service.root.public_key, NOW_MS)
    with pytest.raises(cliquet.InvalidCertificateError):
        cliquet.validate_sender_certificate(certificate, service.root.public_key, EXPIRATION_MS + 1)
    with pytest.raises(cliquet.InvalidCertificateError):
        cliquet.validate_sender_certificate(certificate, cliquet.generate_key_pair().public_key, NOW_MS)
    with pytest.raises(cliquet.InvalidKeyError):
        cliquet.server_certificate(1, b"\x05short", service.root.private_key)


def test_refused_envelopes_change_nothing(alice, bob, service):
    establish(alice, bob)
    sealed = alice.store.sealed_encrypt(BOB, 1, service.certificate(alice, expiration_ms=NOW_MS + 10), b"x")
    with pytest.raises(cliquet.InvalidCertificateError) as expired:
        service.open(bob, sealed, now_ms=NOW_MS + 11)
    assert expired.value.failure is None
    with pytest.raises(cliquet.InvalidCertificateError):
        service.open(bob, sealed, trust_root=cliquet.generate_key_pair().public_key)
    with pytest.raises(cliquet.InvalidMessageError):
        service.open(bob, sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(cliquet.InvalidMessageError):
        service.open(bob, b"\x11" + b"\x00" * 40)
    with pytest.raises(cliquet.InvalidMessageError):  # a message claiming to come from this very device
        alice.store.sealed_decrypt(sealed, service.root.public_key, NOW_MS, ALICE, 1)
    assert service.open(bob, sealed).plaintext == b"x"


def test_failure_becomes_a_retry_request(alice, bob, service):
    to_bob, _ = establish(alice, bob)
    sealed = alice.store.sealed_encrypt(BOB, 1, service.certificate(alice), b"once")
    service.open(bob, sealed)
    with pytest.raises(cliquet.DuplicateMessageError) as duplicate:
        service.open(bob, sealed)
    with duplicate.value.failure as failure:
        assert (failure.sender_uuid, failure.sender_device_id) == (ALICE, 1)
        assert failure.sender_identity_key == alice.identity.public_key
        assert failure.content_type == cliquet.MessageType.WHISPER
        assert failure.content_hint == cliquet.ContentHint.NONE and failure.group_id is None
        request = failure.retry_request(NOW_MS - 5)
    assert cliquet.parse_retry_request(request) == cliquet.RetryRequest(NOW_MS - 5, 1, True)
    # Bob seals the request back without a session; Alice opens it and learns what to do.
    back = bob.store.seal(alice.identity.public_key, cliquet.MessageType.PLAINTEXT, request,
                          service.certificate(bob), hint=cliquet.ContentHint.IMPLICIT)
    opened = service.open(alice, back)
    assert opened.content_type == cliquet.MessageType.PLAINTEXT
    assert opened.content_hint == cliquet.ContentHint.IMPLICIT
    action = alice.store.process_retry_request(ALICE, 1, BOB, 1, opened.retry_request)
    assert action in (cliquet.RetryAction.RESEND, cliquet.RetryAction.SESSION_ARCHIVED)
    assert alice.store.process_retry_request(ALICE, 2, BOB, 1, opened.retry_request) == \
        cliquet.RetryAction.NOT_FOR_THIS_DEVICE


def test_retry_requests_directly(alice, bob):
    to_bob, _ = establish(alice, bob)
    message = to_bob.encrypt(b"lost")
    request = cliquet.create_retry_request(message.body, message.type, NOW_MS, 1)
    assert cliquet.parse_retry_request(request) == cliquet.RetryRequest(NOW_MS, 1, True)
    assert alice.store.process_retry_request(ALICE, 1, BOB, 1, request) == cliquet.RetryAction.SESSION_ARCHIVED
    assert alice.store.process_retry_request(ALICE, 1, CAROL, 1, request) == cliquet.RetryAction.NO_SESSION
    with pytest.raises(cliquet.InvalidMessageError):
        cliquet.parse_retry_request(request[1:])
    with pytest.raises(cliquet.InvalidArgumentError):
        cliquet.create_retry_request(b"x", cliquet.MessageType.PLAINTEXT, NOW_MS, 1)


def test_v2_fan_out_to_every_device(alice, bob, carol, service):
    bob2 = Device(BOB, device_id=2, identity=bob.identity)
    try:
        for device in (bob, bob2, carol):
            establish(alice, device)
        distribution = alice.store.create_sender_key_distribution(ALICE, 1, GROUP)
        for device in (bob, bob2, carol):
            device.store.process_sender_key_distribution(ALICE, 1, distribution)
        content = alice.store.group_encrypt(ALICE, 1, GROUP, b"to everyone")
        excluded = bytes(17)
        sent = alice.store.sealed_encrypt_multi([(BOB, 1), (BOB, 2), (CAROL, 1)], cliquet.MessageType.SENDER_KEY,
                                                content, service.certificate(alice),
                                                hint=cliquet.ContentHint.RESENDABLE, group_id=GROUP,
                                                excluded=[excluded])
        split = cliquet.SentMessage.parse(sent)
        assert split.excluded == [excluded]
        by_name = {recipient.service_id_text: recipient for recipient in split.recipients}
        assert sorted(by_name) == sorted([BOB, CAROL])
        assert sorted(device for device, _ in by_name[BOB].devices) == [1, 2]
        assert by_name[CAROL].devices == [(1, carol.identity.registration_id)]
        for device in (bob, bob2, carol):
            opened = service.open(device, by_name[device.name].received_message)
            assert opened.plaintext == b"to everyone"
            assert opened.content_type == cliquet.MessageType.SENDER_KEY
            assert (opened.group_id, opened.content_hint) == (GROUP, cliquet.ContentHint.RESENDABLE)
        with pytest.raises(cliquet.NoSessionError):
            alice.store.sealed_encrypt_multi([(BOB, 3)], cliquet.MessageType.SENDER_KEY, content,
                                             service.certificate(alice))
        with pytest.raises(cliquet.InvalidArgumentError):  # Carol both a destination and excluded
            alice.store.sealed_encrypt_multi([(CAROL, 1)], cliquet.MessageType.SENDER_KEY, content,
                                             service.certificate(alice), excluded=[b"\x00" + uuid.UUID(CAROL).bytes])
        with pytest.raises(cliquet.InvalidMessageError):
            cliquet.SentMessage.parse(sent[:20])
    finally:
        bob2.close()
