#!/usr/bin/env bash
# End-to-end demo: start examples/oss_server.py on a free port, talk to it through mcp-bridge like an MCP
# client on stdio would (initialize, initialized, tools/list, tools/call list_indices), print the replies,
# then run `mcp-bridge check`. The server is stopped on every exit path.
#
# Environment: MCP_BRIDGE_BIN (default .build/release/mcp-bridge), MCP_BRIDGE_PYTHON (default .venv-test/bin/python).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bridge="${MCP_BRIDGE_BIN:-$repo/.build/release/mcp-bridge}"
python="${MCP_BRIDGE_PYTHON:-$repo/.venv-test/bin/python}"
work="$(mktemp -d)"
server_pid=""
bridge_pid=""

cleanup() {
    if [ -n "$bridge_pid" ]; then kill "$bridge_pid" 2>/dev/null || true; fi
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap '' PIPE  # a dead bridge makes writes fail (and set -e exit) instead of killing the script

[ -x "$bridge" ] || { echo "demo: $bridge not found; run 'swift build -c release' (or make demo)" >&2; exit 1; }

# Start the server and read its `LISTENING <port>` line.
"$python" "$repo/examples/oss_server.py" --port 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 200); do
    port="$(awk '/^LISTENING /{print $2; exit}' "$work/server.out")"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "demo: server died:" >&2; cat "$work/server.err" >&2; exit 1; }
    sleep 0.05
done
[ -n "$port" ] || { echo "demo: server did not report its port within 10 s" >&2; exit 1; }
base="http://127.0.0.1:$port/ossserver-stateless"
echo "demo: oss_server listening on $base/ossmcp"

# Drive the bridge like a client: send a message, wait for the reply with that id before going on.
mkfifo "$work/to-bridge" "$work/from-bridge"
"$bridge" "$base/ossmcp" <"$work/to-bridge" >"$work/from-bridge" &
bridge_pid=$!
exec {to_bridge}>"$work/to-bridge" {from_bridge}<"$work/from-bridge"
send() {
    echo ">>> $1"
    printf '%s\n' "$1" >&"$to_bridge"
}
await_id() {
    local line
    while IFS= read -r -t 30 line <&"$from_bridge"; do
        echo "<<< $line"
        if [[ $line =~ \"id\"[[:space:]]*:[[:space:]]*$1[[:space:]]*[,}] ]]; then return 0; fi
    done
    echo "demo: no reply with id $1 from the bridge" >&2
    return 1
}

send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"mcp-bridge-demo","version":"1.0"}}}'
await_id 1
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'
send '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
await_id 2
send '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_indices","arguments":{}}}'
await_id 3

# Close the bridge's stdin: it should finish and exit 0.
exec {to_bridge}>&-
while IFS= read -r -t 30 line <&"$from_bridge"; do echo "<<< $line"; done  # anything after the last reply
status=0
wait "$bridge_pid" || status=$?
bridge_pid=""
echo "demo: bridge exited with status $status"
[ "$status" -eq 0 ] || exit "$status"

echo "demo: mcp-bridge check"
"$bridge" check "$base/ossmcp" --health-url "$base/health"
echo "demo: ok"
