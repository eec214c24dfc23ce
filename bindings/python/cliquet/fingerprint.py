"""Safety numbers."""

from ctypes import c_int

from ._handle import Handle
from ._native import call_bytes, call_handle, call_out, data, lib


class Fingerprint(Handle):
    """The safety number of two identities, as 60 digits and as a QR code's bytes. Immutable."""

    _kind = "fingerprint"

    def __init__(self, local_id, local_key, remote_id, remote_key, version=2, iterations=5200):
        """`version` 2 takes ACIs (16 UUID bytes) as ids, 1 phone numbers; keys are 33 bytes."""
        pointer = call_handle(lib.cliquet_fingerprint_new, version, iterations, *data(local_id), *data(local_key),
                              *data(remote_id), *data(remote_key))
        super().__init__(pointer, lib.cliquet_fingerprint_free)

    @property
    def displayable(self):
        """The 60 digits both devices show."""
        return call_bytes(lib.cliquet_fingerprint_displayable, self._handle).decode("ascii")

    @property
    def scannable(self):
        """The bytes to show as a QR code."""
        return call_bytes(lib.cliquet_fingerprint_scannable, self._handle)

    def matches(self, their_code):
        """Whether the code scanned from the other device shows the same identities
        (InvalidMessageError for malformed bytes or another version's code)."""
        return bool(call_out(lib.cliquet_fingerprint_compare, c_int, self._handle, *data(their_code)))
