"""cliquet: the Signal protocol (PQXDH, the Double Ratchet with SPQR, sealed sender v1 and v2,
sender keys, safety numbers, retry requests) from Python, over cliquet's C API (libcliquet.so.0).

Bytes in, bytes out; every failure raises a subclass of cliquet.Error; every object that holds
a C handle has close() and works as a context manager. The library is looked for in
$CLIQUET_LIBRARY, then next to this package, then by the system's loader.
"""

from ._native import lib as _lib
from .errors import (ClosedError, DuplicateMessageError, Error, InternalError, InvalidArgumentError,
                     InvalidCertificateError, InvalidKeyError, InvalidMessageError, InvalidPreKeyError,
                     InvalidSignatureError, NoMemoryError, NoSessionError, Status, StorageError, UnsupportedError,
                     UntrustedIdentityError)
from .fingerprint import Fingerprint
from .groups import DISTRIBUTION_ID_SIZE
from .identity import PRIVATE_KEY_SIZE, PUBLIC_KEY_SIZE, Identity, KeyPair, generate_key_pair
from .pre_keys import PreKeyBundle, PreKeyManager, PreKeyUpload, PublishedKey
from .retry import RetryAction, RetryRequest, create_retry_request, parse_retry_request
from .sealed import (SERVICE_ID_SIZE, ContentHint, SealedMessage, SealedSenderFailure, SentMessage, SentRecipient,
                     sender_certificate, server_certificate, validate_sender_certificate)
from .session import CiphertextMessage, MessageType, PqRatchetPolicy, SessionCipher
from .store import IdentityChange, RecordKind, Store

__version__ = "0.1.0"


def library_version():
    """The C library's version (cliquet_version())."""
    return _lib.cliquet_version().decode()


__all__ = [name for name in dir() if not name.startswith("_")]
