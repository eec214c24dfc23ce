#!/usr/bin/env python3
"""Plots per-message cost against message size, cliquet against libolm, from
one cliquet-bench JSON run (needs matplotlib: Debian's python3-matplotlib).

    bench/scripts/plot.py run.json bench/message_size.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)
from matplotlib import ticker  # noqa: E402

SERIES = [
    ("BM_SessionEncrypt", "cliquet encrypt", "tab:blue", "-"),
    ("BM_SessionDecrypt", "cliquet decrypt", "tab:blue", "--"),
    ("BM_Olm_Encrypt", "libolm 3.2 encrypt", "tab:red", "-"),
    ("BM_Olm_Decrypt", "libolm 3.2 decrypt", "tab:red", "--"),
]
SCALE = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        run = json.load(f)
    points = {}
    for b in run["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        family, _, size = b["name"].partition("/")
        if size.isdigit():
            points.setdefault(family, []).append((int(size), b["cpu_time"] * SCALE[b["time_unit"]]))

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    for family, label, colour, style in SERIES:
        if family not in points:
            continue
        sizes, costs = zip(*sorted(points[family]))
        ax.plot(sizes, costs, style, marker="o", color=colour, label=label)
    ax.set_xscale("log", base=2)
    sizes = sorted({size for family, *_ in SERIES for size, _ in points.get(family, [])})
    ax.xaxis.set_major_locator(ticker.FixedLocator(sizes))
    ax.xaxis.set_major_formatter(
        ticker.FixedFormatter([f"{s // 1024} KiB" if s >= 1024 and s % 1024 == 0 else f"{s} B" for s in sizes]))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.set_yscale("log")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("CPU time per message (µs)")
    ax.set_title("Per-message cost, steady state, one run of cliquet-bench")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(sys.argv[2])


if __name__ == "__main__":
    main()
