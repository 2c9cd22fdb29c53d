# mcp-bridge: build, test and demo entry points. CI runs `make lint`, `make test` and `make fuzz-smoke` (see .ci/run).
# The Swift tests launch the Python test servers in Tests/Servers with $(MCP_BRIDGE_PYTHON) and find
# them relative to $(MCP_BRIDGE_REPO).

MCP_BRIDGE_PYTHON := $(CURDIR)/.venv-test/bin/python
# mcp 1.x (the 2024-11-05 HTTP+SSE server, Tests/Servers/legacy_sse_server.py) cannot share a venv with mcp 2.x.
MCP_BRIDGE_LEGACY_PYTHON := $(CURDIR)/.venv-legacy/bin/python

.PHONY: all deps build lint test demo

all: build

# apt packages (libcurl4-openssl-dev, nginx) + the Python venvs (.venv-test, .venv-legacy, .venv-fastmcp, .venv-authlib); fast no-op when up to date.
deps:
	scripts/install-deps.sh

build:
	swift build

# swift format's rule checks with .swift-format, plus tabs, trailing whitespace and over-long lines (scripts/lint.sh).
lint:
	scripts/lint.sh

# Two runs: the real-client differential suite starts dozens of Python clients, servers and bridges, so it runs on
# its own after the rest (beside the soak and chaos suites it would only slow them both on a 2-core machine).
TEST_ENV = MCP_BRIDGE_REPO="$(CURDIR)" MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" \
	MCP_BRIDGE_LEGACY_PYTHON="$(MCP_BRIDGE_LEGACY_PYTHON)"
test: deps
	swift build
	$(TEST_ENV) swift test --skip DifferentialClientTests
	$(TEST_ENV) swift test --filter DifferentialClientTests

# Release build, then the bridge against examples/oss_server.py (see scripts/demo.sh).
demo: deps
	swift build -c release
	MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" MCP_BRIDGE_BIN="$(CURDIR)/.build/release/mcp-bridge" scripts/demo.sh

# Benchmark suite (see BENCHMARKS.md and Benchmarks/driver.py): peer venvs + C helpers, release builds,
# then every measurement; writes BENCHMARKS.md. Takes ~12 minutes; run it on an otherwise idle machine.
# bench-smoke is a tiny version (< 30 s, numbers are not meaningful) that checks the suite still runs.
# `mcp-bridge` in the tables is the self-contained build (README: --static-swift-stdlib, in .build-static so it does
# not replace .build/release); `mcp-bridge-dynamic` is plain `swift build -c release`, measured alongside.
.PHONY: bench bench-smoke bench-setup
bench-setup: deps
	Benchmarks/setup.sh
	swift build -c release
	swift build -c release --static-swift-stdlib --scratch-path .build-static

bench: bench-setup
	MCP_BRIDGE_BIN="$(CURDIR)/.build-static/release/mcp-bridge" MCP_BRIDGE_DYNAMIC_BIN="$(CURDIR)/.build/release/mcp-bridge" \
		python3 Benchmarks/driver.py --command "make bench"

bench-smoke: bench-setup
	MCP_BRIDGE_BIN="$(CURDIR)/.build-static/release/mcp-bridge" MCP_BRIDGE_DYNAMIC_BIN="$(CURDIR)/.build/release/mcp-bridge" \
		BENCH_QUICK=1 python3 Benchmarks/driver.py --command "make bench-smoke"

# Reliability (see RELIABILITY.md). chaos: replicas killed and restarted under load through one bridge
# (~4 minutes); soak: 1,000,000 messages to the fast C server plus 100,000-line bursts (~6 minutes). Each rewrites
# its section of RELIABILITY.md and exits 1 if a criterion fails. chaos-quick/soak-quick: small versions, no write.
.PHONY: chaos chaos-quick soak soak-quick
chaos: deps
	swift build -c release
	MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" "$(MCP_BRIDGE_PYTHON)" scripts/chaos.py --command "make chaos"

chaos-quick: deps
	swift build -c release
	MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" "$(MCP_BRIDGE_PYTHON)" scripts/chaos.py --quick --no-write

soak:
	swift build -c release
	python3 scripts/soak.py --command "make soak"

soak-quick:
	swift build -c release
	python3 scripts/soak.py --quick --no-write

# libFuzzer targets (see Fuzz/run.sh and RELIABILITY.md): the SSE parser, the stdin line splitter with the
# envelope classifier and JSON scanner, --header templates, era translation's splices, redirect resolution, batch
# splitting and server header values. They are SwiftPM executables that Package.swift declares only under
# MCP_BRIDGE_FUZZ=1, built with the fuzzer and address sanitizers in .build-fuzz. fuzz: FUZZ_SECONDS per target
# (default 30). fuzz-smoke (run by .ci/run): builds every target and runs each for FUZZ_SMOKE_SECONDS (default 10),
# failing on any crash, sanitizer report or invariant violation.
.PHONY: fuzz fuzz-smoke
FUZZ_SECONDS ?= 30
FUZZ_SMOKE_SECONDS ?= 10
fuzz:
	Fuzz/run.sh all $(FUZZ_SECONDS)

fuzz-smoke:
	Fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS)

# The test suite under ThreadSanitizer and AddressSanitizer (scripts/sanitize.sh, RELIABILITY.md): separate
# scratch paths (.build-tsan, .build-asan), the e2e tests drive the sanitized bridge, any report fails the run.
.PHONY: sanitize
sanitize: deps
	MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" scripts/sanitize.sh thread address
