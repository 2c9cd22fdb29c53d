import BridgePlatform
import BridgeRuntime
import CCurl

/// The driver thread's wait: one `poll(2)` over libcurl's sockets, the wake-up pipe and watched descriptors, then
/// `curl_multi_socket_action` for exactly the sockets that are ready (libcurl's "multi_socket" API).
extension CurlDriver {
    func installCallbacks() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        ccurl_multi_setopt_socket_callback(multi, Self.onSocket)
        ccurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
        ccurl_multi_setopt_timer_callback(multi, Self.onTimer)
    }

    /// `CURLMOPT_SOCKETFUNCTION`: which sockets to poll, for what. Runs on the driver thread inside libcurl calls.
    private static let onSocket: curl_socket_callback = { _, socket, what, context, _ in
        guard let context else { return 0 }
        let driver = Unmanaged<CurlDriver>.fromOpaque(context).takeUnretainedValue()
        if what == CURL_POLL_REMOVE {
            driver.sockets.removeValue(forKey: socket)
        } else {
            var events: Int16 = 0
            if what & CURL_POLL_IN != 0 { events |= Int16(POLLIN) }
            if what & CURL_POLL_OUT != 0 { events |= Int16(POLLOUT) }
            driver.sockets[socket] = events
        }
        return 0
    }

    /// `CURLMOPT_TIMERFUNCTION`: -1 removes the timer, 0 means "act now", otherwise milliseconds from now.
    private static let onTimer: curl_multi_timer_callback = { _, timeout, context in
        guard let context else { return 0 }
        let driver = Unmanaged<CurlDriver>.fromOpaque(context).takeUnretainedValue()
        driver.timerDeadline = timeout < 0 ? nil : .now + .milliseconds(timeout)
        return 0
    }

    /// One round: handle a due timer, sleep in `poll` (only when `idle` and nothing became runnable meanwhile),
    /// then let libcurl act on the ready sockets and hand out what finished.
    func waitAndDispatch(idle: () -> Bool) {
        settle()
        // One array for every round (driver thread only): no allocation per `poll`.
        var fds = pollSet
        pollSet = []
        defer { fds.removeAll(keepingCapacity: true); pollSet = fds }
        fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
        for watch in watches where !watch.isPaused() {
            fds.append(pollfd(fd: watch.fd, events: Int16(POLLIN), revents: 0))
        }
        let firstSocket = fds.count
        for (socket, events) in sockets { fds.append(pollfd(fd: socket, events: events, revents: 0)) }
        waitHooks.forEach { $0() }
        let timeout = idle() ? pollTimeout() : 0
        guard poll(&fds, nfds_t(fds.count), timeout) > 0 else {
            settle()
            return
        }
        if fds[0].revents != 0 {
            var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            _ = withUnsafeMutableBytes(of: &bytes) { read(wakeFD, $0.baseAddress, $0.count) }
        }
        var stopped: [Int32] = []
        for entry in fds[1..<firstSocket] where entry.revents != 0 {
            if let watch = watches.first(where: { $0.fd == entry.fd }), !watch.onReadable() { stopped.append(entry.fd) }
        }
        if !stopped.isEmpty { watches.removeAll { stopped.contains($0.fd) } }
        var running: Int32 = 0
        for entry in fds[firstSocket...] where entry.revents != 0 {
            curl_multi_socket_action(multi, entry.fd, Self.selectFlags(entry.revents), &running)
        }
        settle()
    }

    /// Fires a due libcurl timer, then reports finished transfers and flushes ACKs (see `QuickAck`).
    private func settle() {
        if let deadline = timerDeadline, deadline <= .now {
            timerDeadline = nil
            var running: Int32 = 0
            curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
        collectFinished()
        quickAck.flushScheduled()
    }

    /// Milliseconds until libcurl's timer (rounded up), at most a second so `shutdown` is never missed for long.
    private func pollTimeout() -> Int32 {
        guard let deadline = timerDeadline else { return 1000 }
        let remaining = deadline - .now
        guard remaining > .zero else { return 0 }
        return Int32(min(remaining.milliseconds, 1000))
    }

    private static func selectFlags(_ revents: Int16) -> Int32 {
        var flags: Int32 = 0
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { flags |= CURL_CSELECT_IN }
        if revents & Int16(POLLOUT) != 0 { flags |= CURL_CSELECT_OUT }
        if revents & Int16(POLLERR | POLLNVAL) != 0 { flags |= CURL_CSELECT_ERR }
        return flags
    }
}
