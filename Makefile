# Ballast's build, run and test entry points. `make run` and `make test` are
# the README's two commands; .ci/run calls `make test`.

GO        ?= go
BIN       := bin/ballast
PKGS      := ./...
FUZZTIME  ?= 30s
BENCHTIME ?= 1s

# Build tags. libsecp256k1 compiles the cgo BIP340 verifier
# (internal/secp256k1: libsecp256k1 0.2.0 built from source into the
# package, 3.7x faster than pure Go, with batch verification) and is on when
# that source is unpacked (scripts/install-deps.sh fetches Debian's tarball
# into internal/secp256k1/csrc/; `make test` runs it first).
# `make test BUILD_TAGS=` builds and tests the pure-Go path alone; vet and
# staticcheck always check both.
BUILD_TAGS ?= $(shell test -f internal/secp256k1/csrc/libsecp256k1-0.2.0/src/secp256k1.c && echo libsecp256k1)
TAGS       := $(if $(strip $(BUILD_TAGS)),-tags '$(strip $(BUILD_TAGS))')

.PHONY: all deps build build-bin run test test-all lint bench-sync bench-p2p bench-fanout bench-orders vet staticcheck fmt-check test-go test-invariants bench bench-node fuzz clean

all: build

# The library source first (a no-op once there), then a second make that
# sees it and builds with the libsecp256k1 tag.
build:
	./scripts/install-deps.sh --secp-only
	$(MAKE) --no-print-directory build-bin

build-bin:
	$(GO) build $(TAGS) -o $(BIN) ./cmd/ballast

# The main job: a local regtest network (node + miner) in a fresh temporary
# data directory. Pass DEVNET_ARGS to change it, e.g. DEVNET_ARGS="-datadir ~/devnet".
DEVNET_ARGS ?=
run: build
	./$(BIN) devnet $(DEVNET_ARGS)

# Every test: system dependencies installed (scripts/install-deps.sh), then
# lint, the unit/integration suite under the race detector, and the
# expensive invariant checks. The second make re-reads BUILD_TAGS after the
# install.
test: deps
	$(MAKE) --no-print-directory test-all

test-all: lint test-go test-invariants

deps:
	./scripts/install-deps.sh

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	$(if $(TAGS),$(GO) vet $(TAGS) $(PKGS))

# staticcheck is a tool dependency in go.mod: `go tool` builds the pinned
# version from the module proxy, nothing to install by hand.
staticcheck:
	$(GO) tool staticcheck $(PKGS)
	$(if $(TAGS),$(GO) tool staticcheck $(TAGS) $(PKGS))

test-go:
	$(GO) test -race -count=1 -timeout 15m $(TAGS) $(PKGS)

# Packages with expensive invariant checks under the `invariants` build tag.
test-invariants:
	@pkgs=$$(grep -rl --include='*.go' '^//go:build invariants' internal | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); \
	if [ -n "$$pkgs" ]; then echo "$(GO) test -tags invariants $$pkgs"; $(GO) test -tags invariants -count=1 -timeout 10m $$pkgs; fi

bench:
	$(GO) test $(TAGS) -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

# The node's throughput benchmark: connect blocks full of two-input,
# two-output Schnorr transactions (BENCH_INPUTS signed inputs) into an empty
# data directory; reports inputs/s, CPU seconds and peak RSS. Also mempool
# acceptance. Results go in docs/benchmarks.md.
BENCH_INPUTS ?= 200000
bench-node:
	BALLAST_BENCH_INPUTS=$(BENCH_INPUTS) $(GO) test $(TAGS) -run '^$$' -bench 'BenchmarkConnectBlocks' -benchtime 1x -timeout 30m ./internal/chain/
	$(GO) test $(TAGS) -run '^$$' -bench 'BenchmarkAccept' -benchtime 2s ./internal/mempool/

# Initial sync from a local peer of the node benchmark's workload.
bench-sync:
	BALLAST_BENCH_INPUTS=$(BENCH_INPUTS) $(GO) test $(TAGS) -run '^$$' -bench 'InitialSync' -benchtime 1x -timeout 30m ./internal/p2p/

# Signed REST order placements from the load generator (a child process):
# LOAD_CONNS keep-alive connections for LOAD_SECONDS.
LOAD_CONNS   ?= 48
LOAD_SECONDS ?= 5
bench-orders:
	BALLAST_LOAD_SECONDS=$(LOAD_SECONDS) BALLAST_LOAD_CONNS=$(LOAD_CONNS) $(GO) test -count=1 -run '^TestOrderLoad$$' -v ./internal/api/

# Block propagation across 10 real node processes on 127.0.0.11-20.
bench-p2p:
	BALLAST_P2P_PROPAGATION=1 $(GO) test $(TAGS) -count=1 -run TestP2PPropagation10 -v ./internal/node/

# WebSocket market-data fan-out: FANOUT_SUBS subscribers (and some that
# never read) in a client process on loopback, FANOUT_TRADES trades made
# through the venue at FANOUT_RATE per second. Results go in docs/benchmarks.md.
FANOUT_SUBS   ?= 10000
FANOUT_TRADES ?= 100
FANOUT_RATE   ?= 5
bench-fanout:
	BALLAST_FANOUT_SUBS=$(FANOUT_SUBS) BALLAST_FANOUT_TRADES=$(FANOUT_TRADES) BALLAST_FANOUT_RATE=$(FANOUT_RATE) $(GO) test $(TAGS) -count=1 -run '^TestWSFanout$$' -v -timeout 30m ./internal/api/

# Runs every fuzz target for FUZZTIME each (bounded; not part of `make test`,
# which runs the seed corpora only).
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

clean:
	rm -rf bin
