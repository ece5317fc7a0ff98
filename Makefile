# PurplePages build/test entry points. `make` (or `make help`) lists the targets.
# Every target that compiles first runs scripts/install-deps (a no-op when all is installed).

SWIFT ?= swift
# Extra arguments: make run ARGS="--port 4444", make test TEST_ARGS="--filter Foo",
# make bench BENCH_ARGS="...", make fuzz FUZZ_SECONDS=300
ARGS ?=
TEST_ARGS ?=
BENCH_ARGS ?=
STORE_ARGS ?=
FUZZ_SECONDS ?= 60

# Reproducible Dictionary/Set ordering in builds, tests and benchmarks.
export SWIFT_DETERMINISTIC_HASHING=1

.PHONY: help deps build release run test install uninstall check-packages bench bench-store bench-relay bench-import \
	bench-tracking bench-analytics bench-sync bench-crawl fuzz fmt clean

# help: list the targets (default target).
help:
	@echo "PurplePages make targets:"
	@echo "  deps     install missing system packages (scripts/install-deps)"
	@echo "  build    debug build (swift build)"
	@echo "  release  release build (swift build -c release)"
	@echo "  run      release build, then run .build/release/purplepages \$$(ARGS)"
	@echo "  test     build tests, then run them against a throwaway PostgreSQL (\$$(TEST_ARGS))"
	@echo "  install  release build (static Swift runtime), then scripts/install into \$$(PREFIX) (/opt/purplepages);"
	@echo "           BUILD_DIR=.build/debug installs that build instead; SERVICE_USER, SYSTEMD_DIR: see Docs/OPERATIONS.md"
	@echo "  uninstall  remove what install put into \$$(PREFIX), keeping config.json and data/"
	@echo "  check-packages  build each package alone and link it from a foreign package (slow; \$$(PACKAGES))"
	@echo "  bench    release build of purplepages-bench, then run 'parse \$$(BENCH_ARGS)'"
	@echo "  bench-store  release build of purplepages-bench, then run 'store \$$(STORE_ARGS)' (1M events by default)"
	@echo "  bench-relay  release build, then scripts/bench-relay \$$(RELAY_STORE_EVENTS) against relays it starts"
	@echo "  bench-import release build, then scripts/bench-import \$$(IMPORT_EVENTS) (1M generated events, verified and not)"
	@echo "  bench-tracking  REQ throughput and p99 with analytics tracking off and on (throwaway PostgreSQL)"
	@echo "  bench-analytics  analytics worker pass time and RSS, relay p99 during it (scripts/bench-analytics)"
	@echo "  bench-sync  release build, then 'purplepages-bench sync \$$(SYNC_ARGS)': NIP-77 sync of two 1M-event stores"
	@echo "  bench-crawl release build, then 'purplepages-bench crawl \$$(CRAWL_ARGS)': crawl of 10 relays holding 1M events"
	@echo "  fuzz     libFuzzer build of purplepages-fuzz, run for \$$(FUZZ_SECONDS) s on fuzz-corpus/"
	@echo "  fmt      format the sources with swift format"
	@echo "  clean    remove .build and .build-fuzz"

# deps: install the Debian packages the build and the tests need (only the missing ones).
deps:
	@scripts/install-deps

# build: debug build of everything.
build: deps
	$(SWIFT) build

# release: optimised build of everything.
release: deps
	$(SWIFT) build -c release

# run: start the relay from the release build, e.g. make run ARGS="--port 4444"; with PostgreSQL
# installed, a local cluster in data/postgres holds the analytics (scripts/run-relay).
run: release
	scripts/run-relay $(ARGS)

# test: build the tests, then run them (swift-testing only) with a temporary PostgreSQL server
# whose URL is in $PURPLEPAGES_TEST_DATABASE_URL (see scripts/with-postgres). Serially: on 2 cores
# Swift concurrency has 2 threads, and CPU-heavy store suites running beside the WebSocket suites
# would starve the relays those suites talk to.
test: deps
	$(SWIFT) build --build-tests
	scripts/with-postgres $(SWIFT) test --skip-build --disable-xctest --no-parallel $(TEST_ARGS)

# install: release build of the three executables with the Swift runtime linked in (a machine
# without Swift runs them), then scripts/install puts them, config.example.json, a first config.json
# (never overwritten), data/ and the systemd units into PREFIX. As root it also creates the service
# user SERVICE_USER (empty: none) and gives it data/; the units go to /etc/systemd/system as root with
# the default PREFIX, or to SYSTEMD_DIR when given. BUILD_DIR=.build/debug installs an existing build
# as it is, without building (the test suite does that). uninstall takes the same variables.
PREFIX ?= /opt/purplepages
BUILD_DIR ?=
SERVICE_USER ?= purplepages
SYSTEMD_DIR ?=
INSTALL_ARGS = --prefix "$(PREFIX)" --user "$(SERVICE_USER)" $(if $(SYSTEMD_DIR),--systemd-dir "$(SYSTEMD_DIR)")
install:
ifeq ($(BUILD_DIR),)
	@scripts/install-deps
	$(SWIFT) build -c release --static-swift-stdlib --product purplepages
	$(SWIFT) build -c release --static-swift-stdlib --product purplepages-analytics
	$(SWIFT) build -c release --static-swift-stdlib --product purplepages-import
	scripts/install --from .build/release $(INSTALL_ARGS)
else
	scripts/install --from "$(BUILD_DIR)" $(INSTALL_ARGS)
endif

uninstall:
	scripts/uninstall $(INSTALL_ARGS)

# check-packages: each package under Packages/ builds standalone and links from a foreign package
# (scripts/check-packages; own build folders in .build-packages/). PACKAGES="RelayServer" limits it.
PACKAGES ?=
check-packages: deps
	scripts/check-packages $(PACKAGES)

# bench: release build of the benchmark tool, then run the parse benchmark.
bench: deps
	$(SWIFT) build -c release --product purplepages-bench
	.build/release/purplepages-bench parse $(BENCH_ARGS)

# bench-store: the event store benchmark (insert rate, size, query latency); 1M events by default.
bench-store: deps
	$(SWIFT) build -c release --product purplepages-bench
	.build/release/purplepages-bench store $(STORE_ARGS)

# bench-relay: ingest, REQ, fan-out and idle-connection memory of relays started for the purpose,
# then REQ on a store of RELAY_STORE_EVENTS generated events (default 1M; 0 skips it).
RELAY_STORE_EVENTS ?= 1000000
bench-relay: deps
	$(SWIFT) build -c release --product purplepages --product purplepages-bench
	scripts/bench-relay $(RELAY_STORE_EVENTS)

# bench-import: import IMPORT_EVENTS generated events with and without signature verification.
IMPORT_EVENTS ?= 1000000
bench-import: deps
	$(SWIFT) build -c release --product purplepages-import --product purplepages-bench
	scripts/bench-import $(IMPORT_EVENTS)

# bench-tracking: the 50-client REQ mix against relays without and with analytics tracking.
bench-tracking: deps
	$(SWIFT) build -c release --product purplepages --product purplepages-bench
	scripts/with-postgres scripts/bench-tracking $(TRACKING_ROUNDS)

# bench-analytics: one analytics worker pass over a generated follow graph of ANALYTICS_PUBKEYS
# pubkeys and about ANALYTICS_FOLLOWS follows (time, peak RSS), and a relay's REQ p99 before and
# during it (throwaway PostgreSQL; the store is kept in BENCH_DIR and reused; more options in
# ANALYTICS_ARGS, e.g. ANALYTICS_ARGS="--clients 4"). The script does the release builds.
ANALYTICS_PUBKEYS ?= 1000000
ANALYTICS_FOLLOWS ?= 30000000
bench-analytics: deps
	scripts/bench-analytics $(ANALYTICS_PUBKEYS) $(ANALYTICS_FOLLOWS)

# bench-sync: NIP-77 sync of two generated stores of 1M events differing by 1% (SYNC_ARGS="--difference 0.01"
# for 0.01%; "--path DIR --keep" then "--path DIR --reuse" keeps the generated pair between runs) against
# the REQ-paging fallback; the remote relay is the release purplepages.
SYNC_ARGS ?=
bench-sync: deps
	$(SWIFT) build -c release --product purplepages
	$(SWIFT) build -c release --product purplepages-bench
	.build/release/purplepages-bench sync $(SYNC_ARGS)

# bench-crawl: the relay's crawler filling an empty store from 10 local relays holding 1M events (30% on two),
# against the same relay's WebSocket ingest of the corpus, and REQ p99 during the crawl against idle
# (CRAWL_ARGS="--events 100000" for a quick run; "--path DIR --keep" then "--path DIR --reuse" keeps the remotes).
CRAWL_ARGS ?=
bench-crawl: deps
	$(SWIFT) build -c release --product purplepages
	$(SWIFT) build -c release --product purplepages-bench
	.build/release/purplepages-bench crawl $(CRAWL_ARGS)

# fuzz: libFuzzer build (separate scratch path, -DFUZZING) and a time-boxed run on fuzz-corpus/.
fuzz: deps
	$(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -DFUZZING --product purplepages-fuzz --scratch-path .build-fuzz
	mkdir -p fuzz-corpus
	.build-fuzz/release/purplepages-fuzz -max_total_time=$(FUZZ_SECONDS) fuzz-corpus/ Tests/Fixtures/fuzz-seeds/

# fmt: format all Swift sources in place (swift format ships with Swift 6).
fmt:
	@if $(SWIFT) format --version >/dev/null 2>&1; then \
		$(SWIFT) format --in-place --recursive Packages Executables Tests Package.swift; \
	else \
		echo "fmt: 'swift format' is not available in this toolchain; skipping" >&2; \
	fi

# clean: remove all build products.
clean:
	rm -rf .build .build-fuzz
