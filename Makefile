# mobisctp: the two commands are `make demo` and `make test`.
GO        ?= go
FUZZTIME  ?= 30s
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
# System packages the tests need (Debian names).
SYSTEM_PACKAGES := tshark libusrsctp-examples libusrsctp-dev nftables gcc iproute2 qemu-user-static
# Packages whose tests also run as linux/arm64 binaries (under qemu-user on
# other hosts): the codecs with their arm64 CRC32c, SCTP-AUTH, the transport.
ARM64_PACKAGES := ./stack/wire ./internal/crc32c ./encap ./stack/auth ./rserpool/wire

.PHONY: all demo test deps lint vet fmt staticcheck unit unit-arm64 unit-portable cross bench bench-compare fuzz clean

all: test

## demo: runs the main job (both mobile nodes move at once, on the simulated network); `mobisctp demo pool` is the pool failover.
demo:
	$(GO) run ./cmd/mobisctp demo

## test: installs what the tests need, then lint, every test (also as arm64
## binaries and on the portable I/O path) and the cross builds.
test: deps lint unit unit-arm64 unit-portable cross

## deps: installs missing system packages through apt-get when run as root.
deps:
	@./scripts/install-deps.sh $(SYSTEM_PACKAGES)

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck ./...

## unit: every test, including the committed fuzz corpora and the interop tests;
## the packages where goroutines meet run under the race detector. The race
## detector on everything took 8 min against 2 min without (2 cores, loaded);
## interop (external processes) and the pure data packages run without it.
RACE_PKGS := ./addip/... ./encap/... ./internal/... ./stack/... ./rserpool/asap/... ./rserpool/registrar/... ./cmd/...
RACE_SKIP := ^github.com/mobisctp/mobisctp/(addip|encap|internal|stack|rserpool/asap|rserpool/registrar|cmd)(/|$$)
unit:
	$(GO) test -count=1 -timeout 15m -race $(RACE_PKGS)
	$(GO) test -count=1 -timeout 15m $$($(GO) list ./... | grep -v -E '$(RACE_SKIP)')

## unit-arm64: the ARM64_PACKAGES tests as linux/arm64 binaries, under
## qemu-aarch64-static unless the host is arm64. Without qemu they are
## skipped, except in CI (CI=true), where that is a failure.
unit-arm64:
	@if [ "$$($(GO) env GOARCH)" = arm64 ]; then \
		$(GO) test -count=1 $(ARM64_PACKAGES); \
	elif command -v qemu-aarch64-static >/dev/null 2>&1; then \
		echo "arm64 tests under qemu-aarch64-static"; \
		GOARCH=arm64 CGO_ENABLED=0 $(GO) test -count=1 -exec qemu-aarch64-static $(ARM64_PACKAGES); \
	elif [ "$${CI:-}" = true ]; then \
		echo "qemu-aarch64-static is missing (Debian package qemu-user-static)"; exit 1; \
	else \
		echo "skipping the arm64 tests: qemu-aarch64-static is missing (Debian package qemu-user-static)"; \
	fi

## unit-portable: the transport and SCTP tests on the I/O path of macOS and
## Windows (no recvmmsg/sendmmsg, no GSO/GRO), selected on Linux by the
## build tag that selects it there.
unit-portable:
	$(GO) test -count=1 -tags mobisctp_portable ./encap/ ./stack/

## cross: builds every package without cgo for the supported platforms.
cross:
	@for p in linux/amd64 linux/arm64 darwin/arm64 windows/amd64; do \
		echo "build $$p"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build ./... || exit 1; \
	done

## bench: the Go benchmarks of every package.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-compare: mobisctp beside pion/sctp, usrsctp tsctp and raw UDP (with
## and without GSO/GRO) on loopback, BENCHTIME per cell, RUNS interleaved
## runs of each (the table gives medians), then the many-association
## benchmarks; writes bench/results/compare.md.
BENCHTIME ?= 5s
SIZES     ?= 1,100,1000,8000
RUNS      ?= 3
bench-compare:
	$(GO) build -o bin/bench/ ./cmd/mobisctp ./bench/cmd/pionperf ./bench/cmd/udpperf ./bench/cmd/benchcompare
	bin/bench/benchcompare -bin bin/bench -time $(BENCHTIME) -runs $(RUNS) -sizes '$(SIZES)' -go $(GO) -out bench/results/compare.md

## fuzz: runs every fuzz target for FUZZTIME each.
fuzz:
	@./scripts/fuzz-all.sh $(FUZZTIME)

clean:
	rm -rf bin bench/results
