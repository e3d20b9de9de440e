# Rollback-safe, VM-scoped arm64 ID registers: QEMU + KVM/arm64 patch series and the rig
# that tests them on real KVM. `make help` lists the entry points.

SHELL := /bin/bash
S := scripts

.PHONY: help deps fetch work export build build-qemu build-linux check check-full \
	check-series smoke demo bench clean-work

help:
	@echo "Entry points:"
	@echo "  make demo          fetch, build, boot the rig, live-migrate a guest on real KVM"
	@echo "  make check         the test suite CI runs (.ci/run)"
	@echo "  make check-full    check + what does not fit CI's budget (per-patch builds,"
	@echo "                     lockdep, cross-host, libvirt pairs, 1000+ mutants, ASan/UBSan)"
	@echo "  make check-series  checkpatch, clean apply and export round trip of patches/"
	@echo "                     (SERIES_BUILD=1: also build every QEMU patch in order)"
	@echo "  make bench         ID-register sync cost vs vCPU count, patched vs unpatched"
	@echo "                     (BENCH_ARGS=--downtime: migration downtime, shuffled rounds,"
	@echo "                     ratio with a bootstrap interval; bench/run.sh --help)"
	@echo "  make work          create work/qemu, work/linux: pinned base + patches/ applied"
	@echo "  make export        write work/*'s commits back into patches/ (do it before you stop)"
	@echo "Building blocks:"
	@echo "  make deps          install host packages (Debian 12; needs root)"
	@echo "  make fetch         download and verify the pinned bases (versions.mk)"
	@echo "  make build         QEMU cross (patched, unpatched), native TCG; the rig's kernel"
	@echo "  make smoke         run the cross-built QEMUs under qemu-aarch64-static"
	@echo "Caches live in \$$IDREGS_CACHE (default /var/cache/idregs)."

deps:
	$(S)/deps.sh

fetch:
	$(S)/fetch.sh QEMU LINUX

work:
	$(S)/mkwork.sh

export:
	$(S)/export.sh

build-qemu: work
	$(S)/build-qemu.sh cross
	$(S)/build-qemu.sh cross-base
	$(S)/build-qemu.sh native

build-linux: work
	$(S)/build-linux.sh rig

build: build-qemu build-linux

check-series: work
	$(S)/check-series.sh

smoke:
	$(S)/smoke.sh

check:
	$(S)/check.sh quick

check-full:
	$(S)/check.sh full

demo:
	$(S)/demo.sh

bench:
	bench/run.sh $(BENCH_ARGS)
