import BridgeHTTP

/// The ECS task role / EKS Pod Identity endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (under
/// http://169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read each time: EKS rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` in `Authorization`.
enum ContainerCredentials {
    static let source = "the container credentials endpoint"

    /// Whether the environment names an endpoint at all (else the chain moves on).
    static func isConfigured(_ environment: [String: String]) -> Bool {
        environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil
            || environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil
    }

    static func fetch(environment: [String: String], client: AWSMetadataClient)
        async throws(AWSCredentialError) -> AWSCredentials {
        let url = try endpoint(environment)
        var headers: [HTTPHeader] = []
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let token = AWSConfigFiles.read(path)?.awsTrimmed, !token.isEmpty else {
                throw AWSCredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(path)) cannot be read or is empty")
            }
            headers.append(HTTPHeader(name: "Authorization", value: token))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(HTTPHeader(name: "Authorization", value: token))
        }
        // A line break in the token would end the header early and smuggle the rest in as headers of its own.
        guard !headers.contains(where: { $0.value.contains(where: \.isNewline) }) else {
            throw AWSCredentialError("the container authorization token contains a line break")
        }
        let reply = try await client.send(.get, url, headers: headers, source: source)
        guard reply.status == 200 else {
            throw AWSCredentialError("\(source) answered HTTP \(reply.status): "
                + BridgeError.excerpt(reply.body, limit: 200))
        }
        return try AWSCredentialDocument.credentials(reply.body, source: source)
    }

    /// The FULL_URI form must stay on this machine or the container agent's link-local addresses (or use https):
    /// it carries an authorization token, and a URL from the environment must not send it anywhere else.
    private static func endpoint(_ environment: [String: String]) throws(AWSCredentialError) -> String {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            return "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] ?? ""
        guard let url = try? ServerURLParser.parse(full) else {
            throw AWSCredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL")
        }
        let agentHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]
        guard url.scheme == .https || url.isLoopback || agentHosts.contains(url.host) else {
            throw AWSCredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, a loopback address, or the "
                + "ECS/EKS agent's address (169.254.170.2, 169.254.170.23, fd00:ec2::23)")
        }
        return url.absoluteString
    }
}
