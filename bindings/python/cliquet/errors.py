"""cliquet's exceptions: one class per `cliquet_status`, all under `cliquet.Error`."""

import enum


class Status(enum.IntEnum):
    """`cliquet_status`: what a call of the C API did."""

    OK = 0
    INVALID_KEY = 1
    INVALID_SIGNATURE = 2
    INVALID_MESSAGE = 3
    DUPLICATE_MESSAGE = 4
    UNTRUSTED_IDENTITY = 5
    NO_SESSION = 6
    INVALID_CERTIFICATE = 7
    INVALID_PRE_KEY = 8
    INVALID_ARGUMENT = 9
    STORAGE = 10
    UNSUPPORTED = 11
    NO_MEMORY = 12
    INTERNAL = 13


class Error(Exception):
    """A call the library refused; `status` says why, the message says it for people."""

    status = None


class InvalidKeyError(Error):
    """A key of the wrong type, length or form."""

    status = Status.INVALID_KEY


class InvalidSignatureError(Error):
    """A signature that does not verify."""

    status = Status.INVALID_SIGNATURE


class InvalidMessageError(Error):
    """A message that is malformed, fails its MAC, or has the wrong version."""

    status = Status.INVALID_MESSAGE


class DuplicateMessageError(Error):
    """A message already decrypted."""

    status = Status.DUPLICATE_MESSAGE


class UntrustedIdentityError(Error):
    """A known address presented another identity key (its safety number changed)."""

    status = Status.UNTRUSTED_IDENTITY


class NoSessionError(Error):
    """No session (or no usable one) with that address, or no sender key."""

    status = Status.NO_SESSION


class InvalidCertificateError(Error):
    """A sender certificate that does not validate (signature, trust root, expiry, revoked key)."""

    status = Status.INVALID_CERTIFICATE


class InvalidPreKeyError(Error):
    """A pre-key this device does not hold (unknown, or already used)."""

    status = Status.INVALID_PRE_KEY


class InvalidArgumentError(Error, ValueError):
    """An argument the call cannot accept."""

    status = Status.INVALID_ARGUMENT


class StorageError(Error):
    """The store failed, or holds what it should not."""

    status = Status.STORAGE


class UnsupportedError(Error):
    """A known feature or version this build or policy does not offer."""

    status = Status.UNSUPPORTED


class NoMemoryError(Error, MemoryError):
    """An allocation failed."""

    status = Status.NO_MEMORY


class InternalError(Error):
    """A failure the library did not expect: a bug, please report it."""

    status = Status.INTERNAL


class ClosedError(Error, ValueError):
    """A handle used after `close()` (no status: the call never reached the library)."""


_BY_STATUS = {cls.status: cls for cls in Error.__subclasses__() if cls.status is not None}


def for_status(status, message=""):
    """The exception for a failed call's status (an unknown status is an InternalError)."""
    try:
        cls = _BY_STATUS[Status(status)]
    except (ValueError, KeyError):
        return InternalError(f"unknown status {status}: {message}")
    return cls(message)
