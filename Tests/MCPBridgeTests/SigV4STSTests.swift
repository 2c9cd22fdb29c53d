import BridgeHTTP
import Foundation
import Testing

@testable import MCPBridge

/// STS for role credentials: its XML answers, where calls go (as the AWS SDKs decide it), and which settings
/// make a web identity.
struct SigV4STSTests {
    /// AWS's documented AssumeRole response, with an entity in the secret (XML escapes what it must).
    static let assumeRole = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <SourceIdentity>Alice</SourceIdentity>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
              <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCY&amp;EXAMPLEKEY</SecretAccessKey>
              <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764&#43;bNrE=</SessionToken>
              <Expiration>2019-11-09T13:34:41Z</Expiration>
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </AssumeRoleResult>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """

    @Test func credentialsAreReadFromTheResult() throws {
        let credentials = try STSResponse.credentials(Array(Self.assumeRole.utf8), source: "profile r")
        #expect(credentials.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
        #expect(credentials.secretAccessKey == "wJalrXUtnFEMI/K7MDENG/bPxRfiCY&EXAMPLEKEY")
        #expect(credentials.sessionToken == "AQoDYXdzEPT//////////wEXAMPLEtc764+bNrE=")
        #expect(credentials.expiration == AWSTime.parse("2019-11-09T13:34:41Z"))
        #expect(credentials.source == "profile r")
    }

    @Test func anAnswerWithoutCredentialsIsAnErrorThatQuotesNoSecret() {
        let partial = Self.assumeRole.replacingOccurrences(of: "<SessionToken>", with: "<Token>")
            .replacingOccurrences(of: "</SessionToken>", with: "</Token>")
        #expect {
            try STSResponse.credentials(Array(partial.utf8), source: "profile r")
        } throws: { error in
            let text = "\(error)"
            return text.contains("without AccessKeyId, SecretAccessKey and SessionToken")
                && !text.contains("EXAMPLEKEY") && !text.contains("wEXAMPLE")
        }
    }

    @Test func errorsGiveAWSsCodeAndMessage() throws {
        let body = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>AccessDenied</Code>
                <Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on \
            resource: arn:aws:iam::123456789012:role/R &quot;quoted&quot;</Message></Error>
              <RequestId>1</RequestId>
            </ErrorResponse>
            """
        let error = try #require(STSResponse.error(Array(body.utf8)))
        #expect(error.code == "AccessDenied")
        #expect(error.message == "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
            + "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/R \"quoted\"")
        #expect(STSResponse.error(Array("<html>Bad Gateway</html>".utf8)) == nil)
    }

    @Test(arguments: [
        ("a &lt;b&gt; &amp; &apos;c&apos;", "a <b> & 'c'"), ("&#x41;&#66;", "AB"), ("&unknown; & x", "&unknown; & x"),
    ])
    func entitiesAreDecoded(written: String, meant: String) {
        #expect(STSResponse.decoded(Substring(written)) == meant)
    }

    private func client(_ environment: [String: String], profile: [String: String]? = nil) -> STSClient {
        STSClient(environment: environment, profile: profile, signingRegion: "us-west-2",
                  client: AWSMetadataClient(http: ScriptedClient([])), proxied: false)
    }

    /// The SDKs' precedence: the STS-specific variable, the global one, the profile's endpoint_url, then the
    /// regional endpoint of AWS_REGION, the profile's region, or the signing region.
    @Test func theEndpointIsTheSDKs() throws {
        let profile = ["endpoint_url": "https://profile.example", "region": "ap-south-1"]
        #expect(try client(["AWS_ENDPOINT_URL_STS": "https://sts.example", "AWS_ENDPOINT_URL": "https://all.example"],
                           profile: profile).endpoint().origin == "https://sts.example")
        #expect(try client(["AWS_ENDPOINT_URL": "https://all.example"], profile: profile).endpoint().origin
            == "https://all.example")
        #expect(try client([:], profile: profile).endpoint().origin == "https://profile.example")
        #expect(try client(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "https://all.example"],
                           profile: profile).endpoint().absoluteString == "https://sts.ap-south-1.amazonaws.com/")
        #expect(client(["AWS_REGION": "eu-west-3"], profile: profile).region == "eu-west-3")
        #expect(try client([:]).endpoint().absoluteString == "https://sts.us-west-2.amazonaws.com/")
        #expect(try client(["AWS_DEFAULT_REGION": "cn-north-1"]).endpoint().absoluteString
            == "https://sts.cn-north-1.amazonaws.com.cn/")
        #expect(try client(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"]).endpoint().origin
            == "http://127.0.0.1:4566")
    }

    /// A signature or a web identity token must not cross the network in clear text.
    @Test func plainHTTPIsOnlyForLoopback() {
        #expect {
            try client(["AWS_ENDPOINT_URL_STS": "http://sts.internal.example"]).endpoint()
        } throws: { error in
            "\(error)".contains("AWS_ENDPOINT_URL_STS is not a usable STS endpoint")
        }
    }

    /// Each setting from the environment first, then the profile; the environment not at all with `--aws-profile`.
    @Test func webIdentitySettingsComeFromTheEnvironmentThenTheProfile() throws {
        let profile = ["role_arn": "arn:aws:iam::1:role/FromProfile", "web_identity_token_file": "/profile-token"]
        let environment = ["AWS_WEB_IDENTITY_TOKEN_FILE": "/env-token", "AWS_ROLE_SESSION_NAME": "pod"]
        let mixed = try #require(try WebIdentityCredentials.configuration(profile: "p", settings: profile,
                                                                          environment: environment))
        #expect(mixed.tokenFile == "/env-token" && mixed.roleARN == "arn:aws:iam::1:role/FromProfile"
            && mixed.sessionName == "pod")
        let profileOnly = try #require(try WebIdentityCredentials.configuration(profile: "p", settings: profile,
                                                                                environment: nil))
        #expect(profileOnly.tokenFile == "/profile-token" && profileOnly.sessionName.hasPrefix("mcp-bridge-"))
        #expect(try WebIdentityCredentials.configuration(profile: "p", settings: ["region": "x"],
                                                         environment: ["AWS_ROLE_ARN": "arn:aws:iam::1:role/R"]) == nil)
        #expect {
            try WebIdentityCredentials.configuration(profile: "p", settings: nil, environment: environment)
        } throws: { error in
            "\(error)".contains("no role: set AWS_ROLE_ARN or the profile's role_arn")
        }
    }
}
