# grader's developer tasks. `make test` is what CI runs (through .ci/run).
GO      ?= go
BIN     ?= bin/grader
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build demo test bench lint validate images clean

# The binaries are static (no cgo): they run on any Linux without a matching
# libc, and start without the dynamic loader, which every `grader check` pays.
# grader is the lean build (tag lean): it links the git kinds and no Docker
# client, and hands every other exercise (and db, gc, serve, stop) to
# grader-full, built beside it with every kind. A plain `go build
# ./cmd/grader` is the full one.
build: ## grader (lean) and grader-full, in bin/
	CGO_ENABLED=0 $(GO) build -trimpath -tags lean -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/grader
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(dir $(BIN))grader-full ./cmd/grader

demo: build ## a learner's first check: start git-branching in a scratch folder and check it
	@d=$$(mktemp -d) && $(BIN) start git-branching $$d/git-branching && \
	  echo "\$$ cd $$d/git-branching && grader check" && \
	  cd $$d/git-branching && $(CURDIR)/$(BIN) check; \
	  echo "(grader check exited $$?: the starter is not solved yet)"

test: lint ## every test, then prove the embedded catalog
	$(GO) test -race -count=1 -timeout 40m ./...
	$(MAKE) validate

validate: build ## prove every exercise of the embedded catalog
	$(BIN) validate

# `make bench` prints one table (a row a scenario: value, baseline from the
# same run, ratio, issue 12's target); BENCH_FORMAT=json prints it for
# tracking. go test's own lines stream to stderr while it runs, and are kept
# in bin/bench.txt; a failed benchmark fails the target after the table.
BENCH        ?= .
BENCH_PKGS   ?= ./...
BENCH_FORMAT ?= text
BENCH_FLAGS  ?= -benchtime 1s -count 1
bench: SHELL := /bin/bash
bench: build ## Go benchmarks as one table of ratios against baselines measured in the same run
	@set -o pipefail; $(GO) test -run '^$$' -bench '$(BENCH)' $(BENCH_FLAGS) $(BENCH_PKGS) 2>&1 | tee bin/bench.txt >&2; \
	  status=$$?; $(GO) run ./cmd/benchtable -format $(BENCH_FORMAT) bin/bench.txt || status=$$?; exit $$status

images: ## the sandbox images, built from Debian packages (no registry needed)
	bash sandbox/images/build

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: ## gofmt, go vet, staticcheck (dead code, bugs, style)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) build -tags lean -o /dev/null ./cmd/grader
	$(GO) run $(STATICCHECK) ./...

clean:
	rm -rf bin
