import BridgePlatform
import BridgeRuntime
import CCurl

/// One libcurl easy handle and everything that must outlive it: header list, error buffer, request body.
///
/// Confinement: after `CurlDriver.start` hands it to the driver thread, every member is touched only on that thread
/// (libcurl calls the callbacks there too). The channel is the only way results leave, and it is Sendable.
package final class Transfer: @unchecked Sendable {
    let id: Int
    let handle: UnsafeMutableRawPointer
    let flow = TransferFlow()
    private let quickAck: QuickAck
    private let pool: EasyHandlePool
    private let continuation: TransferChannel
    private let headerList: HeaderList
    /// The most body a consumer will collect (`HTTPRequest.expectedBodyLimit`).
    private let expectedBodyLimit: Int
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var pendingHeaders: [(name: String, value: String)] = []
    private var head = HeadState.pending
    /// Body bytes held back with a held head (see `HeadState.held`).
    private var heldBody: [UInt8] = []
    /// This transfer's connection, once `acknowledgeNow` has found it.
    private var ackSocket: Int32?
    /// Bytes arrived since the last ACK flush, and the transfer is scheduled with `QuickAck`.
    private var ackScheduled = false
    private var finished = false
    /// Why the response was refused while its head arrived (see `SetCookieGuard`); ends the transfer.
    private var refusal: String?

    /// Where the final response head is.
    ///
    /// A JSON reply is read whole by every consumer, so its head is held back and delivered together with the body
    /// when the transfer completes (up to `holdLimit` bytes): one wake-up of the consuming task per call instead of
    /// one for the head, one per body chunk and one for the end. Event streams are delivered as they arrive.
    private enum HeadState {
        case pending
        case held(HTTPResponseHead)
        case delivered
    }

    /// A held JSON body larger than this is delivered as it arrives instead (with backpressure).
    static let holdLimit = 1 << 20

    /// Fails when no easy handle can be had, or when libcurl refuses a setting the bridge's security rests on.
    init(id: Int, request: HTTPRequest, headers: HeaderList, quickAck: QuickAck, pool: EasyHandlePool,
         continuation: TransferChannel) throws(CurlError) {
        guard let handle = pool.take() else {
            throw CurlError(code: CURLE_OUT_OF_MEMORY, message: "curl_easy_init failed", connected: false)
        }
        self.headerList = headers
        self.expectedBodyLimit = request.expectedBodyLimit
        self.id = id
        self.pool = pool
        self.quickAck = quickAck
        self.handle = handle
        self.continuation = continuation
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        if let (option, code) = configure(request) {
            throw CurlError(code: code, message: "libcurl refused \(option), which mcp-bridge needs for a safe "
                + "connection; check the libcurl build (it must support http, https and TLS verification)",
                            connected: false)
        }
    }

    /// The driver releases a transfer only after removing its handle from the multi handle, so the handle can go
    /// back to the pool (reset first, so it no longer points at the header list and buffer freed below).
    deinit {
        pool.recycle(handle)
        errorBuffer.deallocate()
    }

    /// Sets every option of `request` on the handle; returns the first security-relevant option libcurl refused
    /// (the URL, allowed protocols, redirects, TLS verification and credentials, the proxy rule). The rest only
    /// tune the transfer, and a libcurl without one of them still transfers correctly.
    private func configure(_ request: HTTPRequest) -> (String, CURLcode)? {
        let h = handle
        var refused: (String, CURLcode)?
        func require(_ option: String, _ code: CURLcode) {
            if code != CURLE_OK, refused == nil { refused = (option, code) }
        }
        // `withCString` lends the string's own bytes; passing a `String` as a C string argument copies it first.
        require("CURLOPT_URL", request.url.withCString { ccurl_easy_setopt_string(h, CURLOPT_URL, $0) })
        ccurl_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        require("CURLOPT_PROTOCOLS_STR", ccurl_easy_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"))
        require("CURLOPT_FOLLOWLOCATION", ccurl_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0))
        ccurl_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds)
        // "" = every encoding this libcurl decodes (gzip, deflate, br, zstd here).
        if request.acceptCompressed { ccurl_easy_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "") }
        if let total = request.totalTimeout {
            ccurl_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, max(1, total.milliseconds))
        }
        setHTTPVersion(request.httpVersion, secure: request.url.utf8.starts(with: "https:".utf8))
        // Idle SSE streams may be silent for many minutes: keep-alive probes find dead peers without a read timeout.
        ccurl_easy_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        ccurl_easy_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        // A retry must be free to reach another replica behind a load balancer, not the connection that failed.
        if request.freshConnection { ccurl_easy_setopt_long(h, CURLOPT_FRESH_CONNECT, 1) }
        configureTLS(request.tls, require)
        ccurl_easy_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        // An empty proxy string stops libcurl from reading proxy variables from the environment.
        if !request.useEnvironmentProxy { require("CURLOPT_PROXY", ccurl_easy_setopt_string(h, CURLOPT_PROXY, "")) }
        ccurl_easy_setopt_slist(h, CURLOPT_HTTPHEADER, headerList.pointer)
        switch request.method {
        case .get:
            ccurl_easy_setopt_long(h, CURLOPT_HTTPGET, 1)
        case .post, .put:
            ccurl_easy_setopt_long(h, CURLOPT_POST, 1)
            if request.method == .put { ccurl_easy_setopt_string(h, CURLOPT_CUSTOMREQUEST, "PUT") }
            ccurl_easy_setopt_off_t(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
                _ = ccurl_easy_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
        case .delete:
            ccurl_easy_setopt_string(h, CURLOPT_CUSTOMREQUEST, "DELETE")
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_easy_setopt_pointer(h, CURLOPT_PRIVATE, me)
        ccurl_easy_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        ccurl_easy_setopt_pointer(h, CURLOPT_HEADERDATA, me)
        ccurl_easy_setopt_data_callback(h, CURLOPT_WRITEFUNCTION, Transfer.onBody)
        ccurl_easy_setopt_data_callback(h, CURLOPT_HEADERFUNCTION, Transfer.onHeader)
        ccurl_easy_setopt_pointer(h, CURLOPT_SOCKOPTDATA, Unmanaged.passUnretained(quickAck).toOpaque())
        ccurl_easy_setopt_sockopt_callback(h, QuickAck.onSocketOpened)
        return refused
    }

    /// TLS verification (on unless the user said `--insecure`), a private CA, a client certificate.
    private func configureTLS(_ tls: TLSOptions, _ require: (String, CURLcode) -> Void) {
        let h = handle
        require("CURLOPT_SSL_VERIFYPEER", ccurl_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, tls.verifyPeer ? 1 : 0))
        require("CURLOPT_SSL_VERIFYHOST", ccurl_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, tls.verifyPeer ? 2 : 0))
        if let ca = tls.caBundlePath {
            require("CURLOPT_CAINFO", ca.withCString { ccurl_easy_setopt_string(h, CURLOPT_CAINFO, $0) })
        }
        if let cert = tls.clientCertificatePath {
            require("CURLOPT_SSLCERT", cert.withCString { ccurl_easy_setopt_string(h, CURLOPT_SSLCERT, $0) })
        }
        if let key = tls.clientKeyPath {
            require("CURLOPT_SSLKEY", key.withCString { ccurl_easy_setopt_string(h, CURLOPT_SSLKEY, $0) })
        }
    }

    private func setHTTPVersion(_ preference: HTTPVersionPreference, secure: Bool) {
        let version: Int
        switch preference {
        case .auto: return
        case .http1_1: version = CURL_HTTP_VERSION_1_1
        case .http2: version = CURL_HTTP_VERSION_2_0
        }
        ccurl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, version)
        // Wait for a connection that turns out to multiplex instead of opening one per request in flight. Over TLS
        // that is known once the handshake ends (ALPN); over plain http only when a response's headers arrive, so
        // every request would queue behind a slow one (or a subscription stream) to a server that stays on 1.1.
        if preference == .http2, secure { ccurl_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1) }
    }

    // MARK: Callbacks (driver thread)

    private static let onHeader: ccurl_data_callback = { data, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        return transfer.refusal == nil ? size * count : 0
    }

    private static let onBody: ccurl_data_callback = { data, size, count, context in
        guard let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        scheduleAcknowledgement()
        switch head {
        case .pending:
            deliver(makeHead())
        case .held:
            if heldBody.count + bytes.count <= Self.holdLimit {
                heldBody.append(contentsOf: bytes)
                return bytes.count
            }
            releaseHeld()
        case .delivered:
            break
        }
        guard flow.admit(bytes.count) else { return ccurl_writefunc_pause() }
        continuation.yield(.body(Array(bytes)))
        return bytes.count
    }

    /// Parses one header line as bytes: only name and value become `String`s (a whole-line `String`, validated and
    /// trimmed by `Character`, is far costlier for every header of every reply).
    private func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        // CR/LF and HTTP's optional whitespace (space, tab) at both ends are not part of the line.
        var start = 0
        var end = raw.count
        while end > start, Self.isBlank(raw[end - 1]) { end -= 1 }
        while start < end, Self.isBlank(raw[start]) { start += 1 }
        if end - start >= 5, raw[start] == 0x48, raw[start + 1] == 0x54, raw[start + 2] == 0x54,
           raw[start + 3] == 0x50, raw[start + 4] == 0x2F {  // "HTTP/"
            // A new status line (after a 1xx, or a second response) starts a fresh header block.
            pendingHeaders.removeAll()
            return
        }
        if start == end {
            // End of a header block: only a final response's block is reported.
            scheduleAcknowledgement()
            guard responseCode >= 200, case .pending = head else { return }
            let final = makeHead()
            if final.mediaType == "application/json" {
                head = .held(final)
            } else {
                deliver(final)
            }
            return
        }
        guard let colon = (start..<end).first(where: { raw[$0] == 0x3A }) else { return }
        let header = (name: Self.text(raw, start..<colon), value: Self.text(raw, (colon + 1)..<end))
        pendingHeaders.append(header)
        if let refused = SetCookieGuard.refusal(name: header.name, value: header.value) {
            refusal = refused
            SetCookieGuard.clearJar(handle)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// The bytes in `range` without surrounding spaces and tabs, as a `String` (invalid UTF-8 repaired).
    private static func text(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        var start = range.lowerBound
        var end = range.upperBound
        while end > start, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
        while start < end, raw[start] == 0x20 || raw[start] == 0x09 { start += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<end]), as: UTF8.self)
    }

    private func scheduleAcknowledgement() {
        guard !ackScheduled else { return }
        ackScheduled = true
        quickAck.schedule(self)
    }

    /// Flushes this connection's pending TCP ACK (see `QuickAck`) unless the transfer has finished.
    /// The socket is looked up once per transfer (a `getsockname` per lookup): later calls cost one `setsockopt`.
    func acknowledgeIfRunning() {
        ackScheduled = false
        guard !finished else { return }
        if let ackSocket {
            QuickAck.flush(ackSocket)
            return
        }
        var port = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_LOCAL_PORT, &port)
        ackSocket = quickAck.acknowledge(localPort: port)
    }

    private var responseCode: Int {
        var code = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func makeHead() -> HTTPResponseHead {
        var version = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        let versionText = switch version {
        case CURL_HTTP_VERSION_1_0: "1.0"
        case CURL_HTTP_VERSION_2_0: "2"
        case CURL_HTTP_VERSION_3: "3"
        default: "1.1"
        }
        return HTTPResponseHead(status: responseCode, httpVersion: versionText, headers: pendingHeaders)
    }

    private func deliver(_ final: HTTPResponseHead) {
        head = .delivered
        continuation.yield(.head(final))
    }

    /// Delivers a held head and the body held with it. The body counts against the flow limit like any chunk.
    private func releaseHeld() {
        guard case .held(let final) = head else { return }
        deliver(final)
        guard !heldBody.isEmpty else { return }
        flow.add(heldBody.count)
        if !finished { reserveForDeclaredLength() }
        continuation.yield(.body(heldBody))
        heldBody = []
    }

    /// A JSON body larger than `holdLimit` is still collected whole by its consumer, starting from this first chunk:
    /// giving that chunk the capacity of the declared `Content-Length` (up to `expectedBodyLimit`) lets the consumer
    /// append in place. Growing by doubling instead copied the body at each step, and the last step held the old
    /// and new buffers at once (a 100 MB reply peaked ~35 MiB higher). Reserved pages cost nothing until written.
    private func reserveForDeclaredLength() {
        var declared: curl_off_t = -1
        ccurl_easy_getinfo_off_t(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared)
        guard declared > heldBody.count, declared <= expectedBodyLimit else { return }
        heldBody.reserveCapacity(Int(declared))
    }

    /// Called once by the driver when libcurl reports the transfer done (or the driver gives up on it).
    func complete(_ result: CURLcode) {
        finished = true
        if case .pending = head, result == CURLE_OK { deliver(makeHead()) }
        releaseHeld()
        if result == CURLE_OK {
            continuation.finish()
        } else {
            let message = refusal ?? String(cString: errorBuffer)
            // A reused connection has no connect time: the bytes of the request sent say it may have arrived (a
            // timeout counted as "never connected" would be re-sent, and the server would run it twice).
            var connectTime: curl_off_t = 0
            var requestBytes = 0
            ccurl_easy_getinfo_off_t(handle, CURLINFO_CONNECT_TIME_T, &connectTime)
            ccurl_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestBytes)
            continuation.finish(throwing: CurlError(code: result, message: message,
                                                    connected: connectTime > 0 || requestBytes > 0))
        }
    }

    /// Ends the stream without a libcurl result (cancellation or driver shutdown).
    func abandon(_ error: (any Error)?) {
        finished = true
        continuation.finish(throwing: error)
    }
}
