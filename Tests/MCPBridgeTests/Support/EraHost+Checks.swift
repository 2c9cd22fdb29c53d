import Foundation

/// The checks of the interoperability matrix. Every server in the matrix exposes the same tools (`echo`,
/// `progress`, `ask_name`, `ask_name_direct`), so a check means the same thing in every column and only the eras
/// differ.
extension EraHost {
    static let requiredTools = ["echo", "progress", "ask_name", "ask_name_direct"]
    static let elicitedName = "Ada"

    /// `tools/list` names all three tools.
    func checkList() async throws -> CheckOutcome {
        let reply = try await exchange("tools/list", params: [:])
        guard reply.response.result != nil else {
            return .fail("tools/list → \(MessageText.describe(reply.response))")
        }
        let names = BridgeProcess.toolNames(reply.response)
        let missing = Self.requiredTools.filter { !names.contains($0) }
        return missing.isEmpty ? .pass : .fail("tools/list lacks \(missing.joined(separator: ", ")): \(names)")
    }

    /// `tools/call echo` returns its text.
    func checkCall() async throws -> CheckOutcome {
        let text = "matrix \(era.rawValue)"
        let reply = try await exchange("tools/call", params: ["name": "echo", "arguments": ["text": text]])
        return reply.response.toolText == text && reply.response.result?["isError"] as? Bool != true
            ? .pass : .fail("tools/call echo → \(MessageText.describe(reply.response))")
    }

    /// `tools/call progress` with a progress token: at least one `notifications/progress` carrying that token
    /// reaches the host before the result "done".
    func checkProgress() async throws -> CheckOutcome {
        let token = "progress-\(era.rawValue)"
        let reply = try await exchange("tools/call", params: ["name": "progress", "arguments": ["steps": 3]],
                                       extraMeta: ["progressToken": token])
        guard reply.response.toolText == "done" else {
            return .fail("tools/call progress → \(MessageText.describe(reply.response))")
        }
        let matching = reply.notifications.filter {
            $0["method"] as? String == "notifications/progress"
                && ($0["params"] as? [String: Any])?["progressToken"] as? String == token
        }
        return matching.isEmpty
            ? .fail("tools/call progress → \"done\" but no notifications/progress with token \(token) before it")
            : .pass
    }

    /// `tool` ends in "hello Ada": through an `elicitation/create` request (legacy host) or an
    /// `input_required` result and a retry (2026-07-28 host).
    func checkElicitation(_ tool: String) async throws -> CheckOutcome {
        let (final, trail) = try await elicitationFlow(tool)
        if final.toolText == "hello \(Self.elicitedName)" {
            return trail.asked ? .pass : .fail("\(tool) → \"hello Ada\" without ever asking the host")
        }
        return .fail("\(tool) → \(MessageText.describe(final))\(trail.note)")
    }

    /// For a cell where elicitation cannot work: the host still gets exactly one answer (an error or a tool
    /// error) and the bridge keeps relaying (an echo afterwards works). A "hello Ada" means the cell is not
    /// impossible after all, which fails too, so the list of impossible cells stays honest.
    func probeImpossibleElicitation(_ tool: String) async throws -> CheckOutcome {
        let (final, _) = try await elicitationFlow(tool)
        if final.toolText == "hello \(Self.elicitedName)" {
            return .fail("\(tool) → \"hello Ada\": this cell is listed as impossible but works; "
                         + "remove it from the list")
        }
        let echo = try await exchange("tools/call", params: ["name": "echo", "arguments": ["text": "still here"]])
        guard echo.response.toolText == "still here" else {
            return .fail("after \(tool) (→ \(MessageText.describe(final))) echo → "
                         + MessageText.describe(echo.response))
        }
        return .pass
    }

    /// What happened on the way to `ask_name`'s final answer, for the failure message.
    struct ElicitationTrail {
        var asked = false
        var rounds = 0
        var note: String { asked ? " (after the host answered the elicitation)" : " (the host was never asked)" }
    }

    /// Calls `tool` and plays this era's part until a final answer: a legacy host answers `elicitation/create`
    /// (accepting "Ada" if its era has elicitation), a 2026-07-28 host fulfils `inputRequests` and retries under a
    /// new id with `inputResponses` and the verbatim `requestState` (at most three rounds).
    private func elicitationFlow(_ tool: String) async throws -> ([String: Any], ElicitationTrail) {
        var trail = ElicitationTrail()
        var params: [String: Any] = ["name": tool, "arguments": [String: Any]()]
        while true {
            let reply = try await exchange("tools/call", params: params) { request in
                trail.asked = true
                return Self.acceptName(request)
            }
            guard era.isModern, let result = reply.response.result,
                  result["resultType"] as? String == "input_required" else { return (reply.response, trail) }
            trail.asked = true
            trail.rounds += 1
            guard trail.rounds <= 3 else { return (reply.response, trail) }
            let requests = result["inputRequests"] as? [String: Any] ?? [:]
            var responses: [String: Any] = [:]
            for (key, value) in requests {
                let request = value as? [String: Any] ?? [:]
                guard request["method"] as? String == "elicitation/create" else {
                    return (["error": ["code": 0, "message": "input_required asks for \(MessageText.json(request)), "
                                                           + "which this host does not offer"]], trail)
                }
                responses[key] = Self.acceptName(request)
            }
            params["inputResponses"] = responses
            params["requestState"] = result["requestState"]  // echoed verbatim; absent stays absent
        }
    }

    /// The host's answer to an elicitation: "Ada" when the form asks for a `name`, else a decline.
    static func acceptName(_ request: [String: Any]) -> [String: Any] {
        let schema = (request["params"] as? [String: Any])?["requestedSchema"] as? [String: Any]
        guard (schema?["properties"] as? [String: Any])?["name"] != nil else { return ["action": "decline"] }
        return ["action": "accept", "content": ["name": elicitedName]]
    }
}
