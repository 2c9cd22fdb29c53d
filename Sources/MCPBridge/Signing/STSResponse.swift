/// AWS STS's XML answers, read without an XML parser: the service writes a fixed shape with no namespace prefixes
/// or attributes on the elements read here, so finding `<Name>…</Name>` inside `<Credentials>` (or `<Error>`) is
/// exact. Only entity references need decoding (a message quoting a policy has `&quot;`).
enum STSResponse {
    /// The temporary credentials of an `AssumeRole` or `AssumeRoleWithWebIdentity` result.
    static func credentials(_ body: [UInt8], source: String) throws(AWSCredentialError) -> AWSCredentials {
        let text = String(decoding: body, as: UTF8.self)
        guard let block = element("Credentials", in: Substring(text)) else {
            // Not quoted: an answer of an unexpected shape may still hold a secret.
            throw AWSCredentialError("\(source): STS answered without a Credentials element")
        }
        guard let key = element("AccessKeyId", in: block).map(decoded), !key.isEmpty,
              let secret = element("SecretAccessKey", in: block).map(decoded), !secret.isEmpty,
              let token = element("SessionToken", in: block).map(decoded), !token.isEmpty else {
            throw AWSCredentialError("\(source): STS answered without AccessKeyId, SecretAccessKey and SessionToken")
        }
        guard let written = element("Expiration", in: block).map(decoded),
              let expiration = AWSTime.parse(written) else {
            throw AWSCredentialError("\(source): STS answered without an ISO 8601 Expiration")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration,
                              source: source)
    }

    /// AWS's `<Error><Code>…</Code><Message>…</Message></Error>`, or nil when the body is not such a document.
    static func error(_ body: [UInt8]) -> (code: String, message: String)? {
        let text = String(decoding: body, as: UTF8.self)
        guard let block = element("Error", in: Substring(text)), let code = element("Code", in: block) else {
            return nil
        }
        return (decoded(code).awsTrimmed, element("Message", in: block).map(decoded)?.awsTrimmed ?? "")
    }

    /// The content of the first `<name>…</name>` in `text`.
    static func element(_ name: String, in text: Substring) -> Substring? {
        guard let open = text.firstRange(of: "<\(name)>"),
              let close = text[open.upperBound...].firstRange(of: "</\(name)>") else { return nil }
        return text[open.upperBound..<close.lowerBound]
    }

    /// XML's five named entities and numeric character references; anything else is left as written.
    static func decoded(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].prefix(12).firstIndex(of: ";") else {
                out += rest[amp...]
                return out
            }
            let name = rest[rest.index(after: amp)..<semicolon]
            if let replacement = entity(name) {
                out.unicodeScalars.append(replacement)
            } else {
                out += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }

    private static func entity(_ name: Substring) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }
    }
}
