import BridgeWire

/// The JSON credential documents AWS sources answer with, read without a JSON tree: `credential_process` output
/// (`Version`, `AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`), the container endpoint and IMDS
/// (`Token` instead of `SessionToken`), and SSO's `roleCredentials` (camelCase keys, expiration in milliseconds).
enum AWSCredentialDocument {
    /// The object's members whose values are strings or numbers, as text (numbers as written).
    static func fields(_ bytes: [UInt8], at path: [String] = []) -> [String: String]? {
        do {
            var root: Range<Int>?
            if !path.isEmpty {
                guard let value = try JSONScanner.value(atPath: path, in: bytes), value.kind == .object else { return nil }
                root = value.range
            }
            let members = try root.map { try JSONScanner.members(of: $0, in: bytes) } ?? JSONScanner.members(in: bytes)
            var fields: [String: String] = [:]
            for member in members {
                switch member.kind {
                case .string: fields[member.key] = try JSONScanner.string(at: member.value, in: bytes)
                case .number: fields[member.key] = String(decoding: bytes[member.value], as: UTF8.self)
                default: break
                }
            }
            return fields
        } catch {
            return nil
        }
    }

    /// Credentials from a document with AWS's PascalCase keys; `what` names the source in errors.
    static func credentials(_ bytes: [UInt8], source: String) throws(AWSCredentialError) -> AWSCredentials {
        guard let fields = fields(bytes) else {
            throw AWSCredentialError("\(source) did not answer with a JSON object")
        }
        guard let key = fields["AccessKeyId"], !key.isEmpty, let secret = fields["SecretAccessKey"], !secret.isEmpty else {
            throw AWSCredentialError("\(source) answered without AccessKeyId and SecretAccessKey"
                + (fields["Code"].map { " (Code: \($0))" } ?? "") + (fields["Message"].map { ": \($0)" } ?? ""))
        }
        var expiration: AWSTime?
        if let text = fields["Expiration"] {
            guard let parsed = AWSTime.parse(text) else {
                throw AWSCredentialError("\(source) gave an Expiration that is not an ISO 8601 time: \(text)")
            }
            expiration = parsed
        }
        let token = fields["SessionToken"] ?? fields["Token"]
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token?.isEmpty == true ? nil : token,
                              expiration: expiration, source: source)
    }
}
