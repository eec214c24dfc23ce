#!/usr/bin/env python3
"""Times a steady-state encrypt+decrypt round trip of a 100-byte message from Python.

The scenario of cliquet-bench's BM_SessionEncrypt/100 and BM_SessionDecrypt/100 (an X3DH
session after the peer's reply, in-memory stores, one sender chain: Alice encrypts, Bob
decrypts), and with --v4 that of their V4Spqr variants (PQXDH with SPQR). Each repetition
times --iterations round trips in CPU time (time.process_time_ns, as Google Benchmark's
cpu_time); the median over repetitions is reported, with the spread.

    CLIQUET_LIBRARY=build/release/libcliquet.so.0 python3 bindings/python/bench.py [--v4] [--json]
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cliquet  # noqa: E402

ALICE = "9d0652a3-dcc3-4d11-975f-74d61598733f"
BOB = "796abedb-ca4e-4f18-8803-1fde5b921f9f"


def conversation(v4):
    """Alice's cipher to Bob and Bob's to Alice, each having sent and received once."""
    alice_identity, bob_identity = cliquet.Identity.generate(), cliquet.Identity.generate()
    alice, bob = cliquet.Store.memory(alice_identity), cliquet.Store.memory(bob_identity)
    policy = cliquet.PqRatchetPolicy.REQUIRE if v4 else cliquet.PqRatchetPolicy.OFFER
    with bob.pre_key_manager(1, 1) as keys, keys.run_schedule() as upload:
        kyber = upload.one_time_kyber_pre_keys[0] if v4 else None
        bundle = cliquet.PreKeyBundle.from_parts(bob_identity.registration_id, 1, bob_identity.public_key,
                                                 upload.signed_pre_key, upload.one_time_pre_keys[0], kyber)
    with bundle:
        alice.process_pre_key_bundle(BOB, 1, bundle, policy)
    to_bob, to_alice = alice.session_cipher(ALICE, 1, BOB, 1, policy), bob.session_cipher(BOB, 1, ALICE, 1, policy)
    to_alice.decrypt(to_bob.encrypt(b"\x42" * 16))
    to_bob.decrypt(to_alice.encrypt(b"\x42" * 16))
    assert alice.session_version(BOB, 1) == (4 if v4 else 3)
    return (alice, bob, alice_identity, bob_identity), to_bob, to_alice


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--v4", action="store_true", help="a PQXDH session running SPQR")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=2000, help="round trips per repetition")
    parser.add_argument("--repetitions", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()

    owners, to_bob, to_alice = conversation(options.v4)
    plaintext = b"\x42" * options.size
    encrypt, decrypt = to_bob.encrypt, to_alice.decrypt
    for _ in range(options.iterations // 10):  # warm up
        decrypt(encrypt(plaintext))
    per_round_trip_ns = []
    for _ in range(options.repetitions):
        start = time.process_time_ns()
        for _ in range(options.iterations):
            decrypt(encrypt(plaintext))
        per_round_trip_ns.append((time.process_time_ns() - start) / options.iterations)
    assert decrypt(encrypt(plaintext)) == plaintext

    median = statistics.median(per_round_trip_ns)
    figures = {
        "name": f"python_round_trip{'_v4_spqr' if options.v4 else ''}/{options.size}",
        "median_cpu_ns": round(median),
        "stdev_cpu_ns": round(statistics.stdev(per_round_trip_ns)) if options.repetitions > 1 else 0,
        "repetitions": options.repetitions,
        "iterations": options.iterations,
        "python": sys.version.split()[0],
    }
    if options.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['name']}: {median / 1000:.2f} µs per encrypt+decrypt (median CPU time of "
              f"{options.repetitions} x {options.iterations}; stdev {figures['stdev_cpu_ns']} ns)")
    to_bob.close()
    to_alice.close()
    for owner in owners:
        owner.close()


if __name__ == "__main__":
    main()
