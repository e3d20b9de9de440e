#!/usr/bin/env python3
"""Compare two -dump-vmstate files of one machine type, as upstream's
tests/functional/generic/test_vmstate.py compares a release's reference with the current
QEMU, but exactly: every section of REF must be in NEW unchanged, and NEW may add only
the sections named with -a. (vmstate-static-checker.py, which that test runs, reports the
sd-card device of pristine 10.2.2 against itself, so "no findings" cannot be asked of it
on a whole dump; an exact comparison needs no such exception.)

  vmstate.py REF NEW [-a SECTION]...     exit 0: equal; 1: a difference (printed)
"""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("ref")
p.add_argument("new")
p.add_argument("-a", dest="allowed", action="append", default=[])
a = p.parse_args()
ref = json.load(open(a.ref))
new = json.load(open(a.new))
bad = []
for k, v in ref.items():
    if k == "vmschkmachine":
        continue
    if k not in new:
        bad.append(f"section {k} removed")
    elif new[k] != v:
        bad.append(f"section {k} changed: {json.dumps(v)[:200]} -> {json.dumps(new[k])[:200]}")
added = sorted(k for k in new if k not in ref)
for k in added:
    if k not in a.allowed:
        bad.append(f"section {k} added")
for b in bad:
    print(b)
print(f"{len(ref) - 1} sections compared, added: {' '.join(added) or 'none'}")
sys.exit(1 if bad else 0)
