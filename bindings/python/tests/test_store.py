"""Stores: SQLite across a restart, and an application's own store given as Python callbacks."""

import copy
import os
import threading

import pytest

import cliquet
from conftest import ALICE, BOB, CAROL, Device, establish

STORAGE_KEY = bytes(range(32))


def test_sqlite_across_a_restart(tmp_path, alice):
    path = tmp_path / "bob.db"
    identity = cliquet.Identity.generate()
    bob = Device(BOB, store=cliquet.Store.create_sqlite(path, BOB, 1, identity, STORAGE_KEY), identity=identity)
    to_bob, to_alice = establish(alice, bob)
    assert to_alice.decrypt(to_bob.encrypt(b"before")) == b"before"
    in_flight = to_bob.encrypt(b"sent while Bob was down")
    bob.store.close()
    assert to_alice.closed and bob.keys.closed  # closed with their store
    with pytest.raises(cliquet.ClosedError):
        to_alice.decrypt(in_flight)

    with pytest.raises(cliquet.StorageError):
        cliquet.Store.open_sqlite(path, bytes(32))  # the wrong storage key
    with pytest.raises(cliquet.StorageError):
        cliquet.Store.open_sqlite(path)  # no storage key
    with cliquet.Store.open_sqlite(path, STORAGE_KEY) as reopened:
        with reopened.local_identity as local:
            assert local.public_key == identity.public_key
        assert reopened.get_identity(ALICE, 1) == alice.identity.public_key
        assert reopened.session_version(ALICE, 1) == 4
        with reopened.session_cipher(BOB, 1, ALICE, 1) as at_bob:
            assert at_bob.decrypt(in_flight) == b"sent while Bob was down"
            assert to_bob.decrypt(at_bob.encrypt(b"after")) == b"after"
        with reopened.pre_key_manager(batch_size=2, replenish_below=1) as keys:
            assert keys.unused_counts == (1, 1)  # one of each used by Alice's session
    identity.close()


def test_sqlite_refusals(tmp_path):
    with cliquet.Identity.generate() as identity:
        path = tmp_path / "one.db"
        cliquet.Store.create_sqlite(path, BOB, 1, identity).close()
        with pytest.raises(cliquet.StorageError):  # never over an existing file
            cliquet.Store.create_sqlite(path, BOB, 1, identity)
        with cliquet.Store.open_sqlite(path):
            with pytest.raises(cliquet.StorageError):  # open elsewhere
                cliquet.Store.open_sqlite(path)
        with pytest.raises(cliquet.StorageError):
            cliquet.Store.open_sqlite(tmp_path / "missing" / "x.db")
        with pytest.raises(cliquet.InvalidArgumentError):
            cliquet.Store.create_sqlite(tmp_path / "two.db", BOB, 1, identity, b"short key")
        (tmp_path / "foreign.db").write_bytes(b"not a database" * 100)
        with pytest.raises(cliquet.StorageError):
            cliquet.Store.open_sqlite(os.fspath(tmp_path / "foreign.db"))


class DictRecords:
    """An application's store: a dict of dicts with transactions, failing on demand."""

    def __init__(self):
        self.tables = {}
        self.saved = None
        self.fail_with = None  # an exception to raise from every callback
        self.calls = 0

    def _maybe_fail(self):
        self.calls += 1
        if self.fail_with is not None:
            raise self.fail_with

    def get(self, kind, key):
        self._maybe_fail()
        return self.tables.get(kind, {}).get(key)

    def put(self, kind, key, value):
        self._maybe_fail()
        self.tables.setdefault(kind, {})[key] = value

    def remove(self, kind, key):
        self._maybe_fail()
        self.tables.get(kind, {}).pop(key, None)

    def keys(self, kind):
        self._maybe_fail()
        return list(self.tables.get(kind, {}))

    def begin(self):
        assert self.saved is None
        self.saved = copy.deepcopy(self.tables)

    def commit(self):
        self.saved = None

    def rollback(self):
        self.tables, self.saved = self.saved, None


def callback_device(name, records):
    identity = cliquet.Identity.generate()
    return Device(name, store=cliquet.Store.from_callbacks(records, identity), identity=identity)


def test_a_conversation_over_callbacks(alice):
    records = DictRecords()
    bob = callback_device(BOB, records)
    try:
        to_bob, to_alice = establish(alice, bob)
        assert records.tables[cliquet.RecordKind.SESSION]
        assert cliquet.RecordKind.PRE_KEY_METADATA in records.tables
        for n in range(5):
            assert to_alice.decrypt(to_bob.encrypt(bytes([n]))) == bytes([n])
    finally:
        bob.close()


@pytest.mark.parametrize("raised, expected", [
    (OSError("disk gone"), cliquet.StorageError),
    (MemoryError(), cliquet.NoMemoryError),
    (cliquet.InvalidKeyError("a key this app cannot hold"), cliquet.InvalidKeyError),
    (KeyboardInterrupt(), KeyboardInterrupt),  # raised again once the library has rolled back
    (cliquet.InternalError("a status of its own"), cliquet.StorageError),  # the C API reads it as storage
])
def test_failing_callbacks_fail_the_call_and_roll_back(alice, raised, expected):
    records = DictRecords()
    bob = callback_device(BOB, records)
    try:
        alice.store.process_pre_key_bundle(BOB, 1, bob.bundle())
        message = alice.cipher(bob).encrypt(b"first")
        before = copy.deepcopy(records.tables)
        records.fail_with = raised
        with pytest.raises(expected) as failed:
            bob.cipher(alice).decrypt(message)
        assert failed.value is raised or failed.value.__cause__ is raised
        records.fail_with = None
        assert records.tables == before  # rolled back: nothing changed
        assert bob.cipher(alice).decrypt(message) == b"first"
    finally:
        bob.close()


def test_half_a_transaction_is_refused():
    class NoCommit(DictRecords):
        commit = None

    with cliquet.Identity.generate() as identity:
        with pytest.raises(cliquet.InvalidArgumentError):
            cliquet.Store.from_callbacks(NoCommit(), identity)


def test_one_sqlite_store_two_threads(tmp_path, alice, carol):
    """A SQLite store may be shared by threads: each runs its own conversation (and fails on its own)."""
    identity = cliquet.Identity.generate()
    bob = Device(BOB, store=cliquet.Store.create_sqlite(tmp_path / "bob.db", BOB, 1, identity), identity=identity)
    try:
        pairs = [establish(alice, bob)]
        bob.upload = bob.keys.upload_set()  # what the server holds now: Alice's one-time keys are gone
        pairs.append(establish(carol, bob))
        outcomes = []

        def converse(to_bob, at_bob, name):
            try:
                for n in range(20):
                    text = f"{name} {n}".encode()
                    assert at_bob.decrypt(to_bob.encrypt(text)) == text
                    assert to_bob.decrypt(at_bob.encrypt(text)) == text
                with pytest.raises(cliquet.InvalidMessageError) as refused:
                    at_bob.decrypt(b"\x33" + bytes(60), cliquet.MessageType.WHISPER)
                outcomes.append(bool(str(refused.value)))
            except BaseException as failure:  # reported by the main thread
                outcomes.append(failure)

        threads = [threading.Thread(target=converse, args=(*pair, name)) for pair, name in zip(pairs, "ac")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == [True, True]
        assert bob.store.session_version(ALICE, 1) == bob.store.session_version(CAROL, 1) == 4
    finally:
        bob.close()
