#!/usr/bin/env python3
"""Turn the files of tests/bench/idregs.sh into a table, a CSV and a plot.

    bench/analyze.py [--qemu-src DIR] [--title TEXT] OUTDIR RIGDIR...

RIGDIR: an artifacts directory of one rig boot (rig/run --out), holding console.log and
files/bench/ (hops.tsv, meta.txt, per-hop traces, streams/). OUTDIR receives:
  hops.csv     one row per migration and side (save = source, load = destination): raw data
  streams.csv  bytes of the ID registers in each saved stream
  summary.csv  per kernel, configuration and N: medians, min and max over the repetitions
  table.md     the same as markdown, with the findings checked against the expected shape
  plot.png     ID-register ioctls, ID-register time and downtime vs N (gnuplot)
Exit status 1 when the data contradict the expected shape (the patched ID-register ioctl
count depends on N), 2 on missing input.
"""
import argparse
import collections
import csv
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import streamsize  # noqa: E402

KVM_GET_ONE_REG = 0x4010AEAB
KVM_SET_ONE_REG = 0x4010AEAC
KVM_GET_REG_LIST = 0xC008AEB0
KVM_GET_VM_ONE_REG = 0x4010AED6
KVM_SET_VM_ONE_REG = 0x4010AED7

CONFIG_ORDER = ["upstream", "compat", "patched-1vcpu", "patched"]
# plot colours of the configurations (bench/analyze.py, bench/downtime.py)
COLOR = {"upstream": "#d62728", "compat": "#9467bd", "patched-1vcpu": "#ff7f0e",
         "patched": "#1f77b4"}
CONFIG_LABEL = {
    "upstream": "unpatched QEMU, virt-10.2",
    "compat": "patched QEMU, virt-10.2 (old format)",
    "patched": "patched QEMU, virt-11.2",
    "patched-1vcpu": "patched QEMU, virt-11.2, x-idregs-vm-ioctl=off",
}


def vm_scoped(i):
    return streamsize.vm_scoped(i)


# --- parsers -------------------------------------------------------------------------------
def read_meta(path):
    meta = {}
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    return meta


def read_migrate(path):
    try:
        with open(path) as f:
            j = json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return {}
    r = j.get("return", j)
    ram = r.get("ram", {})
    return {
        "status": r.get("status", ""),
        "downtime_ms": r.get("downtime"),
        "total_ms": r.get("total-time"),
        "setup_ms": r.get("setup-time"),
        "transferred": ram.get("transferred"),
    }


QTRACE_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z? (\w+) ?(.*)$")


def qts(s):
    """ISO 8601 UTC timestamp of -msg timestamp=on -> seconds (float)."""
    if "." in s:
        base, frac = s.split(".", 1)
    else:
        base, frac = s, "0"
    t = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return t.timestamp() + float("0." + frac)


def is_vm_id_reg(rid):
    """The VM-scoped ID registers, as the kprobe filter of tests/bench/idregs.sh (IDPRED)
    keeps them: (3,0,0,1..7,x) plus MIDR, REVIDR, AIDR and CTR_EL0. Firmware registers
    are not among them."""
    return (0x603000000013C008 <= rid <= 0x603000000013C03F
            or rid in (0x603000000013C000, 0x603000000013C006, 0x603000000013C807,
                       0x603000000013D801))


def read_qtrace(path):
    """QEMU log-backend trace -> markers and per-ioctl counts."""
    res = {
        "save": None, "load": None, "path": "",
        "onereg_get": 0, "onereg_set": 0, "vm_get": 0, "vm_set": 0,
        "reg_list": 0, "idregs_set": collections.Counter(), "num": None,
        "vm_one_reg_events": 0, "vm_id": 0,
    }
    if not os.path.exists(path):
        return res
    starts = {}
    for line in open(path, errors="replace"):
        m = QTRACE_RE.match(line.strip())
        if not m:
            continue
        ts, ev, args = m.groups()
        if ev == "kvm_vcpu_ioctl":
            t = re.search(r"type (0x[0-9a-f]+)", args)
            if t:
                ty = int(t.group(1), 16)
                if ty == KVM_GET_ONE_REG:
                    res["onereg_get"] += 1
                elif ty == KVM_SET_ONE_REG:
                    res["onereg_set"] += 1
                elif ty == KVM_GET_REG_LIST:
                    res["reg_list"] += 1
        elif ev == "kvm_vm_ioctl":
            t = re.search(r"type (0x[0-9a-f]+)", args)
            if t:
                ty = int(t.group(1), 16)
                if ty == KVM_GET_VM_ONE_REG:
                    res["vm_get"] += 1
                elif ty == KVM_SET_VM_ONE_REG:
                    res["vm_set"] += 1
        elif ev in ("kvm_vm_get_one_reg", "kvm_vm_set_one_reg"):
            res["vm_one_reg_events"] += 1
            i = re.search(r"id (0x[0-9a-f]+)", args)
            if i and is_vm_id_reg(int(i.group(1), 16)):
                res["vm_id"] += 1
        elif ev == "kvm_arm_idregs_set":
            p = re.search(r"path ([a-z-]+)", args)
            res["idregs_set"][p.group(1) if p else "?"] += 1
        elif re.match(r"kvm_arm_idregs_(save|load)_(start|end)$", ev):
            kind = ev.split("_")[3]  # save | load
            p = re.search(r"path ([a-z-]+), (\d+) registers", args)
            if ev.endswith("_start"):
                starts[kind] = qts(ts)
            elif kind in starts:
                res[kind] = (qts(ts) - starts.pop(kind)) * 1e6
            if p:
                res["path"] = p.group(1)
                res["num"] = int(p.group(2))
    return res


KTRACE_RE = re.compile(
    r"^\s*\S.*?-(\d+)\s+\(\s*(\d+)\)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+(\w+):.*?"
    r"(?:id=(0x[0-9a-f]+))?(?:\s+ret=(-?\w+))?\s*$")


BLOCK_LO, BLOCK_HI = 0x603000000013C000, 0x603000000013C03F  # MIDR .. CRm=7, op2=7


def read_ktrace(path, sides=None):
    """kprobe trace (entries filtered to ID registers) -> counts, in-kernel time, wall time.

    sides: {tgid: "save" | "load"}, the source's and the destination's QEMU (the hop's
    .pids file): each call counts for the process that made it, reads and writes alike.
    Without it (runs before the .pids file) a call counts by direction, reads as "save"
    and writes as "load", which is right for unpatched QEMU only: the series also reads
    on the destination.

    In-kernel time: entry -> return of each call, paired by thread. Wall time: QEMU's loops
    access the block MIDR_EL1 .. (3,0,0,7,7) in ascending order (in a vCPU's sorted list
    only MPIDR_EL1, not recorded, sits inside it); a run of calls on one thread with
    ascending ids in that block counts from the first entry to the last return, QEMU's time
    between the ioctls included. AIDR_EL1 and CTR_EL0 (far apart in a vCPU's list) count
    their in-kernel time only, on every path alike."""
    res = {"ok": False, "lost": 0}
    if not os.path.exists(path):
        return res
    pend = {}
    cnt = collections.Counter()        # (side, path) -> ID-register calls
    ops = collections.Counter()        # (side, op) -> ID-register calls
    dur = collections.defaultdict(list)  # (side, path) -> durations (us)
    wall = collections.Counter()       # side -> wall time (us)
    runs = collections.Counter()       # side -> number of runs
    cur = {}                           # tid -> [op, first entry, last id, last return, side]
    tgids = collections.defaultdict(set)
    errors = 0

    def close(tid):
        r = cur.pop(tid, None)
        if r and r[3] is not None:
            wall[r[4]] += (r[3] - r[1]) * 1e6
            runs[r[4]] += 1

    for line in open(path, errors="replace"):
        if line.startswith("#"):
            m = re.search(r"entries-in-buffer/entries-written: (\d+)/(\d+)", line)
            if m:
                res["lost"] = int(m.group(2)) - int(m.group(1))
            continue
        m = KTRACE_RE.match(line)
        if not m:
            continue
        tid, tgid, ts, ev, rid, ret = m.groups()
        ts = float(ts)
        base = ev[:-4] if ev.endswith("_ret") else ev
        op = "get" if base.endswith("get") else "set"
        path_ = "vm" if base.startswith("m") else "vcpu"
        if sides is None:
            side = "save" if op == "get" else "load"
        else:
            side = sides.get(tgid)
            if side is None:
                continue  # another QEMU (none runs during a hop)
        key = (side, path_)
        if ev.endswith("_ret"):
            p = pend.pop(tid, None)
            if p is None:
                continue
            d = (ts - p[0]) * 1e6
            dur[key].append(d)
            if p[1]:
                if tid in cur:
                    cur[tid][3] = ts
            else:
                wall[side] += d
            if ret not in (None, "0", "0x0"):
                errors += 1
        else:
            if rid is None or not vm_scoped(int(rid, 16)):
                continue
            i = int(rid, 16)
            inblock = BLOCK_LO <= i <= BLOCK_HI
            r = cur.get(tid)
            if not (inblock and r and r[0] == op and i > r[2]):
                close(tid)
                if inblock:
                    cur[tid] = [op, ts, i, None, side]
            elif r:
                r[2] = i
            pend[tid] = (ts, inblock)
            cnt[key] += 1
            ops[(side, op)] += 1
            tgids[side].add(tgid)
    for tid in list(cur):
        close(tid)
    res.update(ok=True, cnt=cnt, ops=ops, dur=dur, wall=wall, runs=runs, errors=errors,
               by_process=sides is not None,
               tgids={k: sorted(v) for k, v in tgids.items()})
    return res


def read_pids(path):
    """NAME.pids of a hop ("src=PID dst=PID") -> {tgid: side}, or None"""
    if not os.path.exists(path):
        return None
    kv = dict(w.split("=", 1) for w in open(path).read().split() if "=" in w)
    if not kv.get("src") or not kv.get("dst"):
        return None
    return {kv["src"]: "save", kv["dst"]: "load"}


def read_profile(path):
    prof = {}
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) >= 3 and f[1].isdigit():
                prof[f[0]] = (int(f[1]), int(f[2]))
    return prof


# --- per-hop rows ----------------------------------------------------------------------------
def hop_rows(rigdir):
    files = os.path.join(rigdir, "files", "bench")
    meta = read_meta(os.path.join(files, "meta.txt"))
    rows = []
    tsv = os.path.join(files, "hops.tsv")
    if not os.path.exists(tsv):
        return meta, rows
    for line in open(tsv):
        f = line.rstrip("\n").split("\t")
        if len(f) < 12:
            continue
        kernel, cfg, n, hop, mode, rc, hb, same, mig_ms, boot_ms, q, m = f[:12]
        tag = os.path.join(files, f"{cfg}-n{n}-h{hop}")
        mig = read_migrate(tag + ".migrate")
        src = read_qtrace(tag + ".src.qtrace")
        dst = read_qtrace(tag + ".dst.qtrace")
        kt = read_ktrace(tag + ".ktrace", read_pids(tag + ".pids")) if mode != "clean" \
            else {"ok": False}
        p0, p1 = read_profile(tag + ".prof0"), read_profile(tag + ".prof1")
        delta = {k: (p1[k][0] - p0.get(k, (0, 0))[0], p1[k][1] - p0.get(k, (0, 0))[1])
                 for k in p1}
        ok = rc == "0" and hb == "yes" and same == "yes" and mig.get("status") == "completed"
        for side, q_, op in (("save", src, "get"), ("load", dst, "set")):
            r = {
                "kernel": kernel, "release": meta.get("release", ""), "config": cfg,
                "qemu": q, "machine": m, "n": int(n), "hop": int(hop), "mode": mode,
                "side": side, "ok": int(ok),
                "downtime_ms": mig.get("downtime_ms"), "total_ms": mig.get("total_ms"),
                "setup_ms": mig.get("setup_ms"), "transferred": mig.get("transferred"),
                "path": q_["path"] or ("vcpu" if cfg in ("upstream", "compat") else ""),
                "step_us": round(q_[side], 1) if q_[side] is not None else "",
                "step_regs": q_["num"] if q_["num"] is not None else "",
            }
            if mode == "xcheck" or (mode == "probed" and not os.path.exists(tag + ".ktrace")):
                # QEMU's own view: every ONE_REG ioctl (vCPU fd), the VM-fd ones, and the
                # series' per-register events
                r["q_onereg_all"] = q_["onereg_" + op]
                r["q_vm_onereg"] = q_["vm_" + op]
                r["q_vm_id"] = q_["vm_id"]
                r["q_reg_list"] = q_["reg_list"]
                r["q_idregs_set"] = sum(q_["idregs_set"].values()) if side == "load" else ""
            if kt.get("ok"):
                cv, cm = kt["cnt"][(side, "vcpu")], kt["cnt"][(side, "vm")]
                d = kt["dur"][(side, "vcpu")] + kt["dur"][(side, "vm")]
                r["k_id_vcpu"] = cv
                r["k_id_vm"] = cm
                r["k_id_all"] = cv + cm
                r["k_id_get"] = kt["ops"][(side, "get")]
                r["k_id_set"] = kt["ops"][(side, "set")]
                r["k_by"] = "process" if kt["by_process"] else "direction"
                r["k_id_time_us"] = round(sum(d), 1)
                r["k_id_med_us"] = round(statistics.median(d), 1) if d else ""
                r["k_id_wall_us"] = round(kt["wall"][side], 1)
                r["k_id_runs"] = kt["runs"][side]
                r["k_onereg_all"] = delta.get("v" + op, (0, 0))[0] + delta.get("m" + op, (0, 0))[0]
                r["k_missed"] = sum(v[1] for v in delta.values())
                r["k_lost"] = kt["lost"]
                r["k_errors"] = kt["errors"]
                r["k_tgids"] = len(kt["tgids"].get(side, []))
            rows.append(r)
    return meta, rows


HOP_FIELDS = ["kernel", "release", "config", "qemu", "machine", "n", "hop", "mode", "side",
              "ok", "path", "downtime_ms", "total_ms", "setup_ms", "transferred", "step_us",
              "step_regs", "k_id_all", "k_id_get", "k_id_set", "k_by", "k_id_vcpu", "k_id_vm",
              "k_id_wall_us", "k_id_runs",
              "k_id_time_us", "k_id_med_us",
              "k_onereg_all", "k_missed", "k_lost", "k_errors", "k_tgids", "q_onereg_all",
              "q_vm_onereg", "q_vm_id", "q_reg_list", "q_idregs_set", "q_id_est"]


def qemu_id_estimate(rows):
    """ID-register ioctls from QEMU's trace, for kernels without kprobe events.

    Only what QEMU's trace names: the series' VM-fd accesses, reads and writes of this
    process, by register id (kvm_vm_{get,set}_one_reg; firmware registers excluded, as in
    the kprobe filter). A vCPU ioctl's trace event names no register, so the one-vCPU path
    and the unpatched build get no count from it: earlier versions estimated those by
    subtracting the series' non-ID ONE_REG calls, per direction, which stopped matching the
    kprobes once the series also read on the destination."""
    for r in rows:
        if "q_vm_id" in r and r["ok"] and r["path"] == "vm-ioctl":
            r["q_id_est"] = r["q_vm_id"]


# --- aggregation ------------------------------------------------------------------------------
def stats(vals):
    v = [x for x in vals if x not in ("", None)]
    if not v:
        return None
    return (statistics.median(v), min(v), max(v), len(v))


def fmt(s, scale=1.0, nd=1, spread=True):
    if s is None:
        return "–"
    med, lo, hi, _ = s
    f = lambda x: f"{x * scale:.{nd}f}" if nd else f"{round(x * scale):d}"
    if not spread or lo == hi:
        return f(med)
    return f"{f(med)} [{f(lo)}–{f(hi)}]"


def summarize(rows, streams):
    groups = collections.defaultdict(list)
    for r in rows:
        groups[(r["kernel"], r["config"], r["n"])].append(r)
    out = []
    for (k, c, n), rs in groups.items():
        ok = [r for r in rs if r["ok"]]
        cl = [r for r in ok if r["mode"] == "clean"]
        pr = [r for r in ok if r["mode"] == "probed"]
        cx = [r for r in ok if r["mode"] in ("probed", "xcheck")]
        s = {"kernel": k, "config": c, "n": n, "migrations": len({r["hop"] for r in ok}),
             "failed": len({r["hop"] for r in rs if not r["ok"]})}
        paths = sorted({r["path"] for r in ok if r["path"]})
        s["path"] = "/".join(paths)
        for side in ("save", "load"):
            sd = [r for r in cx if r["side"] == side]
            kp = [r for r in sd if "k_id_all" in r]
            kt = [r for r in pr if r["side"] == side and "k_id_all" in r]
            if kp:
                s[f"id_ioctls_{side}"] = stats([r["k_id_all"] for r in kp])
                s[f"id_ioctls_{side}_src"] = "kprobe"
                s[f"onereg_{side}"] = stats([r["k_onereg_all"] for r in kp])
                s[f"id_get_{side}"] = stats([r.get("k_id_get", "") for r in kp])
                s[f"id_set_{side}"] = stats([r.get("k_id_set", "") for r in kp])
                s[f"id_by_{side}"] = "/".join(sorted({r.get("k_by", "direction") for r in kp}))
            else:
                s[f"id_ioctls_{side}"] = stats([r.get("q_id_est", "") for r in sd])
                s[f"id_ioctls_{side}_src"] = "qemu-trace"
                s[f"onereg_{side}"] = stats([r.get("q_onereg_all", "") for r in sd])
            s[f"q_id_est_{side}"] = stats([r.get("q_id_est", "") for r in sd])
            s[f"id_wall_{side}_us"] = stats([r["k_id_wall_us"] for r in kt])
            s[f"id_time_{side}_us"] = stats([r["k_id_time_us"] for r in kt])
            s[f"id_med_{side}_us"] = stats([r["k_id_med_us"] for r in kt])
            s[f"reg_list_{side}"] = stats([r.get("q_reg_list", "") for r in sd])
            s[f"step_{side}_us"] = stats([r["step_us"] for r in cl if r["side"] == side])
            s[f"step_probed_{side}_us"] = stats([r["step_us"] for r in pr if r["side"] == side])
            s[f"_steps_probed_{side}"] = [r["step_us"] for r in pr
                                          if r["side"] == side and r["step_us"] != ""]
            s[f"_steps_clean_{side}"] = [r["step_us"] for r in cl
                                         if r["side"] == side and r["step_us"] != ""]
        s["downtime_ms"] = stats([r["downtime_ms"] for r in cl if r["side"] == "load"])
        s["total_ms"] = stats([r["total_ms"] for r in cl if r["side"] == "load"])
        s["setup_ms"] = stats([r["setup_ms"] for r in cl if r["side"] == "load"])
        s["downtime_probed_ms"] = stats([r["downtime_ms"] for r in pr if r["side"] == "load"])
        st = streams.get((k, "patched" if c == "patched-1vcpu" else c, n))
        s["id_bytes"] = st.get("id_bytes") if st else None
        s["stream_bytes"] = st.get("file_bytes") if st else None
        s["cpu_bytes"] = st.get("cpu_bytes") if st else None
        out.append(s)
    corder = {c: i for i, c in enumerate(CONFIG_ORDER)}
    kernels = []
    for r in rows:
        if r["kernel"] not in kernels:
            kernels.append(r["kernel"])
    out.sort(key=lambda s: (kernels.index(s["kernel"]), s["n"], corder.get(s["config"], 9)))
    return out


SUM_FIELDS = ["kernel", "config", "path", "n", "migrations", "failed",
              "id_ioctls_save", "id_ioctls_load", "onereg_save", "onereg_load",
              "id_wall_save_us", "id_wall_load_us", "id_time_save_us", "id_time_load_us", "id_med_save_us", "id_med_load_us",
              "step_save_us", "step_load_us", "reg_list_load", "downtime_ms", "total_ms",
              "setup_ms", "downtime_probed_ms", "step_probed_save_us", "step_probed_load_us",
              "q_id_est_save", "q_id_est_load"]


def write_summary_csv(path, summ):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        head = []
        for k in SUM_FIELDS:
            if k in ("kernel", "config", "path", "n", "migrations", "failed"):
                head.append(k)
            else:
                head += [k + "_median", k + "_min", k + "_max"]
        head += ["id_bytes", "cpu_bytes", "stream_bytes"]
        w.writerow(head)
        for s in summ:
            row = []
            for k in SUM_FIELDS:
                v = s.get(k)
                if k in ("kernel", "config", "path", "n", "migrations", "failed"):
                    row.append(v)
                elif v is None:
                    row += ["", "", ""]
                else:
                    row += [v[0], v[1], v[2]]
            row += [s.get("id_bytes") or "", s.get("cpu_bytes") or "", s.get("stream_bytes") or ""]
            w.writerow(row)


# --- findings -------------------------------------------------------------------------------
def med(s, k):
    v = s.get(k)
    return v[0] if v else None


def findings(summ, metas):
    lines = []
    bad = False
    by = collections.defaultdict(dict)
    for s in summ:
        by[(s["kernel"], s["config"])][s["n"]] = s
    for (k, c), d in by.items():
        ns = sorted(d)
        for side in ("save", "load"):
            vals = [med(d[n], f"id_ioctls_{side}") for n in ns]
            if any(v is None for v in vals):
                continue
            src = d[ns[0]].get(f"id_ioctls_{side}_src", "")
            how = d[ns[0]].get(f"id_by_{side}", "")
            if how == "process":
                src += ", counted per process: " + ("the source" if side == "save"
                                                    else "the destination")
            elif how:
                src += ", counted by direction: reads as save, writes as load"
            g, w = med(d[ns[0]], f"id_get_{side}"), med(d[ns[0]], f"id_set_{side}")
            rw = f": {g:g} reads + {w:g} writes" if g is not None and w is not None else ""
            if c.startswith("patched"):
                const = len(set(vals)) == 1
                bad |= not const
                lines.append(
                    f"- {k}, {c} ({d[ns[0]]['path']}), {side}: ID-register ioctls "
                    f"{', '.join(f'{v:g}' for v in vals)} for N = {', '.join(map(str, ns))} "
                    f"({src}): "
                    + ("**independent of N**" if const else "**depends on N (unexpected)**")
                    + (f"{rw} at N = {ns[0]}" if const and rw else ""))
            else:
                per = [v / n for v, n in zip(vals, ns)]
                txt = (f"- {k}, {c}, {side}: ID-register ioctls "
                       f"{', '.join(f'{v:g}' for v in vals)} for N = {', '.join(map(str, ns))} "
                       f"({src}): {', '.join(f'{p:g}' for p in per)} per vCPU")
                if len(set(per)) == 1 and per[0] % 2 == 0:
                    txt += (f" = 2 x {per[0] / 2:g}: every vCPU accesses each register twice "
                            "(see docs/bench.md), so 2 x N x M, not N x M")
                lines.append(txt)
        # QEMU-trace count vs kprobe count (the fallback method, checked where both exist;
        # it exists for the series' VM-fd path only: see qemu_id_estimate)
        agree, total = 0, 0
        for n in ns:
            for side in ("save", "load"):
                a, b = med(d[n], f"id_ioctls_{side}"), med(d[n], f"q_id_est_{side}")
                if d[n].get(f"id_ioctls_{side}_src") == "kprobe" and b is not None:
                    total += 1
                    agree += a == b
        if total:
            lines.append(f"- {k}, {c}: QEMU-trace count (fallback method: VM-fd calls by "
                         f"register id, per process) = kprobe count in {agree} of {total} cases")
        # the N-dependent residue of the series: KVM_GET_REG_LIST per vCPU after loading
        rl = [med(d[n], "reg_list_load") for n in ns]
        if c.startswith("patched") and all(v is not None for v in rl):
            lines.append(f"- {k}, {c}: KVM_GET_REG_LIST on load {', '.join(f'{v:g}' for v in rl)} "
                         f"for N = {', '.join(map(str, ns))} (each vCPU's list is re-read after "
                         "the ID registers are restored; not a ONE_REG ioctl)")
        # kprobe overhead, from the series' own step timed with and without probes (the
        # VM-ioctl step only: the one-vCPU step also waits for vCPU 0's thread). Noise on
        # this rig only ever adds time, so the fastest runs are compared.
        if c.startswith("patched") and d[ns[0]]["path"] == "vm-ioctl":
            est = []
            for side in ("save", "load"):
                pr_, cl_ = [], []
                for n in ns:
                    cnt = med(d[n], f"id_ioctls_{side}")
                    if not cnt or d[n].get(f"id_ioctls_{side}_src") != "kprobe":
                        continue
                    pr_ += [v / cnt for v in d[n].get(f"_steps_probed_{side}", [])]
                    cl_ += [v / cnt for v in d[n].get(f"_steps_clean_{side}", [])]
                if pr_ and cl_:
                    est.append((min(pr_), min(cl_)))
            if est:
                p_ = statistics.mean(e[0] for e in est)
                c_ = statistics.mean(e[1] for e in est)
                lines.append(
                    f"- {k}, {c}: the series' step, fastest run over all N, costs {p_:.0f} µs per "
                    f"call with the probes on and {c_:.0f} µs without: the probes add "
                    f"≈ {p_ - c_:.0f} µs per call to the kprobe-timed columns, in both builds "
                    "(slower runs add a long tail on top)")
    # the cost of one call, and the stream
    for k in dict.fromkeys(s["kernel"] for s in summ):
        per = []
        for c in CONFIG_ORDER:
            d = by.get((k, c), {})
            v = [med(d[n], f"id_med_{side}_us") for n in d for side in ("save", "load")]
            v = [x for x in v if x is not None]
            if v:
                per.append(f"{c} {min(v):g}–{max(v):g} µs")
        if per:
            lines.append(f"- {k}: in-kernel time of one ID-register call (median per migration "
                         f"side, over all N): {', '.join(per)}: a call does not get dearer with "
                         "N; the totals grow with the number of calls, and their sums also carry "
                         "the tail of preemptions on this shared 2-CPU TCG rig")
        up, pa = by.get((k, "upstream"), {}), by.get((k, "patched"), {})
        ns = sorted(n for n in set(up) & set(pa)
                    if up[n].get("id_bytes") is not None and pa[n].get("id_bytes") is not None)
        if ns:
            lines.append(f"- {k}: ID bytes in the stream, upstream "
                         f"{', '.join(str(up[n]['id_bytes']) for n in ns)} vs patched "
                         f"{', '.join(str(pa[n]['id_bytes']) for n in ns)} for N = "
                         f"{', '.join(map(str, ns))} (16 bytes per register per vCPU vs one "
                         "kvm-arm-idregs section)")
    # a probe-free estimate: the unpatched calls at the per-call cost of the series' own
    # step (timed without probes: QEMU's loop, the syscall and the kernel, nothing else)
    for k in dict.fromkeys(s["kernel"] for s in summ):
        up = by.get((k, "upstream"), {})
        pa = by.get((k, "patched"), {})
        per = []
        for n, s in pa.items():
            if s["path"] != "vm-ioctl":
                # the one-vCPU step also waits for vCPU 0's thread (run_on_cpu): not the
                # cost of an access alone
                continue
            for side in ("save", "load"):
                st, cnt = med(s, f"step_{side}_us"), med(s, f"id_ioctls_{side}")
                if st is not None and cnt:
                    per.append(st / cnt)
        common = sorted(set(up) & set(pa))
        if not per or not common:
            continue
        pc = statistics.median(per)
        n = common[-1]
        calls = [med(up[n], f"id_ioctls_{x}") for x in ("save", "load")]
        steps = [med(pa[n], f"step_{x}_us") for x in ("save", "load")]
        if None in calls or None in steps:
            continue
        est = sum(calls) * pc / 1e3
        lines.append(
            f"- {k}, N={n}, without probes: one ID-register access costs ≈ {pc:.0f} µs "
            f"(median of the series' VM-ioctl step / its calls, all N); at that cost the "
            f"unpatched build's {sum(calls):g} accesses take ≈ **{est:.0f} ms** per migration, "
            f"all inside the downtime, vs **{sum(steps) / 1e3:.1f} ms** measured for the series' "
            f"two steps, which run before the downtime (setup phase) = **{est * 1e3 / sum(steps):.0f}x**; "
            f"median downtime upstream {med(up[n], 'downtime_ms'):g} ms vs patched "
            f"{med(pa[n], 'downtime_ms'):g} ms (spread "
            f"{up[n]['downtime_ms'][1]:g}–{up[n]['downtime_ms'][2]:g} / "
            f"{pa[n]['downtime_ms'][1]:g}–{pa[n]['downtime_ms'][2]:g} ms)")
    # ratios at the largest N
    for k in dict.fromkeys(s["kernel"] for s in summ):
        up = by.get((k, "upstream"), {})
        for c in ("patched", "patched-1vcpu"):
            pa = by.get((k, c), {})
            common = sorted(set(up) & set(pa))
            if not common:
                continue
            n = common[-1]
            parts = []
            for key, what in (("id_ioctls_load", "ID ioctls load"),
                              ("id_ioctls_save", "ID ioctls save"),
                              ("id_wall_load_us", "ID sync wall load"),
                              ("id_wall_save_us", "ID sync wall save"),
                              ("id_time_load_us", "ID kernel time load"),
                              ("id_time_save_us", "ID kernel time save"),
                              ("downtime_ms", "downtime"), ("total_ms", "total time")):
                a, b = med(up[n], key), med(pa[n], key)
                if a is not None and b:
                    unit = "" if "ioctls" in key else (" ms" if key.endswith("_ms") else " µs")
                    parts.append(f"{what} {a:g} vs {b:g}{unit} = **{a / b:.1f}x**")
            # the same with every call at its median cost (robust to preemption tails)
            for side in ("load", "save"):
                a = [med(up[n], f"id_ioctls_{side}"), med(up[n], f"id_med_{side}_us")]
                b = [med(pa[n], f"id_ioctls_{side}"), med(pa[n], f"id_med_{side}_us")]
                if None not in a and None not in b and b[0] * b[1]:
                    parts.append(f"calls x median in-kernel cost {side} {a[0] * a[1] / 1e3:.1f} vs "
                                 f"{b[0] * b[1] / 1e3:.2f} ms = **{a[0] * a[1] / (b[0] * b[1]):.0f}x**")
            if parts:
                lines.append(f"- {k}, N={n}, upstream vs {c} (path {pa[n]['path']}): "
                             + "; ".join(parts))
    return lines, bad


def table_md(summ, metas, find, bad, title):
    L = [f"# {title}", ""]
    for k, meta in metas.items():
        L.append(f"- L1 kernel **{k}**: {meta.get('release', '?')}, KVM {meta.get('kvm_mode', '?')}, "
                 f"KVM_CAP_VM_ONE_REG: {meta.get('vm_one_reg_in_kernel', '?')}, "
                 f"kprobe events: {meta.get('kprobes', '?')}; L1 {meta.get('l1_cpus', '?')} vCPUs "
                 f"(TCG -cpu {meta.get('l1_cpu', '?')}), {int(meta.get('l1_mem_kb', 0)) // 1024} MiB; "
                 f"N = {meta.get('ns', '?')}, {meta.get('reps', '?')} repetitions per pass; "
                 f"host load average {meta.get('host_load_start', '?')} -> "
                 f"{meta.get('host_load_end', '?')}")
    L += ["",
          "Median [min–max] over the repetitions; one migration = save on the source + load "
          "on the destination. **ID ioctls**: KVM_{GET,SET}_ONE_REG and "
          "KVM_{GET,SET}_VM_ONE_REG calls on the 60 VM-scoped ID registers (kprobe events; "
          "QEMU's trace where a kernel has none). **ID sync wall**: wall time of the "
          "ID-register accesses, first call to last return of each run of consecutive "
          "ID-register calls, QEMU's time between them included (kprobe timestamps). "
          "**ID kernel**: the in-kernel part of those calls alone. Both kprobe-timed columns "
          "include the probes' own cost (see Findings). **ID step**: the series' "
          "kvm_arm_idregs_{save,load} span in QEMU, without kprobes. **Downtime / total**: "
          "query-migrate, without kprobes. **ID bytes**: the ID registers in the saved stream "
          "(analyze-migration.py). Method: docs/bench.md.", ""]
    for k in metas:
        L.append(f"## L1 kernel: {k} ({metas[k].get('release', '?')})")
        L.append("")
        L.append("| N | configuration | path | ID ioctls save / load | "
                 "ID sync wall save / load (ms) | ID kernel save / load (ms) | "
                 "ID step save / load (ms) | downtime (ms) | total (ms) | ID bytes |")
        L.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for s in summ:
            if s["kernel"] != k:
                continue

            def pair(a, b, scale=1e-3, nd=2):
                if not s.get(a) and not s.get(b):
                    return "–"
                return f"{fmt(s.get(a), scale, nd)} / {fmt(s.get(b), scale, nd)}"

            fail = f" ({s['failed']} failed)" if s["failed"] else ""
            L.append(
                f"| {s['n']} | {s['config']}{fail} | {s['path'] or '–'} | "
                f"{pair('id_ioctls_save', 'id_ioctls_load', 1, 0)} | "
                f"{pair('id_wall_save_us', 'id_wall_load_us')} | "
                f"{pair('id_time_save_us', 'id_time_load_us')} | "
                f"{pair('step_save_us', 'step_load_us')} | "
                f"{fmt(s.get('downtime_ms'), nd=0)} | {fmt(s.get('total_ms'), nd=0)} | "
                f"{s['id_bytes'] if s.get('id_bytes') is not None else '–'} |")
        L.append("")
    L.append("Configurations: " + "; ".join(f"**{c}** = {CONFIG_LABEL[c]}" for c in CONFIG_ORDER
                                             if any(s['config'] == c for s in summ)) + ".")
    L += ["", "## Findings (computed from the data)", ""] + find
    if bad:
        L += ["", "**The data contradict the expected shape: the patched build's ID-register "
              "ioctl count depends on N.**"]
    L.append("")
    return "\n".join(L)


# --- plot -------------------------------------------------------------------------------------
PLOT_COLS = ["id_ioctls_save", "id_ioctls_load", "id_wall_save_us", "id_wall_load_us",
             "downtime_ms", "step_load_us"]


def plot(outdir, summ, title):
    dat = "plot.dat"  # gnuplot runs in outdir: plot.gp stays valid wherever it is copied
    blocks = []
    with open(os.path.join(outdir, dat), "w") as f:
        f.write("# N ioctls(save+load) wall_ms(save+load) id_bytes then median min max of: "
                + " ".join(PLOT_COLS) + "\n")
        for k in dict.fromkeys(s["kernel"] for s in summ):
            for c in CONFIG_ORDER:
                ss = [s for s in summ if s["kernel"] == k and s["config"] == c]
                if not ss:
                    continue
                f.write(f"# {k} {c}\n")
                for s in ss:
                    io = [s.get("id_ioctls_save"), s.get("id_ioctls_load")]
                    tot = sum(x[0] for x in io) if all(io) else "NaN"
                    tt = [s.get("id_wall_save_us"), s.get("id_wall_load_us")]
                    ttot = sum(x[0] for x in tt) / 1e3 if all(tt) else "NaN"
                    ib = s.get("id_bytes") if s.get("id_bytes") is not None else "NaN"
                    vals = []
                    for key in PLOT_COLS:
                        st = s.get(key)
                        vals += list(st[:3]) if st else ["NaN"] * 3
                    f.write(" ".join(str(x) for x in [s["n"], tot, ttot, ib] + vals) + "\n")
                f.write("\n\n")
                blocks.append((k, c))
    if not blocks:
        return False
    kernels = list(dict.fromkeys(k for k, _ in blocks))
    dash = {k: i + 1 for i, k in enumerate(kernels)}
    pt = {k: 7 + 2 * i for i, k in enumerate(kernels)}
    col = {k: 5 + 3 * i for i, k in enumerate(PLOT_COLS)}  # median column; min, max follow

    def series(using, err=False, only=None):
        parts = []
        for i, (k, c) in enumerate(blocks):
            if only and not only(c):
                continue
            style = f"lc rgb '{COLOR.get(c, '#000000')}' dt {dash[k]} pt {pt[k]} lw 2"
            w = "yerrorlines" if err else "linespoints"
            parts.append(f"'{dat}' index {i} using {using} with {w} {style} title '{k} {c}'")
        return ", ".join(parts)

    d = col["downtime_ms"]
    have = collections.defaultdict(bool)  # data column -> any finite value
    for line in open(os.path.join(outdir, dat)):
        if line.strip() and not line.startswith("#"):
            for i, v in enumerate(line.split(), 1):
                have[i] |= v != "NaN"

    def panel(c, cmd, what):
        if have[c]:
            return [cmd]
        return [f"set label 1 'no data: {what}' at graph 0.5, 0.5 center",
                "set yrange [0:1]", "unset logscale y", "plot 2 notitle", "unset label 1",
                "set yrange [*:*]"]

    gp = [
        "set terminal pngcairo size 1500,1000 font 'sans,10'",
        "set output 'plot.png'",
        f"set multiplot layout 2,2 title '{title}'",
        "set logscale x 2", "set xtics (1,2,4,8,16,32,64,128,256)", "set grid",
        f"set xrange [0.8:{max(s['n'] for s in summ) * 1.25}]",
        "set key top left font ',8'", "set xlabel 'vCPUs (N)'",
        "set logscale y", "set ylabel 'ioctls'",
        "set title 'ID-register ONE\\_REG ioctls per migration (save + load)'",
        *panel(2, "plot " + series("1:2"), "no counts"),
        "set logscale y", "set ylabel 'ms'",
        "set title 'ID-register sync wall time per migration (save + load; kprobe-timed)'",
        *panel(3, "plot " + series("1:3"), "no kprobe events in these kernels"),
        "unset logscale y", "set yrange [0:*]",
        "set title 'migration downtime (query-migrate, no kprobes): median, min-max'",
        *panel(d, "plot " + series(f"1:{d}:{d + 1}:{d + 2}", err=True), "no clean migrations"),
        "set logscale y", "set yrange [*:*]", "set ylabel 'bytes'",
        "set title 'ID registers in the migration stream (analyze-migration.py)'",
        *panel(4, "plot " + series("1:4"), "no saved streams"),
        "unset multiplot",
    ]
    return run_gnuplot(outdir, gp)


def run_gnuplot(outdir, lines):
    """Write OUTDIR/plot.gp and run gnuplot there (so that plot.gp stays valid wherever it
    is copied); False, with gnuplot's complaint on stderr, if it fails"""
    with open(os.path.join(outdir, "plot.gp"), "w") as f:
        f.write("\n".join(lines) + "\n")
    r = subprocess.run(["gnuplot", "plot.gp"], capture_output=True, text=True, cwd=outdir)
    if r.returncode:
        print(f"gnuplot failed: {r.stderr.strip()[-500:]}", file=sys.stderr)
        return False
    return True


# --- main -------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qemu-src", default=os.path.join(TOP, "work", "qemu"))
    ap.add_argument("--title", default="ID-register sync cost vs vCPU count")
    ap.add_argument("outdir")
    ap.add_argument("rigdirs", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rows, metas, streams, srows = [], {}, {}, []
    ns = None
    for d in a.rigdirs:
        meta, rs = hop_rows(d)
        if not rs:
            print(f"analyze: no benchmark data in {d}", file=sys.stderr)
            continue
        host = read_meta(os.path.join(d, "host.txt"))
        meta["host_load_start"] = host.get("loadavg_start", "?").split(" ")[0:3]
        meta["host_load_start"] = " ".join(meta["host_load_start"])
        meta["host_load_end"] = " ".join(host.get("loadavg_end", "?").split(" ")[0:3])
        k = rs[0]["kernel"]
        metas[k] = meta
        rows += rs
        sdir = os.path.join(d, "files", "bench", "streams")
        if os.path.isdir(sdir):
            if ns is None:
                ns = streamsize.load_analyzer(a.qemu_src)
            for fn in sorted(os.listdir(sdir)):
                m = re.match(r"(.+)-n(\d+)\.mig$", fn)
                if not m:
                    continue
                try:
                    st = streamsize.analyze(ns, os.path.join(sdir, fn))
                except Exception as e:
                    print(f"analyze: {fn}: {e}", file=sys.stderr)
                    continue
                st.update(kernel=k, config=m.group(1), n=int(m.group(2)))
                streams[(k, m.group(1), int(m.group(2)))] = st
                srows.append(st)
    if not rows:
        return 2
    qemu_id_estimate(rows)
    with open(os.path.join(a.outdir, "hops.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HOP_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    with open(os.path.join(a.outdir, "streams.csv"), "w", newline="") as f:
        fields = ["kernel", "config", "n", "file_bytes", "cpu_sections", "cpu_bytes",
                  "id_entries_in_cpu", "id_bytes_in_cpu", "idregs_section_entries",
                  "idregs_section_bytes", "id_bytes"]
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for s in srows:
            w.writerow(s)
    summ = summarize(rows, streams)
    write_summary_csv(os.path.join(a.outdir, "summary.csv"), summ)
    find, bad = findings(summ, metas)
    with open(os.path.join(a.outdir, "table.md"), "w") as f:
        f.write(table_md(summ, metas, find, bad, a.title))
    if not plot(a.outdir, summ, a.title):
        print("analyze: no plot", file=sys.stderr)
        return 2
    print(open(os.path.join(a.outdir, "table.md")).read())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
