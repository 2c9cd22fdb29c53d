#!/bin/sh
# record_exit.sh FILE COMMAND [ARGS...]: runs COMMAND on this shell's stdin/stdout, appending "started" to FILE
# before and its exit status after ("STATUS" or "STATUS after SIGTERM"), one line each; a client that starts a bridge
# per session leaves a pair per bridge. The differential client test launches mcp-bridge through it. The SDKs end a
# stdio server by closing its stdin, then SIGTERM to its process group after 2 s, then SIGKILL: a bridge that exits
# on its own leaves "0"; one stopped by the SIGTERM leaves "... after SIGTERM"; one killed leaves only "started".
file="$1"
shift
signalled=""
echo "started" >> "$file"
# A caught signal (not an ignored one) is reset to the default in the child, so the bridge still gets it.
trap 'signalled=" after SIGTERM"' TERM
"$@"
status=$?
echo "$status$signalled" >> "$file"
