import ArgumentParser
import MCPBridge

/// `--aws-sigv4` and its companions: sign every request with AWS Signature Version 4 (AgentCore Gateway and
/// Runtime, API Gateway with IAM auth, Lambda function URLs with AWS_IAM).
struct AWSOptions: ParsableArguments {
    @Flag(name: .customLong("aws-sigv4"),
          help: "Sign every request with AWS SigV4, using credentials found as the AWS CLI finds them.")
    var sigv4 = false

    @Option(name: .customLong("aws-service"),
            help: ArgumentHelp("AWS service to sign for (default: from the host, e.g. bedrock-agentcore).",
                               valueName: "name"))
    var service: String?

    @Option(name: .customLong("aws-region"),
            help: ArgumentHelp("AWS region to sign for (default: from the host, else AWS_REGION or the profile).",
                               valueName: "region"))
    var region: String?

    @Option(name: .customLong("aws-profile"),
            help: ArgumentHelp("Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else default).",
                               valueName: "name"))
    var profile: String?

    func validate() throws {
        guard !sigv4 else { return }
        for (flag, value) in [("--aws-service", service), ("--aws-region", region), ("--aws-profile", profile)]
        where value != nil {
            throw ValidationError("\(flag) needs --aws-sigv4")
        }
    }

    /// The signing setup for `serverURL`, or nil without `--aws-sigv4`.
    func signing(serverURL: String, headerNames: [String], environment: [String: String]) throws
        -> AWSSigningConfiguration? {
        guard sigv4 else { return nil }
        if headerNames.contains(where: { $0.lowercased() == "authorization" }) {
            throw ValidationError("--aws-sigv4 writes the Authorization header itself: drop --header 'Authorization: …'")
        }
        do {
            return try AWSSigningConfiguration.resolve(serverURL: serverURL, service: service, region: region,
                                                       profile: profile, environment: environment)
        } catch {
            throw ValidationError("--aws-sigv4: \(error.description)")
        }
    }
}
