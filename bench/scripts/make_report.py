#!/usr/bin/env python3
"""Turns one cliquet-bench JSON run into the markdown tables of bench/README.md.

    cliquet-bench --benchmark_format=json --benchmark_out=run.json
    bench/scripts/make_report.py run.json > table.md

Every figure is the benchmark's CPU time per iteration (Google Benchmark's
cpu_time): on a shared machine the wall-clock time also counts the time other
processes hold the core, while CPU time is the work this process did. All
ratios come from the one file, so from one run.
"""
import json
import sys

# The floor of one steady-state message: the primitive operations it needs.
FLOOR_PARTS = ["BM_Floor_ChainKeyStep", "BM_Floor_MessageKeyHkdf", "BM_Floor_AesCbc/{n}", "BM_Floor_Mac/{n}"]
# A received ratchet step's X25519 work: one key generation, two agreements.
RATCHET_FLOOR = {"BM_Floor_X25519Keygen": 1, "BM_Floor_X25519Agreement": 2}

# (operation, cliquet benchmark, libolm benchmark, floor, target speed-up, target ratio to floor)
ROWS = [
    ("Encrypt 100 B (steady state)", "BM_SessionEncrypt/100", "BM_Olm_Encrypt/100", ("message", 100), 8, 1.25),
    ("Decrypt 100 B (steady state)", "BM_SessionDecrypt/100", "BM_Olm_Decrypt/100", ("message", 100), 8, 1.25),
    ("Encrypt 1 KiB (steady state)", "BM_SessionEncrypt/1024", "BM_Olm_Encrypt/1024", ("message", 1024), None, None),
    ("Decrypt 1 KiB (steady state)", "BM_SessionDecrypt/1024", "BM_Olm_Decrypt/1024", ("message", 1024), None, None),
    ("Ratchet round trip, per message", "BM_RatchetRoundTrip", "BM_Olm_RatchetRoundTrip", ("ratchet", None), 6, 1.15),
    ("X3DH initiate", "BM_X3dhInitiate", None, None, None, None),
    ("PQXDH initiate", "BM_PqxdhInitiate", None, None, None, None),
    ("PQXDH respond (first message)", "BM_PqxdhRespond", None, None, None, None),
]


def load(path):
    with open(path) as f:
        run = json.load(f)
    times = {}
    counters = {}
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    for b in run["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        times[b["name"]] = b["cpu_time"] * scale[b["time_unit"]]
        if "record_bytes" in b:
            counters[b["name"]] = b["record_bytes"]
    return run["context"], times, counters


def floor_of(kind, n, times):
    if kind == "message":
        names = [part.format(n=n) for part in FLOOR_PARTS]
        return sum(times[name] for name in names) if all(name in times for name in names) else None
    if all(name in times for name in RATCHET_FLOOR):
        return sum(times[name] * count for name, count in RATCHET_FLOOR.items())
    return None


def us(value):
    if value is None:
        return "—"
    return f"{value:.2f} µs" if value < 100 else f"{value:.0f} µs"


def verdict(value, target, at_least):
    if value is None or target is None:
        return ""
    ok = value >= target if at_least else value <= target
    return f" ({'meets' if ok else 'misses'} {'≥' if at_least else '≤'} {target}×)"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    context, times, counters = load(sys.argv[1])
    print(f"Run of {context.get('date', '?')} on {context.get('host_name', '?')}, "
          f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
          f"load average {', '.join(f'{x:.1f}' for x in context.get('load_avg', []))}; CPU time per operation.\n")
    print("| operation | cliquet | libolm 3.2 | libolm / cliquet | floor | cliquet / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, ours, olm, floor, speedup_target, floor_target in ROWS:
        mine = times.get(ours)
        theirs = times.get(olm) if olm else None
        bottom = floor_of(floor[0], floor[1], times) if floor else None
        speedup = theirs / mine if mine and theirs else None
        to_floor = mine / bottom if mine and bottom else None
        print(f"| {label} | {us(mine)} | {us(theirs)} | "
              f"{f'{speedup:.1f}×' if speedup else '—'}{verdict(speedup, speedup_target, True)} | {us(bottom)} | "
              f"{f'{to_floor:.2f}×' if to_floor else '—'}{verdict(to_floor, floor_target, False)} |")

    print("\nThe floor, part by part (the message floor is the sum of the first four for its size):\n")
    print("| primitive | 100 B | 1 KiB |")
    print("|---|---:|---:|")
    for part in FLOOR_PARTS:
        name = part.split("/")[0]
        cells = [us(times.get(part.format(n=n))) for n in (100, 1024)]
        print(f"| {name} | {cells[0]} | {cells[1]} |")
    for name in RATCHET_FLOOR:
        print(f"| {name} | {us(times.get(name))} | |")

    if counters:
        print("\nSerialized session record sizes:\n")
        print("| record | bytes | serialize() |")
        print("|---|---:|---:|")
        for name, size in sorted(counters.items()):
            print(f"| {name.removeprefix('BM_SessionRecord_')} | {size:,.0f} | {us(times.get(name))} |")

    others = sorted(name for name in times
                    if any(name.startswith(p) for p in ("BM_Seal", "BM_Unseal", "BM_Group")))
    if others:
        print("\nOther protocol operations in the same run:\n")
        print("| benchmark | cliquet |")
        print("|---|---:|")
        for name in others:
            print(f"| {name} | {us(times[name])} |")


if __name__ == "__main__":
    main()
