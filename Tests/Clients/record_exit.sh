#!/bin/sh
# record_exit.sh FILE COMMAND [ARGS...]: runs COMMAND on this shell's stdin/stdout, then appends its exit status to
# FILE as one line ("STATUS" or "STATUS after SIGTERM"; a client that starts a bridge per session leaves one line
# each). The differential client test launches mcp-bridge through it. The SDKs end a stdio server by closing its
# stdin, then SIGTERM to its process group after 2 s, then SIGKILL: a bridge that exits on its own leaves "0"; one
# stopped by the SIGTERM leaves "... after SIGTERM"; one killed leaves nothing.
file="$1"
shift
signalled=""
# A caught signal (not an ignored one) is reset to the default in the child, so the bridge still gets it.
trap 'signalled=" after SIGTERM"' TERM
"$@"
status=$?
echo "$status$signalled" >> "$file"
