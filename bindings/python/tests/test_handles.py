"""Handles' lives (close twice, use after close, with, finalizers), statuses, and the prototypes."""

import ctypes
import gc
import os
import re

import pytest

import cliquet
from cliquet import _native, errors
from conftest import BOB, Device

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "include", "cliquet.h")


def test_close_twice_and_use_after_close():
    identity = cliquet.Identity.generate()
    identity.close()
    identity.close()
    assert identity.closed
    with pytest.raises(cliquet.ClosedError):
        identity.public_key
    with pytest.raises(cliquet.ClosedError):
        cliquet.Store.memory(identity)
    with pytest.raises(cliquet.ClosedError):
        with identity:
            pass
    assert "closed" in repr(identity)


def test_every_handle_closes(alice, bob, service):
    handles = [cliquet.Identity.generate(), bob.store.pre_key_manager(), bob.upload, bob.bundle(), bob.cipher(alice),
               cliquet.Fingerprint(b"a" * 16, alice.identity.public_key, b"b" * 16, bob.identity.public_key)]
    for handle in handles:
        with handle as entered:
            assert entered is handle and not handle.closed
        assert handle.closed
        handle.close()


def test_a_store_closes_what_was_made_over_it(alice):
    bob = Device(BOB)
    cipher, keys = bob.cipher(alice), bob.keys
    with bob.store:
        pass
    assert cipher.closed and keys.closed
    for use in (lambda: cipher.encrypt(b"x"), lambda: keys.unused_counts, lambda: bob.store.session_version(BOB, 1)):
        with pytest.raises(cliquet.ClosedError):
            use()
    cipher.close()
    bob.close()


def test_finalizers_free_what_was_forgotten(alice):
    bob = Device(BOB)
    finalizer = bob.store._finalizer
    cipher = bob.cipher(alice)
    del bob, cipher
    gc.collect()
    assert not finalizer.alive


def test_closing_a_cipher_leaves_its_store_open(alice, bob):
    with bob.cipher(alice):
        pass
    assert not bob.store.closed
    assert bob.store.session_version(BOB, 1) == 0


def test_every_status_has_its_exception():
    for status in cliquet.Status:
        if status == cliquet.Status.OK:
            continue
        error = errors.for_status(status, "why")
        assert isinstance(error, cliquet.Error) and error.status == status and str(error) == "why"
        assert _native.lib.cliquet_status_name(int(status)).decode() == status.name.lower()
    assert type(errors.for_status(99)) is cliquet.InternalError
    assert len({type(errors.for_status(s)) for s in cliquet.Status if s}) == len(cliquet.Status) - 1
    assert issubclass(cliquet.NoMemoryError, MemoryError)
    assert issubclass(cliquet.InvalidArgumentError, ValueError)


def test_the_last_error_message_reaches_the_exception():
    with pytest.raises(cliquet.InvalidKeyError) as refused:
        cliquet.Identity.deserialize(b"junk", 1)
    assert str(refused.value)


ENUMS = {"cliquet_status", "cliquet_record_kind", "cliquet_message_type", "cliquet_pq_ratchet_policy",
         "cliquet_content_hint", "cliquet_identity_change", "cliquet_retry_action"}
SCALARS = {"uint32_t": _native.U32, "uint64_t": _native.U64, "size_t": _native.SIZE}


def ctype_of(declaration):
    """The ctypes type a parameter of include/cliquet.h must be declared with."""
    declaration = re.sub(r"\s*\b\w+$", "", declaration.strip())  # drop the parameter's name
    base, stars = declaration.replace("const ", "").replace("*", "").strip(), declaration.count("*")
    if stars == 0:
        return _native.ENUM if base in ENUMS else SCALARS[base]
    if stars == 2:
        return _native.OUT_H
    if base in ("uint8_t", "char"):
        return _native.BYTES
    if base == "cliquet_buffer":
        return _native.BUF
    if base == "cliquet_address":
        return ctypes.POINTER(_native.Address)
    if base in ENUMS or base == "int":
        return _native.OUT_INT
    if base in SCALARS:
        return {"uint32_t": _native.OUT_U32, "uint64_t": _native.OUT_U64, "size_t": _native.OUT_SIZE}[base]
    return ctypes.c_void_p  # an opaque handle, the callback table, a key list


def test_prototypes_match_the_header():
    """Every function of include/cliquet.h is declared to ctypes, each parameter and result with its type."""
    if not os.path.exists(HEADER):
        pytest.skip("include/cliquet.h is not beside the package (an installed copy)")
    with open(HEADER) as header:
        source = re.sub(r"/\*.*?\*/", "", header.read(), flags=re.S)
    declared = {}
    pattern = r"CLIQUET_C_API\s+([\w\s*]+?)\s*\b(cliquet_\w+)\s*\(([^)]*)\)"
    for result, name, parameters in re.findall(pattern, source):
        parameters = [] if parameters.strip() in ("", "void") else parameters.split(",")
        declared[name] = (result.strip(), [ctype_of(parameter) for parameter in parameters])
    assert len(declared) > 90
    assert sorted(_native.PROTOTYPES) == sorted(declared)
    for name, (result, parameters) in declared.items():
        function = getattr(_native.lib, name)
        assert function.argtypes == parameters, name
        expected = {"void": None, "const char*": ctypes.c_char_p, "cliquet_status": ctypes.c_int}[result]
        assert function.restype == expected, name


def test_versions():
    assert cliquet.library_version() == cliquet.__version__
