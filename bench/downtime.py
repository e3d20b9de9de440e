#!/usr/bin/env python3
"""Analysis of tests/bench/downtime.sh (issue 20): downtime, patched vs unpatched.

  downtime.py [--title T] OUT KERNEL_DIR...
  downtime.py --pool OUT DOWNTIME_CSV...     several runs' samples together (see pooled())

KERNEL_DIR is one rig boot's output directory (files/downtime/samples.tsv, trace/). Writes
OUT/downtime.md (the table and the breakdown), OUT/downtime.csv (one row per sample),
OUT/breakdown.csv and OUT/plot.png (with plot.gp, plot.dat). For every kernel and N: the
median downtime of each configuration with a 95 % interval, and the ratio of each patched
configuration's median to the unpatched one's with a 95 % percentile-bootstrap interval
(each group resampled on its own, 10000 times, fixed seed), and what that interval
resolves: "better" (it lies below 1), "worse" (above 1) or "not resolved" (it contains 1).
Only samples that ran to their end count (migration completed, guest heartbeats on the
destination, ID registers unchanged); the others are listed.

The breakdown reads QEMU's downtime trace of every sample: the intervals between the
vmstate_downtime_checkpoint events on each side, the per-section save and load times
(vmstate_downtime_save/load, in microseconds) summed by section name (all "cpu" instances
together), and the series' ID-register step (kvm_arm_idregs_{save,load}_{start,end}), each
marked "in downtime" or "before downtime" by where it ends on the clock both QEMUs share
(they run in one L1), as medians per configuration. Two rows are derived, because QEMU
traces no event around them: on the source, "vCPU register sync" is the interval
src-iterable-saved -> src-non-iterable-saved less the non-iterable section saves in it
(what is left is cpu_synchronize_all_states(), KVM_GET_ONE_REG of every register of every
vCPU); on the destination, "vCPU register push" runs from the last section load to
dst-precopy-loadvm-completed (cpu_synchronize_all_post_init(), KVM_SET_ONE_REG of them all).
One row spans both sides: "stream backlog" runs from the source's src-iterable-saved to the
end of the destination's last RAM section load, how far the destination was behind the
stream when the source stopped the VM.
"""
import argparse
import csv
import os
import random
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from analyze import COLOR, CONFIG_ORDER, QTRACE_RE, qts, run_gnuplot  # noqa: E402

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


def median_ci(a, rng):
    """95 % percentile bootstrap interval of median(a)"""
    meds = sorted(statistics.median(rng.choices(a, k=len(a))) for _ in range(B))
    return meds[int(0.025 * B)], meds[int(0.975 * B) - 1]


def verdict(lo, hi):
    return "better" if hi < 1 else "worse" if lo > 1 else "not resolved"


def trace(path):
    """[(t_us, event, args)] of a QEMU log-backend trace with -msg timestamp=on"""
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = QTRACE_RE.match(line.strip("\0\n"))
                if m:
                    out.append((round(qts(m.group(1)) * 1e6), m.group(2), m.group(3)))
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
    marks = {}  # checkpoint -> time
    saves = 0  # non-iterable section saves after src-iterable-saved, microseconds
    last_load = None  # end of the last section load

    def when(t):
        return "in downtime" if lo is not None and hi is not None and lo <= t <= hi \
            else "before downtime"

    for t, ev, args in events:
        if ev == "vmstate_downtime_checkpoint":
            if last is not None:
                res[f"{last[1]} -> {args}"] = t - last[0]
            last = (t, args)
            marks.setdefault(args, t)
        elif ev in ("vmstate_downtime_save", "vmstate_downtime_load"):
            m = re.search(r"type=(\S+) idstr=(\S+) .*downtime=(-?\d+)", args)
            if m:
                key = f"{ev[-4:]} {m.group(1)} {m.group(2)} ({when(t)})"
                res[key] = res.get(key, 0) + int(m.group(3))
                if ev.endswith("save") and m.group(1) == "non-iterable" and \
                        "src-iterable-saved" in marks and "src-non-iterable-saved" not in marks:
                    saves += int(m.group(3))
                if ev.endswith("load"):
                    last_load = t
        elif re.match(r"kvm_arm_idregs_(save|load)_start$", ev):
            idr = t
        elif re.match(r"kvm_arm_idregs_(save|load)_end$", ev) and idr is not None:
            res[f"{ev[:-4]} step ({when(t)})"] = t - idr
            idr = None
    a, b = marks.get("src-iterable-saved"), marks.get("src-non-iterable-saved")
    if a is not None and b is not None:
        res[f"vCPU register sync: cpu_synchronize_all_states ({when(b)})"] = b - a - saves
    b = marks.get("dst-precopy-loadvm-completed")
    if last_load is not None and b is not None:
        res[f"vCPU register push: cpu_synchronize_all_post_init ({when(b)})"] = b - last_load
    return res


def window(src, dst):
    """(start, end) of the downtime on the shared clock, or Nones"""
    lo = next((t for t, ev, a in src
               if ev == "vmstate_downtime_checkpoint" and a == "src-downtime-start"), None)
    hi = next((t for t, ev, a in dst
               if ev == "vmstate_downtime_checkpoint" and a == "dst-precopy-bh-vm-started"),
              None)
    return lo, hi


def plot(out, stats, title):
    """plot.png: median downtime with its interval, and the ratio to upstream with its
    interval, vs N, one line per kernel and configuration"""
    dat = "plot.dat"  # gnuplot runs in OUT: plot.gp stays valid wherever it is copied
    blocks = []
    with open(os.path.join(out, dat), "w") as f:
        f.write("# N median lo hi (ms, 95 % CI of the median) ratio lo hi (to upstream)\n")
        for k in dict.fromkeys(st[0] for st in stats):
            for c in CONFIG_ORDER:
                ss = [st for st in stats if st[0] == k and st[2] == c]
                if not ss:
                    continue
                f.write(f"# {k} {c}\n")
                for st in ss:
                    r = st[4] or ("NaN",) * 3
                    f.write(" ".join(str(x) for x in (st[1], *st[3], *r)) + "\n")
                f.write("\n\n")
                blocks.append((k, c))
    if not blocks:
        return False
    kernels = list(dict.fromkeys(k for k, _ in blocks))

    def series(using, only_patched=False):
        parts = []
        for i, (k, c) in enumerate(blocks):
            if only_patched and c == BASE:
                continue
            # configurations side by side around N, so that the intervals do not overlap
            using = f"($1*{1 + 0.04 * (CONFIG_ORDER.index(c) - 1.5):.2f})" + \
                using[using.index(":"):]
            style = (f"lc rgb '{COLOR.get(c, '#000000')}' dt {kernels.index(k) + 1} "
                     f"pt {7 + 2 * kernels.index(k)} lw 2")
            parts.append(f"'{dat}' index {i} using {using} with yerrorlines {style} "
                         f"title '{k} {c}'")
        return ", ".join(parts)

    nmax = max(st[1] for st in stats)
    gp = [
        "set terminal pngcairo size 1500,600 font 'sans,10'",
        "set output 'plot.png'",
        f"set multiplot layout 1,2 title '{title}'",
        "set logscale x 2", "set xtics (1,2,4,8,16,32,64,128)", "set grid",
        f"set xrange [0.8:{nmax * 1.25}]", "set key top left font ',8'",
        "set xlabel 'vCPUs (N)'",
        "set ylabel 'ms'", "set yrange [0:*]",
        "set title 'migration downtime (query-migrate): median, 95 % interval'",
        "plot " + series("1:2:3:4"),
        "set ylabel 'patched / upstream'", "set yrange [0:*]",
        "set title 'ratio of median downtimes to upstream, 95 % bootstrap interval'",
        "plot 1 with lines lc rgb '#808080' dt 2 notitle, " + series("1:5:6:7", True),
        "unset multiplot",
    ]
    return run_gnuplot(out, gp)


def backlog(src, dst):
    """microseconds from the source's end of RAM (src-iterable-saved) to the end of the
    destination's last RAM section load: how far the destination was behind the stream"""
    a = next((t for t, ev, x in src
              if ev == "vmstate_downtime_checkpoint" and x == "src-iterable-saved"), None)
    b = [t for t, ev, x in dst if ev == "vmstate_downtime_load" and "idstr=ram " in x]
    return b[-1] - a if a is not None and b else None


def pooled(out, csvs):
    """--pool: the table of several runs' downtime.csv files together (same builds, other
    times), each run a stratum: every bootstrap draw resamples each run's samples of a group
    on its own and joins them, so the pooled interval keeps each run's share of samples.
    Writes OUT/pooled.md and prints its table."""
    rng = random.Random(20)
    runs = []
    for path in csvs:
        with open(path, newline="") as f:
            runs.append([r for r in csv.DictReader(f) if good(r)])

    def draw(groups):
        return statistics.median([x for g in groups for x in rng.choices(g, k=len(g))])

    lines = [f"| kernel | N | config | samples (per run) | median downtime ms | "
             f"ratio to {BASE} (95 % CI) | verdict |", "|---|---|---|---|---|---|---|"]
    keys = sorted({(r["kernel"], int(r["n"])) for run in runs for r in run})
    for k, n in keys:
        by = {}
        for i, run in enumerate(runs):
            for r in run:
                if r["kernel"] == k and int(r["n"]) == n:
                    by.setdefault(r["config"], [[] for _ in runs])[i].append(
                        float(r["downtime"]))
        base = by.get(BASE)
        for c in sorted(by, key=lambda c: (c != BASE, c)):
            groups = [g for g in by[c] if g]
            allv = [x for g in groups for x in g]
            ci, ver = "", ""
            if base and c != BASE and all(base[i] for i, g in enumerate(by[c]) if g):
                bgroups = [base[i] for i, g in enumerate(by[c]) if g]
                ratios = sorted(draw(groups) / draw(bgroups) for _ in range(B))
                lo, hi = ratios[int(0.025 * B)], ratios[int(0.975 * B) - 1]
                med = statistics.median(allv) / statistics.median(
                    [x for g in bgroups for x in g])
                ci, ver = f"{med:.2f} ({lo:.2f}-{hi:.2f})", verdict(lo, hi)
            lines.append(f"| {k} | {n} | {c} | {len(allv)} ({'+'.join(str(len(g)) for g in by[c])})"
                         f" | {statistics.median(allv):.0f} | {ci} | {ver} |")
    md = ["# Downtime, runs pooled", "",
          "Generated by `bench/downtime.py --pool` from:", "",
          *[f"- {p}" for p in csvs], "",
          "Each run is a stratum of the bootstrap (10000 draws, fixed seed); verdict as in "
          "downtime.md.", "", *lines, ""]
    with open(os.path.join(out, "pooled.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(lines))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--title", default="Migration downtime, patched vs unpatched")
    ap.add_argument("--pool", action="store_true",
                    help="pool the downtime.csv files given instead of rig directories")
    ap.add_argument("out")
    ap.add_argument("kdirs", nargs="+")
    opt = ap.parse_args()
    out = opt.out
    if opt.pool:
        return pooled(out, opt.kdirs)
    rng = random.Random(20)
    allrows, lines, brows, stats = [], [], [], []
    lines.append("| kernel | N | config | samples | median downtime ms (95 % CI) | min-max ms | "
                 f"ratio to {BASE} (95 % CI) | verdict |")
    lines.append("|---|---|---|---|---|---|---|---|")
    failed = []
    for kd in opt.kdirs:
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
                    med = statistics.median(v)
                    mlo, mhi = median_ci(v, rng)
                    ci, ver, ratio = "", "", None
                    if base and c != BASE:
                        lo, hi = boot_ci(v, base, rng)
                        ratio = (med / statistics.median(base), lo, hi)
                        ci = f"{ratio[0]:.2f} ({lo:.2f}-{hi:.2f})"
                        ver = verdict(lo, hi)
                    stats.append((k, n, c, (med, mlo, mhi), ratio))
                    lines.append(f"| {k} | {n} | {c} | {len(v)} | {med:.0f} ({mlo:.0f}-{mhi:.0f}) | "
                                 f"{min(v):.0f}-{max(v):.0f} | {ci} | {ver} |")
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
            lag = backlog(ev["src"], ev["dst"])
            if lag is not None:
                acc.setdefault((r["kernel"], int(r["n"]), r["config"], "both",
                                "stream backlog: src-iterable-saved -> dst's last RAM load"),
                               []).append(lag)
            for side in ("src", "dst"):
                for key, us in breakdown(ev[side], win).items():
                    acc.setdefault((r["kernel"], int(r["n"]), r["config"], side, key),
                                   []).append(us)
        for (k, n, c, side, key), v in sorted(acc.items()):
            brows.append([k, n, c, side, key, len(v), statistics.median(v)])
    if not allrows:
        print("downtime.py: no samples", file=sys.stderr)
        return 1
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
          "Verdict: \"better\"/\"worse\" when the ratio's interval lies below/above 1, "
          "else \"not resolved\".", "", *lines, ""]
    if failed:
        md += ["Samples that did not run to their end (not counted):", ""]
        md += [f"- {r['kernel']} {r['config']} N={r['n']} round {r['round']}: rc={r['rc']} "
               f"heartbeat={r['hb']} registers={r['regs']}" for r in failed]
        md.append("")
    md += breakdown_tables(brows)
    with open(os.path.join(out, "downtime.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(lines))
    return 0 if plot(out, stats, opt.title) else 1


def breakdown_tables(brows):
    """per kernel, at the largest N: one row per interval or section, one column per
    configuration (median microseconds per sample)"""
    md = []
    nmax = max((b[1] for b in brows), default=None)
    if nmax is None:
        return md
    for k in dict.fromkeys(b[0] for b in brows):
        rows = [b for b in brows if b[0] == k and b[1] == nmax]
        cfgs = [c for c in CONFIG_ORDER if any(b[2] == c for b in rows)]
        val = {(b[3], b[4], b[2]): b[6] for b in rows}
        keys = sorted({(b[3], b[4]) for b in rows},
                      key=lambda sk: (sk[0], -max(val.get((*sk, c), 0) for c in cfgs), sk[1]))
        md += [f"## Breakdown, {k}, N = {nmax} (median microseconds per sample)", "",
               "| side | interval or section | " + " | ".join(cfgs) + " |",
               "|---|---|" + "---|" * len(cfgs)]
        for side, key in keys:
            md.append(f"| {side} | {key} | " + " | ".join(
                f"{val[(side, key, c)]:.0f}" if (side, key, c) in val else "" for c in cfgs)
                + " |")
        md.append("")
    return md


if __name__ == "__main__":
    sys.exit(main())
