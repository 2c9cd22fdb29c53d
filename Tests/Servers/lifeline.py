"""Ends a test server when the process that started it goes away.

The Swift tests start servers with a pipe on stdin and MCP_TEST_LIFELINE=1. When the test runner exits (or
crashes), the pipe closes, stdin reads EOF, and the server sends itself SIGTERM, so no server outlives its tests
(an orphan would keep CI's output pipes open). Without the variable this does nothing, so servers started by hand
or in the background by scripts are unaffected.
"""

import os
import signal
import sys
import threading


def watch() -> None:
    # A parent that spawns from a thread with signals blocked (Swift's Process from a Dispatch worker does)
    # hands that mask down; unblock what shutting down needs, or SIGTERM would wait forever as "pending".
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    if os.environ.get("MCP_TEST_LIFELINE") != "1":
        return

    def wait_for_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait_for_eof, name="lifeline", daemon=True).start()
