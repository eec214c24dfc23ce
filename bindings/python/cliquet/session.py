"""1:1 sessions: message types, the post-quantum policy, and the session cipher."""

import enum
from ctypes import byref, c_int
from typing import NamedTuple

from ._handle import Handle
from ._native import Buffer, call_bytes, call_handle, check, data, lib, take, text


class MessageType(enum.IntEnum):
    """libsignal's ciphertext message types."""

    WHISPER = 2  # a Double Ratchet message, once the peer has answered
    PRE_KEY = 3  # a message that starts a session, until the peer answers
    SENDER_KEY = 7  # a group message
    PLAINTEXT = 8  # a retry request, sent unencrypted


class PqRatchetPolicy(enum.IntEnum):
    """What a new session requires of the peer's post-quantum protection."""

    REQUIRE = 0  # today's Signal: PQXDH with SPQR only (the default)
    OFFER = 1  # also X3DH (version 3) peers; SPQR used once the peer speaks it


_MESSAGE_TYPES = {int(kind): kind for kind in MessageType}  # faster than MessageType(value) per message


class CiphertextMessage(NamedTuple):
    """An encrypted message and its type (what the receiver's decrypt() needs)."""

    type: MessageType
    body: bytes


class SessionCipher(Handle):
    """Encrypts to and decrypts from one remote address through a store (made by
    Store.session_cipher()). Calls on ciphers for one address must not overlap."""

    _kind = "session cipher"

    def __init__(self, store, local_name, local_device_id, remote_name, remote_device_id,
                 policy=PqRatchetPolicy.REQUIRE):
        pointer = call_handle(lib.cliquet_session_cipher_new, store._handle, text(local_name), local_device_id,
                              text(remote_name), remote_device_id, int(policy))
        super().__init__(pointer, lib.cliquet_session_cipher_free, owner=store)

    def encrypt(self, plaintext):
        """A CiphertextMessage: a pre-key message until the peer has answered, a whisper message after."""
        kind, ciphertext = c_int(), Buffer()
        try:
            check(lib.cliquet_session_cipher_encrypt(self._handle, *data(plaintext, "plaintext"), byref(kind),
                                                     byref(ciphertext)))
        except BaseException:
            lib.cliquet_buffer_free(byref(ciphertext))
            raise
        return CiphertextMessage(_MESSAGE_TYPES[kind.value], take(ciphertext))

    def decrypt(self, message, message_type=None):
        """The plaintext of a CiphertextMessage, or of `message` bytes of `message_type`."""
        if message_type is None:
            message_type, message = message
        return call_bytes(lib.cliquet_session_cipher_decrypt, self._handle, int(message_type),
                          *data(message, "message"))
