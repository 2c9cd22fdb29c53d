# mcp-bridge: build, test and demo entry points. CI runs `make test` (see .ci/run).
# The Swift tests launch the Python test servers in Tests/Servers with $(MCP_BRIDGE_PYTHON) and find
# them relative to $(MCP_BRIDGE_REPO).

MCP_BRIDGE_PYTHON := $(CURDIR)/.venv-test/bin/python

.PHONY: all deps build test demo

all: build

# apt packages (libcurl4-openssl-dev, nginx) + the .venv-test Python venv; fast no-op when up to date.
deps:
	scripts/install-deps.sh

build:
	swift build

test: deps
	swift build
	MCP_BRIDGE_REPO="$(CURDIR)" MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" swift test

# Release build, then the bridge against examples/oss_server.py (see scripts/demo.sh).
demo: deps
	swift build -c release
	MCP_BRIDGE_PYTHON="$(MCP_BRIDGE_PYTHON)" MCP_BRIDGE_BIN="$(CURDIR)/.build/release/mcp-bridge" scripts/demo.sh
