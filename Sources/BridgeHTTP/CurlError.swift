import CCurl

/// A transfer that libcurl ended with a non-OK result; reaches consumers inside an `HTTPClientError`.
package struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The raw `CURLcode` value.
    var code: UInt32
    /// libcurl's own explanation from `CURLOPT_ERRORBUFFER` (or its generic text when the buffer is empty).
    package var message: String
    /// Whether a connection had been established: if so, the request may have reached the server.
    var connected: Bool

    init(code: CURLcode, message: String, connected: Bool) {
        self.code = code.rawValue
        self.connected = connected
        if message.isEmpty, let generic = curl_easy_strerror(code) {
            self.message = String(cString: generic)
        } else {
            self.message = message
        }
    }

    /// A transfer that ended without libcurl's word (its consumer's channel failed otherwise).
    init(aborted reason: String) {
        self.code = CURLE_ABORTED_BY_CALLBACK.rawValue
        self.message = reason
        self.connected = true
    }

    package var description: String { "curl error \(code): \(message)" }

    package var isTimeout: Bool { code == CURLE_OPERATION_TIMEDOUT.rawValue }

    /// Failed before any byte could reach the server: safe to send again, to any replica.
    package var failedToConnect: Bool { isConnectFailure || (isTimeout && !connected) }

    var isConnectFailure: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY]
            .contains { $0.rawValue == code }
    }

    package var isTLSFailure: Bool {
        [CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
         CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH]
            .contains { $0.rawValue == code }
    }
}
