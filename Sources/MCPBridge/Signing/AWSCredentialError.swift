/// Why no usable AWS credentials could be had, in words that say what to do; never holds a secret.
struct AWSCredentialError: Error, Sendable, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// The bridge's documented error for a request that could not be signed (nothing was sent).
    var bridgeError: BridgeError {
        BridgeError(.unauthorized, "AWS SigV4: \(description)", mayHaveReachedServer: false)
    }
}
