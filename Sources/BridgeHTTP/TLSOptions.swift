/// How the peer's certificate is checked. Verification is on unless a user explicitly asks otherwise.
public struct TLSOptions: Sendable, Hashable {
    public var verifyPeer: Bool
    /// A PEM bundle to trust instead of the system store.
    public var caBundlePath: String?
    /// Client certificate and key (PEM) for servers that require mutual TLS.
    public var clientCertificatePath: String?
    public var clientKeyPath: String?

    public init(verifyPeer: Bool = true, caBundlePath: String? = nil, clientCertificatePath: String? = nil,
                clientKeyPath: String? = nil) {
        self.verifyPeer = verifyPeer
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
    }
}
