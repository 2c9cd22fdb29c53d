import BridgeHTTP

/// EC2 instance role credentials through IMDSv2: a session token from `PUT /latest/api/token`, the role name from
/// `/latest/meta-data/iam/security-credentials/`, then the role's credentials. The last source of the chain, off
/// with `AWS_EC2_METADATA_DISABLED=true`; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it (IPv6 instances, tests).
enum InstanceMetadataCredentials {
    static let source = "the EC2 instance metadata service (IMDSv2)"

    static func isDisabled(_ environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    static func fetch(environment: [String: String], client: AWSMetadataClient)
        async throws(AWSCredentialError) -> AWSCredentials {
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        let tokenReply = try await client.send(
            .put, base + "/latest/api/token",
            headers: [HTTPHeader(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")],
            source: source, timeout: .seconds(2))
        guard tokenReply.status == 200, !tokenReply.body.isEmpty else {
            throw AWSCredentialError("\(source) refused a session token (HTTP \(tokenReply.status))")
        }
        let token = [HTTPHeader(name: "X-aws-ec2-metadata-token", value: tokenReply.text.awsTrimmed)]
        let rolePath = base + "/latest/meta-data/iam/security-credentials/"
        let roles = try await client.send(.get, rolePath, headers: token, source: source, timeout: .seconds(2))
        guard roles.status == 200,
              let role = roles.text.split(whereSeparator: \.isNewline).first.map({ $0.awsTrimmed }), !role.isEmpty else {
            throw AWSCredentialError("\(source) lists no instance role (HTTP \(roles.status)): attach an IAM role to "
                + "the instance, or give credentials another way")
        }
        let reply = try await client.send(.get, rolePath + role, headers: token, source: source, timeout: .seconds(2))
        guard reply.status == 200 else {
            throw AWSCredentialError("\(source) answered HTTP \(reply.status) for role \(role)")
        }
        return try AWSCredentialDocument.credentials(reply.body, source: "\(source), role \(role)")
    }
}
