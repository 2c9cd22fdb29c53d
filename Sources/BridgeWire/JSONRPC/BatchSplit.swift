/// Taking a JSON-RPC batch apart and putting one together again, byte for byte.
///
/// A server's batch is split so each element is routed as the message it is (the answer for a host's single
/// request never reaches the host inside an array); a host's batch is put together again without the elements the
/// bridge refused (an id already in flight).
package enum BatchSplit {
    /// The elements of the batch `envelope` describes, each with its own bytes (as written) and envelope;
    /// `dropped` counts the elements that are no JSON-RPC message (a number, an object without
    /// `"jsonrpc":"2.0"`, a nested array, which JSON-RPC does not allow).
    package static func elements(of bytes: [UInt8], _ envelope: Envelope)
        -> (messages: [(bytes: [UInt8], envelope: Envelope)], dropped: Int)
    {
        var messages: [(bytes: [UInt8], envelope: Envelope)] = []
        var dropped = 0
        for range in envelope.batchElements {
            let element = Array(bytes[range])
            if let inner = try? Envelope.classify(element), inner.kind != .batch {
                messages.append((element, inner))
            } else {
                dropped += 1
            }
        }
        return (messages, dropped)
    }

    /// A batch of the values at `ranges` of `bytes`, each byte for byte, in order.
    package static func joining(_ ranges: [Range<Int>], in bytes: [UInt8]) -> [UInt8] {
        joining(ranges.map { bytes[$0] })
    }

    /// A batch of `elements` (JSON values), each byte for byte, in order.
    package static func joining<Element: Collection<UInt8>>(_ elements: [Element]) -> [UInt8] {
        var batch: [UInt8] = [UInt8(ascii: "[")]
        for (index, element) in elements.enumerated() {
            if index > 0 { batch.append(UInt8(ascii: ",")) }
            batch += element
        }
        batch.append(UInt8(ascii: "]"))
        return batch
    }
}
