# patchbay — build, test, benchmark and fuzz. `make test` is what CI runs.

GO       ?= go
PKGS     := ./...
FUZZTIME ?= 10s
BENCHTIME ?= 1x

.PHONY: all build test check fmt-check vet unit examples cross bench fuzz fuzz-long lint clean

all: build test

build:
	$(GO) build -o bin/patchbay ./cmd/patchbay

## test: formatting, vet, the race-checked test suite, every example, and
## a Windows build.
test: fmt-check vet unit examples cross

## check: the edit loop's quick pass — formatting, vet and the tests
## without the race detector (about a third of make test's time).
check: fmt-check vet
	$(GO) test -count=1 $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# go test stops a package after 10 minutes by default, and testscript ends
# its commands just before: on a busy two-core machine the race-checked CLI
# tests came near it. CI's own bound is the real one.
unit:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

## cross: the tool builds for Windows too, where some Unix calls the
## output writer and the live sockets use do not exist.
cross:
	GOOS=windows $(GO) build -o /dev/null ./cmd/patchbay

## examples: every example plans with exit 0 (findings that are errors fail),
## runs all its scenarios with exit 0, and is formatted.
examples: build
	@set -e; for f in examples/*.star examples/*.hcl; do \
		echo "plan $$f"; ./bin/patchbay plan $$f > /dev/null; \
		echo "sim --all $$f"; ./bin/patchbay sim --all $$f > /dev/null; \
	done
	./bin/patchbay fmt --check examples

## bench: the benchmarks at realistic sizes (BENCHTIME=1s for steadier numbers).
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $(PKGS)

## fuzz: a short run of every fuzz target, one at a time (go test -fuzz takes one).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
		for t in $$($(GO) test -list='^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$t"; \
			$(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

## fuzz-long: the same, a minute a target (the front-ends' hostile-input check).
fuzz-long:
	$(MAKE) fuzz FUZZTIME=60s

lint: fmt-check vet

clean:
	rm -rf bin
