#!/usr/bin/env python3
"""Analysis of tests/bench/downtime.sh (issue 20): downtime, patched vs unpatched.

  downtime.py OUT KERNEL_DIR...

KERNEL_DIR is one rig boot's output directory (files/downtime/samples.tsv, trace/). Writes
OUT/downtime.md (the table and the breakdown), OUT/downtime.csv (one row per sample) and
OUT/breakdown.csv. For every kernel and N: the median downtime of each configuration, and
the ratio of each patched configuration's median to the unpatched one's with a 95 %
percentile-bootstrap interval (each group resampled on its own, 10000 times, fixed seed).
Only samples that ran to their end count (migration completed, guest heartbeats on the
destination, ID registers unchanged); the others are listed.

The breakdown reads QEMU's downtime trace of every sample: the intervals between the
vmstate_downtime_checkpoint events on each side, the per-section save and load times
(vmstate_downtime_save/load, in microseconds) summed by section name (all "cpu" instances
together), and the series' ID-register step (kvm_arm_idregs_{save,load}_{start,end}), each
marked "in downtime" or "before downtime" by where it ends on the clock both QEMUs share
(they run in one L1), as medians per configuration.
"""
import csv
import os
import random
import re
import statistics
import sys

COLS = ["kernel", "config", "n", "round", "pos", "rc", "downtime", "total", "setup",
        "hb", "regs", "l1load"]
BASE = "upstream"
B = 10000


def samples(kdir):
    path = os.path.join(kdir, "files", "downtime", "samples.tsv")
    rows = []
    with open(path) as f:
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) == len(COLS):
                rows.append(dict(zip(COLS, v)))
    return rows


def good(r):
    return r["rc"] == "0" and r["hb"] == "yes" and r["regs"] == "yes" and r["downtime"]


def boot_ci(a, b, rng):
    """95 % percentile bootstrap interval of median(a) / median(b)"""
    ratios = []
    for _ in range(B):
        ma = statistics.median(rng.choices(a, k=len(a)))
        mb = statistics.median(rng.choices(b, k=len(b)))
        ratios.append(ma / mb if mb else float("inf"))
    ratios.sort()
    return ratios[int(0.025 * B)], ratios[int(0.975 * B) - 1]


# the log backend with -msg timestamp=on: "2026-12-05T09:20:01.839888Z event args"
TRACE = re.compile(r"^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d{6})Z (\w+) ?(.*)$")


def trace(path):
    """[(t_us, event, args)] of a QEMU log-backend trace with -msg timestamp=on"""
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = TRACE.match(line.strip("\0\n"))
                if m:
                    d, h, mi, sec, us = (int(m.group(i)) for i in (3, 4, 5, 6, 7))
                    out.append((((d * 24 + h) * 60 + mi) * 60 * 1000000 + sec * 1000000 + us,
                                m.group(8), m.group(9)))
    except OSError:
        pass
    return out


def breakdown(events, window):
    """{name: microseconds}: checkpoint intervals, per-section times and the series'
    ID-register step of one side. A section or step is "in downtime" when it ends inside
    WINDOW (the source's src-downtime-start to the destination's dst-precopy-bh-vm-started:
    both QEMUs run in the same L1, on one clock), else "before downtime"."""
    res = {}
    last = None
    idr = None
    lo, hi = window

    def when(t):
        return "in downtime" if lo is not None and hi is not None and lo <= t <= hi \
            else "before downtime"

    for t, ev, args in events:
        if ev == "vmstate_downtime_checkpoint":
            if last is not None:
                res[f"{last[1]} -> {args}"] = t - last[0]
            last = (t, args)
        elif ev in ("vmstate_downtime_save", "vmstate_downtime_load"):
            m = re.search(r"type=(\S+) idstr=(\S+) .*downtime=(-?\d+)", args)
            if m:
                key = f"{ev[-4:]} {m.group(1)} {m.group(2)} ({when(t)})"
                res[key] = res.get(key, 0) + int(m.group(3))
        elif re.match(r"kvm_arm_idregs_(save|load)_start$", ev):
            idr = t
        elif re.match(r"kvm_arm_idregs_(save|load)_end$", ev) and idr is not None:
            res[f"{ev[:-4]} step ({when(t)})"] = t - idr
            idr = None
    return res


def window(src, dst):
    """(start, end) of the downtime on the shared clock, or Nones"""
    lo = next((t for t, ev, a in src
               if ev == "vmstate_downtime_checkpoint" and a == "src-downtime-start"), None)
    hi = next((t for t, ev, a in dst
               if ev == "vmstate_downtime_checkpoint" and a == "dst-precopy-bh-vm-started"),
              None)
    return lo, hi


def main():
    out, kdirs = sys.argv[1], sys.argv[2:]
    rng = random.Random(20)
    allrows, lines, brows = [], [], []
    lines.append("| kernel | N | config | samples | median downtime ms | min-max ms | "
                 f"ratio to {BASE} (95 % CI) |")
    lines.append("|---|---|---|---|---|---|---|")
    failed = []
    for kd in kdirs:
        rows = samples(kd)
        allrows += rows
        failed += [r for r in rows if not good(r)]
        kernels = sorted({r["kernel"] for r in rows})
        for k in kernels:
            for n in sorted({int(r["n"]) for r in rows if r["kernel"] == k}):
                by = {}
                for r in rows:
                    if r["kernel"] == k and int(r["n"]) == n and good(r):
                        by.setdefault(r["config"], []).append(float(r["downtime"]))
                base = by.get(BASE)
                for c in sorted(by, key=lambda c: (c != BASE, c)):
                    v = by[c]
                    ci = ""
                    if base and c != BASE:
                        lo, hi = boot_ci(v, base, rng)
                        ci = (f"{statistics.median(v) / statistics.median(base):.2f} "
                              f"({lo:.2f}-{hi:.2f})")
                    lines.append(f"| {k} | {n} | {c} | {len(v)} | {statistics.median(v):.0f} | "
                                 f"{min(v):.0f}-{max(v):.0f} | {ci} |")
        # the breakdown, per configuration and N
        tdir = os.path.join(kd, "files", "downtime", "trace")
        acc = {}
        for r in rows:
            if not good(r):
                continue
            tag = os.path.join(tdir, f"{r['config']}-n{r['n']}-s{r['round']}")
            ev = {side: trace(f"{tag}.{side}") for side in ("src", "dst")}
            win = window(ev["src"], ev["dst"])
            if win[0] is not None and win[1] is not None:
                acc.setdefault((r["kernel"], int(r["n"]), r["config"], "both",
                                "downtime window on the trace clock"), []).append(win[1] - win[0])
            for side in ("src", "dst"):
                for key, us in breakdown(ev[side], win).items():
                    acc.setdefault((r["kernel"], int(r["n"]), r["config"], side, key),
                                   []).append(us)
        for (k, n, c, side, key), v in sorted(acc.items()):
            brows.append([k, n, c, side, key, len(v), statistics.median(v)])
    with open(os.path.join(out, "downtime.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLS)
        for r in allrows:
            w.writerow([r[c] for c in COLS])
    with open(os.path.join(out, "breakdown.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kernel", "n", "config", "side", "interval_or_section", "samples",
                    "median_us"])
        w.writerows(brows)
    md = ["# Downtime, unpatched QEMU vs the series", "",
          "Generated by bench/downtime.py from tests/bench/downtime.sh (see bench/README.md).",
          "", *lines, ""]
    if failed:
        md += ["Samples that did not run to their end (not counted):", ""]
        md += [f"- {r['kernel']} {r['config']} N={r['n']} round {r['round']}: rc={r['rc']} "
               f"heartbeat={r['hb']} registers={r['regs']}" for r in failed]
        md.append("")
    nmax = max((b[1] for b in brows), default=None)
    if nmax is not None:
        md += [f"## Breakdown at N = {nmax} (median microseconds per sample)", "",
               "| kernel | config | side | interval or section | samples | median us |",
               "|---|---|---|---|---|---|"]
        md += [f"| {b[0]} | {b[2]} | {b[3]} | {b[4]} | {b[5]} | {b[6]:.0f} |"
               for b in brows if b[1] == nmax]
        md.append("")
    with open(os.path.join(out, "downtime.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
