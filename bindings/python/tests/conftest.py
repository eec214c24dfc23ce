"""Devices, a sealed sender service and sessions shared by the tests.

The library is the one $CLIQUET_LIBRARY names (ctest sets it to the build's), else the one
next to the package or the system's."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import cliquet  # noqa: E402

ALICE = "9d0652a3-dcc3-4d11-975f-74d61598733f"
BOB = "796abedb-ca4e-4f18-8803-1fde5b921f9f"
CAROL = "e80f7bbe-5b94-471e-bd8c-2173654ea3d1"
NOW_MS = 1_700_000_000_000
EXPIRATION_MS = 1_800_000_000_000
GROUP = bytes.fromhex("1c9e55028d3b4a719f1062e433a805bd")


class Device:
    """One device: its address, identity, store and pre-key manager (one-time keys in batches of 2)."""

    def __init__(self, name, device_id=1, store=None, identity=None):
        self.name, self.device_id = name, device_id
        self.identity = identity or cliquet.Identity.generate()
        self.store = store or cliquet.Store.memory(self.identity)
        self.keys = self.store.pre_key_manager(batch_size=2, replenish_below=1)
        self.upload = self.keys.run_schedule()

    def bundle(self, kyber=True):
        """A bundle as the server would serve it: with or without a Kyber pre-key."""
        bundle = self.upload.bundle(self.identity.registration_id, self.device_id, self.identity.public_key)
        if kyber:
            return bundle
        upload = self.upload
        return cliquet.PreKeyBundle.from_parts(self.identity.registration_id, self.device_id,
                                               self.identity.public_key, upload.signed_pre_key,
                                               pre_key=upload.one_time_pre_keys[0])

    def cipher(self, other, policy=cliquet.PqRatchetPolicy.REQUIRE):
        return self.store.session_cipher(self.name, self.device_id, other.name, other.device_id, policy)

    def close(self):
        self.store.close()
        self.identity.close()


def establish(sender, receiver, kyber=True, policy=cliquet.PqRatchetPolicy.REQUIRE):
    """`sender` starts a session from `receiver`'s bundle, says hello and is answered:
    returns the two ciphers (sender's, receiver's)."""
    sender.store.process_pre_key_bundle(receiver.name, receiver.device_id, receiver.bundle(kyber), policy)
    outgoing, incoming = sender.cipher(receiver, policy), receiver.cipher(sender, policy)
    first = outgoing.encrypt(b"hello")
    assert first.type == cliquet.MessageType.PRE_KEY
    assert incoming.decrypt(first) == b"hello"
    answer = incoming.encrypt(b"hello to you")
    assert answer.type == cliquet.MessageType.WHISPER
    assert outgoing.decrypt(answer) == b"hello to you"
    return outgoing, incoming


class Service:
    """A sealed sender service: trust root, server key and certificate; sender certificates on demand."""

    def __init__(self):
        self.root = cliquet.generate_key_pair()
        self.server = cliquet.generate_key_pair()
        self.server_certificate = cliquet.server_certificate(7, self.server.public_key, self.root.private_key)

    def certificate(self, device, expiration_ms=EXPIRATION_MS, e164=None):
        return cliquet.sender_certificate(device.name, device.device_id, device.identity.public_key, expiration_ms,
                                          self.server_certificate, self.server.private_key, e164=e164)

    def open(self, device, sealed, now_ms=NOW_MS, trust_root=None):
        return device.store.sealed_decrypt(sealed, trust_root or self.root.public_key, now_ms, device.name,
                                           device.device_id)


def device_fixture(name):
    """A fixture giving a fresh device of account `name`, closed after the test."""
    @pytest.fixture
    def fixture():
        device = Device(name)
        yield device
        device.close()
    return fixture


alice = device_fixture(ALICE)
bob = device_fixture(BOB)
carol = device_fixture(CAROL)


@pytest.fixture
def service():
    return Service()
