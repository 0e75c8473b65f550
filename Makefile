# mobisctp: the two commands are `make demo` and `make test`.
GO        ?= go
FUZZTIME  ?= 30s
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
# System packages the tests need (Debian names).
SYSTEM_PACKAGES := tshark libusrsctp-examples libusrsctp-dev nftables gcc iproute2

.PHONY: all demo test deps lint vet fmt staticcheck unit cross bench bench-compare fuzz clean

all: test

## demo: runs the main job on an embedded default configuration.
demo:
	$(GO) run ./cmd/mobisctp demo

## test: installs what the tests need, then lint, every test and the cross builds.
test: deps lint unit cross

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

## unit: every test, including the committed fuzz corpora and the interop tests.
unit:
	$(GO) test -count=1 -timeout 15m ./...

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
