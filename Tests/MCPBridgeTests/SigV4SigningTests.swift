import BridgeHTTP
import Testing

@testable import MCPBridge

/// The SigV4 signer's canonical form and signatures, against AWS's published test suite and botocore's output.
struct SigV4SigningTests {
    static let example = AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                        sessionToken: nil, expiration: nil, source: "test")
    static let time = AWSTime.parse("2015-08-30T12:36:00Z")

    private func signed(_ method: HTTPRequest.Method, _ url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
                        credentials: AWSCredentials = example, region: String = "us-east-1",
                        service: String = "service") throws -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body, connectTimeout: .seconds(1))
        let signer = SigV4Signer(region: region, service: service)
        signer.sign(&request, url: try ServerURLParser.parse(url), with: credentials, at: try #require(Self.time))
        return request
    }

    private func header(_ name: String, of request: HTTPRequest) -> String? {
        request.headers.first { $0.name.lowercased() == name }?.value
    }

    /// AWS's aws-sig-v4-test-suite `get-vanilla`.
    @Test func getVanillaMatchesAWSTestSuite() throws {
        let request = try signed(.get, "https://example.amazonaws.com/")
        #expect(header("authorization", of: request) == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
            + "service/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(header("x-amz-date", of: request) == "20150830T123600Z")
    }

    /// An AgentCore Runtime URL (percent-encoded ARN, unsorted query) with a session token and a JSON body; the
    /// expected signature is botocore 1.43.11's `SigV4Auth` for the same request.
    @Test func runtimeARNPathQueryAndTokenMatchBotocore() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.example.secretAccessKey,
                                         sessionToken: "tok", expiration: nil, source: "test")
        let url = "https://bedrock-agentcore.us-west-2.amazonaws.com/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2"
            + "%3A123456789012%3Aruntime%2Fmcp-AbC/invocations?qualifier=DEFAULT&accountId=123456789012"
        let request = try signed(.post, url, headers: [
            HTTPHeader(name: "Accept", value: "application/json, text/event-stream"),
            HTTPHeader(name: "Content-Type", value: "application/json"),
            HTTPHeader(name: "User-Agent", value: "mcp-bridge/test"),
        ], body: Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8), credentials: credentials,
           region: "us-west-2", service: "bedrock-agentcore")
        #expect(header("x-amz-security-token", of: request) == "tok")
        #expect(header("authorization", of: request)?.hasSuffix(
            "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, "
                + "Signature=ea27678fd86b7801233459d756d0a76dcf2a2f7d959262246cdb769ae984dea6") == true)
    }

    @Test func signingAgainReplacesTheEarlierSignature() throws {
        var request = try signed(.get, "https://example.amazonaws.com/")
        let signer = SigV4Signer(region: "us-east-1", service: "service")
        signer.sign(&request, url: try ServerURLParser.parse(request.url), with: Self.example,
                    at: try #require(Self.time))
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(request.headers.filter { $0.name.lowercased() == "x-amz-date" }.count == 1)
    }

    @Test(arguments: [
        ("/", "/"), ("", "/"), ("/a//b/./c/../d", "/a/b/d"), ("/mcp/", "/mcp/"),
        ("/runtimes/arn%3Aaws/invocations", "/runtimes/arn%253Aaws/invocations"), ("/a b~", "/a%20b~"),
    ])
    func pathsAreNormalizedAndEncodedTwice(raw: String, canonical: String) {
        #expect(SigV4Canonical.path(raw) == canonical)
    }

    @Test(arguments: [
        (nil, ""), ("b=2&a=1", "a=1&b=2"), ("a=2&a=1", "a=1&a=2"), ("x=%2bplus+sp%20", "x=%2Bplus%2Bsp%20"),
        ("flag&k=v", "flag=&k=v"), ("k=a:b/c", "k=a%3Ab%2Fc"),
    ] as [(String?, String)])
    func queriesAreSortedAndReEncoded(raw: String?, canonical: String) {
        #expect(SigV4Canonical.query(raw) == canonical)
    }

    @Test(arguments: [
        ("abc.gateway.bedrock-agentcore.us-west-2.amazonaws.com", "bedrock-agentcore", "us-west-2"),
        ("bedrock-agentcore.eu-central-1.amazonaws.com", "bedrock-agentcore", "eu-central-1"),
        ("a1b2c3.execute-api.ap-south-1.amazonaws.com", "execute-api", "ap-south-1"),
        ("abcdef.lambda-url.us-east-2.on.aws", "lambda", "us-east-2"),
        ("aws-mcp.us-east-1.api.aws", "aws-mcp", "us-east-1"),
        ("x.execute-api.cn-north-1.amazonaws.com.cn", "execute-api", "cn-north-1"),
    ])
    func serviceAndRegionComeFromAWSHostNames(host: String, service: String, region: String) {
        let inferred = AWSSigningConfiguration.infer(host: host)
        #expect(inferred.service == service)
        #expect(inferred.region == region)
    }

    @Test func otherHostsNeedTheFlags() throws {
        #expect(AWSSigningConfiguration.infer(host: "mcp.example.com").service == nil)
        #expect(throws: AWSSigningSetupError.self) {
            try AWSSigningConfiguration.resolve(serverURL: "https://mcp.example.com/mcp", service: nil, region: nil,
                                                profile: nil, environment: ["HOME": "/nonexistent"])
        }
        let resolved = try AWSSigningConfiguration.resolve(
            serverURL: "https://mcp.example.com/mcp", service: "execute-api", region: nil, profile: nil,
            environment: ["HOME": "/nonexistent", "AWS_REGION": "eu-west-3"])
        #expect(resolved.region == "eu-west-3")
    }
}

/// The pieces the credential chain reads: timestamps, shared config files, `credential_process` command lines.
struct AWSCredentialSourceTests {
    @Test(arguments: [
        ("2015-08-30T12:36:00Z", 1_440_938_160), ("2015-08-30T12:36:00.123Z", 1_440_938_160),
        ("2015-08-30T12:36:00UTC", 1_440_938_160), ("2015-08-30T14:36:00+02:00", 1_440_938_160),
    ])
    func timestampsParse(text: String, seconds: Int) {
        #expect(AWSTime.parse(text)?.seconds == seconds)
    }

    @Test func timestampsFormat() {
        #expect(AWSTime(seconds: 1_440_938_160).amzDate == "20150830T123600Z")
        #expect(AWSTime.parse("yesterday") == nil)
    }

    @Test func sharedFilesReadLikeTheCLI() {
        let sections = AWSConfigFiles.parse("""
            [default]
            region = us-west-2
            # comment
            [profile dev]
            credential_process = /bin/helper --x "a b"
            s3 =
              max_concurrent_requests = 10
            ; other
            [sso-session corp]
            sso_region=eu-west-1
            """)
        #expect(sections.map(\.0) == ["default", "profile dev", "sso-session corp"])
        #expect(sections[1].1 == ["credential_process": "/bin/helper --x \"a b\"", "s3": ""])
        #expect(sections[2].1["sso_region"] == "eu-west-1")
    }

    @Test(arguments: [
        ("/bin/helper --x \"a b\" 'c d' e\\ f", ["/bin/helper", "--x", "a b", "c d", "e f"]),
        ("  aws configure export-credentials --profile p --format process ",
         ["aws", "configure", "export-credentials", "--profile", "p", "--format", "process"]),
        ("x \"\"", ["x", ""]),
    ])
    func credentialProcessCommandsSplitLikeShlex(command: String, words: [String]) throws {
        #expect(try CredentialProcess.words(command) == words)
    }

    @Test func credentialDocumentsKeepSecretsOutOfTheirDescription() throws {
        let document = Array(#"{"Version":1,"AccessKeyId":"ASIAEXAMPLE123","SecretAccessKey":"s3cr3t","#.utf8)
            + Array(#""SessionToken":"t0ken","Expiration":"2030-01-01T00:00:00Z"}"#.utf8)
        let credentials = try AWSCredentialDocument.credentials(document, source: "test")
        #expect(credentials.sessionToken == "t0ken")
        #expect(credentials.expiration == AWSTime.parse("2030-01-01T00:00:00Z"))
        #expect("\(credentials)" == "access key ASIAEXAM… from test")
    }
}
