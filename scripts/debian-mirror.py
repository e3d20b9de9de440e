#!/usr/bin/python3
"""Print the Debian archive and security mirror URIs this machine's apt is configured with.

Reads /etc/apt/sources.list, sources.list.d/*.list and *.sources (deb822). Prints two
lines: "archive URI" and "security URI". DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR in the
environment override what is found. The project never hard-codes a mirror host.
"""
import glob
import os
import sys

DEBIAN_SUITES = ("buster", "bullseye", "bookworm", "trixie", "forky", "sid",
                 "stable", "testing", "unstable", "oldstable")


def entries():
    files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in files:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if not line.startswith("deb"):
                continue
            words = line.split()
            if words[1].startswith("["):
                while not words[1].endswith("]"):
                    del words[1]
                del words[1]
            if len(words) >= 3:
                yield words[0], words[1], words[2]
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            text = open(path, encoding="utf-8").read()
        except OSError:
            continue
        for stanza in text.split("\n\n"):
            fields = {}
            key = None
            for line in stanza.splitlines():
                if line.startswith("#"):
                    continue
                if line[:1] in (" ", "\t") and key:
                    fields[key] += " " + line.strip()
                elif ":" in line:
                    key, val = line.split(":", 1)
                    key = key.strip().lower()
                    fields[key] = val.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            for typ in fields.get("types", "").split():
                for uri in fields.get("uris", "").split():
                    for suite in fields.get("suites", "").split():
                        yield typ, uri, suite


def main():
    archive = os.environ.get("DEBIAN_MIRROR")
    security = os.environ.get("DEBIAN_SECURITY_MIRROR")
    for typ, uri, suite in entries():
        base = suite.split("-")[0].split("/")[0]
        if base not in DEBIAN_SUITES:
            continue
        if suite.endswith("-security") or suite.endswith("/updates"):
            security = security or uri
        else:
            archive = archive or uri
    if not archive:
        sys.exit("error: no Debian mirror found in the apt configuration; "
                 "set DEBIAN_MIRROR=<uri> (see README: offline use)")
    if not security:
        security = archive.rstrip("/") + "-security"
    print("archive", archive.rstrip("/"))
    print("security", security.rstrip("/"))


if __name__ == "__main__":
    main()
