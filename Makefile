# The two commands that matter: `make run` serves the marketplace on its
# embedded defaults; `make test` runs every test against real servers.

GO ?= go
# Packages with concurrency of their own, also tested under the race detector.
RACE_PKGS := ./mongodb/... ./marketplace/mongo/... ./marketplace/httpapi/... ./workers/... ./cmd/...
BENCH_PKGS ?= ./...
BENCH_TIME ?= 3s

.PHONY: run test test-deps lint bench build clean fuzz soak

run:
	$(GO) run ./cmd/marketplace serve

build:
	$(GO) build -o bin/marketplace ./cmd/marketplace

test: test-deps
	$(GO) test ./...
	$(GO) test -race -skip '^TestSoak$$' $(RACE_PKGS)

# Installs what the tests need when it is missing and can be installed.
test-deps:
	@scripts/test-deps

# The Go checks, then the deployment files with their own checkers
# (scripts/lint-deploy installs them when missing).
lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff
	@scripts/lint-deploy

# The long soak: 30 minutes at 50 writes a second, the program killed
# every 30 s and Redis every 3 minutes; make test runs a 2-minute one.
SOAK_DURATION ?= 30m
SOAK_WRITES ?= 50
soak: test-deps
	SOAK_DURATION=$(SOAK_DURATION) SOAK_WRITES=$(SOAK_WRITES) $(GO) test ./cmd/marketplace -run '^TestSoak$$' -v -count=1 -timeout 90m

# Each fuzz target for FUZZ_TIME (default 1m); their seeds run in make test.
fuzz: test-deps
	@scripts/fuzz

bench: test-deps
	$(GO) test -run '^$$' -bench . -benchtime $(BENCH_TIME) $(BENCH_PKGS)

clean:
	rm -rf bin data
