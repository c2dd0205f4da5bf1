# Ballast's build, run and test entry points. `make run` and `make test` are
# the README's two commands; .ci/run calls `make test`.

GO        ?= go
BIN       := bin/ballast
PKGS      := ./...
FUZZTIME  ?= 30s
BENCHTIME ?= 1s

.PHONY: all build run test lint vet staticcheck fmt-check test-go test-invariants bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/ballast

# The main job. For now: the consensus self-check on a fresh regtest chain.
run: build
	./$(BIN) selfcheck

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

# Runs every fuzz target for FUZZTIME each (bounded; not part of `make test`,
# which runs the seed corpora only).
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

clean:
	rm -rf bin
