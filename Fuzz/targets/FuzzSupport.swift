// Shared by every fuzz target (the `FuzzSupport` target in Package.swift's fuzz block): each target's
// `LLVMFuzzerTestOneInput` hands its input to `fuzzInput`, and checks invariants with `check`.

#if canImport(Glibc)
    import Glibc
#endif

/// Copies libFuzzer's input into an array and runs `body` on it; the return value is `LLVMFuzzerTestOneInput`'s.
package func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: ([UInt8]) -> Void) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    body(bytes)
    return 0
}

/// Reports a broken invariant and aborts, so libFuzzer records the input as a crash.
package func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        let text = "invariant violated: \(message())\n"
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        abort()
    }
}

/// A tiny deterministic generator, seeded from the input so a crash reproduces from its file alone.
package struct FuzzRandom {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    @inlinable
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    @inlinable
    package mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
}
