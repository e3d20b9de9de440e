#!/usr/bin/env python3
"""How many bytes the VM-scoped ID registers take in a saved migration stream.

    bench/streamsize.py QEMU_SRC STREAM...      one JSON object per stream on stdout

Uses QEMU's own scripts/analyze-migration.py (its classes; its command line is not run) and
records where each section starts and ends in the file, so that the on-wire size of every
section is known:
  - ID bytes inside "cpu" sections (old format): 16 bytes (index + value, two uint64
    VARRAY elements with no per-element framing) per VM-scoped register in each vCPU's
    cpreg_vmstate_indexes;
  - the kvm-arm-idregs section (new format): all of it, header and footer included.
"""
import json
import os
import sys

QEMU_VM_SECTION_FOOTER = 0x7E


def load_analyzer(src):
    path = os.path.join(src, "scripts", "analyze-migration.py")
    with open(path) as f:
        code = f.read()
    # everything before the command-line part: classes only
    cut = code.find("\nclass JSONEncoder")
    if cut < 0:
        raise SystemExit(f"{path}: unexpected layout (no JSONEncoder class)")
    ns = {"__name__": "analyze_migration", "__file__": path}
    exec(compile(code[:cut], path, "exec"), ns)
    return ns


def vm_scoped(i):
    """The kernel's is_vm_ftr_id_reg() on KVM register ids (64-bit sysregs)."""
    if i & ~0xFFFF != 0x6030000000130000:
        return False
    enc = i & 0xFFFF
    if enc in (0xC000, 0xC006, 0xC807, 0xD801):  # MIDR, REVIDR, AIDR, CTR_EL0
        return True
    op0, op1, crn, crm = enc >> 14, (enc >> 11) & 7, (enc >> 7) & 15, (enc >> 3) & 15
    return op0 == 3 and op1 == 0 and crn == 0 and 1 <= crm <= 7


def as_int(x):
    return int(x, 16) if isinstance(x, str) else int(x)


def analyze(ns, fname):
    spans = {}
    vmsd = ns["VMSDSection"]
    orig = vmsd.read

    def read(self):
        start = self.file.tell()
        r = orig(self)
        end = self.file.tell()
        name = self.section_key[0]
        # header: type(1) + section id(4) + name length(1) + name + instance(4) + version(4)
        size = end - start + 14 + len(name)
        raw = self.file.file
        pos = raw.tell()
        raw.seek(end)
        b = raw.read(1)
        raw.seek(pos)
        if b and b[0] == QEMU_VM_SECTION_FOOTER:
            size += 5
        spans.setdefault(self.section_key, 0)
        spans[self.section_key] += size
        return r

    vmsd.read = read
    try:
        dump = ns["MigrationDump"](fname)
        dump.read()
        state = dump.getDict()
    finally:
        vmsd.read = orig
    res = {
        "file": os.path.basename(fname),
        "file_bytes": os.path.getsize(fname),
        "cpu_sections": 0,
        "cpu_bytes": 0,
        "id_entries_in_cpu": 0,
        "idregs_section_bytes": 0,
        "idregs_section_entries": 0,
    }
    for key, size in spans.items():
        if key[0] == "cpu":
            res["cpu_sections"] += 1
            res["cpu_bytes"] += size
        elif key[0] == "kvm-arm-idregs":
            res["idregs_section_bytes"] += size
    for k, sec in state.items():
        if k.startswith("cpu ("):
            ids = [as_int(x) for x in sec.get("cpreg_vmstate_indexes", []) or []]
            res["id_entries_in_cpu"] += sum(1 for i in ids if vm_scoped(i))
        elif k.startswith("kvm-arm-idregs"):
            res["idregs_section_entries"] += len(sec.get("ids", []) or [])
    res["id_bytes_in_cpu"] = 16 * res["id_entries_in_cpu"]
    res["id_bytes"] = res["id_bytes_in_cpu"] + res["idregs_section_bytes"]
    return res


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    ns = load_analyzer(sys.argv[1])
    for f in sys.argv[2:]:
        try:
            print(json.dumps(analyze(ns, f)))
        except Exception as e:  # one bad stream must not hide the others
            print(json.dumps({"file": os.path.basename(f), "error": str(e)[-300:]}))


if __name__ == "__main__":
    main()
