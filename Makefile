# Ballast's build, run and test entry points. `make run` and `make test` are
# the README's two commands; .ci/run calls `make test`.

GO        ?= go
BIN       := bin/ballast
PKGS      := ./...
FUZZTIME  ?= 30s
BENCHTIME ?= 1s

.PHONY: all build run test lint vet staticcheck fmt-check test-go test-invariants bench bench-node fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/ballast

# The main job: a local regtest network (node + miner) in a fresh temporary
# data directory. Pass DEVNET_ARGS to change it, e.g. DEVNET_ARGS="-datadir ~/devnet".
DEVNET_ARGS ?=
run: build
	./$(BIN) devnet $(DEVNET_ARGS)

# Every test: lint, the unit/integration suite under the race detector, and
# the expensive invariant checks.
test: lint test-go test-invariants

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# staticcheck is a tool dependency in go.mod: `go tool` builds the pinned
# version from the module proxy, nothing to install by hand.
staticcheck:
	$(GO) tool staticcheck $(PKGS)

test-go:
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# Packages with expensive invariant checks under the `invariants` build tag.
test-invariants:
	@pkgs=$$(grep -rl --include='*.go' '^//go:build invariants' internal | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); \
	if [ -n "$$pkgs" ]; then echo "$(GO) test -tags invariants $$pkgs"; $(GO) test -tags invariants -count=1 -timeout 10m $$pkgs; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

# The node's throughput benchmark: connect blocks full of two-input,
# two-output Schnorr transactions (BENCH_INPUTS signed inputs) into an empty
# data directory; reports inputs/s, CPU seconds and peak RSS. Also mempool
# acceptance. Results go in docs/benchmarks.md.
BENCH_INPUTS ?= 200000
bench-node:
	BALLAST_BENCH_INPUTS=$(BENCH_INPUTS) $(GO) test -run '^$$' -bench 'BenchmarkConnectBlocks' -benchtime 1x -timeout 30m ./internal/chain/
	$(GO) test -run '^$$' -bench 'BenchmarkAccept' -benchtime 2s ./internal/mempool/

# Runs every fuzz target for FUZZTIME each (bounded; not part of `make test`,
# which runs the seed corpora only).
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

clean:
	rm -rf bin
