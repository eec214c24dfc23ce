"""Sealed sender v1 and v2: certificates, sealing, opening, and the server's fan-out."""

import enum
from ctypes import byref, c_int, c_size_t, c_uint32, c_void_p
from typing import NamedTuple, Optional

from ._handle import Handle
from ._native import (Address, Buffer, call_bytes, call_handle, call_out, check, data, lib, take, text)
from .session import MessageType, PqRatchetPolicy

SERVICE_ID_SIZE = 17


class ContentHint(enum.IntEnum):
    """How a recipient should react to a sealed message it cannot decrypt."""

    NONE = 0  # the sender will not resend: show an error
    RESENDABLE = 1  # the sender will resend: delay any error
    IMPLICIT = 2  # show nothing (receipts, typing indicators)


def _hint(value):
    """A content hint as the sender gave it: a ContentHint, or the bare number for one this API does not name."""
    try:
        return ContentHint(value)
    except ValueError:
        return value


def _optional_bytes(function, handle):
    present, value = c_int(), Buffer()
    try:
        check(function(handle, byref(present), byref(value)))
    except BaseException:
        lib.cliquet_buffer_free(byref(value))
        raise
    value_bytes = take(value)
    return value_bytes if present.value else None


def server_certificate(key_id, server_public_key, trust_root_private_key):
    """The trust root (its 32-byte private key) signs the server key (33 bytes) under `key_id`."""
    return call_bytes(lib.cliquet_server_certificate_create, key_id, *data(server_public_key),
                      *data(trust_root_private_key))


def sender_certificate(uuid, device_id, identity_key, expiration_ms, server_certificate, server_private_key,
                       e164=None):
    """A sender certificate signed by the server key: the sender's ACI `uuid`, device id (1 to 127),
    33-byte identity key and optional phone number, valid until `expiration_ms`."""
    return call_bytes(lib.cliquet_sender_certificate_create, text(uuid, "uuid"), text(e164, "e164"), device_id,
                      *data(identity_key), expiration_ms, *data(server_certificate), *data(server_private_key))


def validate_sender_certificate(certificate, trust_root, now_ms):
    """Returns if the certificate validates against the trust root's public key at `now_ms`,
    else raises InvalidCertificateError."""
    check(lib.cliquet_sender_certificate_validate(*data(certificate), *data(trust_root), now_ms))


class SealedMessage(NamedTuple):
    """What opening a sealed message learned: the validated sender and the message inside."""

    sender_uuid: str
    sender_e164: Optional[str]
    sender_device_id: int
    plaintext: bytes  # for a retry request: its body
    content_type: MessageType
    content_hint: object  # a ContentHint, or the number the sender gave
    group_id: Optional[bytes]
    retry_request: Optional[bytes]  # for a PLAINTEXT message: what Store.process_retry_request() takes


class SealedSenderFailure(Handle):
    """Why a sealed message, from a sender whose certificate validated, did not decrypt:
    found as the `failure` attribute of the exception Store.sealed_decrypt() raised."""

    _kind = "sealed sender failure"

    def __init__(self, pointer):
        super().__init__(pointer, lib.cliquet_sealed_sender_failure_free)

    @property
    def sender_uuid(self):
        return call_bytes(lib.cliquet_sealed_sender_failure_sender_uuid, self._handle).decode()

    @property
    def sender_device_id(self):
        return call_out(lib.cliquet_sealed_sender_failure_sender_device_id, c_uint32, self._handle)

    @property
    def sender_identity_key(self):
        """The sender's identity key from its certificate: what to seal a retry request to."""
        return call_bytes(lib.cliquet_sealed_sender_failure_sender_identity_key, self._handle)

    @property
    def content_type(self):
        return MessageType(call_out(lib.cliquet_sealed_sender_failure_content_type, c_int, self._handle))

    @property
    def content_hint(self):
        return _hint(call_out(lib.cliquet_sealed_sender_failure_content_hint, c_uint32, self._handle))

    @property
    def group_id(self):
        return _optional_bytes(lib.cliquet_sealed_sender_failure_group_id, self._handle)

    def retry_request(self, sent_at_ms):
        """The retry request for the failed message, sent at `sent_at_ms` (its delivery's timestamp)."""
        return call_bytes(lib.cliquet_sealed_sender_failure_retry_request, self._handle, sent_at_ms)


def _read_result(result):
    def out(function, ctype):
        return call_out(function, ctype, result)

    e164 = _optional_bytes(lib.cliquet_sealed_sender_result_sender_e164, result)
    return SealedMessage(
        sender_uuid=call_bytes(lib.cliquet_sealed_sender_result_sender_uuid, result).decode(),
        sender_e164=e164.decode() if e164 is not None else None,
        sender_device_id=out(lib.cliquet_sealed_sender_result_sender_device_id, c_uint32),
        plaintext=call_bytes(lib.cliquet_sealed_sender_result_plaintext, result),
        content_type=MessageType(out(lib.cliquet_sealed_sender_result_content_type, c_int)),
        content_hint=_hint(out(lib.cliquet_sealed_sender_result_content_hint, c_uint32)),
        group_id=_optional_bytes(lib.cliquet_sealed_sender_result_group_id, result),
        retry_request=_optional_bytes(lib.cliquet_sealed_sender_result_retry_request, result),
    )


class SealedSenderStore:
    """Store's sealed sender operations (a mixin of Store)."""

    def sealed_encrypt(self, name, device_id, sender_certificate, plaintext):
        """Encrypts with the session to (name, device_id), then seals it (v1) with the sender's certificate."""
        return call_bytes(lib.cliquet_sealed_sender_encrypt, self._handle, text(name), device_id,
                          *data(sender_certificate), *data(plaintext, "plaintext"))

    def sealed_encrypt_multi(self, destinations, content_type, content, sender_certificate,
                             hint=ContentHint.NONE, group_id=None, excluded=()):
        """Seals `content` (v2) to every (name, device_id) in `destinations` (names are ACIs): the
        "sent" message for the server. `excluded`: service ids (17 bytes each) deliberately left out."""
        names = [text(name) for name, _ in destinations]
        addresses = (Address * max(len(names), 1))()
        for slot, name, (_, device_id) in zip(addresses, names, destinations):
            slot.name, slot.device_id = name, device_id
        excluded = [bytes(service_id) for service_id in excluded]
        if any(len(service_id) != SERVICE_ID_SIZE for service_id in excluded):
            raise TypeError(f"excluded service ids are {SERVICE_ID_SIZE} bytes each")
        return call_bytes(lib.cliquet_sealed_sender_multi_recipient_encrypt, self._handle, addresses, len(names),
                          b"".join(excluded) or None, len(excluded), int(content_type), *data(content),
                          *data(sender_certificate), int(hint), *data(group_id))

    def seal(self, recipient_identity_key, content_type, content, sender_certificate, hint=ContentHint.NONE,
             group_id=None):
        """Seals `content` (v1) to a recipient's identity key without a session: how a retry request
        (MessageType.PLAINTEXT) travels."""
        return call_bytes(lib.cliquet_sealed_sender_seal_v1, self._handle, *data(recipient_identity_key),
                          int(content_type), *data(content), *data(sender_certificate), int(hint), *data(group_id))

    def sealed_decrypt(self, sealed, trust_root, now_ms, local_uuid, local_device_id, local_e164=None,
                       policy=PqRatchetPolicy.REQUIRE):
        """Opens a sealed message (v1, or a v2 "received" one), validates its sender's certificate
        and decrypts what it holds: a SealedMessage. When the message inside fails, the exception
        raised has a `failure` attribute (a SealedSenderFailure) naming the sender; else it is None."""
        result, failure = c_void_p(), c_void_p()
        status = lib.cliquet_sealed_sender_decrypt_with_failure(
            self._handle, *data(sealed, "sealed message"), *data(trust_root), now_ms, text(local_uuid, "uuid"),
            text(local_e164, "e164"), local_device_id, int(policy), byref(result), byref(failure))
        try:
            check(status)
        except Exception as error:
            error.failure = SealedSenderFailure(failure.value) if failure.value else None
            raise
        try:
            return _read_result(result.value)
        finally:
            lib.cliquet_sealed_sender_result_free(result.value)


class SentRecipient(NamedTuple):
    """One recipient account of a sealed sender v2 "sent" message."""

    service_id: bytes
    service_id_text: str
    devices: list  # [(device_id, registration_id)]
    received_message: bytes  # what each of its devices gets


class SentMessage(NamedTuple):
    """The server's side of sealed sender v2: a "sent" message split per recipient account."""

    recipients: list
    excluded: list  # service ids deliberately left out

    @classmethod
    def parse(cls, sent):
        """Parses a "sent" message; malformed bytes raise InvalidMessageError."""
        handle = call_handle(lib.cliquet_sealed_sender_sent_parse, *data(sent, "sent message"))
        try:
            return cls(_recipients(handle), [call_bytes(lib.cliquet_sealed_sender_sent_excluded, handle, i)
                                             for i in range(call_out(lib.cliquet_sealed_sender_sent_excluded_count,
                                                                     c_size_t, handle))])
        finally:
            lib.cliquet_sealed_sender_sent_free(handle)


def _recipients(handle):
    recipients = []
    for index in range(call_out(lib.cliquet_sealed_sender_sent_recipient_count, c_size_t, handle)):
        service_id, service_id_text, device_count = Buffer(), Buffer(), c_size_t()
        try:
            check(lib.cliquet_sealed_sender_sent_recipient(handle, index, byref(service_id), byref(service_id_text),
                                                           byref(device_count)))
        except BaseException:
            lib.cliquet_buffer_free(byref(service_id))
            lib.cliquet_buffer_free(byref(service_id_text))
            raise
        service_id_bytes, id_text = take(service_id), take(service_id_text).decode()
        devices = []
        for device in range(device_count.value):
            device_id, registration_id = c_uint32(), c_uint32()
            check(lib.cliquet_sealed_sender_sent_recipient_device(handle, index, device, byref(device_id),
                                                                  byref(registration_id)))
            devices.append((device_id.value, registration_id.value))
        received = call_bytes(lib.cliquet_sealed_sender_sent_received_message, handle, index)
        recipients.append(SentRecipient(service_id_bytes, id_text, devices, received))
    return recipients
