// Fuzz target: batches taken apart and put together (Sources/BridgeWire/JSONRPC/BatchSplit.swift), and the ids
// inside them kept as the sender's exact bytes (RequestID.swift, MessageSplice.replacingID).
//
// Input: one message as a server or a host would send it (usually a batch).
//
// Invariants, for every input that classifies as a batch:
// - every element is either a message of its own (never a batch) or counted as dropped, and the two add up;
// - each message's bytes are exactly the batch's bytes at that element's range, and classify as it did;
// - a message's id text (`RequestID.json`) is exactly the bytes of its `id` member, and two ids are equal exactly
//   when their `json` decodes to the same JSON value (numbers: the same literal);
// - re-joining every element gives a batch with the same elements, byte for byte; re-joining the messages alone
//   gives a batch of just them;
// - replacing a message's id with another id's text makes that id's text appear in the message, and the result
//   classifies as the same kind with the new id.

import BridgeWire
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

func fuzzOne(_ input: [UInt8]) {
    guard let envelope = try? Envelope.classify(input), envelope.kind == .batch else { return }
    let (messages, dropped) = BatchSplit.elements(of: input, envelope)
    check(messages.count + dropped == envelope.batchElements.count, "elements lost")
    var next = 0
    for range in envelope.batchElements {
        let element = Array(input[range])
        guard next < messages.count, messages[next].bytes == element else { continue }
        let message = messages[next]
        next += 1
        check(message.envelope.kind != .batch, "a nested batch kept")
        check((try? Envelope.classify(element))?.kind == message.envelope.kind, "classified differently")
        if let id = message.envelope.id { checkIDText(id, in: element) }
    }
    check(next == messages.count, "messages out of order or not the batch's own bytes")

    let rejoined = BatchSplit.joining(envelope.batchElements, in: input)
    let again = try? Envelope.classify(rejoined)
    check(again?.kind == .batch && again?.batchElements.count == envelope.batchElements.count, "rejoined batch differs")
    if let again {
        for (a, b) in zip(again.batchElements, envelope.batchElements) {
            check(rejoined[a].elementsEqual(input[b]), "an element changed when rejoined")
        }
    }
    if !messages.isEmpty {
        let kept = BatchSplit.joining(messages.map(\.bytes))
        check((try? Envelope.classify(kept))?.batchElements.count == messages.count, "the messages' batch differs")
    }
    checkRenaming(messages)
}

/// `RequestID.json` is the id member's text exactly as written.
func checkIDText(_ id: RequestID, in element: [UInt8]) {
    guard let value = try? JSONScanner.value(atPath: ["id"], in: element) else {
        check(false, "an id without an id member")
        return
    }
    check(Array(id.json.utf8) == Array(element[value.range]), "id text \(id.json.debugDescription) is not as written")
}

/// Each message renamed with the next one's id carries that id's exact text afterwards.
func checkRenaming(_ messages: [(bytes: [UInt8], envelope: Envelope)]) {
    let ids = messages.compactMap(\.envelope.id)
    guard let newID = ids.last else { return }
    for message in messages where message.envelope.id != nil {
        guard let renamed = MessageSplice.replacingID(in: message.bytes, with: newID) else {
            check(false, "replacingID refused a message with an id")
            continue
        }
        let envelope = try? Envelope.classify(renamed)
        check(envelope?.kind == message.envelope.kind, "renaming changed the kind")
        check(envelope?.id == newID, "renamed id does not match")
        check(envelope?.id?.json == newID.json, "renamed id text differs: \(envelope?.id?.json ?? "nil")")
    }
}
