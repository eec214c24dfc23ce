"""Stores: where a device keeps its keys, sessions, trust decisions and sender keys."""

import ctypes
import enum
import os
from ctypes import CFUNCTYPE, POINTER, Structure, byref, c_int, c_size_t, c_uint8, c_void_p

from . import errors
from ._handle import Handle
from ._native import Buffer, call_handle, call_out, check, data, lib, remember_callback_failure, take, text
from .groups import GroupStore
from .identity import Identity
from .pre_keys import PreKeyManager
from .retry import RetryStore
from .sealed import SealedSenderStore
from .session import PqRatchetPolicy, SessionCipher


class IdentityChange(enum.IntEnum):
    """What recording an identity key did."""

    NEW = 0
    UNCHANGED = 1
    REPLACED = 2  # the safety number changed


class RecordKind(enum.IntEnum):
    """The tables of a callback store (Store.from_callbacks())."""

    IDENTITY = 1
    PRE_KEY = 2
    SIGNED_PRE_KEY = 3
    KYBER_PRE_KEY = 4
    KYBER_PRE_KEY_USE = 5
    SESSION = 6
    SENDER_KEY = 7
    PRE_KEY_METADATA = 8


class Store(Handle, SealedSenderStore, GroupStore, RetryStore):
    """One device's store: in memory, SQLite, or the application's own (callbacks). Close
    it last: closing it closes the ciphers and pre-key managers made over it.

    A SQLite store may be shared by threads; the others belong to one thread at a time.
    The operations of one conversation must never overlap."""

    _kind = "store"

    def __init__(self, pointer, keep_alive=()):
        super().__init__(pointer, lib.cliquet_store_free, keep_alive=keep_alive)

    @classmethod
    def memory(cls, identity):
        """An empty in-memory store for the device with `identity` (copied)."""
        return cls(call_handle(lib.cliquet_store_new_memory, identity._handle))

    @classmethod
    def create_sqlite(cls, path, local_name, local_device_id, identity, storage_key=None):
        """Creates a SQLite database at `path` (never over a non-empty file). `storage_key`,
        32 bytes, seals every value at rest and is needed to open it again."""
        return cls(call_handle(lib.cliquet_store_create_sqlite, os.fsencode(path), text(local_name),
                               local_device_id, identity._handle, *data(storage_key, "storage key")))

    @classmethod
    def open_sqlite(cls, path, storage_key=None):
        """Opens the SQLite database at `path` (StorageError if missing, damaged, foreign,
        open elsewhere, or the storage key is wrong)."""
        return cls(call_handle(lib.cliquet_store_open_sqlite, os.fsencode(path), *data(storage_key, "storage key")))

    @classmethod
    def from_callbacks(cls, records, identity):
        """A store over the application's own storage, `records`: an object with
        get(kind, key) -> bytes or None, put(kind, key, value), remove(kind, key) and
        keys(kind) -> iterable of bytes (kind a RecordKind), and optionally all three of
        begin(), commit(), rollback(). An exception a method raises fails the library call:
        a cliquet.Error as its status, MemoryError as NoMemoryError, any other as StorageError,
        with the callback's exception as its __cause__. A KeyboardInterrupt or SystemExit is
        raised again as it was once the library has rolled back."""
        callbacks = _Callbacks(records)
        pointer = call_handle(lib.cliquet_store_new_callbacks, byref(callbacks.table), identity._handle)
        return cls(pointer, keep_alive=(callbacks,))

    @property
    def local_identity(self):
        """A copy of the identity of the device the store belongs to."""
        return Identity(call_handle(lib.cliquet_store_local_identity, self._handle))

    def get_identity(self, name, device_id):
        """The identity key recorded for an address, or None."""
        key, found = Buffer(), c_int()
        try:
            check(lib.cliquet_store_get_identity(self._handle, text(name), device_id, byref(key), byref(found)))
        except BaseException:
            lib.cliquet_buffer_free(byref(key))
            raise
        key_bytes = take(key)
        return key_bytes if found.value else None

    def save_identity(self, name, device_id, key):
        """Records `key` for an address (once the user accepted a changed safety number): an IdentityChange."""
        return IdentityChange(call_out(lib.cliquet_store_save_identity, c_int, self._handle, text(name), device_id,
                                       *data(key, "key")))

    def pre_key_manager(self, batch_size=0, replenish_below=0):
        """A PreKeyManager over this store (0 and 0: batches of 100, replenished below 10)."""
        return PreKeyManager(self, batch_size, replenish_below)

    def process_pre_key_bundle(self, name, device_id, bundle, policy=PqRatchetPolicy.REQUIRE):
        """Starts an outgoing session with (name, device_id) from its PreKeyBundle."""
        check(lib.cliquet_process_pre_key_bundle(self._handle, text(name), device_id, bundle._handle, int(policy)))

    def session_cipher(self, local_name, local_device_id, remote_name, remote_device_id,
                       policy=PqRatchetPolicy.REQUIRE):
        """A SessionCipher from this device to the remote one."""
        return SessionCipher(self, local_name, local_device_id, remote_name, remote_device_id, policy)

    def session_version(self, name, device_id):
        """3 (X3DH) or 4 (PQXDH) for the current session with an address, 0 without one."""
        return call_out(lib.cliquet_session_version, c_int, self._handle, text(name), device_id)

    def archive_session(self, name, device_id):
        check(lib.cliquet_session_archive(self._handle, text(name), device_id))

    def delete_session(self, name, device_id):
        check(lib.cliquet_session_delete(self._handle, text(name), device_id))

    def delete_all_sessions(self, name):
        """Deletes the sessions with every device of account `name`; returns how many there were."""
        return call_out(lib.cliquet_session_delete_all, c_size_t, self._handle, text(name))


_KEY = POINTER(c_uint8)
_GET = CFUNCTYPE(c_int, c_void_p, c_int, _KEY, c_size_t, POINTER(Buffer), POINTER(c_int))
_PUT = CFUNCTYPE(c_int, c_void_p, c_int, _KEY, c_size_t, _KEY, c_size_t)
_REMOVE = CFUNCTYPE(c_int, c_void_p, c_int, _KEY, c_size_t)
_LIST = CFUNCTYPE(c_int, c_void_p, c_int, c_void_p)
_TRANSACTION = CFUNCTYPE(c_int, c_void_p)


class _CallbackTable(Structure):
    _fields_ = [("context", c_void_p), ("get", _GET), ("put", _PUT), ("remove", _REMOVE), ("list", _LIST),
                ("begin", _TRANSACTION), ("commit", _TRANSACTION), ("rollback", _TRANSACTION)]


def _status_of(exception):
    if isinstance(exception, errors.Error) and exception.status is not None:
        return int(exception.status)
    if isinstance(exception, MemoryError):
        return int(errors.Status.NO_MEMORY)
    return int(errors.Status.STORAGE)


def _guarded(method):
    """A callback that turns what `method` raises into a status (ctypes would otherwise
    print the exception and return 0, which the library reads as success), and keeps the
    exception as the cause of the error the library call then raises."""
    def callback(*arguments):
        try:
            method(*arguments)
            return 0
        except BaseException as exception:  # nothing may unwind through C
            remember_callback_failure(exception)
            return _status_of(exception)
    return callback


class _Callbacks:
    """The C callback table over a Python records object, and the ctypes thunks it points to."""

    def __init__(self, records):
        self.records = records
        transactions = [getattr(records, name, None) for name in ("begin", "commit", "rollback")]
        if any(transactions) and not all(transactions):
            raise errors.InvalidArgumentError("begin, commit and rollback are all given or all absent")
        self.table = _CallbackTable(
            None, _GET(_guarded(self._get)), _PUT(_guarded(self._put)), _REMOVE(_guarded(self._remove)),
            _LIST(_guarded(self._list)),
            *([_TRANSACTION(_guarded(lambda _context, f=f: f())) for f in transactions] if all(transactions)
              else [_TRANSACTION(), _TRANSACTION(), _TRANSACTION()]))

    def _get(self, _context, kind, key, key_len, value, found):
        stored = self.records.get(RecordKind(kind), ctypes.string_at(key, key_len))
        if stored is None:
            found[0] = 0
            return
        stored = bytes(stored)
        check(lib.cliquet_buffer_set(value, stored, len(stored)))
        found[0] = 1

    def _put(self, _context, kind, key, key_len, value, value_len):
        self.records.put(RecordKind(kind), ctypes.string_at(key, key_len), ctypes.string_at(value, value_len))

    def _remove(self, _context, kind, key, key_len):
        self.records.remove(RecordKind(kind), ctypes.string_at(key, key_len))

    def _list(self, _context, kind, keys):
        for key in list(self.records.keys(RecordKind(kind))):
            key = bytes(key)
            check(lib.cliquet_key_list_add(keys, key, len(key)))
