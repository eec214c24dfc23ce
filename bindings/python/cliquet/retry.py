"""Retry requests: asking a sender for a message this device could not decrypt."""

import enum
from ctypes import byref, c_int, c_uint32, c_uint64
from typing import NamedTuple

from ._native import call_bytes, call_out, check, data, lib, text


class RetryAction(enum.IntEnum):
    """What the sender of a failed message should do about a retry request."""

    NOT_FOR_THIS_DEVICE = 0  # drop it
    SESSION_ARCHIVED = 1  # fetch a new bundle, start a session, resend
    RESEND = 2  # resend on the session
    NO_SESSION = 3  # fetch its bundle, start a session, resend
    RESEND_SENDER_KEY = 4  # resend the sender-key distribution message, then the message


class RetryRequest(NamedTuple):
    """What a retry request says."""

    timestamp_ms: int  # when the failed message was sent
    device_id: int  # the device it is for
    is_session_message: bool  # a 1:1 message (True) or a group one (False)


def create_retry_request(original, message_type, timestamp_ms, sender_device_id):
    """The retry request for `original` of `message_type`, sent at `timestamp_ms` by
    `sender_device_id`: a plaintext content, usually sealed back to the sender."""
    return call_bytes(lib.cliquet_retry_request_create, *data(original, "message"), int(message_type), timestamp_ms,
                      sender_device_id)


def parse_retry_request(request):
    timestamp, device_id, has_ratchet_key = c_uint64(), c_uint32(), c_int()
    check(lib.cliquet_retry_request_parse(*data(request, "request"), byref(timestamp), byref(device_id),
                                          byref(has_ratchet_key)))
    return RetryRequest(timestamp.value, device_id.value, bool(has_ratchet_key.value))


class RetryStore:
    """Store's retry-request operation (a mixin of Store)."""

    def process_retry_request(self, local_name, local_device_id, requester_name, requester_device_id, request):
        """Acts on a retry request from the requester to this device: a RetryAction."""
        return RetryAction(call_out(lib.cliquet_retry_request_process, c_int, self._handle, text(local_name),
                                    local_device_id, text(requester_name), requester_device_id,
                                    *data(request, "request")))
