"""Identities and key pairs."""

from ctypes import byref, c_uint32
from typing import NamedTuple

from ._handle import Handle
from ._native import Buffer, call_bytes, call_handle, call_out, check, data, lib, take

PUBLIC_KEY_SIZE = 33
PRIVATE_KEY_SIZE = 32


class KeyPair(NamedTuple):
    """A Curve25519 key pair: the 33-byte public key and the 32-byte private key (a secret)."""

    public_key: bytes
    private_key: bytes


def generate_key_pair():
    """A fresh Curve25519 key pair, as the trust root and server keys of sealed sender use."""
    public_key, private_key = Buffer(), Buffer()
    try:
        check(lib.cliquet_key_pair_generate(byref(public_key), byref(private_key)))
    except BaseException:
        lib.cliquet_buffer_free(byref(public_key))
        lib.cliquet_buffer_free(byref(private_key))
        raise
    return KeyPair(take(public_key), take(private_key))


class Identity(Handle):
    """One device's identity: its identity key pair and registration id. Immutable;
    safe to share between threads."""

    _kind = "identity"

    def __init__(self, pointer):
        super().__init__(pointer, lib.cliquet_identity_free)

    @classmethod
    def generate(cls):
        """A fresh identity key pair and a random registration id (1 to 16380)."""
        return cls(call_handle(lib.cliquet_identity_generate))

    @classmethod
    def deserialize(cls, serialized, registration_id):
        """The identity serialize() wrote, with its registration id (1 to 16380)."""
        return cls(call_handle(lib.cliquet_identity_deserialize, *data(serialized), registration_id))

    def serialize(self):
        """The identity key pair's serialized form: a secret (the private key is in it)."""
        return call_bytes(lib.cliquet_identity_serialize, self._handle)

    @property
    def public_key(self):
        """The 33-byte public identity key, as others see it."""
        return call_bytes(lib.cliquet_identity_public_key, self._handle)

    @property
    def registration_id(self):
        return call_out(lib.cliquet_identity_registration_id, c_uint32, self._handle)
