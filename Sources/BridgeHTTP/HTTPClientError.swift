/// Why an exchange failed below HTTP: libcurl could not connect, the TLS handshake failed, the transfer timed out,
/// or the connection broke (before the head or during the body).
///
/// A struct around private storage, with questions rather than cases, so new kinds of failure do not break callers
/// (the swift-subprocess and async-http-client shape); `underlying` keeps libcurl's own error for logs.
package struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    private enum Storage: Sendable {
        case transfer(CurlError)
        case closedBeforeHead
        case refused(String)
    }

    private let storage: Storage

    init(transfer error: CurlError) {
        storage = .transfer(error)
    }

    /// The connection closed cleanly before a response head arrived.
    package static let closedBeforeHead = HTTPClientError(storage: .closedBeforeHead)

    /// Nothing reached the server: the connection was refused (for clients other than libcurl, e.g. a fake).
    package static func connectionRefused(_ reason: String) -> HTTPClientError {
        HTTPClientError(storage: .refused(reason))
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// libcurl's error, when libcurl reported one.
    package var underlying: CurlError? {
        if case .transfer(let error) = storage { return error }
        return nil
    }

    /// Failed before any byte could reach the server: safe to send again, to any replica.
    package var failedToConnect: Bool {
        if case .refused = storage { return true }
        return underlying?.failedToConnect ?? false
    }

    package var isTLSFailure: Bool { underlying?.isTLSFailure ?? false }

    package var isTimeout: Bool { underlying?.isTimeout ?? false }

    /// libcurl's explanation, or what happened in words.
    package var message: String {
        switch storage {
        case .transfer(let error): error.message
        case .closedBeforeHead: "the connection closed before the server sent an HTTP response"
        case .refused(let reason): reason
        }
    }

    package var description: String { underlying?.description ?? message }
}
