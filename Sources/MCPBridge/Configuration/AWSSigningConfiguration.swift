import BridgeHTTP
/// `--aws-sigv4`: which AWS service and region requests are signed for, and where credentials come from.
public struct AWSSigningConfiguration: Sendable, Equatable {
    public var service: String
    public var region: String
    /// `--aws-profile`; nil: `AWS_PROFILE`, else `default`.
    public var profile: String?
    /// The environment credentials are resolved from (the process's, or a test's).
    public var environment: [String: String]

    public init(service: String, region: String, profile: String?, environment: [String: String]) {
        self.service = service
        self.region = region
        self.profile = profile
        self.environment = environment
    }

    /// Fills in what the flags left open: the service and region from the host where AWS's naming gives them
    /// (`<svc>.<region>.amazonaws.com` under any prefix — AgentCore Gateway and Runtime, API Gateway — and Lambda
    /// function URLs, `<id>.lambda-url.<region>.on.aws`), then the region from `AWS_REGION`, `AWS_DEFAULT_REGION`
    /// or the profile's `region`.
    public static func resolve(serverURL: String, service: String?, region: String?, profile: String?,
                               environment: [String: String]) throws(AWSSigningSetupError) -> AWSSigningConfiguration {
        // An empty variable is an unset one (what a host's config gives for a blank field).
        let environment = environment.filter { !$0.value.isEmpty }
        let host = (try? ServerURLParser.parse(serverURL))?.host ?? ""
        let inferred = infer(host: host)
        guard let service = service ?? inferred.service else {
            throw AWSSigningSetupError("cannot tell the AWS service from the host \(host): pass --aws-service "
                + "(bedrock-agentcore for AgentCore, execute-api for API Gateway, lambda for function URLs)")
        }
        // The profile's region only when nothing else names one: reading the shared files is not free.
        func profileRegion() -> String? {
            AWSConfigFiles.load(environment: environment).profiles[profile ?? environment["AWS_PROFILE"] ?? "default"]?[
                "region"]
        }
        guard let region = region ?? inferred.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
            ?? profileRegion(), !region.isEmpty else {
            throw AWSSigningSetupError("cannot tell the AWS region from the host \(host): pass --aws-region "
                + "(e.g. us-east-1) or set AWS_REGION")
        }
        return AWSSigningConfiguration(service: service, region: region, profile: profile, environment: environment)
    }

    static func infer(host: String) -> (service: String?, region: String?) {
        let labels = host.lowercased().split(separator: ".").map(String.init)
        let n = labels.count
        // <url-id>.lambda-url.<region>.on.aws
        if n >= 5, labels[n - 2] == "on", labels[n - 1] == "aws", labels[n - 4] == "lambda-url" {
            return ("lambda", labels[n - 3])
        }
        // <service>.<region>.api.aws (aws-mcp.us-east-1.api.aws)
        if n >= 4, labels[n - 2] == "api", labels[n - 1] == "aws", looksLikeRegion(labels[n - 3]) {
            return (labels[n - 4], labels[n - 3])
        }
        // …<service>.<region>.amazonaws.com, and .amazonaws.com.cn
        var tail = labels
        if tail.last == "cn" { tail.removeLast() }
        let m = tail.count
        guard m >= 4, tail[m - 2] == "amazonaws", tail[m - 1] == "com", looksLikeRegion(tail[m - 3]) else {
            return (nil, nil)
        }
        return (tail[m - 4], tail[m - 3])
    }

    private static func looksLikeRegion(_ label: String) -> Bool {
        let parts = label.split(separator: "-")
        return parts.count >= 3 && parts.last.map { $0.allSatisfy(\.isNumber) } == true
    }
}

/// Why `--aws-sigv4` cannot start, said as what to pass.
public struct AWSSigningSetupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
