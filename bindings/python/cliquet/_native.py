"""The C API as ctypes sees it: the library, its prototypes, buffers and statuses.

Nothing here is public. Every other module calls the library through `lib`
and `check()`, and turns `Buffer`s into `bytes` with `take()`.
"""

import ctypes
import os
import threading
from ctypes import POINTER, Structure, byref, c_char_p, c_int, c_size_t, c_uint32, c_uint64, c_void_p

from . import errors

LIBRARY_NAME = "libcliquet.so.0"


class Buffer(Structure):
    """`cliquet_buffer`: bytes the library allocated, released by `cliquet_buffer_free`."""

    # `data` as an address (an int): string_at() reads it faster than through a POINTER object.
    _fields_ = [("data", c_void_p), ("len", c_size_t)]


class Address(Structure):
    """`cliquet_address`: a name (NUL-terminated UTF-8) and a device id."""

    _fields_ = [("name", c_char_p), ("device_id", c_uint32)]


def _candidates():
    """Where to look for the library, in order: $CLIQUET_LIBRARY, next to the
    package, then the system's loader (LD_LIBRARY_PATH, ldconfig's cache)."""
    explicit = os.environ.get("CLIQUET_LIBRARY")
    if explicit:
        return [explicit]
    beside = os.path.join(os.path.dirname(os.path.abspath(__file__)), LIBRARY_NAME)
    return [beside, LIBRARY_NAME] if os.path.exists(beside) else [LIBRARY_NAME]


def _load():
    failures = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as failure:
            failures.append(f"{candidate}: {failure}")
    raise ImportError(
        "cliquet: cannot load the C library (" + "; ".join(failures) + "). Set CLIQUET_LIBRARY to the path "
        "of libcliquet.so.0, or install it where the system's loader finds it."
    )


lib = _load()

# Shorthands for the prototypes below.
H = c_void_p  # a handle
OUT_H = POINTER(c_void_p)  # where a handle is returned
BYTES = c_char_p  # input bytes (with a size_t length after them)
TEXT = c_char_p  # NUL-terminated UTF-8
SIZE = c_size_t
U32 = c_uint32
U64 = c_uint64
ENUM = c_int
BUF = POINTER(Buffer)
OUT_U32 = POINTER(c_uint32)
OUT_U64 = POINTER(c_uint64)
OUT_INT = POINTER(c_int)
OUT_SIZE = POINTER(c_size_t)

# name: (argument types); every function returns a cliquet_status unless listed in _RESTYPES.
PROTOTYPES = {
    "cliquet_last_error_message": (),
    "cliquet_status_name": (ENUM,),
    "cliquet_version": (),
    "cliquet_buffer_free": (BUF,),
    "cliquet_buffer_set": (BUF, BYTES, SIZE),
    "cliquet_key_pair_generate": (BUF, BUF),
    "cliquet_identity_generate": (OUT_H,),
    "cliquet_identity_deserialize": (BYTES, SIZE, U32, OUT_H),
    "cliquet_identity_serialize": (H, BUF),
    "cliquet_identity_public_key": (H, BUF),
    "cliquet_identity_registration_id": (H, OUT_U32),
    "cliquet_identity_free": (H,),
    "cliquet_store_new_memory": (H, OUT_H),
    "cliquet_store_create_sqlite": (TEXT, TEXT, U32, H, BYTES, SIZE, OUT_H),
    "cliquet_store_open_sqlite": (TEXT, BYTES, SIZE, OUT_H),
    "cliquet_key_list_add": (c_void_p, BYTES, SIZE),
    "cliquet_store_new_callbacks": (c_void_p, H, OUT_H),
    "cliquet_store_free": (H,),
    "cliquet_store_local_identity": (H, OUT_H),
    "cliquet_store_get_identity": (H, TEXT, U32, BUF, OUT_INT),
    "cliquet_store_save_identity": (H, TEXT, U32, BYTES, SIZE, OUT_INT),
    "cliquet_pre_key_bundle_new": (U32, U32, BYTES, SIZE, U32, BYTES, SIZE, BYTES, SIZE, U32, BYTES, SIZE, U32, BYTES,
                                   SIZE, BYTES, SIZE, OUT_H),
    "cliquet_pre_key_bundle_free": (H,),
    "cliquet_pre_key_upload_is_empty": (H, OUT_INT),
    "cliquet_pre_key_upload_signed_pre_key": (H, OUT_INT, OUT_U32, BUF, BUF),
    "cliquet_pre_key_upload_last_resort_kyber_pre_key": (H, OUT_INT, OUT_U32, BUF, BUF),
    "cliquet_pre_key_upload_one_time_pre_key_count": (H, OUT_SIZE),
    "cliquet_pre_key_upload_one_time_pre_key": (H, SIZE, OUT_U32, BUF),
    "cliquet_pre_key_upload_one_time_kyber_pre_key_count": (H, OUT_SIZE),
    "cliquet_pre_key_upload_one_time_kyber_pre_key": (H, SIZE, OUT_U32, BUF, BUF),
    "cliquet_pre_key_upload_bundle": (H, U32, U32, BYTES, SIZE, OUT_H),
    "cliquet_pre_key_upload_free": (H,),
    "cliquet_pre_key_manager_new": (H, SIZE, SIZE, OUT_H),
    "cliquet_pre_key_manager_free": (H,),
    "cliquet_pre_key_manager_run_schedule": (H, OUT_H),
    "cliquet_pre_key_manager_upload_set": (H, OUT_H),
    "cliquet_pre_key_manager_generate_one_time_pre_keys": (H, SIZE, OUT_H),
    "cliquet_pre_key_manager_generate_one_time_kyber_pre_keys": (H, SIZE, OUT_H),
    "cliquet_pre_key_manager_rotate_signed_pre_key": (H, OUT_H),
    "cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key": (H, OUT_H),
    "cliquet_pre_key_manager_unused_counts": (H, OUT_SIZE, OUT_SIZE),
    "cliquet_process_pre_key_bundle": (H, TEXT, U32, H, ENUM),
    "cliquet_session_cipher_new": (H, TEXT, U32, TEXT, U32, ENUM, OUT_H),
    "cliquet_session_cipher_free": (H,),
    "cliquet_session_cipher_encrypt": (H, BYTES, SIZE, OUT_INT, BUF),
    "cliquet_session_cipher_decrypt": (H, ENUM, BYTES, SIZE, BUF),
    "cliquet_session_cipher_decrypt_pre_key_message": (H, BYTES, SIZE, BUF),
    "cliquet_session_cipher_decrypt_whisper_message": (H, BYTES, SIZE, BUF),
    "cliquet_session_version": (H, TEXT, U32, OUT_INT),
    "cliquet_session_archive": (H, TEXT, U32),
    "cliquet_session_delete": (H, TEXT, U32),
    "cliquet_session_delete_all": (H, TEXT, OUT_SIZE),
    "cliquet_server_certificate_create": (U32, BYTES, SIZE, BYTES, SIZE, BUF),
    "cliquet_sender_certificate_create": (TEXT, TEXT, U32, BYTES, SIZE, U64, BYTES, SIZE, BYTES, SIZE, BUF),
    "cliquet_sender_certificate_validate": (BYTES, SIZE, BYTES, SIZE, U64),
    "cliquet_sealed_sender_encrypt": (H, TEXT, U32, BYTES, SIZE, BYTES, SIZE, BUF),
    "cliquet_sealed_sender_multi_recipient_encrypt": (H, POINTER(Address), SIZE, BYTES, SIZE, ENUM, BYTES, SIZE, BYTES,
                                                      SIZE, ENUM, BYTES, SIZE, BUF),
    "cliquet_sealed_sender_decrypt": (H, BYTES, SIZE, BYTES, SIZE, U64, TEXT, TEXT, U32, ENUM, OUT_H),
    "cliquet_sealed_sender_result_sender_uuid": (H, BUF),
    "cliquet_sealed_sender_result_sender_e164": (H, OUT_INT, BUF),
    "cliquet_sealed_sender_result_sender_device_id": (H, OUT_U32),
    "cliquet_sealed_sender_result_plaintext": (H, BUF),
    "cliquet_sealed_sender_result_content_type": (H, OUT_INT),
    "cliquet_sealed_sender_result_content_hint": (H, OUT_U32),
    "cliquet_sealed_sender_result_group_id": (H, OUT_INT, BUF),
    "cliquet_sealed_sender_result_retry_request": (H, OUT_INT, BUF),
    "cliquet_sealed_sender_result_free": (H,),
    "cliquet_sealed_sender_decrypt_with_failure": (H, BYTES, SIZE, BYTES, SIZE, U64, TEXT, TEXT, U32, ENUM, OUT_H,
                                                   OUT_H),
    "cliquet_sealed_sender_failure_sender_uuid": (H, BUF),
    "cliquet_sealed_sender_failure_sender_device_id": (H, OUT_U32),
    "cliquet_sealed_sender_failure_sender_identity_key": (H, BUF),
    "cliquet_sealed_sender_failure_content_type": (H, OUT_INT),
    "cliquet_sealed_sender_failure_content_hint": (H, OUT_U32),
    "cliquet_sealed_sender_failure_group_id": (H, OUT_INT, BUF),
    "cliquet_sealed_sender_failure_retry_request": (H, U64, BUF),
    "cliquet_sealed_sender_failure_free": (H,),
    "cliquet_sealed_sender_seal_v1": (H, BYTES, SIZE, ENUM, BYTES, SIZE, BYTES, SIZE, ENUM, BYTES, SIZE, BUF),
    "cliquet_sealed_sender_sent_parse": (BYTES, SIZE, OUT_H),
    "cliquet_sealed_sender_sent_recipient_count": (H, OUT_SIZE),
    "cliquet_sealed_sender_sent_recipient": (H, SIZE, BUF, BUF, OUT_SIZE),
    "cliquet_sealed_sender_sent_recipient_device": (H, SIZE, SIZE, OUT_U32, OUT_U32),
    "cliquet_sealed_sender_sent_received_message": (H, SIZE, BUF),
    "cliquet_sealed_sender_sent_excluded_count": (H, OUT_SIZE),
    "cliquet_sealed_sender_sent_excluded": (H, SIZE, BUF),
    "cliquet_sealed_sender_sent_free": (H,),
    "cliquet_sender_key_distribution_create": (H, TEXT, U32, BYTES, SIZE, BUF),
    "cliquet_sender_key_distribution_process": (H, TEXT, U32, BYTES, SIZE),
    "cliquet_group_encrypt": (H, TEXT, U32, BYTES, SIZE, BYTES, SIZE, BUF),
    "cliquet_group_decrypt": (H, TEXT, U32, BYTES, SIZE, BUF),
    "cliquet_fingerprint_new": (U32, U32, BYTES, SIZE, BYTES, SIZE, BYTES, SIZE, BYTES, SIZE, OUT_H),
    "cliquet_fingerprint_displayable": (H, BUF),
    "cliquet_fingerprint_scannable": (H, BUF),
    "cliquet_fingerprint_compare": (H, BYTES, SIZE, OUT_INT),
    "cliquet_fingerprint_free": (H,),
    "cliquet_retry_request_create": (BYTES, SIZE, ENUM, U64, U32, BUF),
    "cliquet_retry_request_parse": (BYTES, SIZE, OUT_U64, OUT_U32, OUT_INT),
    "cliquet_retry_request_process": (H, TEXT, U32, TEXT, U32, BYTES, SIZE, OUT_INT),
}

_RESTYPES = {"cliquet_last_error_message": c_char_p, "cliquet_status_name": c_char_p, "cliquet_version": c_char_p}

for _name, _arguments in PROTOTYPES.items():
    _function = getattr(lib, _name)
    _function.argtypes = list(_arguments)
    if _name in _RESTYPES:
        _function.restype = _RESTYPES[_name]
    elif _name.endswith("_free"):
        _function.restype = None
    else:
        _function.restype = c_int


_callback_failure = threading.local()


def remember_callback_failure(exception):
    """Keeps what a callback of this thread raised (the first, until the call returns) for check()."""
    if getattr(_callback_failure, "exception", None) is None:
        _callback_failure.exception = exception


def check(status):
    """Raises the exception of a failed call's status (with the thread's last error message).
    What a Python callback raised during the call is its cause; a KeyboardInterrupt or
    SystemExit a callback raised is raised again as it was, now that the library has rolled back."""
    if status != 0:
        cause, _callback_failure.exception = getattr(_callback_failure, "exception", None), None
        if cause is not None and not isinstance(cause, Exception):
            raise cause
        raise errors.for_status(status, lib.cliquet_last_error_message().decode("utf-8", "replace")) from cause


def take(buffer):
    """The bytes of a filled buffer, copied out; the buffer is freed (and wiped) either way."""
    try:
        return ctypes.string_at(buffer.data, buffer.len) if buffer.len else b""
    finally:
        lib.cliquet_buffer_free(byref(buffer))


def call_bytes(function, *arguments):
    """Calls `function(*arguments, &buffer)` and returns the buffer's bytes."""
    buffer = Buffer()
    try:
        check(function(*arguments, byref(buffer)))
    except BaseException:
        lib.cliquet_buffer_free(byref(buffer))
        raise
    return take(buffer)


def call_handle(function, *arguments):
    """Calls `function(*arguments, &handle)` and returns the new handle (an int)."""
    handle = c_void_p()
    check(function(*arguments, byref(handle)))
    return handle.value


def call_out(function, ctype, *arguments):
    """Calls `function(*arguments, &value)` and returns the value."""
    value = ctype()
    check(function(*arguments, byref(value)))
    return value.value


def data(value, what="bytes"):
    """Input bytes as the C API takes them: (pointer, length). None is (NULL, 0)."""
    if type(value) is bytes:  # the common case, first
        return value, len(value)
    if value is None:
        return None, 0
    if isinstance(value, (str, int)):  # bytes(5) would be five zero bytes
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
    value = bytes(value)
    return value, len(value)


def text(value, what="name"):
    """Input text as NUL-terminated UTF-8; None stays NULL (for optional text)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise errors.InvalidArgumentError(f"{what} holds a NUL character")
    return value.encode("utf-8")
