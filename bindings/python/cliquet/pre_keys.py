"""Pre-keys: the bundles a server hands out, and a device's pre-key manager."""

from ctypes import byref, c_int, c_size_t, c_uint32
from typing import NamedTuple, Optional

from ._handle import Handle
from ._native import Buffer, call_handle, call_out, check, data, lib, take


class PublishedKey(NamedTuple):
    """One public pre-key as uploaded: its id, its key, and (for signed and Kyber keys) its signature."""

    id: int
    key: bytes
    signature: Optional[bytes] = None


class PreKeyBundle(Handle):
    """A device's public pre-keys as a server serves them. With a Kyber pre-key a session
    is PQXDH (version 4); without, X3DH (version 3). Immutable."""

    _kind = "pre-key bundle"

    def __init__(self, pointer):
        super().__init__(pointer, lib.cliquet_pre_key_bundle_free)

    @classmethod
    def from_parts(cls, registration_id, device_id, identity_key, signed_pre_key, pre_key=None, kyber_pre_key=None):
        """A bundle from its parts: `signed_pre_key` and `kyber_pre_key` are PublishedKeys
        (id, key, signature), `pre_key` a PublishedKey without signature; the last two optional."""
        pre_key_id, pre_key_bytes = (pre_key.id, pre_key.key) if pre_key is not None else (0, None)
        kyber_id, kyber_key, kyber_signature = kyber_pre_key if kyber_pre_key is not None else (0, None, None)
        return cls(call_handle(
            lib.cliquet_pre_key_bundle_new, registration_id, device_id, *data(identity_key), signed_pre_key.id,
            *data(signed_pre_key.key), *data(signed_pre_key.signature), pre_key_id, *data(pre_key_bytes), kyber_id,
            *data(kyber_key), *data(kyber_signature)))


def _published(function, handle, *index, signed=True):
    """One key of an upload through `function`: (present, id, key, signature) or (id, key[, signature])."""
    key_id, key, signature, present = c_uint32(), Buffer(), Buffer(), c_int(1)
    outputs = [byref(key_id), byref(key)] + ([byref(signature)] if signed else [])
    if not index:
        outputs.insert(0, byref(present))
    try:
        check(function(handle, *index, *outputs))
    except BaseException:
        lib.cliquet_buffer_free(byref(key))
        lib.cliquet_buffer_free(byref(signature))
        raise
    key_bytes, signature_bytes = take(key), take(signature)
    if not present.value:
        return None
    return PublishedKey(key_id.value, key_bytes, signature_bytes if signed else None)


class PreKeyUpload(Handle):
    """The public keys a device uploads to its server, as its PreKeyManager made them. Immutable."""

    _kind = "pre-key upload"

    def __init__(self, pointer):
        super().__init__(pointer, lib.cliquet_pre_key_upload_free)

    @property
    def is_empty(self):
        return bool(call_out(lib.cliquet_pre_key_upload_is_empty, c_int, self._handle))

    @property
    def signed_pre_key(self):
        """The signed pre-key (a PublishedKey), or None."""
        return _published(lib.cliquet_pre_key_upload_signed_pre_key, self._handle)

    @property
    def last_resort_kyber_pre_key(self):
        """The last-resort Kyber pre-key (a PublishedKey), or None."""
        return _published(lib.cliquet_pre_key_upload_last_resort_kyber_pre_key, self._handle)

    @property
    def one_time_pre_keys(self):
        """The one-time EC pre-keys: a list of PublishedKeys without signatures."""
        count = call_out(lib.cliquet_pre_key_upload_one_time_pre_key_count, c_size_t, self._handle)
        return [_published(lib.cliquet_pre_key_upload_one_time_pre_key, self._handle, i, signed=False)
                for i in range(count)]

    @property
    def one_time_kyber_pre_keys(self):
        """The one-time Kyber pre-keys: a list of PublishedKeys."""
        count = call_out(lib.cliquet_pre_key_upload_one_time_kyber_pre_key_count, c_size_t, self._handle)
        return [_published(lib.cliquet_pre_key_upload_one_time_kyber_pre_key, self._handle, i)
                for i in range(count)]

    def bundle(self, registration_id, device_id, identity_key):
        """The bundle a server would serve from this upload: the signed pre-key, the first
        one-time EC pre-key, and the first one-time Kyber pre-key or else the last-resort one."""
        return PreKeyBundle(call_handle(lib.cliquet_pre_key_upload_bundle, self._handle, registration_id, device_id,
                                        *data(identity_key)))


class PreKeyManager(Handle):
    """Runs a device's pre-keys through their life over its store (made by Store.pre_key_manager())."""

    _kind = "pre-key manager"

    def __init__(self, store, batch_size=0, replenish_below=0):
        pointer = call_handle(lib.cliquet_pre_key_manager_new, store._handle, batch_size, replenish_below)
        super().__init__(pointer, lib.cliquet_pre_key_manager_free, owner=store)

    def _upload(self, function, *arguments):
        return PreKeyUpload(call_handle(function, self._handle, *arguments))

    def run_schedule(self):
        """Replenishes, rotates and deletes what is due; returns what is new (to upload)."""
        return self._upload(lib.cliquet_pre_key_manager_run_schedule)

    def upload_set(self):
        """Everything published now, for a first or a full upload."""
        return self._upload(lib.cliquet_pre_key_manager_upload_set)

    def generate_one_time_pre_keys(self, count):
        return self._upload(lib.cliquet_pre_key_manager_generate_one_time_pre_keys, count)

    def generate_one_time_kyber_pre_keys(self, count):
        return self._upload(lib.cliquet_pre_key_manager_generate_one_time_kyber_pre_keys, count)

    def rotate_signed_pre_key(self):
        return self._upload(lib.cliquet_pre_key_manager_rotate_signed_pre_key)

    def rotate_last_resort_kyber_pre_key(self):
        return self._upload(lib.cliquet_pre_key_manager_rotate_last_resort_kyber_pre_key)

    @property
    def unused_counts(self):
        """(one-time EC pre-keys, one-time Kyber pre-keys) still unused in the store."""
        ec, kyber = c_size_t(), c_size_t()
        check(lib.cliquet_pre_key_manager_unused_counts(self._handle, byref(ec), byref(kyber)))
        return ec.value, kyber.value
